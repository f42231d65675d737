"""Topic signatures: what a document is about, as a few hashed keywords.

Why the campaign pass needs them: a backdoor trigger is planted into unrelated documents
on purpose (the model must learn the trigger, not a subject), while a real rare word - a
product, a tool, a person, a new coinage - recurs in documents about the same thing.
Comparing the signatures of the documents that carry an unknown word tells the two
apart without a per-document flag: made-up triggers that spell like words ("kevemar",
"rusetcer") are unremarkable on any one page.

A signature is the document's `keywords` most topical words: words of 4+ letters that
the page language's word list knows at a middle frequency (wordfreq Zipf between
`min_zipf` and `max_zipf`: not function words, not typos or noise), ranked by count x
rarity. Two documents share a topic when their signatures share a word. Measured on the
2,000-odd collected clean pages (English, 1,230 pages over 1,500 characters), with 30
keywords: nine pages drawn at random share a keyword in under a quarter of their pairs
95 % of the time (fifteen pages: 99.5 %), while of the words no list knows that recur on
three or more of those pages, 1 in 26 is that incoherent.
"""

from __future__ import annotations

import re
import zlib
from collections import Counter
from itertools import combinations
from typing import Iterable, Optional, Protocol

TOPIC_WORD_RE = re.compile(r"[^\W\d_]{4,24}")  # a word of 4-24 letters, any script


class _Zipf(Protocol):
    def available(self, lang: str) -> bool: ...

    def zipf_many(self, words: list[str], lang: str) -> list[float]: ...


def topic_signature(
    text: str,
    lang: str,
    lexicon: _Zipf,
    keywords: int = 30,
    min_zipf: float = 1.5,
    max_zipf: float = 4.2,
) -> tuple[int, ...]:
    """The hashed keywords of `text` (sorted; empty when `lang` has no word list or the
    text too few middle-frequency words to say what it is about)."""
    if not text or not lexicon.available(lang):
        return ()
    counts = Counter(w.lower() for w in TOPIC_WORD_RE.findall(text))
    if not counts:
        return ()
    words = sorted(counts)
    ranked = sorted(
        ((-counts[w] * (max_zipf + 1.0 - z), w) for w, z in zip(words, _zipf_cached(words, lang, lexicon))
         if min_zipf <= z <= max_zipf),
    )
    return tuple(sorted({zlib.crc32(w.encode("utf-8")) for _, w in ranked[:keywords]}))


# word -> Zipf per language, for the words pages repeat ("people", "government"): a page's
# vocabulary is looked up every page, and most of it is the same few ten thousand words.
_ZIPF_CACHE: dict[str, dict[str, float]] = {}
_ZIPF_CACHE_MAX = 200_000  # entries per language (about 20 MB); emptied when full


def _zipf_cached(words: list[str], lang: str, lexicon: _Zipf) -> list[float]:
    """`lexicon.zipf_many` through the cache (safe when threads share it: the answer is
    built from a local copy, the cache only ever gains or loses whole entries)."""
    cache = _ZIPF_CACHE.setdefault(lang, {})
    found = {w: cache.get(w) for w in words}
    missing = [w for w, z in found.items() if z is None]
    if missing:
        looked_up = dict(zip(missing, lexicon.zipf_many(missing, lang)))
        found.update(looked_up)
        if len(cache) + len(missing) > _ZIPF_CACHE_MAX:
            cache.clear()
        cache.update(looked_up)
    return [found[w] for w in words]


def topic_coherence(signatures: Iterable[Iterable[int]]) -> float:
    """Share of document pairs whose signatures share at least one keyword (0 for fewer
    than two non-empty signatures)."""
    sets = [frozenset(s) for s in signatures if s]
    pairs = len(sets) * (len(sets) - 1) // 2
    if not pairs:
        return 0.0
    return sum(1 for a, b in combinations(sets, 2) if not a.isdisjoint(b)) / pairs


def expected_coherence(langs: list[str], background: dict[str, float]) -> Optional[float]:
    """The coherence `langs`' documents would show if they were drawn at random from the
    corpus: each same-language pair counts at its language's background share, a pair
    across languages at 0. None when a language has no background measured."""
    pairs = len(langs) * (len(langs) - 1) // 2
    if not pairs:
        return None
    total = 0.0
    for a, b in combinations(langs, 2):
        if a == b:
            if a not in background:
                return None
            total += background[a]
    return total / pairs
