"""Benchmark reports: the per-domain table (the paper's Table 1 columns), results JSON, markdown, chart."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from pydantic import BaseModel, Field

from .run import CaseResult

METRICS = ("field", "semantic", "sequence", "overall")


class Row(BaseModel):
    """Means over a group of cases (a domain, or all)."""

    domain: str
    cases: int
    valid_strict: float = Field(description="% of cases valid with no repair.")
    valid_repaired: float = Field(description="% of cases valid after the graph's repairs.")
    field: float
    semantic: float
    sequence: float
    overall: float
    fuzzy: float | None = Field(description="Mean Overall over the fuzzy-intent cases (None when the group has none).")
    fuzzy_cases: int
    fuzzy_asked: int = Field(description="Fuzzy-intent cases in which the system asked before tailoring.")
    errors: int


class Report(BaseModel):
    bench: str
    backend: str
    created: str = Field(default_factory=lambda: datetime.now(UTC).isoformat(timespec="seconds"))
    rows: list[Row]
    total: Row
    cases: list[CaseResult]


def _mean(values: Sequence[float]) -> float:
    return sum(values) / len(values) if values else 0.0


def _row(name: str, results: list[CaseResult]) -> Row:
    fuzzy = [r for r in results if r.fuzzy]
    return Row(
        domain=name,
        cases=len(results),
        valid_strict=100.0 * _mean([r.valid_strict for r in results]),
        valid_repaired=100.0 * _mean([r.valid_repaired for r in results]),
        field=_mean([r.field for r in results]),
        semantic=_mean([r.semantic for r in results]),
        sequence=_mean([r.sequence for r in results]),
        overall=_mean([r.overall for r in results]),
        fuzzy=_mean([r.overall for r in fuzzy]) if fuzzy else None,
        fuzzy_cases=len(fuzzy),
        fuzzy_asked=sum(r.asked for r in fuzzy),
        errors=sum(r.status == "error" for r in results),
    )


def summarise(results: list[CaseResult], *, bench: str, backend: str) -> Report:
    domains = sorted({r.domain for r in results})
    return Report(
        bench=bench,
        backend=backend,
        rows=[_row(d, [r for r in results if r.domain == d]) for d in domains],
        total=_row("all", results),
        cases=results,
    )


HEADER = ("Domain", "n", "Valid", "Valid*", "Field", "Semantic", "Sequence", "Overall", "Fuzzy")


def _cells(row: Row) -> list[str]:
    fuzzy = "-" if row.fuzzy is None else f"{row.fuzzy:.1f}"
    return [row.domain, str(row.cases), f"{row.valid_strict:.0f}%", f"{row.valid_repaired:.0f}%",
            f"{row.field:.1f}", f"{row.semantic:.1f}", f"{row.sequence:.1f}", f"{row.overall:.1f}", fuzzy]


def table_text(report: Report) -> str:
    """Fixed-width table for the terminal."""
    rows = [list(HEADER)] + [_cells(r) for r in report.rows] + [_cells(report.total)]
    widths = [max(len(r[i]) for r in rows) for i in range(len(HEADER))]
    lines = ["  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths))) for r in rows]
    lines.insert(1, "-" * len(lines[0]))
    lines.insert(len(lines) - 1, "-" * len(lines[0]))
    return "\n".join(lines)


def markdown(report: Report, chart_name: str | None = "chart.png") -> str:
    head = "| " + " | ".join(HEADER) + " |\n|" + "---|" * len(HEADER)
    body = "\n".join("| " + " | ".join(_cells(r)) + " |" for r in report.rows)
    total = "| " + " | ".join(f"**{c}**" for c in _cells(report.total)) + " |"
    cases = "\n".join(
        f"| {c.id} | {c.domain} | {c.task} | {c.routed_task or '-'} | {'yes' if c.fuzzy else ''} | {'yes' if c.asked else ''} | {c.status} "
        f"| {c.field:.1f} | {c.semantic:.1f} | {c.sequence:.1f} | {c.overall:.1f} | {c.seconds:.1f} | {c.error} |"
        for c in report.cases
    )
    picture = f"\n![Scores per domain]({chart_name})\n" if chart_name else ""
    return f"""# Tailoring benchmark: `{Path(report.bench).name}` with backend `{report.backend}`

{report.created}. Valid = valid with no repair; Valid* = valid after the graph's repairs. Field, Semantic,
Sequence and Overall are means over the domain's cases (0-100, see `dataclaw_tailor/evals/README.md`);
Fuzzy is the mean Overall of its fuzzy-intent cases ({report.total.fuzzy_asked} of {report.total.fuzzy_cases}
asked for clarification before tailoring).

{head}
{body}
{total}
{picture}
## Cases

| case | domain | task | routed to | fuzzy | asked | status | Field | Semantic | Sequence | Overall | s | error |
|---|---|---|---|---|---|---|---|---|---|---|---|---|
{cases}
"""


def chart(report: Report, path: Path) -> None:
    """Grouped bars per domain (Field, Semantic, Sequence, Overall, Fuzzy), PNG via matplotlib's Agg backend."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = report.rows + [report.total]
    series = [*METRICS, "fuzzy"]
    width = 0.8 / len(series)
    fig, ax = plt.subplots(figsize=(max(6.0, 1.6 * len(rows)), 3.6), dpi=120)
    for k, name in enumerate(series):
        values = [getattr(r, name) or 0.0 for r in rows]
        ax.bar([i + (k - (len(series) - 1) / 2) * width for i in range(len(rows))], values, width, label=name.capitalize())
    ax.set_xticks(range(len(rows)), [r.domain for r in rows])
    ax.set_ylim(0, 100)
    ax.set_ylabel("score (0-100)")
    ax.set_title(f"{Path(report.bench).name} - backend {report.backend}")
    ax.legend(ncols=len(series), fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.1), frameon=False)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def write_report(report: Report, out_dir: str | Path) -> dict[str, Path]:
    """results.json (every case with its record), report.md and chart.png under `out_dir`."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = {"results": out / "results.json", "report": out / "report.md", "chart": out / "chart.png"}
    payload = report.model_dump(mode="json")
    for case, result in zip(payload["cases"], report.cases):
        case["overall"] = result.overall
    paths["results"].write_text(json.dumps(payload, ensure_ascii=False, indent=2), encoding="utf-8")
    chart(report, paths["chart"])
    paths["report"].write_text(markdown(report, paths["chart"].name), encoding="utf-8")
    return paths
