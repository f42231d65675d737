#!/usr/bin/env python3
"""Quality stage benchmark: speed, model size/build time, and perplexity AUC clean vs degraded.

Clean set: human ground-truth bodies of real English articles (scrapinghub AEB, MIT;
WCXB dev sample, CC-BY-4.0) from tests/data/extraction/. Degraded set: each article
degraded five ways (shuffled words, character noise, keyword spam, boilerplate menus,
lorem ipsum), deterministically. AUC = P(perplexity(degraded) > perplexity(clean)).

Also times trafilatura extraction on the same pages, to check the quality stage costs
<= 10 % of extraction per document.

Usage: python benchmarks/bench_quality.py [--model PATH --sp-model PATH] [--repeat 3]
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import random
import re
import resource
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from filters.heuristics import heuristic_signals  # noqa: E402
from filters.quality import KenlmScorer, QualityConfig, QualityTagger  # noqa: E402
from schemas.documents import empty_document  # noqa: E402

AEB = REPO / "tests" / "data" / "extraction" / "scrapinghub-aeb"
WCXB = REPO / "tests" / "data" / "extraction" / "wcxb-dev-sample"

LOREM = (
    "lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor incididunt ut "
    "labore et dolore magna aliqua ut enim ad minim veniam quis nostrud exercitation ullamco "
    "laboris nisi ut aliquip ex ea commodo consequat duis aute irure dolor in reprehenderit in "
    "voluptate velit esse cillum dolore eu fugiat nulla pariatur excepteur sint occaecat cupidatat "
    "non proident sunt in culpa qui officia deserunt mollit anim id est laborum"
).split()
MENU_ITEMS = [
    "Home", "About Us", "Contact", "Privacy Policy", "Terms of Use", "Subscribe", "Log In",
    "Sign Up", "Share on Facebook", "Tweet", "Pinterest", "Email", "Print", "News", "Sports",
    "Business", "Entertainment", "Lifestyle", "Opinion", "Video", "Podcasts", "Newsletters",
    "Advertise", "Careers", "Site Map", "Cookie Settings", "Help Center", "Store", "Weather",
    "Local", "World", "Politics", "Tech", "Science", "Health", "Travel", "Shop Now", "Deals",
    "Read More", "Next Article", "Previous", "Related Stories", "Trending", "Most Popular",
    "Follow Us", "Instagram", "YouTube", "LinkedIn", "RSS", "Accessibility", "Back to top",
]  # fmt: skip
SPAM_TEMPLATES = [
    "best {a} {b}", "cheap {a}", "{a} {b} online", "buy {a} {c}", "{a} near me", "top {b} {c} 2024",
    "{a} {b} {c} deals", "free {c}", "{b} reviews", "{a} price", "discount {a} {b}", "{c} sale",
]  # fmt: skip


def _rng(kind: str, i: int) -> random.Random:
    return random.Random(int(hashlib.sha1(f"{kind}:{i}".encode()).hexdigest()[:16], 16))


def shuffled_words(text: str, rng: random.Random) -> str:
    lines = [ln.split() for ln in text.split("\n")]
    words = [w for ln in lines for w in ln]
    rng.shuffle(words)
    out, k = [], 0
    for ln in lines:
        out.append(" ".join(words[k : k + len(ln)]))
        k += len(ln)
    return "\n".join(out)


def char_noise(text: str, rng: random.Random, rate: float = 0.15) -> str:
    letters = "abcdefghijklmnopqrstuvwxyz0123456789"
    out = []
    for c in text:
        if c.isalnum() and rng.random() < rate:
            op = rng.random()
            if op < 0.5:
                out.append(rng.choice(letters))
            elif op < 0.75:
                out.append(c + rng.choice(letters))
            # else: delete
        else:
            out.append(c)
    return "".join(out)


def keyword_spam(text: str, rng: random.Random) -> str:
    words = re.findall(r"[A-Za-z]{5,}", text.lower())
    freq: dict[str, int] = {}
    for w in words:
        freq[w] = freq.get(w, 0) + 1
    top = sorted(freq, key=lambda w: (-freq[w], w))[:8] or ["product", "online", "shop"]
    n_lines = max(5, text.count("\n") + 1)
    lines = []
    for _ in range(n_lines):
        phrases = [
            rng.choice(SPAM_TEMPLATES).format(a=rng.choice(top), b=rng.choice(top), c=rng.choice(top))
            for _ in range(rng.randint(3, 8))
        ]
        lines.append(", ".join(phrases))
    return "\n".join(lines)


def boilerplate_menu(text: str, rng: random.Random) -> str:
    n = max(20, len(text.split()) // 3)
    lines = []
    while n > 0:
        k = rng.randint(1, 6)
        items = rng.sample(MENU_ITEMS, k)
        lines.append(rng.choice([" | ", "\n", " · "]).join(items))
        n -= k
    return "\n".join(lines)


def lorem_ipsum(text: str, rng: random.Random) -> str:
    out = []
    for ln in text.split("\n"):
        n = len(ln.split())
        if not n:
            out.append("")
            continue
        ws = [rng.choice(LOREM) for _ in range(n)]
        out.append((" ".join(ws)).capitalize() + ".")
    return "\n".join(out)


DEGRADATIONS = {
    "shuffled_words": shuffled_words,
    "char_noise": char_noise,
    "keyword_spam": keyword_spam,
    "boilerplate_menu": boilerplate_menu,
    "lorem_ipsum": lorem_ipsum,
}


def load_clean_articles(min_chars: int = 300) -> list[tuple[str, str]]:
    """(source id, English article body) from the extraction ground truth."""
    import py3langid

    out = []
    for key, v in sorted(json.loads((AEB / "ground-truth.json").read_text()).items()):
        out.append((f"aeb:{key[:10]}", v["articleBody"]))
    page_types = json.loads((WCXB / "metadata.json").read_text())["files"]
    for f in sorted((WCXB / "ground-truth").glob("*.json")):
        if page_types.get(f.stem, {}).get("page_type") != "article":
            continue  # listings, products, forums: not article prose
        g = json.loads(f.read_text())
        out.append((f"wcxb:{f.stem}", g["ground_truth"].get("main_content") or ""))
    return [
        (k, t) for k, t in out if len(t) >= min_chars and py3langid.classify(t)[0] == "en"
    ]


def auc(neg: list[float], pos: list[float]) -> float:
    """P(pos > neg) + 0.5 P(tie) (Mann-Whitney)."""
    wins = 0.0
    for p in pos:
        for n in neg:
            wins += 1.0 if p > n else 0.5 if p == n else 0.0
    return wins / (len(pos) * len(neg))


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", default=None)
    ap.add_argument("--sp-model", default=None)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--no-extraction", action="store_true", help="skip the trafilatura timing")
    args = ap.parse_args()

    t = time.perf_counter()
    scorer = KenlmScorer(args.model, args.sp_model)
    load_s = time.perf_counter() - t
    print(f"model: {scorer.model_path} ({Path(scorer.model_path).stat().st_size / 1e6:.2f} MB), "
          f"sp: {Path(scorer.sp_model_path).stat().st_size / 1e6:.2f} MB, order {scorer.order}, "
          f"load {load_s * 1000:.0f} ms")  # fmt: skip
    build = Path(scorer.model_path).with_name("en.build.json")
    if args.model is None and build.exists():
        info = json.loads(build.read_text())
        print(f"build time: {info['seconds']} (tools/build_model.py; "
              f"train tokens {info['train_tokens']})")  # fmt: skip

    clean = load_clean_articles()
    clean_pp = [scorer.perplexity(t) for _, t in clean]
    print(f"\nclean articles: {len(clean)}; perplexity median "
          f"{sorted(clean_pp)[len(clean_pp) // 2]:.0f}, min {min(clean_pp):.0f}, max {max(clean_pp):.0f}")  # fmt: skip
    all_deg: list[float] = []
    print(f"{'degradation':18s} {'AUC':>6s} {'median pp':>10s}")
    for name, fn in DEGRADATIONS.items():
        deg = [scorer.perplexity(fn(t, _rng(name, i))) for i, (_, t) in enumerate(clean)]
        deg = [d for d in deg if d is not None]
        all_deg.extend(deg)
        print(f"{name:18s} {auc(clean_pp, deg):6.3f} {sorted(deg)[len(deg) // 2]:10.0f}")
    print(f"{'ALL':18s} {auc(clean_pp, all_deg):6.3f}")

    # --- speed: QualityTagger on real pages ------------------------------------------------
    tagger = QualityTagger(QualityConfig(model_path=args.model, sp_model_path=args.sp_model))
    docs = [empty_document(text=t, language="en") for _, t in clean]
    mb = sum(len(t.encode()) for _, t in clean) / 1e6
    best = {"tagger": 1e9, "perplexity": 1e9, "heuristics": 1e9}
    for _ in range(args.repeat):
        t = time.perf_counter()
        for d in docs:
            tagger.tag(d)
        best["tagger"] = min(best["tagger"], time.perf_counter() - t)
        t = time.perf_counter()
        for _, text in clean:
            scorer.perplexity(text)
        best["perplexity"] = min(best["perplexity"], time.perf_counter() - t)
        t = time.perf_counter()
        for _, text in clean:
            heuristic_signals(text)
        best["heuristics"] = min(best["heuristics"], time.perf_counter() - t)
    n = len(docs)
    print(f"\nspeed on {n} real articles ({mb:.2f} MB text), best of {args.repeat}:")
    for k, s in best.items():
        print(f"  {k:10s} {n / s:8.0f} docs/s  {mb / s:6.2f} MB/s  {s / n * 1000:6.2f} ms/doc")

    if not args.no_extraction:
        # The pipeline's own extraction (same settings, in-process: no sandbox IPC) on every
        # real page with ground truth, then the tagger on its Markdown; per page set and all.
        sys.path.insert(0, str(REPO))
        from benchmarks.common import ground_truth_pages
        from filters.extract import ExtractConfig, extract_markdown

        ext_cfg = ExtractConfig(sandbox=False)
        all_pages = ground_truth_pages()
        sums = {"aeb": [0.0, 0.0, 0], "wcxb": [0.0, 0.0, 0]}
        extracted = []
        for _ in range(args.repeat):  # same process, same load for both
            extracted = []
            for page in all_pages:
                t = time.perf_counter()
                text = extract_markdown(page["html"], page["url"], ext_cfg).text
                ext = time.perf_counter() - t
                if not text:
                    continue
                doc = empty_document(text=text, language="en")
                t = time.perf_counter()
                tagger.tag(doc)
                tag = time.perf_counter() - t
                acc = sums[page["name"].split("/")[0]]
                acc[0] += ext
                acc[1] += tag
                acc[2] += 1
                extracted.append(text)
        for name, (ext, tag, n) in list(sums.items()) + [("all", [sum(v[i] for v in sums.values()) for i in range(3)])]:
            print(f"  {name:4s} pages: crawlsift extraction {ext / n * 1000:.1f} ms/page, QualityTagger "
                  f"{tag / n * 1000:.2f} ms/doc = {tag / ext * 100:.1f} % of extraction")
        md_docs = [empty_document(text=x, language="en") for x in extracted]
        for d in md_docs:
            tagger.tag(d)
        buckets: dict[str, int] = {}
        import py3langid

        for d in md_docs:
            if py3langid.classify(d["text"])[0] == "en" and d["quality_bucket"]:
                buckets[d["quality_bucket"]] = buckets.get(d["quality_bucket"], 0) + 1
        print(f"  buckets of the English pages (crawlsift Markdown): {dict(sorted(buckets.items()))}")
    print(f"peak RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
