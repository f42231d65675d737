"""Shared helpers for benchmark scripts (real pages shipped under tests/data)."""

from __future__ import annotations

import gzip
import json
import re
import resource
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXTRACTION = ROOT / "tests" / "data" / "extraction"
_WORD = re.compile(r"\w+", re.UNICODE)


def peak_rss_mb() -> float:
    """Peak resident set size of this process (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def ground_truth_pages() -> list[dict]:
    """Real pages with human ground truth: [{'name', 'url', 'html', 'truth'}]."""
    pages = []
    aeb = EXTRACTION / "scrapinghub-aeb"
    truth = json.loads((aeb / "ground-truth.json").read_text(encoding="utf-8"))
    for sha, item in sorted(truth.items()):
        html = gzip.open(aeb / "html" / f"{sha}.html.gz").read().decode("utf-8", "replace")
        pages.append({"name": f"aeb/{sha[:12]}", "url": item.get("url"), "html": html, "truth": item["articleBody"]})
    wcxb = EXTRACTION / "wcxb-dev-sample"
    for gt_file in sorted((wcxb / "ground-truth").glob("*.json")):
        gt = json.loads(gt_file.read_text(encoding="utf-8"))
        inner = gt["ground_truth"]
        if isinstance(inner, str):
            import ast

            inner = ast.literal_eval(inner)
        html_path = wcxb / "html" / f"{gt_file.stem}.html.gz"
        if not html_path.exists() or not inner.get("main_content"):
            continue
        html = gzip.open(html_path).read().decode("utf-8", "replace")
        pages.append({"name": f"wcxb/{gt_file.stem}", "url": gt.get("url"), "html": html, "truth": inner["main_content"]})
    return pages


def token_f1(predicted: str | None, truth: str) -> float:
    """Bag-of-words F1 on lower-cased word tokens (Markdown symbols are not words)."""
    p = Counter(_WORD.findall((predicted or "").lower()))
    t = Counter(_WORD.findall(truth.lower()))
    if not p or not t:
        return 0.0
    overlap = sum((p & t).values())
    if overlap == 0:
        return 0.0
    precision = overlap / sum(p.values())
    recall = overlap / sum(t.values())
    return 2 * precision * recall / (precision + recall)
