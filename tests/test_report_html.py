"""The HTML run report: self-contained, charts embedded, renders in a real browser."""

from __future__ import annotations

import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

from filters.mixture import MixtureConfig, collect_stats, copies_for, make_bucket_function, mixture_table, plan_from_stats, uniform
from pipeline.report import HISTOGRAM_SPECS
from pipeline.report_html import render_report_html

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")


def _hist(name: str, peak: int, total: int) -> dict:
    """Counts over the report's real fixed bins, shaped like a log-normal around bin `peak`."""
    spec = HISTOGRAM_SPECS[name]
    n = len(spec["edges"]) - 1
    weights = [2.0 ** -abs(i - peak) for i in range(n)]
    s = sum(weights)
    return {"edges": spec["edges"], "counts": [int(total * w / s) for w in weights], "log_x": spec["log_x"]}


def _mixture_table() -> dict:
    docs = []
    for bucket, n_docs in (("head", 400), ("middle", 300), ("tail", 200)):
        for i in range(n_docs):
            docs.append({"id": f"{bucket}{i}", "quality_bucket": bucket,
                         "n_tokens": int(200 + 800 * uniform(1, bucket, str(i)))})
    config = MixtureConfig(enabled=True, bucket_key="quality_bucket",
                           targets={"head": 0.6, "middle": 0.3, "tail": 0.1}, token_budget=250_000)
    plan = plan_from_stats(collect_stats(docs, config), config)
    bucket_of, rates, realised = make_bucket_function(config), plan.rates(), {}
    for d in docs:
        b = bucket_of(d)
        c = copies_for(config.seed, b, d["id"], rates[b])
        x = realised.get(b, (0, 0, 0))
        realised[b] = (x[0] + 1, x[1] + c, x[2] + c * d["n_tokens"])
    return mixture_table(plan, realised)


def realistic_report() -> dict:
    """A report shaped exactly like pipeline/report.py builds it, for a ~1,200-record crawl slice."""
    rejected = {"extract:empty": 61, "extract:not_html": 12, "dedup:near_duplicate": 143, "dedup:exact_duplicate": 38,
                "license:CC-BY-NC-4.0": 7, "pii:too_dense": 4, "quality:gopher_word_count": 96,
                "poisoning:invisible_chars": 2, "mixture:sampled_out": 180, "<script>alert(1)</script>": 1}
    return {
        "records_read": 1212, "documents_read": 1100, "kept": 556, "rejected": sum(rejected.values()),
        "skipped": 104, "errors": 8, "identity_holds": True,
        "rejected_by_reason": rejected, "rejected_not_written": 0,
        "skipped_by_reason": {"read:not_response": 80, "read:http_status_404": 24},
        "errors_by_reason": {"read:decode": 8},
        "parquet": {"documents_rows": 556, "documents_files": 1, "rejected_rows": 544, "rejected_files": 1,
                    "match_counts": True},
        "funnel": [{"stage": "records read", "documents": 1212}, {"stage": "HTML documents", "documents": 1100},
                   {"stage": "after extract", "documents": 1027}, {"stage": "after dedup", "documents": 846},
                   {"stage": "after license", "documents": 839}, {"stage": "after pii", "documents": 835},
                   {"stage": "after quality", "documents": 739}, {"stage": "after poisoning", "documents": 737},
                   {"stage": "after mixture", "documents": 557}, {"stage": "kept", "documents": 556}],
        "stages": {"secrets": {"aws_access_key_id": 2, "github_token": 1},
                   "pii": {"EMAIL_ADDRESS": 311, "PHONE_NUMBER": 97, "PERSON": 12},
                   "mixture": {"kept": 556, "sampled_out": 180}},
        "dedup": {"documents": 1027, "clusters": 846, "largest_cluster": 37, "exact_duplicates": 38,
                  "near_duplicates": 143, "threshold": 0.8, "num_perm": 128},
        "poisoning": {"campaigns": [{"ngram": "kevemar", "domains": {"count": 9, "first": ["a.com", "b.org"]},
                                     "documents": 11, "evidence": ["lone_token", "topic"]}]},
        "mixture": _mixture_table(),
        "histograms": {"n_chars": _hist("n_chars", 12, 1027), "perplexity": _hist("perplexity", 16, 700),
                       "dup_cluster_size": _hist("dup_cluster_size", 0, 846),
                       "poison_score": _hist("poison_score", 0, 1027)},
        "timings": {"wall_seconds": 48.2, "records_per_second": 25.1, "docs_per_second": 22.8},
        "inputs": ["tests/data/warc/sample.warc.gz"],
        "config": {"policy": {"drop_duplicates": True, "presets": ["gopher_quality"]},
                   "mixture": {"enabled": True, "bucket_key": "quality_bucket"}},
        "versions": {"python": "3.11.7", "apache-beam": "2.77.0", "crawlsift": "0.1.0"},
    }


