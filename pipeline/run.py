"""The crawlsift graph.

    read | extract | language | licences | dedup | secrets | pii | quality
         | poisoning | campaigns | policy | mixture | write

Per-document stages only tag; the policy stage decides keep/drop; every outcome is
counted from PCollections so the report's identity
``records_read == kept + rejected + skipped + errors`` is exact.
"""

from __future__ import annotations

import json
import logging
import time
from typing import Any

import apache_beam as beam
from apache_beam.io.filesystems import FileSystems
from apache_beam.options.pipeline_options import PipelineOptions

from pipeline.config import RunConfig
from pipeline.io import ReadWarcs, WriteParquetShards
from pipeline.stages import FAILED_STAGE, REJECTED, ExtractDoFn, TagDocuments, drop_transient, recount
from schemas.documents import DOCUMENT_SCHEMA, REJECTED_SCHEMA

log = logging.getLogger(__name__)

STATS_DIR = "_stats"


class ApplyPolicy(beam.DoFn):
    """Tag-then-filter: the one place where documents are dropped (by config rules)."""

    def __init__(self, config: Any):
        self.config = config

    def setup(self) -> None:
        from filters.policy import Policy

        self._policy = Policy(self.config)

    def process(self, doc: dict):
        failed = doc.get(FAILED_STAGE)
        reason = f"{failed}:failed" if failed else self._policy.decide(doc)
        if reason:
            doc = {**doc, "reject_reason": reason}  # never mutate an input element
            yield beam.pvalue.TaggedOutput(REJECTED, doc)
        else:
            yield doc


class WriteStats(beam.PTransform):
    """A PCollection of JSON-able values → one JSON-lines file under _stats/."""

    def __init__(self, output: str, name: str):
        super().__init__()
        self.path = FileSystems.join(output, STATS_DIR, name)

    def expand(self, pcoll):
        return (
            pcoll
            | "ToJson" >> beam.Map(lambda x: json.dumps(x, sort_keys=True, default=str))
            | "Write" >> beam.io.WriteToText(self.path, num_shards=1, shard_name_template="", file_name_suffix=".jsonl")
        )


def measure_inputs(patterns: list[str]) -> tuple[int, int]:
    """(files, bytes) the input globs match now: decides whether pages are spread over workers."""
    sizes = {m.path: m.size_in_bytes for r in FileSystems.match(list(patterns)) for m in r.metadata_list}
    return len(sizes), sum(sizes.values())


def build_documents(p: beam.Pipeline, inputs: list[str], config: RunConfig) -> dict[str, Any]:
    """read | extract | per-document signals | corpus passes. Returns named PCollections."""
    read = p | "Read WARCs" >> ReadWarcs(inputs, config.read, *measure_inputs(inputs))
    extracted = read["pages"] | "Extract" >> beam.ParDo(ExtractDoFn(config.extract)).with_outputs(
        REJECTED, main="docs"
    )
    docs = (
        extracted["docs"]
        | "Language" >> TagDocuments("language", "filters.language:LanguageTagger", config.language)
        | "Licences" >> TagDocuments("licenses", "filters.licenses:LicenseTagger", config.licenses)
        | "Drop raw HTML" >> beam.Map(drop_transient)
    )
    from pipeline.dedup import NearDedup
    from pipeline.poisoning import DetectCampaigns

    dedup = docs | "Near-dedup" >> NearDedup(config.dedup)
    docs = (
        dedup["documents"]
        | "Secrets" >> TagDocuments("secrets", "filters.secrets:SecretsTagger", config.secrets)
        | "PII" >> TagDocuments("pii", "filters.pii:PiiTagger", config.pii, batch_size=32)
        | "Quality" >> TagDocuments("quality", "filters.quality:QualityTagger", config.quality)
        | "Poisoning" >> TagDocuments("poisoning", "filters.poisoning:PoisonTagger", config.poisoning)
    )
    campaigns = docs | "Campaigns" >> DetectCampaigns(config.poisoning)
    documents = campaigns["documents"] | "Recount" >> beam.Map(recount)
    page_keys = read["pages"] | "Key pages" >> beam.Map(lambda _: "read:page")
    outcomes = (read["outcomes"], page_keys) | "Read outcomes" >> beam.Flatten()
    return {
        "outcomes": outcomes,
        "extract_rejected": extracted[REJECTED],
        "documents": documents,
        "stats": {"dedup": dedup["stats"], "campaigns": campaigns["campaigns"]},
    }


