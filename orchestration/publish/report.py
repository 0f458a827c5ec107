"""The run report of a publication: ``published/<clearance>/report.html``.

What the tiers look like, for the people who use them rather than query them:

- per scheme, the distribution of the tiers (customers and shares, Chinese and English
  labels);
- the star level x card tier cross-tab;
- the migration between the previous monthly rating and this one: per scheme a heatmap
  (from tier x to tier) and the flows up / down / same / new;
- the tier shares at each rating date of the history;
- the quarantine by source and reason, the checks of the run and their results, the run
  and its as-of date.

Built by the publication from each clearance's own new artefact before it is swapped in,
so a report never shows what its clearance may not see, and swapped in with it. It holds
aggregates only (customers per tier, never a row of a customer). In the general report a
count of fewer than ``K_ANONYMITY`` customers is shown as "< 5" and drawn as nothing,
as the general artefact leaves out the aggregate rows over fewer customers.

Self-contained: one HTML file with inline CSS and inline SVG charts; no script, font or
image to fetch, so it opens from disk on a machine without network.
"""

from __future__ import annotations

import datetime as dt
import html
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import duckdb

from orchestration.publish.clearances import K_ANONYMITY
from orchestration.transform.registry import scheme_codes, tier_schemes
from orchestration.warehouse import quote_ident, quote_literal, table_columns

REPORT = "report.html"
#: the rating dates shown in the trend charts (the latest ones)
TREND_DATES = 12
#: one colour per tier rank (1 = best); ranks beyond repeat the palette
PALETTE = (
    "#1b4f72", "#2e86c1", "#48c9b0", "#f4d03f", "#eb984e",
    "#cb4335", "#7d3c98", "#839192", "#a04000", "#117864",
)  # fmt: skip
#: codes that are not bands (a status): drawn grey, listed last
STATUS_COLOUR = "#bdc3c7"
MOVEMENTS = ("UP", "SAME", "DOWN", "NEW")


@dataclass(frozen=True)
class CheckResult:
    """One check of the run: the asset it checks, its name, passed or not, severity."""

    asset: str
    name: str
    passed: bool
    severity: str = "ERROR"


@dataclass(frozen=True)
class Tier:
    code: str
    label_zh: str
    label_en: str
    customers: int


@dataclass
class ReportData:
    clearance: str
    as_of_date: str
    run_id: str
    generated_at: str
    customers: int
    #: scheme -> its tiers in rank order (status codes last)
    distribution: dict[str, list[Tier]] = field(default_factory=dict)
    #: (star level, card tier) -> customers; with the codes of each axis in order
    crosstab: dict[tuple[str, str], int] = field(default_factory=dict)
    crosstab_axes: tuple[list[Tier], list[Tier]] = ([], [])
    #: scheme -> (from code, to code) -> customers, of the latest rating
    migration: dict[str, dict[tuple[str, str], int]] = field(default_factory=dict)
    migration_dates: tuple[str, str] = ("", "")
    #: scheme -> movement -> customers
    flows: dict[str, dict[str, int]] = field(default_factory=dict)
    #: scheme -> rating date -> code -> customers
    trend: dict[str, dict[str, dict[str, int]]] = field(default_factory=dict)
    #: (source, read, loaded, quarantined, duplicates)
    sources: list[tuple[str, int, int, int, int]] = field(default_factory=list)
    #: (source, reason code, rows)
    quarantine: list[tuple[str, str, int]] = field(default_factory=list)
    checks: list[CheckResult] = field(default_factory=list)
    #: scheme -> its codes in rank order (the seeds'), for ordering and colours
    codes: dict[str, tuple[str, ...]] = field(default_factory=dict)


def _order(scheme: str, codes: Iterable[str], known: dict[str, tuple[str, ...]]) -> list[str]:
    """The codes of a scheme in rank order (its seed's order), other codes (statuses
    such as UNRATED) after them."""
    ranked = known.get(scheme, ())
    codes = set(codes)
    return [c for c in ranked if c in codes] + sorted(codes - set(ranked))


