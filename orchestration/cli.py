"""The ``tiering`` command: generate demo data, run the nightly job, or both.

Argument parsing only; the work is done by :mod:`orchestration.run.service`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

from orchestration.run import service
from orchestration.run.service import DEMO_AS_OF
from orchestration.settings import default_as_of, parse_as_of, resolve_paths


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

    run = sub.add_parser("run", help="run the nightly job once, in process, through Dagster")
    run.add_argument(
        "--landing",
        type=Path,
        help="landing folder (default $TIERING_LANDING or $TIERING_HOME/landing)",
    )
    run.add_argument(
        "--as-of", type=_date, help="business date to rate (default: yesterday in Asia/Shanghai)"
    )
    run.add_argument("--home", type=Path, help="working folder (default $TIERING_HOME or ./data)")

    demo = sub.add_parser("demo", help="generate demo data if needed, run, summarise")
    demo.add_argument("--home", type=Path)
    demo.add_argument("--customers", type=int, default=10_000)
    demo.add_argument("--months", type=int, default=12)
    demo.add_argument("--seed", type=int, default=42)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "generate":
        service.generate_landing(args.out, args.customers, args.months, args.seed, args.as_of)
        return 0
    if args.command == "run":
        paths = resolve_paths(args.home, args.landing)
        as_of = args.as_of or default_as_of()
    else:
        paths = resolve_paths(args.home)
        as_of = service.demo_as_of(paths, args.customers, args.months, args.seed)
    return 0 if service.run_nightly(paths, as_of).success else 1


if __name__ == "__main__":
    sys.exit(main())
