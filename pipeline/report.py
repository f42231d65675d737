"""The run report: counts that prove nothing was lost, stage counters, histograms.

Outcome counts come from PCollections written under ``_stats/`` (exact on every
runner); per-stage counters come from Beam metrics (committed values where the
runner has them). kept/rejected are cross-checked against the Parquet row counts.
"""

from __future__ import annotations

import json
import logging
import math
import platform
from collections import defaultdict
from importlib import metadata
from typing import Any

import apache_beam as beam
import pyarrow.parquet as pq
from apache_beam.io.filesystems import FileSystems

log = logging.getLogger(__name__)

# Fixed bins so partial histograms from many workers merge exactly.
HISTOGRAM_SPECS: dict[str, dict[str, Any]] = {
    "n_chars": {"edges": [0] + [10 ** (i / 4) for i in range(4, 29)], "log_x": True},
    "perplexity": {"edges": [0] + [10 ** (i / 8) for i in range(4, 41)], "log_x": True},
    "dup_cluster_size": {"edges": [1, 2, 3, 4, 5, 8, 16, 32, 64, 128, 1024, 10 ** 9], "log_x": True},
    "poison_score": {"edges": [i / 10 for i in range(11)], "log_x": False},
}


def _bin(edges: list[float], value: float) -> int | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    lo, hi = 0, len(edges) - 1
    if value < edges[0]:
        return None
    if value >= edges[-1]:
        return len(edges) - 2
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if value >= edges[mid]:
            lo = mid
        else:
            hi = mid
    return lo


class _HistogramFn(beam.CombineFn):
    def create_accumulator(self):
        return {name: [0] * (len(spec["edges"]) - 1) for name, spec in HISTOGRAM_SPECS.items()}

    def add_input(self, acc, doc):
        for name, spec in HISTOGRAM_SPECS.items():
            value = doc.get(name)
            if value is None:
                continue
            if name == "dup_cluster_size" and doc.get("dup_status") not in ("kept", "unique"):
                continue  # one count per cluster
            i = _bin(spec["edges"], float(value))
            if i is not None:
                acc[name][i] += 1
        return acc

    def merge_accumulators(self, accs):
        out = self.create_accumulator()
        for acc in accs:
            for name, counts in acc.items():
                out[name] = [a + b for a, b in zip(out[name], counts)]
        return out

    def extract_output(self, acc):
        return {
            name: {"edges": HISTOGRAM_SPECS[name]["edges"], "counts": acc[name], "log_x": HISTOGRAM_SPECS[name]["log_x"]}
            for name in acc
        }


class Histograms(beam.PTransform):
    def expand(self, docs):
        return docs | beam.CombineGlobally(_HistogramFn())


def _read_jsonl(output: str, name: str) -> list[Any]:
    path = FileSystems.join(output, "_stats", f"{name}.jsonl")
    if not FileSystems.exists(path):
        return []
    with FileSystems.open(path) as fh:
        return [json.loads(line) for line in fh.read().decode("utf-8").splitlines() if line.strip()]


def parquet_rows(directory: str) -> tuple[int, int]:
    """(rows, files) of the Parquet shards in a directory."""
    match = FileSystems.match([FileSystems.join(directory, "*.parquet")])[0]
    rows = 0
    for m in match.metadata_list:
        with FileSystems.open(m.path) as fh:
            rows += pq.ParquetFile(fh).metadata.num_rows
    return rows, len(match.metadata_list)


def _stage_counters(result) -> dict[str, dict[str, int]]:
    stages: dict[str, dict[str, int]] = defaultdict(dict)
    try:
        counters = result.metrics().query()["counters"]
    except Exception:  # noqa: BLE001 - some runners expose no metrics
        return {}
    for c in counters:
        if c.key.metric.namespace != "crawlsift":
            continue
        stage, _, label = c.key.metric.name.partition(":")
        try:
            value = c.committed if c.committed is not None else c.attempted
        except Exception:  # noqa: BLE001 - committed unsupported
            value = c.attempted
        stages[stage][label] = stages[stage].get(label, 0) + int(value or 0)
    return {k: dict(sorted(v.items())) for k, v in sorted(stages.items())}


