"""Benchmark: the nightly job against the hand-written SQL floor, on the same files.

    .venv/bin/python tests/benchmarks/bench_pipeline.py [--size demo|10m|100m]
        [--format csv|parquet] [--workdir DIR] [--keep] [--generate-only] [--out RESULTS.md]

(``make bench SIZE=10m``.) In one session, each step a subprocess:

1. generate the landing files (``tiering generate``; ``--size`` gives the customers:
   demo 10,000, 10m 100,000, 100m 1,000,000, 12 months, about 104 transactions per
   customer a year), as of ``AS_OF`` (30 October, so the extra day stays in the month
   of the last balances);
2. (a) the hand-written DuckDB script (``handwritten_tiers.py``): the four core tiers
   straight from the landing files, the floor a SQL-literate user reaches alone;
3. (b) the full ``tiering run --landing … --as-of …`` on a fresh home; the time of each
   job step comes from the Dagster event log of the home;
4. (c) the next night: one more day of transactions (the generator's own model over a
   one-day window, ``orchestration.demo.generate_extra_day``: same customers, activity
   and amounts, its own random stream, ids ``D<date>…``) added as a new landing file,
   then ``tiering run`` for the as-of date + 1 on the same home; the hand-written
   script runs again for that date too.

With ``--engines duckdb,spark`` (``make bench SIZE=10m ENGINES=duckdb,spark``) it runs
(b) once per engine instead, each on a fresh home (the Spark home starts with the
DuckDB home's keys, so pseudonyms agree), with no next night, and compares every table
of the two restricted artefacts row by row beside the core tiers.

It checks that (a) and (b), and the hand-written script and (c), give every customer
the same codes of the four core tiers, and appends a Markdown section to
``tests/benchmarks/RESULTS.md``: the machine, the sizes, seconds, peak resident memory
(VmHWM, polled every 0.2 s over the whole process tree: the job, dbt, …) and rows/s per
phase, the job's steps, and the ratios (b)/(a) and (c)/(b). Timings on a shared
machine are noisy; the memory figures are not.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from orchestration.demo import generate_extra_day  # noqa: E402
from tests.benchmarks.handwritten_tiers import disagreements  # noqa: E402

SIZES = {"demo": 10_000, "10m": 100_000, "100m": 1_000_000}
MONTHS = 12
SEED = 42
AS_OF = dt.date(2026, 10, 30)
POLL_S = 0.2


# --------------------------------------------------------------------------- memory
def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                stat = Path(f"/proc/{entry.name}/stat").read_text()
            except OSError:
                continue  # gone meanwhile
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            tree.setdefault(ppid, []).append(int(entry.name))
    return tree


def _status(pid: int) -> tuple[str, int, int] | None:
    """(name, VmHWM, VmRSS) of a process in KiB; None when it is gone."""
    try:
        fields = dict(
            line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines()
        )
        cmd = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except (OSError, ValueError):
        return None
    if "VmHWM" not in fields:  # a zombie
        return None
    name = " ".join(c.decode(errors="replace") for c in cmd[:4] if c)[:90] or fields["Name"]
    return name, int(fields["VmHWM"].split()[0]), int(fields["VmRSS"].split()[0])


@dataclass
class Peaks:
    """Peak RSS of every process of a tree, and of the tree as a whole (sum of RSS)."""

    per_process: dict[int, tuple[str, int]] = field(default_factory=dict)  # pid: name, KiB
    tree_kib: int = 0

    def sample(self, root: int) -> None:
        tree, todo, total = _children(), [root], 0
        while todo:
            pid = todo.pop()
            todo.extend(tree.get(pid, ()))
            got = _status(pid)
            if got is None:
                continue
            name, hwm, rss = got
            total += rss
            self.per_process[pid] = (name, max(hwm, self.per_process.get(pid, ("", 0))[1]))
        self.tree_kib = max(self.tree_kib, total)

    @property
    def max_process_kib(self) -> int:
        return max((kib for _, kib in self.per_process.values()), default=0)


@dataclass
class Phase:
    name: str
    seconds: float
    peaks: Peaks
    rows: int  # the transactions it processed, for rows/s
    load: float = field(default_factory=lambda: os.getloadavg()[0])  # 1-min, at the end


def load_averages(phases: list[Phase]) -> str:
    """The machine's 1-minute load average at the end of each phase: above the number
    of cores, other processes were competing for them."""
    return " / ".join(f"{p.load:.1f}" for p in phases)


def run_phase(name: str, cmd: list[str], rows: int, env: dict | None = None) -> Phase:
    """Run ``cmd`` as a subprocess, polling its process tree's memory; fail loudly."""
    print(f"== {name}: {' '.join(cmd)}", flush=True)
    peaks = Peaks()
    started = time.monotonic()
    with tempfile.TemporaryFile("w+") as log:
        proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env=env, cwd=ROOT)
        done = threading.Event()

        def poll() -> None:
            while not done.is_set():
                peaks.sample(proc.pid)
                done.wait(POLL_S)

        poller = threading.Thread(target=poll, daemon=True)
        poller.start()
        code = proc.wait()
        seconds = time.monotonic() - started
        done.set()
        poller.join()
        log.seek(0)
        output = log.read()
    if code != 0:
        raise SystemExit(f"{name} failed with exit code {code}:\n{output[-4000:]}")
    print(f"   {seconds:.1f} s, peak {peaks.max_process_kib / 1024:.0f} MiB", flush=True)
    return Phase(name, seconds, peaks, rows)


