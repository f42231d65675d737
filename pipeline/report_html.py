"""The run report as one self-contained HTML page (charts are embedded PNG data URIs).

Input is the report dict built by pipeline/report.py; every key is optional and only
what is present is rendered, so a partial or older report still renders. Nothing is
fetched: no scripts, fonts or stylesheets from outside the page. Every string that
comes from the report is HTML-escaped.
"""

from __future__ import annotations

import base64
import html
import io
import json
import math
from typing import Any, Iterable, Mapping

import matplotlib

matplotlib.use("Agg")  # no display; must precede pyplot
import matplotlib.pyplot as plt  # noqa: E402

_CSS = """
body{font-family:-apple-system,'Segoe UI',Helvetica,Arial,sans-serif;margin:24px auto;max-width:1100px;
color:#1f2328;line-height:1.4}
h1{margin-bottom:4px}h2{border-bottom:1px solid #d0d7de;padding-bottom:4px;margin-top:32px}
table{border-collapse:collapse;margin:8px 0 16px}
td,th{border:1px solid #d0d7de;padding:3px 10px;text-align:left;vertical-align:top}
th{background:#f6f8fa}td.n{text-align:right;font-variant-numeric:tabular-nums}
.ok{color:#1a7f37;font-weight:600}.bad{color:#cf222e;font-weight:600}
.cards{display:flex;flex-wrap:wrap;gap:12px}
.card{border:1px solid #d0d7de;border-radius:6px;padding:8px 16px;min-width:110px}
.card b{display:block;font-size:1.6em}
img.chart{max-width:100%;border:1px solid #eaeef2;margin:6px 0}
pre{background:#f6f8fa;padding:10px;overflow:auto;font-size:12px;max-height:600px}
.grid{display:grid;grid-template-columns:1fr 1fr;gap:12px}
"""


def _e(value: Any) -> str:
    return html.escape(str(value), quote=True)


def _num(value: Any) -> str:
    if isinstance(value, bool) or value is None:
        return _e(value)
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            return _e(value)
        return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.4g}"
    return _e(value)


def _png(fig: Any) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=90, bbox_inches="tight")
    plt.close(fig)
    data = base64.b64encode(buf.getvalue()).decode("ascii")
    return f'data:image/png;base64,{data}'


def _img(uri: str, alt: str) -> str:
    return f'<img class="chart" alt="{_e(alt)}" src="{uri}">'


