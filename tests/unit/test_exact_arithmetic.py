"""Scores, points, shares and money are exact decimals: no DOUBLE in the models' SQL.

DuckDB divides DECIMALs, and computes avg(), in DOUBLE, and a DOUBLE summed by several
threads depends on the order they finish in: two runs on the same landing published
different loyalty scores (79.98 / 79.97). The whole-job rerun test
(tests/job/test_reruns.py) compares two runs; this test keeps the SQL that could make
them differ out of the project, whatever the data size: sums over DECIMAL or integers,
means and ratios through macro decimal_ratio (or exact_quotient), never `/`, avg(),
a cast to DOUBLE or a floating-point function.
"""

import re

from orchestration.transform.project import project_dir

#: SQL that computes in DOUBLE (DuckDB: `/` of any two numbers and avg() are DOUBLE;
#: `//` of DECIMALs too).
DOUBLE_SQL = {
    "division /": re.compile(r"(?<![/*{])/(?![/*}])"),
    "division //": re.compile(r"//"),
    "avg()": re.compile(r"\b(avg|mean|fsum|sumkahan|product)\s*\(", re.I),
    "DOUBLE type": re.compile(r"\b(double|float|float4|float8|real)\b", re.I),
    "floating-point function": re.compile(
        r"\b(power|pow|ln|log|log2|log10|exp|sqrt|cbrt|percent_rank|cume_dist)\s*\(", re.I
    ),
}

#: (file, pattern) pairs that stay, with the reason.
ALLOWED = {
    # int_div, the integer division of the exact quotient macros (decimal_ratio,
    # exact_quotient): DuckDB's // of scaled HUGEINTs; on Spark a 38-digit decimal
    # minus its remainder divided by the divisor, an exact multiple: both exact
    ("macros/tier_kit/engine.sql", "division //"): "HUGEINT division",
    ("macros/tier_kit/engine.sql", "division /"): "exact multiple, integer quotient",
}

#: comments and string literals (SQL '...', identifiers "...", Jinja {# ... #}) say
#: nothing about the arithmetic: blanked before the search, line breaks kept.
_NOT_CODE = re.compile(r"\{#.*?#\}|--[^\n]*|'(?:[^']|'')*'|\"[^\"\n]*\"", re.S)


def _code(text: str) -> str:
    return _NOT_CODE.sub(lambda m: " " + "\n" * m.group(0).count("\n"), text)


def double_arithmetic(root) -> list[str]:
    found = []
    files = sorted([*root.glob("models/**/*.sql"), *root.glob("macros/**/*.sql")])
    for path in files:
        name = path.relative_to(root).as_posix()
        code = _code(path.read_text(encoding="utf-8"))
        for what, pattern in DOUBLE_SQL.items():
            if (name, what) in ALLOWED:
                continue
            for match in pattern.finditer(code):
                line = code.count("\n", 0, match.start()) + 1
                found.append(f"{name}:{line}: {what}: {code.splitlines()[line - 1].strip()}")
    return found


def test_no_model_or_macro_computes_in_double():
    assert double_arithmetic(project_dir()) == []


def test_the_check_finds_double_arithmetic(tmp_path):
    (tmp_path / "models").mkdir()
    (tmp_path / "models" / "m.sql").write_text(
        "-- a / b in a comment is fine, and so is '50/50' in a string\n"
        "select round(sum(weight * points) / sum(weight), 2) as score,\n"
        "    avg(x) as mean_x, cast(y as double) as y_double from t\n",
        encoding="utf-8",
    )
    found = double_arithmetic(tmp_path)
    assert [f.split(": ")[1] for f in found] == ["division /", "avg()", "DOUBLE type"]
    assert found[0].startswith("models/m.sql:2:")


def test_every_allowance_is_still_needed():
    """An allowance whose file no longer has the pattern would let it back in unseen."""
    root = project_dir()
    unused = [
        (name, what)
        for (name, what) in ALLOWED
        if not DOUBLE_SQL[what].search(_code((root / name).read_text(encoding="utf-8")))
    ]
    assert unused == []