class _Collect(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def _parse(html: str) -> list[tuple[str, dict]]:
    parser = _Collect()
    parser.feed(html)
    return parser.tags


def test_report_embeds_every_chart_as_png_data_uri_and_fetches_nothing():
    page = render_report_html(realistic_report())
    tags = _parse(page)
    imgs = [a for t, a in tags if t == "img"]
    # funnel + 4 histograms + mixture
    assert len(imgs) == 6
    assert all(a["src"].startswith("data:image/png;base64,") and len(a["src"]) > 5000 for a in imgs)
    assert not [t for t, _ in tags if t in ("script", "link", "iframe")]
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", page)


def test_report_shows_reasons_mixture_and_config_and_escapes_content():
    page = render_report_html(realistic_report())
    assert "dedup:near_duplicate" in page and "read:http_status_404" in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert" not in page
    assert "feasible: 250,000 tokens at target shares" in page
    assert "60.00%" in page  # head target
    assert "&quot;presets&quot;: [" in page  # config echo
    assert "holds" in page and "apache-beam" in page and "48.2" in page


def test_campaign_rows_show_domain_count_and_evidence():
    page = render_report_html(realistic_report())
    row = re.search(r"<tr><td>kevemar</td>.*?</tr>", page, re.S)
    assert row is not None
    assert "lone_token, topic" in row.group() and ">9<" in row.group() and ">11<" in row.group()
    assert "a.com" not in row.group()  # the count, not the raw dict


def test_empty_and_partial_reports_render():
    assert "The report is empty" in render_report_html({})
    page = render_report_html({"kept": 3, "histograms": {"n_chars": {"edges": [0, 10], "counts": [3], "log_x": True}}})
    assert page.count("data:image/png;base64,") == 1 and "<b>3</b>" in page


def test_failing_identity_is_flagged():
    page = render_report_html({"identity_holds": False})
    assert "DOES NOT HOLD" in page


@pytest.mark.skipif(CHROMIUM is None, reason="chromium not installed (apt-get install -y chromium)")
def test_report_renders_in_headless_chromium_with_visible_charts(tmp_path):
    from matplotlib import image as mpimg

    page = tmp_path / "report.html"
    page.write_text(render_report_html(realistic_report()), encoding="utf-8")
    shot = tmp_path / "shot.png"
    flags = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
             "--disable-component-update", "--no-first-run", f"--user-data-dir={tmp_path / 'profile'}"]
    subprocess.run(flags + [f"--screenshot={shot}", "--window-size=1200,3000", page.as_uri()],
                   check=True, capture_output=True, timeout=90)
    dom = subprocess.run(flags + ["--dump-dom", page.as_uri()], check=True, capture_output=True, timeout=90,
                         text=True).stdout
    imgs = [a for t, a in _parse(dom) if t == "img"]
    assert len(imgs) == 6 and all(a["src"].startswith("data:image/png;base64,") for a in imgs)
    assert "Data mixture" in dom

    pixels = mpimg.imread(shot)  # float RGB(A) in [0, 1]
    assert pixels.shape[:2] == (3000, 1200)
    rgb = pixels[..., :3]
    non_white = (rgb.min(axis=2) < 0.9).mean()
    # charts and tables cover a real part of the page; a blank or error page would not
    assert non_white > 0.05
    # the purple histogram bars (#8250df) are painted, i.e. images decoded and laid out
    purple = ((abs(rgb[..., 0] - 0x82 / 255) < 0.06) & (abs(rgb[..., 1] - 0x50 / 255) < 0.06)
              & (abs(rgb[..., 2] - 0xDF / 255) < 0.06)).sum()
    assert purple > 2000