# --------------------------------------------------------------------------- job steps
def job_steps(home: Path) -> dict[str, float]:
    """Seconds per group of steps of the latest run of ``home``, from the Dagster event log."""
    import dagster as dg

    instance = dg.DagsterInstance.from_config(str(home / "dagster"))
    try:
        run = instance.get_runs(limit=1)[0]
        out: dict[str, float] = {}
        for s in instance.get_run_step_stats(run.run_id):
            out[_step_group(s.step_key)] = out.get(_step_group(s.step_key), 0.0) + (
                s.end_time - s.start_time
            )
        return out
    finally:
        instance.dispose()


def slowest_dbt_nodes(home: Path, top: int = 12) -> list[tuple[str, float]]:
    """The ``top`` slowest dbt nodes (models, tests, seeds) of the latest run of
    ``home``, from dbt's run_results.json (each run replaces it)."""
    import json

    results = home / "dbt" / "target" / "run_results.json"
    if not results.is_file():
        return []
    nodes = json.loads(results.read_text(encoding="utf-8"))["results"]
    timed = sorted(
        ((n["unique_id"], float(n.get("execution_time") or 0.0)) for n in nodes),
        key=lambda x: -x[1],
    )
    return timed[:top]


def _step_group(key: str) -> str:
    if key == "raw__transactions":
        return "ingest transactions"
    if key.startswith("raw__") and key.count("__") == 1 and "check" not in key:
        return "ingest other sources"
    if key == "tiering_dbt_assets":
        return "dbt build (models + tests)"
    if key.startswith("published"):
        return "publication"
    return "checks and other steps"


# --------------------------------------------------------------------------- report
def machine() -> str:
    import duckdb

    cpuinfo = Path("/proc/cpuinfo").read_text().splitlines()
    cpu = next((x.split(":", 1)[1].strip() for x in cpuinfo if x.startswith("model name")), "")
    meminfo = Path("/proc/meminfo").read_text().splitlines()
    mem_kib = int(next(x for x in meminfo if x.startswith("MemTotal")).split()[1])
    return (
        f"{cpu or platform.machine()}, {os.cpu_count()} cores, {mem_kib / 1024**2:.1f} GiB RAM; "
        f"Linux {platform.release()}; Python {platform.python_version()}, "
        f"duckdb {duckdb.__version__}"
    )


