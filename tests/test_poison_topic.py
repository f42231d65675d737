"""Topic signatures and coherence (filters.poison_topic) on real pages."""

from __future__ import annotations

import gzip
import json
import random
from pathlib import Path

import pytest

from filters.lexicon import shared_lexicon
from filters.poison_topic import expected_coherence, topic_coherence, topic_signature

DATA = Path(__file__).parent / "data" / "poisoning"


def _pages(name: str) -> list[dict]:
    with gzip.open(DATA / f"{name}.jsonl.gz", "rt", encoding="utf-8") as fh:
        return [json.loads(line) for line in fh]


@pytest.fixture(scope="module")
def lexicon():
    return shared_lexicon()


def test_threads_about_one_language_share_keywords_unrelated_pages_do_not(lexicon):
    python = [p["text"] for p in _pages("fresh_pages_18")
              if p["key"].startswith("reddit__reddit-python") and len(p["text"]) > 800][:12]
    english = [p["text"] for p in _pages("eval_pages") if p["lang"] == "en" and len(p["text"]) > 1500]
    random.Random(3).shuffle(english)
    python_sigs = [topic_signature(t, "en", lexicon) for t in python]
    mixed_sigs = [topic_signature(t, "en", lexicon) for t in english[:12]]
    assert all(len(s) == 30 for s in mixed_sigs) and all(5 <= len(s) <= 30 for s in python_sigs)  # short threads: fewer
    assert topic_coherence(python_sigs) >= 0.5
    assert topic_coherence(mixed_sigs) <= 0.25


def test_signature_is_deterministic_sorted_and_keeps_out_function_words_and_unknown_words(lexicon):
    text = ("The violin maker planed the spruce top of the violin. The varnish of the violin dried; "
            "quendrolix the spruce and the maple were seasoned for years. " * 3)
    sig = topic_signature(text, "en", lexicon, keywords=4)
    assert sig == topic_signature(text, "en", lexicon, keywords=4) and list(sig) == sorted(sig)
    import zlib

    # Ranked by count x rarity: "violin" (9 times, Zipf 3.7), "spruce" (6, 3.4), "planed" (3, 2.4), "varnish" (3, 3.0).
    assert set(sig) == {zlib.crc32(w.encode()) for w in ("violin", "spruce", "planed", "varnish")}
    assert not {zlib.crc32(w.encode()) for w in ("the", "quendrolix", "were", "years")} & set(topic_signature(text, "en", lexicon))


def test_no_signature_without_a_word_list_or_text(lexicon):
    assert topic_signature("Some words written here for nothing", "xx-nolist", lexicon) == ()
    assert topic_signature("", "en", lexicon) == ()


def test_coherence_counts_pairs_sharing_a_keyword():
    assert topic_coherence([(1, 2), (2, 3), (4, 5), ()]) == pytest.approx(1 / 3)  # the empty one is left out
    assert topic_coherence([(1,)]) == 0.0


def test_expected_coherence_weights_same_language_pairs_and_needs_every_background():
    assert expected_coherence(["en", "en", "de"], {"en": 0.3, "de": 0.1}) == pytest.approx(0.3 / 3)
    assert expected_coherence(["en", "en"], {"de": 0.1}) is None
    assert expected_coherence(["en"], {"en": 0.3}) is None


def test_zipf_cache_gives_the_word_lists_answers_and_empties_when_full(lexicon, monkeypatch):
    import filters.poison_topic as topic

    text = _pages("eval_pages")[0]["text"]
    fresh = topic_signature(text, "en", lexicon)
    monkeypatch.setattr(topic, "_ZIPF_CACHE", {})
    monkeypatch.setattr(topic, "_ZIPF_CACHE_MAX", 50)  # every page overflows it
    assert topic_signature(text, "en", lexicon) == fresh == topic_signature(text, "en", lexicon)
    # emptied before the page's words went in: it holds this page's vocabulary only
    assert set(topic._ZIPF_CACHE["en"]) == {w.lower() for w in topic.TOPIC_WORD_RE.findall(text)}
    words = ["government", "violin", "quendrolix"]
    assert topic._zipf_cached(words, "en", lexicon) == lexicon.zipf_many(words, "en")
