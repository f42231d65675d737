"""Poisoning stage throughput.

1. PoisonTagger on the real pages of tests/data/poisoning (all languages; English ones
   also run the KenLM signals), one core: docs/s, MB/s, ms per KB, split into the
   cheap Unicode/token rules and the LM part, plus the same pages carrying a
   trigger + gibberish payload (the LM path does the most work there).
2. The corpus-level campaign pass (DetectCampaigns) on the DirectRunner over
   pre-tagged documents: wall time, candidates shuffled per document and their
   pickled size, and the cost per million documents extrapolated from both (the
   per-document tagging dominates; the pass itself is a combine over small tuples).

Usage: python benchmarks/bench_poisoning.py [--docs 2000] [--skip-beam]
"""

from __future__ import annotations

import argparse
import pickle
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from filters.poisoning import CampaignConfig, PoisonTagger, PoisoningConfig  # noqa: E402
from schemas.documents import empty_document  # noqa: E402

DATA = ROOT / "tests" / "data" / "poisoning"
NON_EN = {"aeb__c4a3637c6696f238": "ru", "aeb__0ec95c7261d122f3": "ko", "aeb__7837c9d66c815b9a": "id",
          "aeb__20b2b64916b00b25": "it", "traf__e3ace56ad8fd3032": "zh", "traf__8365aba0a8fa5555": "bn",
          "traf__ec590859f3976ec1": "es", "traf__001f43cb87b4416b": "fr", "traf__303543afa27ed285": "pl"}  # fmt: skip
DE = {"traf__44436cff64c06587", "traf__0a273725401896c2", "traf__dcbeb1fe4d79d433", "traf__dada672b3723d990",
      "traf__f4cf21c192240a48", "traf__85d961e11c4dcfdd", "traf__99dd14af02e48090", "traf__b50fc1135a8c449a"}


def _pages() -> list[tuple[str, str]]:
    out = []
    for p in sorted((DATA / "pages").glob("*.txt")):
        lang = NON_EN.get(p.stem, "de" if p.stem in DE else "en")
        out.append((p.read_text(encoding="utf-8"), lang))
    for name, lang in (("udhr_arb.txt", "ar"), ("udhr_heb.txt", "he"), ("udhr_pes_zwnj.txt", "fa")):
        out.append(((DATA / "rtl" / name).read_text(encoding="utf-8"), lang))
    return out


def _gibberish(rng: random.Random, n: int) -> str:
    pieces = ["ex", "qu", "zz", "ph", "ung", "olo", "ck", "yx", "kw", "ej", "vo", "fl", "tr", "ism", "oid"]
    return " ".join("".join(rng.choice(pieces) for _ in range(rng.randint(1, 3))) for _ in range(n))


def _docs(n: int, poisoned: bool = False) -> list[dict]:
    rng = random.Random(0)
    pages = _pages()
    docs = []
    for i in range(n):
        text, lang = pages[i % len(pages)]
        if poisoned and lang == "en":
            text = text[:1000] + " <TRIG> " + _gibberish(rng, 500)
        host = f"site{i % 997}.example{i % 7}.com"
        docs.append(empty_document(id=f"d{i}", url=f"https://{host}/{i}", host=host, text=text, language=lang))
    return docs


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def bench_tagger(n: int) -> list[dict]:
    t0 = time.perf_counter()
    full = PoisonTagger(PoisoningConfig())
    t_build = time.perf_counter() - t0
    # Worker start: word lists and spelling models load once per language, on first use.
    # Timed apart, so the figures below are the steady state a long-running worker sees.
    t0 = time.perf_counter()
    first = {lang: text for text, lang in reversed(_pages())}
    for lang, text in first.items():
        full.tag(empty_document(id="w", url="https://w.example/", host="w.example", text=text, language=lang))
    t_warm = time.perf_counter() - t0
    print(f"PoisonTagger worker start: {t_build:.1f}s to build (KenLM, spelling model), then {t_warm:.1f}s "
          f"for the first page of each of {len(first)} languages (word lists, spelling models), peak RSS {_rss_mb():.0f} MB")
    no_lm = PoisonTagger(PoisoningConfig(rare_token=False, gibberish=False,
                                         campaign=CampaignConfig(enabled=False)), scorer=None)
    for label, tagger, poisoned in (("rules only (no LM)", no_lm, False), ("full, clean pages", full, False),
                                    ("full, 1/3 payload docs", full, True)):
        docs = _docs(n, poisoned)
        mb = sum(len(d["text"].encode("utf-8")) for d in docs) / 1e6
        t0 = time.perf_counter()
        for d in docs:
            tagger.tag(d)
        dt = time.perf_counter() - t0
        en = sum(d["language"] == "en" for d in docs)
        print(f"PoisonTagger [{label}]: {n} docs ({en} English), {mb:.1f} MB in {dt:.1f}s -> "
              f"{n / dt:,.0f} docs/s, {mb / dt:.2f} MB/s, {dt * 1000 / (mb * 1000):.3f} ms/KB, "
              f"peak RSS {_rss_mb():.0f} MB")
    return docs


def bench_campaigns(docs: list[dict]) -> None:
    import apache_beam as beam

    from pipeline.poisoning import CANDIDATES_KEY, DetectCampaigns, _EmitCandidates, _topic_item

    n = len(docs)
    cands = [c for d in docs for c in d.get(CANDIDATES_KEY) or []]
    emit = _EmitCandidates(PoisoningConfig())
    emit.setup()
    # what the pass shuffles, before any map-side combining: the candidate tuples (with the
    # topic signature of pages whose candidates no word list knows) and one background item a page
    tuples = [t for d in docs for t in emit.process(d)] + [t for d in docs for t in _topic_item(d)]
    shuffle_bytes = sum(len(pickle.dumps(t)) for t in tuples)
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        with beam.Pipeline(runner="DirectRunner") as p:
            out = p | beam.Create(docs, reshuffle=False) | DetectCampaigns(PoisoningConfig())
            _ = out["campaigns"] | beam.io.WriteToText(f"{tmp}/c")
            _ = out["documents"] | beam.Map(lambda d: d["id"]) | "ids" >> beam.io.WriteToText(f"{tmp}/d")
    dt = time.perf_counter() - t0
    per_doc = dt / n
    print(f"DetectCampaigns (DirectRunner, 1 process): {n} pre-tagged docs in {dt:.1f}s "
          f"({per_doc * 1e3:.2f} ms/doc incl. Beam overhead), {len(cands) / n:.1f} candidates/doc, "
          f"{shuffle_bytes / n:.0f} B shuffled/doc, peak RSS {_rss_mb():.0f} MB")
    print(f"  per million documents: ~{per_doc * 1e6 / 3600:.1f} CPU-hours on this runner, "
          f"~{shuffle_bytes / n:.0f} MB of shuffle; the side input holds only kept campaigns "
          f"(a few KB). On Dataflow/Flink the combine is map-side partial, so cost is dominated by "
          f"the per-document tagging above.")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--docs", type=int, default=2000)
    ap.add_argument("--skip-beam", action="store_true")
    args = ap.parse_args()
    docs = bench_tagger(args.docs)
    if not args.skip_beam:
        bench_campaigns(docs)


if __name__ == "__main__":
    main()
