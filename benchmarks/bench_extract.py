"""Read + extract throughput on real WARCs, and extraction quality vs trafilatura's default.

    python benchmarks/bench_extract.py

Prints docs/s, MB/s and peak RSS for WARC reading + sandboxed Markdown extraction,
then mean token F1 against human ground truth (scrapinghub AEB + WCXB sample) for
(a) trafilatura's default plain-text `extract()` and (b) crawlsift's Markdown
extraction, measured in the same process on the same pages.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import ROOT, ground_truth_pages, peak_rss_mb, token_f1  # noqa: E402
from filters.extract import ExtractConfig, Extractor, extract_markdown  # noqa: E402
from pipeline.warc_reader import decode_html, iter_warc  # noqa: E402


def bench_read_extract(repeat: int = 3) -> None:
    files = sorted((ROOT / "tests" / "data" / "warc").glob("*.warc*")) + sorted(
        (ROOT / "tests" / "data" / "warc").glob("*.arc.gz")
    )
    total_bytes = sum(f.stat().st_size for f in files) * repeat
    extractor = Extractor(ExtractConfig())
    extractor.extract("<html><body><p>warm</p></body></html>", None)
    docs = records = 0
    t0 = time.perf_counter()
    read_time = 0.0
    for _ in range(repeat):
        for f in files:
            with f.open("rb") as fh:
                r0 = time.perf_counter()
                events = list(iter_warc(fh, f.name))
                read_time += time.perf_counter() - r0
            for kind, page in events:
                records += 1
                if kind == "page" and not page.too_large:
                    html, _ = decode_html(page.body, page.charset_header)
                    extractor.extract(html, page.url)
                    docs += 1
    elapsed = time.perf_counter() - t0
    extractor.close()
    print(f"read+extract: {records} records, {docs} HTML docs, {total_bytes / 1e6:.2f} MB of WARC in {elapsed:.2f} s")
    print(f"  {docs / elapsed:.1f} docs/s, {total_bytes / 1e6 / elapsed:.2f} MB/s (read alone: "
          f"{total_bytes / 1e6 / read_time:.1f} MB/s), peak RSS {peak_rss_mb():.0f} MB")


def bench_quality() -> None:
    import trafilatura

    pages = ground_truth_pages()
    ours_cfg = ExtractConfig(sandbox=False)
    f1_default, f1_ours, t_default, t_ours = [], [], 0.0, 0.0
    for page in pages:
        t = time.perf_counter()
        default = trafilatura.extract(page["html"], url=page["url"])
        t_default += time.perf_counter() - t
        t = time.perf_counter()
        ours = extract_markdown(page["html"], page["url"], ours_cfg)
        t_ours += time.perf_counter() - t
        f1_default.append(token_f1(default, page["truth"]))
        f1_ours.append(token_f1(ours.text, page["truth"]))
    n = len(pages)
    print(f"extraction quality on {n} real pages with human ground truth (mean token F1):")
    print(f"  trafilatura default extract() plain text : {statistics.mean(f1_default):.4f}  ({n / t_default:.1f} pages/s)")
    print(f"  crawlsift Markdown extraction            : {statistics.mean(f1_ours):.4f}  ({n / t_ours:.1f} pages/s)")
    for label, subset in (("aeb", "aeb/"), ("wcxb", "wcxb/")):
        idx = [i for i, p in enumerate(pages) if p["name"].startswith(subset)]
        print(f"    {label:5s} ({len(idx)} pages): default {statistics.mean(f1_default[i] for i in idx):.4f}, "
              f"crawlsift {statistics.mean(f1_ours[i] for i in idx):.4f}")


if __name__ == "__main__":
    bench_read_extract()
    bench_quality()
