"""PII stage speed on real pages, next to trafilatura extraction of the same pages.

    python benchmarks/bench_pii.py [--pages N] [--repeat R] [--show]

Pages: tests/data/extraction/*/html/*.html.gz (real pages with ground truth). Each is
extracted once with trafilatura (timed), then the PII tagger runs over the extracted
texts with and without the pre-screen. Prints docs/s, ms/KB, the PII time as a share of
extraction time, spans found, and peak RSS. ``--show`` prints each redaction with a
little context (to eyeball false positives; it prints page content, so local use only).
"""

from __future__ import annotations

import argparse
import gzip
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import trafilatura  # noqa: E402

from filters.pii import PiiConfig, PiiTagger  # noqa: E402


def load_pages(limit: int) -> list[str]:
    paths = sorted((ROOT / "tests" / "data" / "extraction").glob("*/html/*.html.gz"))
    return [gzip.decompress(p.read_bytes()).decode("utf-8", errors="replace") for p in paths[:limit]]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pages", type=int, default=110)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--show", action="store_true")
    args = ap.parse_args()

    pages = load_pages(args.pages)
    t0 = time.perf_counter()
    texts = [trafilatura.extract(h, output_format="markdown", with_metadata=False) or "" for h in pages]
    t_extract = time.perf_counter() - t0
    kb = sum(len(t.encode("utf-8")) for t in texts) / 1024
    print(f"pages: {len(pages)}  extracted text: {kb:.0f} KB")
    print(f"trafilatura extract: {t_extract * 1000 / len(pages):.2f} ms/doc  ({len(pages) / t_extract:.1f} docs/s)")

    for prescreen in (True, False):
        tagger = PiiTagger(PiiConfig(prescreen=prescreen))
        tagger.tag({"text": "warm-up 212-555-0199 a@b.org", "title": None})
        best = float("inf")
        spans = 0
        for _ in range(args.repeat):
            docs = [{"text": t, "title": None} for t in texts]
            t0 = time.perf_counter()
            tagger.tag_batch(docs)
            best = min(best, time.perf_counter() - t0)
            spans = sum(d["pii_count"] for d in docs)
        name = "with pre-screen   " if prescreen else "without pre-screen"
        print(
            f"pii {name}: {len(texts) / best:8.1f} docs/s  {best * 1000 / kb:6.3f} ms/KB  "
            f"{best * 1000 / len(texts):6.2f} ms/doc  = {100 * best / t_extract:5.1f}% of extraction  "
            f"spans={spans}"
        )
        if args.show and prescreen:
            for text in texts:
                for s, e, ent in tagger.analyze_text(text):
                    print(f"  {ent:15s} {text[max(0, s - 30):s]!r} [{text[s:e]!r}] {text[e:e + 20]!r}")
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS: {rss_mb:.0f} MB")


if __name__ == "__main__":
    main()