def _versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for pkg in ("crawlsift", "apache-beam", "trafilatura", "warcio", "datasketch", "presidio-analyzer",
                "kenlm", "pyarrow", "detect-secrets", "py3langid"):
        try:
            out[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            out[pkg] = "not installed"
    return out


def summarize_counts(pairs: list[list[Any]]) -> dict[str, Any]:
    """Outcome keys → the identity numbers and per-reason tables."""
    counts = {k: int(v) for k, v in pairs}
    by = lambda prefix: {k[len(prefix):]: v for k, v in sorted(counts.items()) if k.startswith(prefix)}  # noqa: E731
    skipped, errors, rejected = by("skipped:"), by("error:"), by("rejected:")
    unwritten = by("sampled_out_unwritten:")
    kept = counts.get("kept", 0)
    pages = counts.get("read:page", 0)
    n_rejected = sum(rejected.values()) + sum(unwritten.values())
    records_read = pages + sum(skipped.values()) + sum(errors.values())
    return {
        "records_read": records_read,
        "kept": kept,
        "rejected": n_rejected,
        "skipped": sum(skipped.values()),
        "errors": sum(errors.values()),
        "identity_holds": records_read == kept + n_rejected + sum(skipped.values()) + sum(errors.values())
        and pages == kept + n_rejected,
        "documents_read": pages,
        "rejected_by_reason": {**rejected, **unwritten},
        "rejected_not_written": sum(unwritten.values()),
        "skipped_by_reason": skipped,
        "errors_by_reason": errors,
    }


def _funnel(summary: dict[str, Any]) -> list[dict[str, Any]]:
    rej = summary["rejected_by_reason"]
    stage_of = lambda reason: reason.split(":", 1)[0]  # noqa: E731
    docs = summary["documents_read"]
    funnel = [
        {"stage": "records read", "documents": summary["records_read"]},
        {"stage": "HTML documents", "documents": docs},
    ]
    remaining = docs
    # extraction, then the policy's rule order (filters.policy.RULE_ORDER), then mixture
    for stage in ("extract", "dedup", "language", "length", "license", "secrets", "pii", "poisoning",
                  "quality", "mixture"):
        removed = sum(v for k, v in rej.items() if stage_of(k) == stage)
        if removed:
            remaining -= removed
            funnel.append({"stage": f"after {stage}", "documents": remaining})
    other = sum(v for k, v in rej.items()) - (docs - remaining)
    if other:
        remaining -= other
        funnel.append({"stage": "after other rules", "documents": remaining})
    funnel.append({"stage": "kept", "documents": summary["kept"]})
    return funnel


def build_report(output: str, config, result, wall_seconds: float, inputs: list[str] | None = None) -> dict:
    from pipeline.config import config_to_dict

    summary = summarize_counts(_read_jsonl(output, "counts"))
    doc_rows, doc_files = parquet_rows(FileSystems.join(output, "documents"))
    rej_rows, rej_files = parquet_rows(FileSystems.join(output, "rejected"))
    report: dict[str, Any] = dict(summary)
    report["parquet"] = {
        "documents_rows": doc_rows,
        "documents_files": doc_files,
        "rejected_rows": rej_rows,
        "rejected_files": rej_files,
        "match_counts": doc_rows == summary["kept"]
        and rej_rows == summary["rejected"] - summary["rejected_not_written"],
    }
    report["identity_holds"] = bool(report["identity_holds"] and report["parquet"]["match_counts"])
    report["funnel"] = _funnel(summary)
    report["stages"] = _stage_counters(result) if result is not None else {}
    for name in ("dedup", "mixture", "histograms"):
        rows = _read_jsonl(output, name)
        if rows:
            report[name] = rows[0]
    report["poisoning"] = {"campaigns": _read_jsonl(output, "campaigns")}
    report["timings"] = {
        "wall_seconds": round(wall_seconds, 2),
        "records_per_second": round(summary["records_read"] / wall_seconds, 2) if wall_seconds else None,
        "docs_per_second": round(summary["documents_read"] / wall_seconds, 2) if wall_seconds else None,
    }
    report["inputs"] = list(inputs or [])
    report["config"] = config_to_dict(config)
    report["versions"] = _versions()
    return report


def write_report(output: str, config, result, wall_seconds: float, inputs: list[str] | None = None) -> dict:
    report = build_report(output, config, result, wall_seconds, inputs)
    with FileSystems.create(FileSystems.join(output, "report.json")) as fh:
        fh.write(json.dumps(report, indent=2, sort_keys=True, default=str).encode("utf-8"))
    try:
        from pipeline.report_html import render_report_html

        html = render_report_html(report)
        with FileSystems.create(FileSystems.join(output, "report.html")) as fh:
            fh.write(html.encode("utf-8"))
    except Exception as exc:  # noqa: BLE001 - the JSON report is the contract; say why HTML is missing
        log.error("report.html not written: %s", exc)
    return report