def _table(headers: Iterable[str], rows: Iterable[Iterable[Any]], numeric: Iterable[int] = ()) -> str:
    numeric = set(numeric)
    head = "".join(f"<th>{_e(h)}</th>" for h in headers)
    body = []
    for row in rows:
        cells = "".join(
            f'<td class="n">{_num(v)}</td>' if i in numeric else f"<td>{_e(v)}</td>" for i, v in enumerate(row)
        )
        body.append(f"<tr>{cells}</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _counts_table(title: str, counts: Mapping[str, Any] | None) -> str:
    if not counts:
        return ""
    rows = sorted(counts.items(), key=lambda kv: (-int(kv[1] or 0), kv[0]))
    total = sum(int(v or 0) for _, v in rows)
    return f"<h3>{_e(title)} ({total:,})</h3>" + _table(["reason", "documents"], rows, numeric=[1])


# --- charts --------------------------------------------------------------------------


def _funnel_chart(funnel: list[Mapping[str, Any]]) -> str:
    stages = [str(f.get("stage", "?")) for f in funnel]
    counts = [int(f.get("documents") or 0) for f in funnel]
    fig, ax = plt.subplots(figsize=(9, 0.45 * len(stages) + 1.0))
    y = list(range(len(stages)))[::-1]
    bars = ax.barh(y, counts, color="#0969da")
    ax.set_yticks(y, stages)
    ax.set_xlabel("documents")
    top = max(counts) if counts else 1
    for bar, n in zip(bars, counts):
        ax.text(bar.get_width() + top * 0.01, bar.get_y() + bar.get_height() / 2, f"{n:,}", va="center", fontsize=9)
    ax.set_xlim(0, top * 1.15 or 1)
    ax.set_title("Records through the pipeline")
    return _png(fig)


def _histogram_chart(name: str, hist: Mapping[str, Any]) -> str | None:
    edges = [float(e) for e in hist.get("edges") or []]
    counts = [int(c) for c in hist.get("counts") or []]
    if len(edges) != len(counts) + 1 or not counts:
        return None
    log_x = bool(hist.get("log_x"))
    if log_x:
        # log axes cannot show 0: start the first bin at a tenth of its right edge
        positive = [e for e in edges if e > 0]
        floor = positive[0] / 10 if positive else 1.0
        edges = [e if e > 0 else floor for e in edges]
        edges[-1] = min(edges[-1], edges[-2] * 10)  # open-ended last bin ("≥ x")
    fig, ax = plt.subplots(figsize=(5.2, 3.0))
    widths = [b - a for a, b in zip(edges, edges[1:])]
    ax.bar(edges[:-1], counts, width=widths, align="edge", color="#8250df", edgecolor="white", linewidth=0.5)
    if log_x:
        ax.set_xscale("log")
    ax.set_title(name)
    ax.set_ylabel("documents")
    ax.set_xlabel(name)
    return _png(fig)


def _mixture_chart(rows: list[Mapping[str, Any]]) -> str:
    names = [str(r.get("bucket")) for r in rows]
    target = [100 * float(r.get("target_share") or 0) for r in rows]
    realised = [100 * float(r.get("realised_share") or 0) for r in rows]
    fig, ax = plt.subplots(figsize=(max(5, 1.1 * len(names) + 2), 3.4))
    x = list(range(len(names)))
    ax.bar([i - 0.2 for i in x], target, width=0.4, label="target", color="#afb8c1")
    ax.bar([i + 0.2 for i in x], realised, width=0.4, label="realised", color="#1a7f37")
    ax.set_xticks(x, names, rotation=30 if len(names) > 6 else 0)
    ax.set_ylabel("% of tokens")
    ax.set_title("Mixture: target vs realised token share")
    ax.legend()
    return _png(fig)


# --- sections ------------------------------------------------------------------------


def _summary(report: Mapping[str, Any]) -> str:
    cards = []
    for key, label in (("records_read", "records read"), ("kept", "kept"), ("rejected", "rejected"),
                       ("skipped", "skipped"), ("errors", "errors")):
        if key in report:
            cards.append(f'<div class="card">{_e(label)}<b>{_num(report[key])}</b></div>')
    out = f'<div class="cards">{"".join(cards)}</div>' if cards else ""
    if "identity_holds" in report:
        ok = bool(report["identity_holds"])
        out += (
            f'<p>Accounting identity (read = kept + rejected + skipped + errors): '
            f'<span class="{"ok" if ok else "bad"}">{"holds" if ok else "DOES NOT HOLD"}</span></p>'
        )
    parquet = report.get("parquet")
    if isinstance(parquet, Mapping) and parquet:
        out += ("<details><summary>Parquet cross-check</summary>"
                + _table(["parquet", "value"], sorted(parquet.items()), numeric=[1]) + "</details>")
    return out


def _funnel(report: Mapping[str, Any]) -> str:
    funnel = report.get("funnel")
    if not funnel:
        return ""
    rows = [(f.get("stage"), f.get("documents")) for f in funnel]
    return (
        "<h2>Funnel</h2>" + _img(_funnel_chart(funnel), "funnel of documents per stage")
        + "<details><summary>funnel as a table</summary>"
        + _table(["stage", "documents"], rows, numeric=[1]) + "</details>"
    )


def _reasons(report: Mapping[str, Any]) -> str:
    parts = [
        _counts_table("Rejected", report.get("rejected_by_reason")),
        _counts_table("Skipped", report.get("skipped_by_reason")),
        _counts_table("Errors", report.get("errors_by_reason")),
    ]
    body = "".join(parts)
    return f"<h2>Reasons</h2>{body}" if body else ""


def _stages(report: Mapping[str, Any]) -> str:
    stages = report.get("stages")
    if not stages:
        return ""
    out = ["<h2>Stage counters</h2><div class='grid'>"]
    for stage, counters in sorted(stages.items()):
        if isinstance(counters, Mapping) and counters:
            out.append(f"<div><h3>{_e(stage)}</h3>"
                       + _table(["label", "count"], sorted(counters.items()), numeric=[1]) + "</div>")
    out.append("</div>")
    return "".join(out)


def _histograms(report: Mapping[str, Any]) -> str:
    hists = report.get("histograms")
    if not isinstance(hists, Mapping) or not hists:
        return ""
    preferred = ["n_chars", "perplexity", "dup_cluster_size"]
    names = [n for n in preferred if n in hists] + sorted(n for n in hists if n not in preferred)
    imgs = []
    for name in names:
        uri = _histogram_chart(name, hists[name]) if isinstance(hists[name], Mapping) else None
        if uri:
            imgs.append(f"<div>{_img(uri, f'histogram of {name}')}</div>")
    return f"<h2>Distributions</h2><div class='grid'>{''.join(imgs)}</div>" if imgs else ""


def _dedup(report: Mapping[str, Any]) -> str:
    dedup = report.get("dedup")
    if not isinstance(dedup, Mapping) or not dedup:
        return ""
    flat = {k: v for k, v in dedup.items() if not isinstance(v, (Mapping, list))}
    nested = {k: v for k, v in dedup.items() if isinstance(v, (Mapping, list))}
    out = "<h2>Near-duplicates</h2>" + _table(["statistic", "value"], sorted(flat.items()), numeric=[1])
    if nested:
        out += f"<pre>{_e(json.dumps(nested, indent=2, sort_keys=True, default=str))}</pre>"
    return out


def _poisoning(report: Mapping[str, Any]) -> str:
    poisoning = report.get("poisoning")
    campaigns = poisoning.get("campaigns") if isinstance(poisoning, Mapping) else None
    if not campaigns:
        return ""
    rows = [(c.get("ngram"), _domain_count(c.get("domains")), c.get("documents"), ", ".join(c.get("evidence") or []))
            for c in campaigns]
    return "<h2>Poisoning campaigns</h2>" + _table(["shared n-gram", "domains", "documents", "evidence"], rows,
                                                   numeric=[1, 2])


def _domain_count(domains: Any) -> Any:
    """The campaign's domain count (the pass writes {"count": n, "first": [...]})."""
    return domains.get("count") if isinstance(domains, Mapping) else domains


def _mixture(report: Mapping[str, Any]) -> str:
    mixture = report.get("mixture")
    if not isinstance(mixture, Mapping) or not mixture:
        return ""
    out = ["<h2>Data mixture</h2>"]
    if "message" in mixture:
        ok = bool(mixture.get("feasible"))
        out.append(f'<p><span class="{"ok" if ok else "bad"}">{_e(mixture["message"])}</span></p>')
    facts = [(k, mixture[k]) for k in ("enabled", "seed", "token_budget", "planned_tokens", "realised_tokens")
             if k in mixture]
    if facts:
        out.append(_table(["", "value"], facts, numeric=[1]))
    rows = [r for r in mixture.get("buckets") or [] if isinstance(r, Mapping)]
    if rows:
        out.append(_img(_mixture_chart(rows), "mixture target vs realised token shares"))
        cols = ["bucket", "available_tokens", "documents", "copies", "target_share", "realised_share",
                "epochs", "capped"]
        table_rows = [
            [r.get("bucket"), r.get("available_tokens"), r.get("documents"), r.get("copies"),
             f"{100 * float(r.get('target_share') or 0):.2f}%", f"{100 * float(r.get('realised_share') or 0):.2f}%",
             r.get("epochs"), r.get("capped")]
            for r in rows
        ]
        out.append(_table(cols, table_rows, numeric=[1, 2, 3, 6]))
    return "".join(out)


def _timings_versions(report: Mapping[str, Any]) -> str:
    out = []
    timings = report.get("timings")
    if isinstance(timings, Mapping) and timings:
        out.append("<h2>Timings</h2>" + _table(["", "value"], sorted(timings.items()), numeric=[1]))
    versions = report.get("versions")
    if isinstance(versions, Mapping) and versions:
        out.append("<h2>Versions</h2>" + _table(["package", "version"], sorted(versions.items())))
    inputs = report.get("inputs")
    if inputs:
        out.append("<h2>Inputs</h2><ul>" + "".join(f"<li>{_e(i)}</li>" for i in inputs) + "</ul>")
    return "".join(out)


def _config(report: Mapping[str, Any]) -> str:
    config = report.get("config")
    if not config:
        return ""
    text = json.dumps(config, indent=2, sort_keys=True, default=str)
    return f"<h2>Configuration</h2><pre>{_e(text)}</pre>"


def render_report_html(report: dict) -> str:
    """One self-contained HTML page for a run report (every key optional)."""
    title = "crawlsift run report"
    sections = [
        _summary(report),
        _funnel(report),
        _reasons(report),
        _histograms(report),
        _mixture(report),
        _dedup(report),
        _poisoning(report),
        _stages(report),
        _timings_versions(report),
        _config(report),
    ]
    body = "".join(s for s in sections if s) or "<p>The report is empty.</p>"
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        f"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>{title}</title>"
        f"<style>{_CSS}</style></head><body><h1>{title}</h1>{body}</body></html>\n"
    )