def gather(
    con: duckdb.DuckDBPyConnection,
    clearance: str,
    as_of_date: str,
    run_id: str,
    *,
    warehouse: str | None = None,
    checks: Sequence[CheckResult] = (),
) -> ReportData:
    """The report's aggregates from the open artefact (the current catalog) and, for
    the ingest counts, the warehouse attached as ``warehouse`` (when given)."""
    known = scheme_codes()
    tiers_columns = table_columns(con, "customer_tiers", "main")
    data = ReportData(
        clearance=clearance,
        as_of_date=as_of_date,
        run_id=run_id,
        generated_at=dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        customers=(
            con.execute("select count(*) from customer_tiers").fetchone()[0] if tiers_columns else 0
        ),
        checks=list(checks),
        codes=known,
    )
    schemes = [s.scheme for s in tier_schemes() if f"{s.scheme}_code" in tiers_columns]
    if schemes:
        union = " union all ".join(
            f"select {quote_literal(s)} as scheme, {quote_ident(s + '_code')} as code, "
            f"{quote_ident(s + '_zh')} as zh, {quote_ident(s + '_en')} as en "
            "from customer_tiers"
            for s in schemes
        )
        rows = con.execute(
            f"select scheme, code, any_value(zh), any_value(en), count(*) from ({union}) "
            "group by scheme, code"
        ).fetchall()
        by_scheme: dict[str, dict[str, Tier]] = defaultdict(dict)
        for scheme, code, zh, en, n in rows:
            code = code or "NULL"
            by_scheme[scheme][code] = Tier(code, zh or "", en or "", n)
        for scheme in schemes:
            tiers = by_scheme.get(scheme, {})
            data.distribution[scheme] = [tiers[c] for c in _order(scheme, tiers, known)]
    if {"star_level_code", "card_tier_code"} <= tiers_columns:
        for star, card, n in con.execute(
            "select star_level_code, card_tier_code, count(*) from customer_tiers group by all"
        ).fetchall():
            data.crosstab[(star or "NULL", card or "NULL")] = n
        data.crosstab_axes = (
            data.distribution.get("star_level", []),
            data.distribution.get("card_tier", []),
        )
    _gather_migration(con, data)
    _gather_trend(con, data)
    if warehouse and table_columns(con, "source_manifest", "raw", warehouse):
        data.sources = [
            tuple(r)
            for r in con.execute(
                "select source, rows_read, rows_loaded, rows_quarantined, rows_duplicate "
                f"from {quote_ident(warehouse)}.raw.source_manifest order by source"
            ).fetchall()
        ]
        present = {
            t
            for (t,) in con.execute(
                "select table_name from information_schema.tables "
                "where table_catalog = ? and table_schema = 'quarantine'",
                [warehouse],
            ).fetchall()
        }
        parts = [
            f"select {quote_literal(s)} as source, reason_code, count(*) as n "
            f"from {quote_ident(warehouse)}.quarantine.{quote_ident(s)} group by all"
            for s, *_ in data.sources
            if s in present
        ]
        if parts:
            data.quarantine = [
                tuple(r)
                for r in con.execute(
                    " union all ".join(parts) + " order by 1, 3 desc, 2"
                ).fetchall()
            ]
    return data


def _gather_migration(con: duckdb.DuckDBPyConnection, data: ReportData) -> None:
    if "customer_count" not in table_columns(con, "tier_migration", "main"):
        return
    latest = con.execute(
        "select max(to_as_of_date), max(from_as_of_date) from tier_migration "
        "where to_as_of_date = (select max(to_as_of_date) from tier_migration)"
    ).fetchone()
    if latest[0] is None:
        return
    data.migration_dates = (str(latest[1] or ""), str(latest[0]))
    for scheme, src, dst, movement, n in con.execute(
        "select scheme, coalesce(from_tier_code, 'NEW'), to_tier_code, movement, "
        "sum(customer_count) from tier_migration where to_as_of_date = ? group by all",
        [latest[0]],
    ).fetchall():
        data.migration.setdefault(scheme, {})[(src, dst)] = int(n)
        flows = data.flows.setdefault(scheme, {})
        flows[movement] = flows.get(movement, 0) + int(n)


def _gather_trend(con: duckdb.DuckDBPyConnection, data: ReportData) -> None:
    if not {"valid_from", "valid_to", "scheme"} <= table_columns(
        con, "customer_tier_history", "main"
    ):
        return
    # the tier of every customer at each rating date: the period that covers the date
    for scheme, day, code, n in con.execute(
        "with dates as (select distinct valid_from as d from customer_tier_history "
        f"order by d desc limit {TREND_DATES}) "
        "select h.scheme, cast(dates.d as varchar), h.tier_code, count(*) "
        "from customer_tier_history as h inner join dates on h.valid_from <= dates.d "
        "and (h.valid_to is null or h.valid_to > dates.d) group by all"
    ).fetchall():
        data.trend.setdefault(scheme, {}).setdefault(day, {})[code or "NULL"] = n


