"""The ``tiering`` command: generate demo data, run the nightly job, or both; govern
access (``tiering access …``), back up and restore.

Argument parsing only; the work is done by :mod:`orchestration.run.service` and
:mod:`orchestration.security.commands`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

from orchestration.run import service
from orchestration.run.service import DEMO_AS_OF
from orchestration.security.keys import KeyProblem
from orchestration.settings import (
    ENGINES,
    default_as_of,
    duckdb_settings,
    duckdb_settings_in_force,
    engine_of,
    is_uri,
    lake_refusal,
    parse_as_of,
    resolve_paths,
)


def _date(text: str) -> dt.date:
    try:
        return parse_as_of(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="tiering", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)

    gen = sub.add_parser("generate", help="write deterministic synthetic landing files")
    gen.add_argument("--out", type=Path, required=True, help="landing folder to write")
    gen.add_argument("--customers", type=int, default=10_000)
    gen.add_argument("--months", type=int, default=12)
    gen.add_argument("--seed", type=int, default=42)
    gen.add_argument(
        "--as-of",
        type=_date,
        default=DEMO_AS_OF,
        help=f"last business date of the data (default {DEMO_AS_OF})",
    )
    gen.add_argument(
        "--format",
        choices=("csv", "parquet"),
        default="csv",
        help="file format of the landing files (default csv)",
    )

    run = sub.add_parser("run", help="run the nightly job once, in process, through Dagster")
    run.add_argument(
        "--landing",
        help="landing folder (default $TIERING_LANDING or $TIERING_HOME/landing), or, with "
        "--engine spark, a lake URI such as s3a://bucket/landing",
    )
    run.add_argument(
        "--as-of", type=_date, help="business date to rate (default: yesterday in Asia/Shanghai)"
    )
    run.add_argument("--home", type=Path, help="working folder (default $TIERING_HOME or ./data)")
    _engine(run)

    docs = sub.add_parser(
        "docs", help="build the dbt docs site of the warehouse ($TIERING_HOME/dbt/docs)"
    )
    docs.add_argument("--home", type=Path, help="working folder (default $TIERING_HOME or ./data)")
    docs.add_argument(
        "--as-of", type=_date, help="as-of date of the compiled SQL (default: yesterday)"
    )

    demo = sub.add_parser("demo", help="generate demo data if needed, run, summarise")
    demo.add_argument("--home", type=Path)
    demo.add_argument("--customers", type=int, default=10_000)
    demo.add_argument("--months", type=int, default=12)
    demo.add_argument("--seed", type=int, default=42)
    _engine(demo)
    _add_security_commands(sub)
    return parser


def _engine(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--engine",
        choices=ENGINES,
        help="where the dbt models run (default $TIERING_ENGINE or duckdb; spark: "
        "Apache Spark through dbt-spark, see README)",
    )


def _home(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--home", type=Path, help="working folder (default $TIERING_HOME or ./data)"
    )


def _add_security_commands(sub) -> None:
    from orchestration.security.governance import ROLES
    from orchestration.security.keys import CLEARANCES

    acc = sub.add_parser("access", help="grants, key release, class A lookups, the access log")
    actions = acc.add_subparsers(dest="action", required=True)

    p = actions.add_parser("principal", help="add or update a principal")
    p.add_argument("--id", dest="principal_id", required=True)
    p.add_argument("--name", required=True)
    p.add_argument("--department", required=True)
    p.add_argument("--designated", action="store_true", help="designated for class A")
    p.add_argument(
        "--head",
        action="store_true",
        help="head of the department (requests class B and A grants for its staff)",
    )
    p.add_argument("--training-until", type=_date, help="training valid until (class B)")
    _home(p)

    p = actions.add_parser("request", help="request a grant of a clearance")
    p.add_argument("--grantee", required=True)
    p.add_argument("--clearance", choices=CLEARANCES, required=True)
    p.add_argument("--by", required=True, help="the requesting principal")
    p.add_argument("--purpose", required=True)
    p.add_argument("--expires", type=_date, help="default: 1 year (C), 180 days (B), 90 days (A)")
    _home(p)

    p = actions.add_parser("approve", help="approve a grant in a role")
    p.add_argument("--grant", required=True)
    p.add_argument("--by", required=True)
    p.add_argument("--role", choices=ROLES, required=True)
    _home(p)

    p = actions.add_parser("revoke", help="revoke a grant (rotates its key at next publication)")
    p.add_argument("--grant", required=True)
    p.add_argument("--by", required=True)
    p.add_argument("--reason", required=True)
    _home(p)

    _home(actions.add_parser("list", help="principals and grants with their status"))

    p = actions.add_parser("key", help="print a clearance key (active grant only; logged)")
    p.add_argument("--clearance", choices=CLEARANCES, required=True)
    p.add_argument("--as", dest="principal", required=True)
    _home(p)

    p = actions.add_parser("reveal", help="class A values of one customer (grant A; logged)")
    p.add_argument("--customer", required=True)
    p.add_argument("--purpose", required=True)
    p.add_argument("--as", dest="principal", required=True)
    _home(p)

    _home(actions.add_parser("verify", help="verify the access log chain (exit 1 if broken)"))

    p = actions.add_parser("review", help="write the access review now")
    p.add_argument("--date", type=_date, help="review date (default: today in Shanghai)")
    _home(p)

    p = actions.add_parser("attest", help="attest the latest review (information security)")
    p.add_argument("--as", dest="principal", required=True)
    p.add_argument("--review", type=_date, help="date of the review (default: the latest)")
    _home(p)

    p = sub.add_parser("backup", help="back up the encrypted stores with a signed manifest")
    p.add_argument("--to", type=Path, required=True, help="new or empty folder")
    _home(p)

    p = sub.add_parser("restore", help="check a backup, then swap its stores in")
    p.add_argument("--from", dest="from_", type=Path, required=True)
    _home(p)


#: ``tiering access <action>``: the function of orchestration.security.commands and
#: the arguments it takes, in order.
ACCESS_ACTIONS: dict[str, tuple[str, tuple[str, ...]]] = {
    "principal": (
        "principal",
        ("principal_id", "name", "department", "designated", "training_until", "head"),
    ),
    "request": ("request", ("grantee", "clearance", "by", "purpose", "expires")),
    "approve": ("approve", ("grant", "by", "role")),
    "revoke": ("revoke", ("grant", "by", "reason")),
    "list": ("list_grants", ()),
    "key": ("key", ("clearance", "principal")),
    "reveal": ("reveal", ("customer", "purpose", "principal")),
    "verify": ("verify", ()),
    "review": ("write_review", ("date",)),
    "attest": ("attest", ("principal", "review")),
}


def _security(args: argparse.Namespace) -> int:
    from orchestration.security import commands as c

    paths = resolve_paths(args.home)
    # the stores' connections spill under the home given, not the environment's
    with duckdb_settings_in_force(duckdb_settings(paths.home)):
        if args.command == "backup":
            return c.guarded(c.backup_to, paths, args.to)
        if args.command == "restore":
            return c.guarded(c.restore_from, paths, args.from_)
        function, names = ACCESS_ACTIONS[args.action]
        return c.guarded(getattr(c, function), paths, *(getattr(args, n) for n in names))


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command in ("access", "backup", "restore"):
        return _security(args)
    if args.command == "generate":
        service.generate_landing(
            args.out, args.customers, args.months, args.seed, args.as_of, fmt=args.format
        )
        return 0
    if args.command == "docs":
        try:
            service.build_docs(resolve_paths(args.home), args.as_of or default_as_of())
        except service.DocsError as exc:
            print(f"tiering docs: {exc}", file=sys.stderr)
            return 1
        return 0
    if args.command == "run":
        paths = resolve_paths(args.home, args.landing)
        as_of = args.as_of or default_as_of()
    else:
        paths = resolve_paths(args.home)
    refusal = (
        f"the landing location {paths.landing} is a URI: the demo writes its data to a "
        "local folder (set TIERING_LANDING to one)"
        if args.command == "demo" and is_uri(paths.landing)
        else lake_refusal(paths.landing, engine_of(args.engine))
    )
    if refusal:
        print(f"tiering {args.command}: {refusal}", file=sys.stderr)
        return 2
    try:
        if args.command == "demo":
            as_of = service.demo_as_of(paths, args.customers, args.months, args.seed)
        return 0 if service.run_nightly(paths, as_of, engine=args.engine).success else 1
    except KeyProblem as exc:
        # a missing, weak or exposed key: named, never shown; nothing was written
        print(f"tiering: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