def folder_bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def transactions_in(landing: Path) -> int:
    import duckdb

    files = sorted(
        p for p in (landing / "transactions").iterdir() if p.suffix in (".csv", ".parquet")
    )
    names = ", ".join(f"'{p}'" for p in files)
    reader = (
        f"read_parquet([{names}])"
        if files[0].suffix == ".parquet"
        else f"read_csv([{names}], header = true, all_varchar = true)"
    )
    return duckdb.connect().execute(f"select count(*) from {reader}").fetchone()[0]


def gib(kib: int) -> str:
    return f"{kib / 1024**2:.2f} GiB"


def fmt_rate(rows: int, seconds: float) -> str:
    return f"{rows / seconds:,.0f}" if seconds else "-"


def report(args, customers: int, tx: int, landing_bytes: int, phases: list[Phase], **extra) -> str:
    by = {p.name: p for p in phases}
    lines = [
        f"### {dt.date.today()} — size `{args.size}`: {customers:,} customers × {MONTHS} months, "
        f"{args.format}",
        "",
        f"machine: {machine()}; load average {load_averages(phases)} (other work on the "
        "machine makes the seconds noisy; the memory figures are not)",
        "",
        f"landing: {tx:,} transactions, {landing_bytes / 1024**2:,.0f} MiB ({args.format}); "
        f"as of {AS_OF}" + (f"; extra day: {extra['extra_rows']:,} transactions" if extra else ""),
        "",
        "| phase | s | peak RSS, largest process | peak RSS, process tree | transactions/s |",
        "|---|---:|---:|---:|---:|",
        *[
            f"| {p.name} | {p.seconds:.1f} | {gib(p.peaks.max_process_kib)} | "
            f"{gib(p.peaks.tree_kib)} | {fmt_rate(p.rows, p.seconds)} |"
            for p in phases
        ],
        "",
    ]
    if not extra:
        return "\n".join(lines)
    a, b, c = by["(a) hand-written SQL"], by["(b) tiering run"], by["(c) next night"]
    lines += [
        "| ratio | time | peak RSS (largest process) |",
        "|---|---:|---:|",
        f"| (b) / (a) | {b.seconds / a.seconds:.1f}× | "
        f"{b.peaks.max_process_kib / a.peaks.max_process_kib:.1f}× |",
        f"| (c) / (b) | {c.seconds / b.seconds:.2f}× | "
        f"{c.peaks.max_process_kib / b.peaks.max_process_kib:.2f}× |",
        "",
        "job steps (Dagster event log; the rest of the wall time is start-up, the run lock, "
        "the summary):",
        "",
        "| step group | (b) s | (c) s |",
        "|---|---:|---:|",
        *[
            f"| {k} | {extra['steps_b'].get(k, 0.0):.1f} | {extra['steps_c'].get(k, 0.0):.1f} |"
            for k in sorted(set(extra["steps_b"]) | set(extra["steps_c"]))
        ],
        f"| start-up and the rest | {b.seconds - sum(extra['steps_b'].values()):.1f} | "
        f"{c.seconds - sum(extra['steps_c'].values()):.1f} |",
        "",
        "slowest dbt nodes (run_results.json; dbt runs two at a time):",
        "",
        "| (b) node | s | (c) node | s |",
        "|---|---:|---|---:|",
        *[
            f"| {nb} | {sb:.1f} | {nc} | {sc:.1f} |"
            for (nb, sb), (nc, sc) in zip(extra["dbt_b"], extra["dbt_c"], strict=False)
        ],
        "",
        f"disk after (c): home {extra['home_bytes'] / 1024**2:,.0f} MiB (warehouse "
        f"{extra['warehouse_bytes'] / 1024**2:,.0f} MiB); hand-written output "
        f"{extra['handwritten_bytes'] / 1024**2:,.1f} MiB",
        "",
        "peak RSS per process of (b) (processes over 100 MiB):",
        "",
        *[
            f"- `{name}`: {gib(kib)}"
            for name, kib in sorted(b.peaks.per_process.values(), key=lambda x: -x[1])
            if kib > 100 * 1024
        ],
        "",
        "agreement on the four core tiers (customers whose codes differ): "
        + "; ".join(
            f"{label}: "
            + ", ".join(
                f"{col} {n}" + (f" e.g. {ex}" if n else "") for col, (n, ex) in found.items()
            )
            for label, found in extra["agreement"].items()
        ),
        "",
    ]
    return "\n".join(lines)


