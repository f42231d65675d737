"""End-to-end throughput: the whole crawlsift pipeline on a WARC of real pages.

    python benchmarks/bench_pipeline.py [--copies 3] [--workers 2]

Packs the 110 real pages of tests/data/extraction (each `--copies` times under
distinct URLs, so dedup has real work) into a gzip'd WARC, runs the full pipeline
on DirectRunner, and prints docs/s, MB/s of WARC and peak RSS (this process and the
worker processes), next to read+extract alone in this process as the reference.
"""

from __future__ import annotations

import argparse
import io
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from warcio.statusandheaders import StatusAndHeaders  # noqa: E402
from warcio.warcwriter import WARCWriter  # noqa: E402

from benchmarks.common import ground_truth_pages, peak_rss_mb  # noqa: E402
from filters.extract import ExtractConfig, Extractor  # noqa: E402
from pipeline.config import load_config  # noqa: E402
from pipeline.run import run  # noqa: E402
from pipeline.warc_reader import decode_html, iter_warc  # noqa: E402


def build_warc(path: Path, copies: int) -> int:
    pages = ground_truth_pages()
    with path.open("wb") as fh:
        writer = WARCWriter(fh, gzip=True)
        for c in range(copies):
            for i, page in enumerate(pages):
                url = f"https://mirror{c}.example/{i}/{page['name'].replace('/', '-')}"
                http = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
                rec = writer.create_warc_record(url, "response", payload=io.BytesIO(page["html"].encode("utf-8")),
                                                http_headers=http)
                writer.write_record(rec)
    return len(pages) * copies


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--copies", type=int, default=3)
    ap.add_argument("--workers", type=int, default=2)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        warc = Path(tmp) / "bench.warc.gz"
        n_docs = build_warc(warc, args.copies)
        mb = warc.stat().st_size / 1e6

        extractor = Extractor(ExtractConfig())
        t0 = time.perf_counter()
        with warc.open("rb") as fh:
            for kind, page in iter_warc(fh, warc.name):
                if kind == "page":
                    extractor.extract(decode_html(page.body, page.charset_header)[0], page.url)
        ref = time.perf_counter() - t0
        extractor.close()
        print(f"reference: read+extract alone, 1 process: {n_docs} docs in {ref:.1f} s = {n_docs / ref:.1f} docs/s")

        beam_args = ["--runner=DirectRunner"]
        if args.workers > 1:
            beam_args += ["--direct_running_mode=multi_processing", f"--direct_num_workers={args.workers}"]
        t0 = time.perf_counter()
        report = run([str(warc)], str(Path(tmp) / "out"), load_config(None), beam_args)
        wall = time.perf_counter() - t0
        children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        print(f"full pipeline, DirectRunner x{args.workers}: {n_docs} docs, {mb:.1f} MB WARC in {wall:.1f} s = "
              f"{n_docs / wall:.1f} docs/s, {mb / wall:.2f} MB/s; kept {report['kept']}, "
              f"rejected {report['rejected']} {report['rejected_by_reason']}")
        print(f"peak RSS: driver {peak_rss_mb():.0f} MB, largest child process {children:.0f} MB")


if __name__ == "__main__":
    main()
