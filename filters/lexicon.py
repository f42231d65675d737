"""Word frequencies for many languages, compact enough to keep in every worker.

The rare-token rules need to know whether a short token is an ordinary abbreviation of
the page's language ("bzw", "vgl", "dgn") and whether a lower-case word is a word of that
language at all. Our own reference text is English only and small, so these answers come
from wordfreq's word lists (web, Wikipedia, subtitles, news and books for 40+ languages;
code Apache-2.0, data CC BY-SA 4.0), which ship inside its wheel: nothing is downloaded.

wordfreq hands out Python dicts (about 50 MB per language); a worker only needs
membership and a rough frequency, so each list is kept as a sorted array of 64-bit
hashes with the Zipf value in one byte (9 bytes a word, 3 MB for English).
"""

from __future__ import annotations

import hashlib
import logging
import math
import threading

import numpy as np

log = logging.getLogger(__name__)


def _key(word: str) -> int:
    # stable across processes (Python's hash() is salted per process)
    return int.from_bytes(hashlib.blake2b(word.encode("utf-8"), digest_size=8).digest(), "little")


# Language-id labels whose word list wordfreq files under another code: py3langid and
# fastText say "no" for Norwegian, wordfreq's list is Bokmål, "nb".
_WORDFREQ_CODES = {"no": "nb"}


class Lexicon:
    """Zipf frequency (log10 per billion words) of a word in a language; 0 when unlisted."""

    def __init__(self) -> None:
        self._tables: dict[str, tuple[np.ndarray, np.ndarray, list[str], bool] | None] = {}
        self._lock = threading.Lock()

    def _table(self, lang: str) -> tuple[np.ndarray, np.ndarray, list[str], bool] | None:
        table = self._tables.get(lang, False)
        if table is not False:
            return table  # type: ignore[return-value]
        with self._lock:
            if lang not in self._tables:
                self._tables[lang] = self._load(lang)
        return self._tables[lang]

    @staticmethod
    def _load(lang: str, n_top: int = 30_000) -> tuple[np.ndarray, np.ndarray, list[str], bool] | None:
        # Read the packed list directly: wordfreq's own accessors keep every dict they
        # build in an unbounded cache (hundreds of MB across a few languages).
        try:
            import wordfreq

            code = _WORDFREQ_CODES.get(lang, lang)
            path = wordfreq.available_languages("large").get(code)
            small = path is None
            if small:  # the shorter list wordfreq has for more languages
                path = wordfreq.available_languages("small").get(code)
            if path is None:
                return None
            buckets = wordfreq.read_cBpack(path)  # bucket i: words at 10 ** (-i / 100)
        except Exception as exc:  # missing package or damaged data: the rules that need it stay off
            log.warning("lexicon: no word list for %r (%s)", lang, type(exc).__name__)
            return None
        words = [w for bucket in buckets for w in bucket]
        keys = np.fromiter((_key(w) for w in words), dtype=np.uint64, count=len(words))
        zipf = np.fromiter((round(90 - i / 10) for i, bucket in enumerate(buckets) for _ in bucket),
                           dtype=np.int16, count=len(words))
        order = np.argsort(keys, kind="stable")
        return keys[order], np.clip(zipf[order], 1, 255).astype(np.uint8), words[:n_top], small

    def available(self, lang: str) -> bool:
        return self._table(lang) is not None

    def small_list(self, lang: str) -> bool:
        """Whether `lang`'s list is wordfreq's small one: it lacks the informal abbreviations
        a large list has (Indonesian "thd", Hungarian "zh"), so short tokens are not judged
        by it."""
        table = self._table(lang)
        return table is not None and table[3]

    def zipf(self, word: str, lang: str) -> float:
        table = self._table(lang)
        if table is None:
            return 0.0
        keys, zipf = table[0], table[1]
        k = np.uint64(_key(word))
        i = int(np.searchsorted(keys, k))
        return float(zipf[i]) / 10 if i < len(keys) and keys[i] == k else 0.0

    def top_words(self, lang: str) -> list[str]:
        """The language's 30 k most frequent words, most frequent first."""
        table = self._table(lang)
        return table[2] if table is not None else []

    def known(self, word: str, lang: str) -> bool:
        return self.zipf(word, lang) > 0

    def known_many(self, words: list[str], lang: str) -> list[bool]:
        """`known` for many words in one array lookup (a page's vocabulary at once)."""
        return [z > 0 for z in self.zipf_many(words, lang)]

    def zipf_many(self, words: list[str], lang: str) -> list[float]:
        """`zipf` for many words in one array lookup."""
        table = self._table(lang)
        if table is None or not words:
            return [0.0] * len(words)
        keys, zipf = table[0], table[1]
        q = np.fromiter((_key(w) for w in words), dtype=np.uint64, count=len(words))
        i = np.minimum(np.searchsorted(keys, q), len(keys) - 1)
        return np.where(keys[i] == q, zipf[i] / 10.0, 0.0).tolist()


_SHARED: Lexicon | None = None


def shared_lexicon() -> Lexicon:
    """One lexicon per process; languages load on first use."""
    global _SHARED
    if _SHARED is None:
        _SHARED = Lexicon()
    return _SHARED