# --------------------------------------------------------------------------- main
def agreement(home: Path, handwritten: Path) -> dict[str, tuple[int, list]]:
    from orchestration.security.keys import KeyStore
    from orchestration.security.stores import open_store

    artefact = home / "published" / "restricted" / "tiers.duckdb"  # every customer
    with open_store(artefact, KeyStore(home).text("restricted"), alias="db", read_only=True) as con:
        return disagreements(con, handwritten)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", choices=SIZES, default="demo")
    parser.add_argument("--format", choices=("csv", "parquet"), default="csv")
    parser.add_argument("--workdir", type=Path, help="where the files go (default: a tmp dir)")
    parser.add_argument(
        "--keep", action="store_true", help="keep the landing files and the home afterwards"
    )
    parser.add_argument("--generate-only", action="store_true", help="time the generator only")
    parser.add_argument("--out", type=Path, default=ROOT / "tests" / "benchmarks" / "RESULTS.md")
    parser.add_argument(
        "--engines",
        default="duckdb",
        help="duckdb (default: first and next night), or duckdb,spark (first night on each)",
    )
    args = parser.parse_args()
    customers = SIZES[args.size]
    py = sys.executable
    work = Path(tempfile.mkdtemp(prefix="tiering-bench-", dir=args.workdir))
    try:
        landing, home = work / "landing", work / "home"
        gen = run_phase(
            "generate landing",
            [py, "-m", "orchestration.cli", "generate", "--out", str(landing),
             "--customers", str(customers), "--months", str(MONTHS), "--seed", str(SEED),
             "--as-of", str(AS_OF), "--format", args.format],
            0,
        )  # fmt: skip
        tx, landing_bytes = transactions_in(landing), folder_bytes(landing)
        gen.rows = tx
        if args.generate_only:
            text = report(args, customers, tx, landing_bytes, [gen])
        elif args.engines != "duckdb":
            text = bench_engines(args, py, customers, landing, work, gen, tx, landing_bytes)
        else:
            text = bench(args, py, customers, landing, home, work, gen, tx, landing_bytes)
    finally:
        if args.keep:
            print(f"kept: {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    print(text)
    with args.out.open("a", encoding="utf-8") as fh:
        fh.write("\n" + text)
    return 0


def bench(args, py, customers, landing, home, work, gen, tx, landing_bytes) -> str:
    env = {**os.environ, "TIERING_HOME": str(home)}
    handwritten = [py, str(ROOT / "tests" / "benchmarks" / "handwritten_tiers.py"),
                   "--landing", str(landing)]  # fmt: skip
    hw_b, hw_c = work / "handwritten_b.duckdb", work / "handwritten_c.duckdb"
    tiering = [py, "-m", "orchestration.cli", "run", "--home", str(home), "--landing", str(landing)]
    next_day = AS_OF + dt.timedelta(days=1)

    a = run_phase(
        "(a) hand-written SQL", [*handwritten, "--as-of", str(AS_OF), "--out", str(hw_b)], tx
    )
    b = run_phase("(b) tiering run", [*tiering, "--as-of", str(AS_OF)], tx, env)
    steps_b, found_b = job_steps(home), agreement(home, hw_b)
    dbt_b = slowest_dbt_nodes(home)

    _, extra_rows = generate_extra_day(landing, customers, MONTHS, SEED, AS_OF, fmt=args.format)
    c = run_phase("(c) next night", [*tiering, "--as-of", str(next_day)], tx + extra_rows, env)
    steps_c, dbt_c = job_steps(home), slowest_dbt_nodes(home)
    a2 = run_phase(
        "(a) hand-written SQL, next night",
        [*handwritten, "--as-of", str(next_day), "--out", str(hw_c)],
        tx + extra_rows,
    )
    found_c = agreement(home, hw_c)
    return report(
        args, customers, tx, landing_bytes, [gen, a, b, c, a2],
        extra_rows=extra_rows, steps_b=steps_b, steps_c=steps_c, dbt_b=dbt_b, dbt_c=dbt_c,
        home_bytes=folder_bytes(home), warehouse_bytes=(home / "warehouse.duckdb").stat().st_size,
        handwritten_bytes=hw_b.stat().st_size,
        agreement={"(a) vs (b)": found_b, "next night vs (c)": found_c},
    )  # fmt: skip


def bench_engines(args, py, customers, landing, work, gen, tx, landing_bytes) -> str:
    """(a), then the first night (b) on each engine of ``args.engines``, each on its own
    home; the report compares their times, memory, steps and published tables."""
    engines = [e.strip() for e in args.engines.split(",") if e.strip()]
    hw = work / "handwritten.duckdb"
    a = run_phase(
        "(a) hand-written SQL",
        [py, str(ROOT / "tests" / "benchmarks" / "handwritten_tiers.py"), "--landing",
         str(landing), "--as-of", str(AS_OF), "--out", str(hw)],
        tx,
    )  # fmt: skip
    phases, steps, found, homes = [gen, a], {}, {}, {}
    for engine in engines:
        home = work / f"home_{engine}"
        if homes:  # the same keys as the first home: pseudonyms and tokens agree
            shutil.copytree(next(iter(homes.values())) / "keys", home / "keys")
        homes[engine] = home
        phases.append(
            run_phase(
                f"(b) tiering run --engine {engine}",
                [py, "-m", "orchestration.cli", "run", "--home", str(home), "--landing",
                 str(landing), "--as-of", str(AS_OF), "--engine", engine],
                tx,
                {**os.environ, "TIERING_HOME": str(home)},
            )
        )  # fmt: skip
        steps[engine], found[engine] = job_steps(home), agreement(home, hw)
    text = report(args, customers, tx, landing_bytes, phases)
    first = engines[0]
    lines = [
        "job steps (Dagster event log):",
        "",
        "| step group | " + " | ".join(f"{e} s" for e in engines) + " |",
        "|---|" + "---:|" * len(engines),
        *[
            f"| {k} | " + " | ".join(f"{steps[e].get(k, 0.0):.1f}" for e in engines) + " |"
            for k in sorted(set().union(*steps.values()))
        ],
        "",
        "peak RSS per process (over 100 MiB): "
        + "; ".join(
            f"{p.name}: "
            + ", ".join(
                f"`{name}` {gib(kib)}"
                for name, kib in sorted(p.peaks.per_process.values(), key=lambda x: -x[1])
                if kib > 100 * 1024
            )
            for p in phases[2:]
        ),
        "",
        "agreement with (a) on the four core tiers (customers whose codes differ): "
        + "; ".join(
            f"{e}: " + ", ".join(f"{col} {n}" for col, (n, _ex) in f.items())
            for e, f in found.items()
        ),
        "",
        *[
            f"published tables of {e} against {first} (restricted artefact, rows that "
            f"differ): {artefact_differences(homes[first], homes[e])}"
            for e in engines[1:]
        ],
        "",
    ]
    return text + "\n".join(lines)


def artefact_differences(home_a: Path, home_b: Path) -> str:
    """Tables of the restricted artefacts of two homes that differ, with the rows only
    in one or the other (lineage columns left out); "none" when every table agrees."""
    from orchestration.security.keys import KeyStore
    from orchestration.security.stores import open_store
    from tests.store_diff import table_differences, tables

    a = home_a / "published" / "restricted" / "tiers.duckdb"
    b = home_b / "published" / "restricted" / "tiers.duckdb"
    key = KeyStore(home_a).text("restricted")
    with open_store(a, key, alias="a", read_only=True) as con:
        con.execute(f"attach '{b}' as b (read_only, encryption_key '{key}')")
        names = [n for n in tables(con, "a") if not n.endswith("._publication")]
        out = [p for name in names for p in table_differences(con, name, "a", "b")]
    return ("; ".join(out) or "none") + f" ({len(names)} tables compared)"


if __name__ == "__main__":
    sys.exit(main())