# --- drawing -------------------------------------------------------------------------


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _shown(n: int, suppress: bool) -> str:
    return f"&lt; {K_ANONYMITY}" if suppress and 0 < n < K_ANONYMITY else f"{n:,}"


def _drawn(n: int, suppress: bool) -> int:
    return 0 if suppress and n < K_ANONYMITY else n


def _colour(index: int, code: str, ranked: Sequence[str]) -> str:
    return PALETTE[index % len(PALETTE)] if code in ranked else STATUS_COLOUR


def _bars(scheme: str, tiers: list[Tier], total: int, suppress: bool, ranked: Sequence[str]) -> str:
    """Horizontal bars: one per tier, its customers and share."""
    row_h, label_w, bar_w = 24, 270, 190
    height = row_h * len(tiers) + 8
    top = max([_drawn(t.customers, suppress) for t in tiers] + [1])
    parts = [
        f'<svg class="chart" data-chart="distribution-{_e(scheme)}" role="img" '
        f'width="{label_w + bar_w + 110}" height="{height}" '
        f'aria-label="{_e(scheme)} distribution">'
    ]
    for i, t in enumerate(tiers):
        y = 4 + i * row_h
        width = round(bar_w * _drawn(t.customers, suppress) / top, 1)
        share = (
            f"{100 * t.customers / total:.1f} %"
            if total and not (suppress and t.customers < K_ANONYMITY)
            else ""
        )
        parts.append(
            f'<text x="0" y="{y + 16}" class="label">{_e(t.label_zh)} · {_e(t.label_en)} '
            f'<tspan class="code">{_e(t.code)}</tspan></text>'
            f'<rect x="{label_w}" y="{y + 3}" width="{width}" height="{row_h - 8}" '
            f'fill="{_colour(i, t.code, ranked)}"><title>{_e(t.code)}: '
            f"{_shown(t.customers, suppress)}</title></rect>"
            f'<text x="{label_w + width + 6}" y="{y + 16}" class="value">'
            f"{_shown(t.customers, suppress)} {share}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)


def _heatmap(
    name: str,
    rows: list[str],
    cols: list[str],
    cells: dict[tuple[str, str], int],
    suppress: bool,
) -> str:
    """A grid of customers per (row, column), darker for more."""
    cell, left, top_h = 34, 150, 110
    width, height = left + cell * len(cols) + 10, top_h + cell * len(rows) + 10
    top = max([_drawn(v, suppress) for v in cells.values()] + [1])
    parts = [
        f'<svg class="chart" data-chart="{_e(name)}" role="img" width="{width}" '
        f'height="{height}" aria-label="{_e(name)}">'
    ]
    for j, c in enumerate(cols):
        x = left + j * cell + cell / 2
        parts.append(
            f'<text transform="translate({x},{top_h - 6}) rotate(-60)" class="axis">{_e(c)}</text>'
        )
    for i, r in enumerate(rows):
        y = top_h + i * cell
        parts.append(
            f'<text x="{left - 6}" y="{y + 21}" class="axis" text-anchor="end">{_e(r)}</text>'
        )
        for j, c in enumerate(cols):
            n = cells.get((r, c), 0)
            shade = _drawn(n, suppress) / top
            fill = f"rgba(27, 79, 114, {0.06 + 0.94 * shade:.3f})" if n else "#f4f6f7"
            ink = "#fff" if shade > 0.5 else "#17202a"
            parts.append(
                f'<rect x="{left + j * cell}" y="{y}" width="{cell - 2}" height="{cell - 2}" '
                f'fill="{fill}"><title>{_e(r)} → {_e(c)}: {_shown(n, suppress)}</title></rect>'
            )
            if n:
                parts.append(
                    f'<text x="{left + j * cell + (cell - 2) / 2}" y="{y + 21}" fill="{ink}" '
                    f'class="cell" text-anchor="middle">{_shown(n, suppress)}</text>'
                )
    parts.append("</svg>")
    return "".join(parts)


def _stacked(
    scheme: str, by_date: dict[str, dict[str, int]], order: list[str], ranked: Sequence[str]
) -> str:
    """One column per rating date, split by the tiers' shares (100 %)."""
    dates = sorted(by_date)
    col, gap, height, left = 44, 14, 180, 40
    width = left + (col + gap) * len(dates) + 10
    parts = [
        f'<svg class="chart" data-chart="trend-{_e(scheme)}" role="img" width="{width}" '
        f'height="{height + 70}" aria-label="{_e(scheme)} shares over time">',
        f'<text x="0" y="12" class="axis">100 %</text>'
        f'<text x="0" y="{height + 4}" class="axis">0 %</text>',
    ]
    for i, day in enumerate(dates):
        counts = by_date[day]
        total = sum(counts.values()) or 1
        x, y = left + i * (col + gap), float(height)
        for k, code in enumerate(order):
            n = counts.get(code, 0)
            if not n:
                continue
            h = height * n / total
            y -= h
            parts.append(
                f'<rect x="{x}" y="{y:.1f}" width="{col}" height="{h:.1f}" '
                f'fill="{_colour(k, code, ranked)}"><title>{_e(day)} {_e(code)}: '
                f"{100 * n / total:.1f} %</title></rect>"
            )
        parts.append(
            f'<text transform="translate({x + col / 2},{height + 10}) rotate(50)" '
            f'class="axis">{_e(day)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _legend(order: list[str], ranked: Sequence[str]) -> str:
    return (
        '<p class="legend">'
        + " ".join(
            f'<span><i style="background:{_colour(k, c, ranked)}"></i>{_e(c)}</span>'
            for k, c in enumerate(order)
        )
        + "</p>"
    )


STYLE = """
body { font: 14px/1.45 system-ui, "Noto Sans CJK SC", "Microsoft YaHei", sans-serif;
       color: #17202a; margin: 24px auto; max-width: 1240px; padding: 0 16px; }
.grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(590px, 1fr));
        gap: 0 24px; }
h1 { font-size: 22px; margin-bottom: 4px; } h2 { font-size: 18px; margin-top: 32px;
border-bottom: 1px solid #d5d8dc; padding-bottom: 4px; } h3 { font-size: 15px; }
.meta { color: #566573; } .label, .value, .axis, .cell { font-size: 12px; }
.code { fill: #808b96; } .value { fill: #17202a; }
table { border-collapse: collapse; margin: 8px 0; } td, th { border: 1px solid #d5d8dc;
padding: 3px 8px; text-align: right; } th { background: #f4f6f7; } td.text { text-align: left; }
.legend span { margin-right: 12px; white-space: nowrap; font-size: 12px; }
.legend i { display: inline-block; width: 10px; height: 10px; margin-right: 4px; }
.failed { color: #cb4335; font-weight: 600; } section.scheme { break-inside: avoid; }
"""


def render(data: ReportData) -> str:
    """The report as one self-contained HTML page."""
    suppress = data.clearance == "general"
    known = data.codes
    out = [
        "<!doctype html>",
        '<html lang="zh-CN"><head><meta charset="utf-8">',
        f"<title>客户分层报告 Customer tiers · {_e(data.as_of_date)} · "
        f"{_e(data.clearance)}</title>",
        f"<style>{STYLE}</style></head><body>",
        "<h1>客户分层报告 · Customer tiers</h1>",
        f'<p class="meta">as of <b>{_e(data.as_of_date)}</b> · clearance '
        f"<b>{_e(data.clearance)}</b> · run {_e(data.run_id)} · {data.customers:,} customers"
        f" · generated {_e(data.generated_at)}"
        + (
            f" · counts under {K_ANONYMITY} customers are shown as &lt; {K_ANONYMITY}"
            if suppress
            else ""
        )
        + "</p>",
    ]
    out.append('<h2 id="distribution">分层分布 · Distribution per scheme</h2><div class="grid">')
    for scheme, tiers in data.distribution.items():
        out.append(f'<section class="scheme"><h3>{_e(scheme)}</h3>')
        out.append(_bars(scheme, tiers, data.customers, suppress, known.get(scheme, ())))
        out.append("</section>")
    out.append("</div>")
    stars, cards = data.crosstab_axes
    if data.crosstab and stars and cards:
        out.append('<h2 id="crosstab">星级 × 卡等级 · Star level × card tier</h2>')
        out.append(
            _heatmap(
                "crosstab-star-card",
                [t.code for t in stars],
                [t.code for t in cards],
                data.crosstab,
                suppress,
            )
        )
    if data.migration:
        before, after = data.migration_dates
        out.append(
            '<h2 id="migration">迁移 · Migration</h2>'
            f'<p class="meta">from the monthly rating of {_e(before or "—")} to the one of '
            f"{_e(after)}; rows: the previous tier (NEW: not rated before), columns: this one"
            "</p>"
        )
        out.append(
            "<table><tr><th>scheme</th>"
            + "".join(f"<th>{m}</th>" for m in MOVEMENTS)
            + "</tr>"
            + "".join(
                f'<tr><td class="text">{_e(s)}</td>'
                + "".join(f"<td>{_shown(f.get(m, 0), suppress)}</td>" for m in MOVEMENTS)
                + "</tr>"
                for s, f in sorted(data.flows.items())
            )
            + "</table>"
        )
        out.append('<div class="grid">')
        for scheme, cells in sorted(data.migration.items()):
            sources = {a for a, _ in cells}
            targets = {b for _, b in cells}
            rows = _order(scheme, sources - {"NEW"}, known) + (["NEW"] if "NEW" in sources else [])
            out.append(f'<section class="scheme"><h3>{_e(scheme)}</h3>')
            out.append(
                _heatmap(
                    f"migration-{scheme}", rows, _order(scheme, targets, known), cells, suppress
                )
            )
            out.append("</section>")
        out.append("</div>")
    if data.trend:
        out.append(
            '<h2 id="trend">历史占比 · Tier shares over the rating dates</h2><div class="grid">'
        )
        for scheme, by_date in sorted(data.trend.items()):
            codes = {c for counts in by_date.values() for c in counts}
            order = _order(scheme, codes, known)
            ranked = known.get(scheme, ())
            out.append(f'<section class="scheme"><h3>{_e(scheme)}</h3>')
            out.append(_stacked(scheme, by_date, order, ranked) + _legend(order, ranked))
            out.append("</section>")
        out.append("</div>")
    if data.sources:
        out.append(
            '<h2 id="ingest">数据接收与隔离 · Ingest and quarantine</h2><table><tr><th>source</th>'
            "<th>read</th><th>loaded</th><th>quarantined</th><th>duplicates</th></tr>"
            + "".join(
                f'<tr><td class="text">{_e(s)}</td>'
                + "".join(f"<td>{int(v or 0):,}</td>" for v in values)
                + "</tr>"
                for s, *values in data.sources
            )
            + "</table>"
        )
        if data.quarantine:
            out.append(
                "<table><tr><th>source</th><th>reason</th><th>rows</th></tr>"
                + "".join(
                    f'<tr><td class="text">{_e(s)}</td><td class="text">{_e(r)}</td>'
                    f"<td>{n:,}</td></tr>"
                    for s, r, n in data.quarantine
                )
                + "</table>"
            )
        else:
            out.append('<p class="meta">no row quarantined</p>')
    out.append(_checks(data.checks))
    out.append("</body></html>")
    return "\n".join(out) + "\n"


def _checks(checks: Sequence[CheckResult]) -> str:
    if not checks:
        return (
            '<h2 id="checks">检查 · Checks</h2><p class="meta">no check results were recorded</p>'
        )
    by_asset: dict[str, list[CheckResult]] = defaultdict(list)
    for c in checks:
        by_asset[c.asset.split("/")[0]].append(c)
    failed = [c for c in checks if not c.passed]
    parts = [
        '<h2 id="checks">检查 · Checks</h2>',
        f"<p>{len(checks) - len(failed):,} passed, "
        f'<span class="{"failed" if failed else ""}">{len(failed):,} failed</span></p>',
        "<table><tr><th>layer</th><th>passed</th><th>failed</th></tr>",
    ]
    for layer, items in sorted(by_asset.items()):
        bad = sum(1 for c in items if not c.passed)
        parts.append(
            f'<tr><td class="text">{_e(layer)}</td><td>{len(items) - bad:,}</td>'
            f"<td>{bad:,}</td></tr>"
        )
    parts.append("</table>")
    if failed:
        parts.append(
            "<table><tr><th>asset</th><th>check</th><th>severity</th></tr>"
            + "".join(
                f'<tr><td class="text">{_e(c.asset)}</td><td class="text">{_e(c.name)}</td>'
                f'<td class="text">{_e(c.severity)}</td></tr>'
                for c in failed
            )
            + "</table>"
        )
    return "".join(parts)
