"""Throughput of the policy decision, the per-document mixture decision, and MixtureSample on DirectRunner.

    python benchmarks/bench_mixture.py [--docs 100000] [--workers 1] [--skip-beam]

Documents are synthetic rows with every signal column filled (text omitted: neither
stage reads it), spread over head/middle/tail buckets with hash-derived lengths.
Prints docs/s per phase and the process's peak RSS.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from filters.mixture import MixtureConfig, collect_stats, copies_for, make_bucket_function, plan_from_stats, uniform  # noqa: E402
from filters.policy import PRESETS, Policy, PolicyConfig  # noqa: E402
from schemas.documents import empty_document  # noqa: E402


def synthetic_docs(n: int) -> list[dict]:
    docs = []
    for i in range(n):
        u = uniform(99, "bench", str(i))
        bucket = "head" if u < 0.6 else "middle" if u < 0.9 else "tail"
        docs.append(empty_document(
            id=f"{i:040x}", url=f"https://site{i % 977}.example.org/p/{i}", host=f"site{i % 977}.example.org",
            n_chars=int(400 + 8000 * u), n_tokens=int(100 + 2000 * u), language="en", license="CC-BY-4.0",
            dup_status="kept" if i % 7 else "near_duplicate", secret_count=0, secret_types=[], pii_count=1,
            perplexity=200 + 600 * u, quality_bucket=bucket, poison_score=0.01, poison_flags=[],
            gopher_word_count=300, gopher_mean_word_length=4.7, gopher_symbol_word_ratio=0.0,
            gopher_bullet_lines_ratio=0.1, gopher_ellipsis_lines_ratio=0.0, gopher_stop_word_count=50,
            gopher_alpha_words_ratio=0.95, rep_dup_line_frac=0.05, c4_sentence_count=20,
            c4_has_lorem_ipsum=False, c4_has_curly_bracket=False, fineweb_line_punct_ratio=0.7,
            fineweb_short_line_ratio=0.2, fineweb_dup_line_char_ratio=0.0, fineweb_newline_word_ratio=0.05,
        ))
    return docs


def _shifted(start: int, size: int) -> list[dict]:
    """Documents start..start+size with unique ids, generated inside the pipeline (a big beam.Create
    of 100k dicts would dominate the timing with type inference and pickling)."""
    docs = synthetic_docs(size)
    for j, d in enumerate(docs):
        d["id"] = f"{start + j:040x}"
    return docs


def beam_rates(n: int, workers: int, mix: MixtureConfig) -> None:
    """Wall time of source+count, then source+MixtureSample+count; the difference is the transform's cost."""
    import apache_beam as beam
    from apache_beam.options.pipeline_options import PipelineOptions

    from pipeline.mixture import MixtureSample

    mode = "multi_processing" if workers > 1 else "in_memory"
    chunk = 2_000
    starts = list(range(0, n, chunk))

    def run(with_mixture: bool) -> float:
        options = PipelineOptions(flags=[], runner="DirectRunner", direct_running_mode=mode,
                                  direct_num_workers=workers)
        t = time.perf_counter()
        with beam.Pipeline(options=options) as p:
            docs = (p | beam.Create(starts, reshuffle=True)
                    | beam.FlatMap(lambda s: _shifted(s, min(chunk, n - s))))
            if with_mixture:
                out = docs | MixtureSample(mix)
                out["kept"] | "CountKept" >> beam.combiners.Count.Globally()
                out["sampled_out"] | "CountOut" >> beam.combiners.Count.Globally()
                out["table"] | "Table" >> beam.Map(lambda tbl: print("  ", tbl["message"]))
            else:
                docs | beam.combiners.Count.Globally()
        return time.perf_counter() - t

    base = run(False)
    full = run(True)
    label = f"DirectRunner/{mode}/{workers}"
    print(f"{'source+count ' + label:<34}{rate(n, base)}")
    print(f"{'source+MixtureSample ' + label:<34}{rate(n, full)}")
    print(f"{'MixtureSample alone (difference)':<34}{rate(n, max(full - base, 1e-9))}")


def rate(n: int, seconds: float) -> str:
    return f"{n / seconds:>12,.0f} docs/s  ({seconds:.2f} s)"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--docs", type=int, default=100_000)
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--skip-beam", action="store_true")
    args = ap.parse_args()
    docs = synthetic_docs(args.docs)
    print(f"{len(docs):,} synthetic documents")

    for label, config in (
        ("policy.decide (defaults)", PolicyConfig()),
        ("policy.decide (all presets)", PolicyConfig(presets=sorted(PRESETS), languages=["en"], min_chars=200)),
    ):
        policy = Policy(config)
        t = time.perf_counter()
        kept = sum(1 for d in docs if policy.decide(d) is None)
        print(f"{label:<34}{rate(len(docs), time.perf_counter() - t)}  kept {kept:,}")

    mix = MixtureConfig(enabled=True, bucket_key="quality_bucket",
                        targets={"head": 0.4, "middle": 0.4, "tail": 0.2}, seed=1)
    t = time.perf_counter()
    plan = plan_from_stats(collect_stats(docs, mix), mix)
    print(f"{'mixture stats + plan (pure)':<34}{rate(len(docs), time.perf_counter() - t)}")
    bucket_of, rates = make_bucket_function(mix), plan.rates()
    t = time.perf_counter()
    copies = 0
    for d in docs:
        b = bucket_of(d)
        copies += copies_for(mix.seed, b, d["id"], rates[b])
    print(f"{'bucket + copies_for per doc':<34}{rate(len(docs), time.perf_counter() - t)}  copies {copies:,}")

    if not args.skip_beam:
        beam_rates(args.docs, args.workers, mix)

    print(f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MB")


if __name__ == "__main__":
    main()
