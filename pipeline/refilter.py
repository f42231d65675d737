"""`crawlsift filter`: re-apply a changed policy/mixture to an existing output.

Signals are already columns in the Parquet shards, so re-tuning thresholds needs
no WARC reading, extraction or scoring. Rows rejected by extraction have no text
and stay rejected; every other row goes back through policy | mixture | write.
Skipped and error counts are carried over from the previous report so the new
report's identity still covers the original WARC records.
"""

from __future__ import annotations

import json
import time

import apache_beam as beam
from apache_beam.io.filesystems import FileSystems
from apache_beam.options.pipeline_options import PipelineOptions

from pipeline.config import RunConfig
from pipeline.run import build_selection, clear_output
from filters.policy import is_sticky
from schemas.documents import DOCUMENT_SCHEMA

def _reset(row: dict) -> dict:
    reason = row.get("reject_reason")
    row = {name: row.get(name) for name in DOCUMENT_SCHEMA.names}
    if is_sticky(reason):
        row["reject_reason"] = reason
    row["mixture_bucket"] = None
    row["mixture_copies"] = None
    return row


def refilter(previous: str, output: str, config: RunConfig, beam_args: list[str]) -> dict:
    from pipeline.report import write_report

    if FileSystems.join(previous, "") == FileSystems.join(output, ""):
        raise ValueError("crawlsift filter: --output must differ from the previous output")
    with FileSystems.open(FileSystems.join(previous, "report.json")) as fh:
        old = json.loads(fh.read().decode("utf-8"))
    clear_output(output)
    started = time.time()
    p = beam.Pipeline(options=PipelineOptions(beam_args))
    kept = p | "Read documents" >> beam.io.ReadFromParquet(FileSystems.join(previous, "documents", "*.parquet"))
    rejected = p | "Read rejected" >> beam.io.ReadFromParquet(FileSystems.join(previous, "rejected", "*.parquet"))
    rows = (kept, rejected) | "All rows" >> beam.Flatten() | "Reset" >> beam.Map(_reset)
    final = rows | "Already final" >> beam.Filter(lambda r: "reject_reason" in r)
    again = rows | "To re-decide" >> beam.Filter(lambda r: "reject_reason" not in r)
    carried = [f"skipped:{k}" for k, v in old.get("skipped_by_reason", {}).items() for _ in range(v)]
    carried += [f"error:{k}" for k, v in old.get("errors_by_reason", {}).items() for _ in range(v)]
    page_keys = rows | "Key rows" >> beam.Map(lambda _: "read:page")
    carried_pc = p | "Carried counts" >> beam.Create(carried)
    outcomes = (page_keys, carried_pc) | "Outcomes" >> beam.Flatten()
    stats = {}
    for name in ("dedup",):
        if name in old:
            stats[name] = p | f"Carry {name}" >> beam.Create([old[name]])
    stats["campaigns"] = p | "Carry campaigns" >> beam.Create(old.get("poisoning", {}).get("campaigns", []))
    build_selection(again, [final], config, output, stats, outcomes)
    result = p.run()
    result.wait_until_finish()
    return write_report(output, config, result, time.time() - started, inputs=[previous])
