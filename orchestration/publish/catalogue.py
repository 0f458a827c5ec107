"""The column catalogue of the published tables: ``dbt_project/CATALOGUE.md``.

Generated from the dbt models' yml (through the parsed manifest), so it says what
the artefacts hold: every column of every published table with its type, its
information class, which clearances see it, whether it is a quasi-identifier and
its declassifier. ``make catalogue`` rewrites it; a unit test fails when the file
and the models disagree.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from contracts.marts import published_models

TITLE = "# Column catalogue of the published tables"
#: the clearances that see a column of each class (class A is never published).
SEEN_BY = {"A": "never published", "B": "confidential, restricted", "C": "all"}


def _cell(text: object) -> str:
    return " ".join(str(text or "").split()).replace("|", "\\|")


def render(manifest: Mapping[str, Any]) -> str:
    lines = [
        TITLE,
        "",
        "Generated from the dbt models (`make catalogue`); do not edit by hand. Class:",
        "A strictly confidential, B confidential, C general (README, Security model).",
        "A cell's class is the higher of its column's class and its customer's class",
        "(seed `customer_info_classes`): the rows of class A customers are only in the",
        "restricted artefact, those of class B customers not in the general one. The",
        "general artefact replaces `customer_id` by a pseudonym and drops",
        "quasi-identifiers (QI) until every combination covers at least 5 customers.",
        "",
    ]
    for node in published_models(manifest):
        lines += [f"## `{node['name']}`", "", _cell(node.get("description")), ""]
        lines += ["| column | type | class | seen by | QI | declassifier | description |"]
        lines += ["|---|---|---|---|---|---|---|"]
        for name, spec in node["columns"].items():
            meta = spec.get("meta") or {}
            info_class = str(meta.get("info_class"))
            qi = "yes" if meta.get("quasi_identifier") else ""
            lines.append(
                f"| `{name}` | {_cell(spec.get('data_type'))} | {info_class}"
                f" | {SEEN_BY.get(info_class, '?')} | {qi}"
                f" | {_cell(meta.get('declassifier'))} | {_cell(spec.get('description'))} |"
            )
        lines.append("")
    return "\n".join(lines)


def catalogue_path(project_dir: Path) -> Path:
    return Path(project_dir) / "CATALOGUE.md"


def main(argv: list[str] | None = None) -> int:
    from orchestration.transform.project import prepare_manifest, project_dir

    args = sys.argv[1:] if argv is None else argv
    manifest = json.loads(prepare_manifest().read_text(encoding="utf-8"))
    target = Path(args[0]) if args else catalogue_path(project_dir())
    target.write_text(render(manifest), encoding="utf-8")
    print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
