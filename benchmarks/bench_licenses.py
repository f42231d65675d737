"""Licence stage throughput next to trafilatura extraction on the same real pages.

    python benchmarks/bench_licenses.py [--repeat 3] [--dirs DIR ...]

Pages: every ``*.html.gz`` under tests/data/licenses/html and tests/data/extraction (real
web pages, CC-licensed and not). Each page is extracted once with trafilatura (Markdown,
timed), then LicenseTagger runs on (HTML, extracted text) ``--repeat`` times. Prints
docs/s, MB/s, ms/doc for both, the licence share of extraction time (target: licences +
secrets <= 10 %), the split HTML vs text detection, and peak RSS.
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

from filters.license_html import detect_html_license  # noqa: E402
from filters.licenses import LicenseConfig, LicenseTagger  # noqa: E402
from schemas.documents import empty_document  # noqa: E402

DEFAULT_DIRS = [ROOT / "tests/data/licenses/html", ROOT / "tests/data/extraction"]


def load_pages(dirs: list[Path]) -> list[str]:
    files = sorted(p for d in dirs for p in d.rglob("*.html.gz"))
    return [gzip.decompress(p.read_bytes()).decode("utf-8", "replace") for p in files]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--dirs", nargs="*", type=Path, default=DEFAULT_DIRS)
    args = ap.parse_args()

    import trafilatura

    pages = load_pages(args.dirs)
    mb = sum(len(p.encode("utf-8")) for p in pages) / 1e6
    print(f"{len(pages)} pages, {mb:.1f} MB HTML")

    t0 = time.perf_counter()
    texts = [trafilatura.extract(p, output_format="markdown") or "" for p in pages]
    t_extract = time.perf_counter() - t0

    t0 = time.perf_counter()
    tagger = LicenseTagger(LicenseConfig())
    t_init = time.perf_counter() - t0

    t0 = time.perf_counter()
    found = 0
    for _ in range(args.repeat):
        for html, text in zip(pages, texts):
            doc = empty_document(text=text)
            doc["_html"] = html
            found += tagger.tag(doc) != ["none"]
    t_lic = (time.perf_counter() - t0) / args.repeat

    t0 = time.perf_counter()
    for _ in range(args.repeat):
        for html in pages:
            detect_html_license(html)
    t_html = (time.perf_counter() - t0) / args.repeat
    t0 = time.perf_counter()
    for _ in range(args.repeat):
        for text in texts:
            tagger._matcher.match(text)  # noqa: SLF001 - benchmark of the text half alone
    t_text = (time.perf_counter() - t0) / args.repeat

    n = len(pages)
    print(f"trafilatura extract : {n / t_extract:8.1f} docs/s {mb / t_extract:7.2f} MB/s {t_extract / n * 1e3:7.2f} ms/doc")
    print(f"LicenseTagger       : {n / t_lic:8.1f} docs/s {mb / t_lic:7.2f} MB/s {t_lic / n * 1e3:7.2f} ms/doc"
          f"  ({found // args.repeat} of {n} pages licensed)")
    print(f"  html markup only  : {t_html / n * 1e3:7.3f} ms/doc;  licence text only: {t_text / n * 1e3:7.3f} ms/doc")
    print(f"licences / extraction time: {100 * t_lic / t_extract:.1f} %  (target with secrets: <= 10 %)")
    print(f"tagger init (canonical n-grams): {t_init * 1e3:.0f} ms;  peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    main()