def build_selection(docs, extra_rejected: list, config: RunConfig, output: str, stats: dict, outcomes=None):
    """policy | mixture | write, plus the counts and histograms the report needs."""
    from pipeline.mixture import MixtureSample
    from pipeline.report import Histograms

    decided = docs | "Policy" >> beam.ParDo(ApplyPolicy(config.policy)).with_outputs(REJECTED, main="kept")
    mixed = decided["kept"] | "Mixture" >> MixtureSample(config.mixture)
    kept = mixed["kept"]
    rejected_parts = list(extra_rejected) + [decided[REJECTED]]
    if config.output.write_sampled_out:
        rejected_parts.append(mixed["sampled_out"])
        sampled_out_counts = None
    else:
        sampled_out_counts = mixed["sampled_out"] | "Key sampled-out" >> beam.Map(
            lambda d: "sampled_out_unwritten:mixture:sampled_out"
        )
    rejected = tuple(rejected_parts) | "All rejected" >> beam.Flatten()

    kept | "Write documents" >> WriteParquetShards(
        FileSystems.join(output, "documents"), DOCUMENT_SCHEMA, config.output
    )
    rejected | "Write rejected" >> WriteParquetShards(
        FileSystems.join(output, "rejected"), REJECTED_SCHEMA, config.output
    )

    # Outcome keys come from the very PCollections that are written, so the report's
    # counts are the Parquet rows (the driver cross-checks them after the run).
    keys = [kept | "Key kept" >> beam.Map(lambda d: "kept")] + [
        part | f"Key rejected {i}" >> beam.Map(lambda d: f"rejected:{d['reject_reason']}")
        for i, part in enumerate(rejected_parts)
    ]
    if outcomes is not None:
        keys.append(outcomes)
    if sampled_out_counts is not None:
        keys.append(sampled_out_counts)
    counts = (
        tuple(keys)
        | "All outcomes" >> beam.Flatten()
        | "Count outcomes" >> beam.combiners.Count.PerElement()
    )
    counts | "Write counts" >> WriteStats(output, "counts")
    docs | "Histograms" >> Histograms() | "Write histograms" >> WriteStats(output, "histograms")
    mixed["table"] | "Write mixture" >> WriteStats(output, "mixture")
    for name, pcoll in stats.items():
        pcoll | f"Write {name}" >> WriteStats(output, name)


def clear_output(output: str) -> None:
    """Remove our own output folders from a previous run (never anything else)."""
    for sub in ("documents", "rejected", STATS_DIR):
        path = FileSystems.join(output, sub)
        if FileSystems.exists(path):
            FileSystems.delete([path])
    for name in ("report.json", "report.html"):
        path = FileSystems.join(output, name)
        if FileSystems.exists(path):
            FileSystems.delete([path])


def run(inputs: list[str], output: str, config: RunConfig, beam_args: list[str]) -> dict:
    """Run the whole pipeline and write report.json / report.html. Returns the report."""
    from pipeline.report import write_report

    clear_output(output)
    options = PipelineOptions(beam_args)
    started = time.time()
    p = beam.Pipeline(options=options)
    built = build_documents(p, inputs, config)
    build_selection(
        built["documents"], [built["extract_rejected"]], config, output, built["stats"], built["outcomes"]
    )
    result = p.run()
    result.wait_until_finish()
    return write_report(output, config, result, time.time() - started, inputs=inputs)
