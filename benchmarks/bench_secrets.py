"""Throughput of SecretsTagger on real extracted pages, next to trafilatura extraction time.

Pages: tests/data/extraction/*/html/*.html.gz (copied into the repo by the extraction work).
Run: /tmp/venv/bin/python benchmarks/bench_secrets.py [--repeat N] [--show]
Prints docs/s and ms/KB for extraction and for the secrets stage, the secrets/extraction
time ratio, findings per type on these pages (no values) and peak RSS.
"""

from __future__ import annotations

import argparse
import collections
import gzip
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import trafilatura  # noqa: E402

from filters.secrets import SecretScanner, SecretsConfig, SecretsTagger  # noqa: E402
from schemas import empty_document  # noqa: E402


def load_pages() -> list[str]:
    pages = sorted((ROOT / "tests" / "data" / "extraction").glob("*/html/*.html.gz"))
    if not pages:
        pages = sorted((ROOT / "tests" / "data" / "secrets" / "pages").glob("*.html.gz"))
    return [gzip.decompress(p.read_bytes()).decode("utf-8", errors="replace") for p in pages]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=5, help="passes of the secrets stage over the pages")
    ap.add_argument("--show", action="store_true", help="print each finding's type and masked shape")
    args = ap.parse_args()

    html = load_pages()
    t0 = time.perf_counter()
    texts = []
    for h in html:
        texts.append(trafilatura.extract(h, output_format="markdown", include_comments=False) or "")
    t_extract = time.perf_counter() - t0
    kb = sum(len(t.encode("utf-8")) for t in texts) / 1024

    tagger = SecretsTagger(SecretsConfig())
    counts: collections.Counter[str] = collections.Counter()
    t0 = time.perf_counter()
    for _ in range(args.repeat):
        for t in texts:
            doc = empty_document(text=t, title="")
            counts.update(tagger.tag(doc))
    t_secrets = (time.perf_counter() - t0) / args.repeat
    for k in counts:
        counts[k] //= args.repeat

    n = len(texts)
    print(f"pages: {n}, extracted text: {kb:.0f} KB")
    print(f"extraction (trafilatura): {n / t_extract:8.1f} docs/s  {1000 * t_extract / kb:7.3f} ms/KB  total {t_extract:.2f}s")
    print(f"secrets stage:            {n / t_secrets:8.1f} docs/s  {1000 * t_secrets / kb:7.3f} ms/KB  total {t_secrets:.3f}s")
    print(f"secrets / extraction time: {100 * t_secrets / t_extract:.2f} %")
    print(f"labels on these pages: {dict(counts) or 'none'}")
    if args.show:
        scanner = SecretScanner()
        for i, t in enumerate(texts):
            for s in scanner.scan(t):
                v = t[s.start:s.end]
                shape = f"{v[:3]}…({len(v)} chars)"
                print(f"  page {i}: {s.type} example={s.example} {shape}")
    print(f"peak RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    main()
