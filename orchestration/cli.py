"""The ``tiering`` command: generate demo data, run the nightly job, or both.

``tiering run`` executes the same Dagster job the schedule launches, in this
process, and records the run in the Dagster instance under ``$TIERING_HOME/dagster``
so it shows in ``make ui``.
"""

import argparse
import datetime as dt
import json
import os
import sys
import time
from pathlib import Path

from orchestration.resources import Paths, paths_from_env
from orchestration.warehouse import exclusive_run

DEMO_AS_OF = dt.date(2026, 10, 31)
GENERATED_MARKER = "_generated.json"


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from exc


def _say(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


def cmd_generate(out: Path, customers: int, months: int, seed: int, as_of: dt.date) -> int:
    from orchestration.generate import generate

    started = time.monotonic()
    _say(f"generating {customers:,} customers x {months} months (seed {seed}, as of {as_of}) "
         f"into {out}")
    counts = generate(out, customers=customers, months=months, seed=seed, as_of=as_of,
                      progress=_say)
    (out / GENERATED_MARKER).write_text(json.dumps(
        {"customers": customers, "months": months, "seed": seed, "as_of": str(as_of),
         "rows": counts}, indent=2))
    _say("generated " + ", ".join(f"{k} {v:,}" for k, v in counts.items())
         + f" in {time.monotonic() - started:.1f}s")
    return 0


def cmd_run(paths: Paths, as_of: dt.date) -> int:
    from orchestration.definitions import defs
    from orchestration.instance import LAUNCHED_BY_CLI, ensure_instance, fail_dead_cli_runs
    from orchestration.schedules import NIGHTLY_JOB_NAME, run_config_for
    from orchestration.summary import RunOutcome, print_summary

    os.environ["TIERING_HOME"] = str(paths.home)
    os.environ["TIERING_LANDING"] = str(paths.landing)
    instance = ensure_instance(paths.dagster_home)
    _say(f"nightly run as of {as_of}: landing {paths.landing}, warehouse {paths.warehouse}")
    started = time.monotonic()
    job = defs.resolve_job_def(NIGHTLY_JOB_NAME)
    run_config = run_config_for(as_of, home=str(paths.home), landing=str(paths.landing))
    run_config.loggers = {"console": {"config": {"log_level": "INFO"}}}
    with exclusive_run(paths.home, say=_say):
        for run_id in fail_dead_cli_runs(instance):
            _say(f"run {run_id} was killed before it finished; marked failed")
        result = job.execute_in_process(run_config=run_config, instance=instance,
                                        raise_on_error=False,
                                        tags={"tiering/as_of_date": str(as_of),
                                              **LAUNCHED_BY_CLI})
    outcome = RunOutcome.from_result(result, paths, time.monotonic() - started)
    print_summary(outcome, paths)
    instance.dispose()
    return 0 if outcome.success else 1


def cmd_demo(paths: Paths, customers: int, months: int, seed: int) -> int:
    marker = paths.landing / GENERATED_MARKER
    if marker.exists():
        as_of = dt.date.fromisoformat(json.loads(marker.read_text())["as_of"])
        _say(f"using demo data in {paths.landing} (delete it to regenerate)")
    elif paths.landing.exists() and any(paths.landing.iterdir()):
        as_of = DEMO_AS_OF
        _say(f"landing folder {paths.landing} has files; running on them as of {as_of}")
    else:
        as_of = DEMO_AS_OF
        cmd_generate(paths.landing, customers, months, seed, as_of)
    return cmd_run(paths, as_of)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="tiering", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)

    gen = sub.add_parser("generate", help="write deterministic synthetic landing files")
    gen.add_argument("--out", type=Path, required=True, help="landing folder to write")
    gen.add_argument("--customers", type=int, default=10_000)
    gen.add_argument("--months", type=int, default=12)
    gen.add_argument("--seed", type=int, default=42)
    gen.add_argument("--as-of", type=_date, default=DEMO_AS_OF,
                     help=f"last business date of the data (default {DEMO_AS_OF})")

    run = sub.add_parser("run", help="run the nightly job once, in process, through Dagster")
    run.add_argument("--landing", type=Path, help="landing folder (default $TIERING_LANDING "
                                                  "or $TIERING_HOME/landing)")
    run.add_argument("--as-of", type=_date, help="business date to rate (default: yesterday "
                                                 "in Asia/Shanghai)")
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
        return cmd_generate(args.out, args.customers, args.months, args.seed, args.as_of)
    if args.command == "run":
        from orchestration.schedules import previous_business_day

        paths = paths_from_env(args.home, args.landing)
        as_of = args.as_of or previous_business_day(dt.datetime.now(dt.UTC))
        return cmd_run(paths, as_of)
    paths = paths_from_env(args.home)
    return cmd_demo(paths, args.customers, args.months, args.seed)


if __name__ == "__main__":
    sys.exit(main())
