"""Benchmark: generation and the nightly job at a given size, median of N repeats.

    .venv/bin/python tests/benchmarks/bench_pipeline.py [--customers 10000] [--months 12]
                                                        [--repeats 3] [--out FILE]

Prints a Markdown table (and appends it to --out): machine, sizes, median seconds for
generation, each job step (from the Dagster event log) and the whole run, and the
peak resident memory of the run process.
"""

import argparse
import datetime as dt
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))


def step_durations(home: Path) -> dict[str, float]:
    import dagster as dg

    instance = dg.DagsterInstance.from_config(str(home / "dagster"))
    try:
        run = instance.get_runs(limit=1)[0]
        stats = instance.get_run_step_stats(run.run_id)
        out: dict[str, float] = {}
        for s in stats:
            group = (
                "ingest"
                if s.step_key.startswith("raw__")
                and "_check" not in s.step_key
                and s.step_key.count("__") == 1
                else "dbt build"
                if s.step_key == "tiering_dbt_assets"
                else "publish"
                if s.step_key == "published__tiers"
                else "checks"
            )
            out[group] = out.get(group, 0.0) + (s.end_time - s.start_time)
        return out
    finally:
        instance.dispose()


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--customers", type=int, default=10_000)
    parser.add_argument("--months", type=int, default=12)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--out", type=Path, default=ROOT / "tests" / "benchmarks" / "RESULTS.md")
    args = parser.parse_args()

    gen_times, run_times, rss, steps = [], [], [], []
    with tempfile.TemporaryDirectory() as tmp:
        landing = Path(tmp) / "landing"
        for i in range(args.repeats):
            started = time.monotonic()
            subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "orchestration.cli",
                    "generate",
                    "--out",
                    str(landing),
                    "--customers",
                    str(args.customers),
                    "--months",
                    str(args.months),
                ],
                check=True,
                capture_output=True,
            )
            gen_times.append(time.monotonic() - started)
            home = Path(tmp) / f"home{i}"
            started = time.monotonic()
            before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
            proc = subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "orchestration.cli",
                    "run",
                    "--home",
                    str(home),
                    "--landing",
                    str(landing),
                    "--as-of",
                    "2026-10-31",
                ],
                capture_output=True,
                text=True,
            )
            if proc.returncode != 0:
                print(proc.stdout[-3000:])
                return 1
            run_times.append(time.monotonic() - started)
            rss.append(max(before, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss))
            steps.append(step_durations(home))
        rows = sum(1 for _ in (landing / "customers.csv").open()) - 1
        tx = sum(sum(1 for _ in f.open()) - 1 for f in (landing / "transactions").glob("*.csv"))

    med = statistics.median
    lines = [
        f"### {dt.date.today()} — {args.customers:,} customers × {args.months} months",
        "",
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}; {rows:,} customers, {tx:,} transactions; "
        f"median of {args.repeats}",
        "",
        "| phase | median s |",
        "|---|---|",
        f"| generate landing files | {med(gen_times):.1f} |",
        *[
            f"| job: {k} | {med(s.get(k, 0.0) for s in steps):.1f} |"
            for k in ("ingest", "dbt build", "checks", "publish")
        ],
        f"| job: whole `tiering run` (incl. start-up) | {med(run_times):.1f} |",
        f"| peak RSS of a child process | {max(rss) / 1024:.0f} MiB |",
        "",
    ]
    text = "\n".join(lines)
    print(text)
    with args.out.open("a", encoding="utf-8") as fh:
        fh.write(text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
