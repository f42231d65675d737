"""Beam wiring of data-mixture sampling (pure logic: filters/mixture.py).

Two passes over the kept documents: (1) per-bucket token totals and u-histograms
(CombinePerKey, integer sums, so the plan is identical whatever the bundling), one
small plan computed from them; (2) per document, copies from the plan (a side input)
and a pure hash of (seed, bucket, id). Output copies are therefore bit-identical across
runners, worker counts and retries.
"""

from __future__ import annotations

from typing import Any, Iterable

import apache_beam as beam
from apache_beam import pvalue
from apache_beam.metrics import Metrics

from filters.mixture import (
    BucketStats,
    MixtureConfig,
    MixturePlan,
    copies_for,
    doc_tokens,
    make_bucket_function,
    mixture_table,
    plan_from_stats,
    uniform,
)

SAMPLED_OUT_REASON = "mixture:sampled_out"


class _StatsFn(beam.CombineFn):
    """(tokens, u) -> BucketStats (available tokens, documents, token mass per u bin)."""

    def create_accumulator(self) -> BucketStats:
        return BucketStats()

    def add_input(self, acc: BucketStats, element: tuple[int, float]) -> BucketStats:
        return acc.add(element[0], element[1])

    def merge_accumulators(self, accs: Iterable[BucketStats]) -> BucketStats:
        accs = iter(accs)
        merged = next(accs)
        for acc in accs:
            merged.merge(acc)
        return merged

    def extract_output(self, acc: BucketStats) -> BucketStats:
        return acc


class _SumTriples(beam.CombineFn):
    """Element-wise sum of (documents, copies, tokens x copies)."""

    def create_accumulator(self) -> tuple[int, int, int]:
        return (0, 0, 0)

    def add_input(self, acc: tuple[int, int, int], x: tuple[int, int, int]) -> tuple[int, int, int]:
        return (acc[0] + x[0], acc[1] + x[1], acc[2] + x[2])

    def merge_accumulators(self, accs: Iterable[tuple[int, int, int]]) -> tuple[int, int, int]:
        d = c = t = 0
        for a in accs:
            d, c, t = d + a[0], c + a[1], t + a[2]
        return (d, c, t)

    def extract_output(self, acc: tuple[int, int, int]) -> tuple[int, int, int]:
        return acc


class _BucketStatsKV(beam.DoFn):
    def __init__(self, config: MixtureConfig) -> None:
        self._config = config

    def setup(self) -> None:
        self._bucket_of = make_bucket_function(self._config)

    def process(self, doc: dict[str, Any]):
        b = self._bucket_of(doc)
        yield b, (doc_tokens(doc), uniform(self._config.seed, b, doc["id"]))


class _Sample(beam.DoFn):
    """Sets mixture_bucket / mixture_copies on a copy of the doc; routes copies == 0 to sampled_out."""

    def __init__(self, config: MixtureConfig) -> None:
        self._config = config

    def setup(self) -> None:
        self._bucket_of = make_bucket_function(self._config)
        self._kept = Metrics.counter("crawlsift", "mixture:kept")
        self._out = Metrics.counter("crawlsift", "mixture:sampled_out")

    def process(self, doc: dict[str, Any], rates: dict[str, float]):
        b = self._bucket_of(doc)
        copies = copies_for(self._config.seed, b, doc["id"], rates.get(b, 0.0))
        out = dict(doc)
        out["mixture_bucket"] = b
        out["mixture_copies"] = copies
        yield pvalue.TaggedOutput("realised", (b, (1, copies, copies * doc_tokens(doc))))
        if copies:
            self._kept.inc()
            yield out
        else:
            self._out.inc()
            out["reject_reason"] = SAMPLED_OUT_REASON
            yield pvalue.TaggedOutput("sampled_out", out)


class MixtureSample(beam.PTransform):
    """Kept docs -> {"kept", "sampled_out", "table"} (table: a PCollection of one dict)."""

    def __init__(self, config: MixtureConfig) -> None:
        super().__init__()
        self._config = config

    def expand(self, docs: beam.PCollection) -> dict[str, beam.PCollection]:
        cfg = self._config
        stats = (
            docs
            | "BucketTokens" >> beam.ParDo(_BucketStatsKV(cfg))
            | "SumPerBucket" >> beam.CombinePerKey(_StatsFn())
            | "StatsToDict" >> beam.combiners.ToDict()
        )
        plan = stats | "Plan" >> beam.Map(plan_from_stats, cfg)
        rates = plan | "Rates" >> beam.Map(MixturePlan.rates)
        sampled = docs | "Sample" >> beam.ParDo(
            _Sample(cfg), rates=beam.pvalue.AsSingleton(rates)
        ).with_outputs("sampled_out", "realised", main="kept")
        realised = (
            sampled.realised
            | "RealisedPerBucket" >> beam.CombinePerKey(_SumTriples())
            | "RealisedToDict" >> beam.combiners.ToDict()
        )
        table = realised | "Table" >> beam.Map(
            lambda r, p: mixture_table(p, r), p=beam.pvalue.AsSingleton(plan)
        )
        return {"kept": sampled.kept, "sampled_out": sampled.sampled_out, "table": table}
