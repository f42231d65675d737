"""Heuristic quality signals: Gopher quality + repetition, C4 line rules, FineWeb rules.

Only measurements; thresholds live in the policy config. Definitions follow Gopher
(Rae et al. 2021, table A1), C4 (Raffel et al. 2020) and FineWeb (Penedo et al. 2024)
as implemented in datatrove, with these choices (pinned by tests on hand counts):

* text is Markdown: *lines* are the non-empty lines, stripped; blank lines between
  paragraphs are layout, not lines. *Paragraphs* are blocks separated by blank lines.
* *words* are whitespace tokens containing a letter or digit (so Markdown markers such as
  ``#``, ``-``, ``|`` are not words). A word's *core* is the token without leading and
  trailing punctuation, lower-cased; lengths, stop words and n-grams use cores.
* n-gram character fractions use word characters (sum of core lengths), as in Gopher:
  ``top_n`` is the characters of the most frequent n-gram times its count (0 when no
  n-gram repeats); ``dup_n`` is the characters of words covered by any n-gram that occurs
  more than once (first occurrence included).
* ``#`` that only marks a Markdown heading is not counted as a symbol.
* Ratios over an empty set are 0.0.
"""

from __future__ import annotations

import re
import string
from collections import Counter
from typing import Any

import numpy as np

from schemas.documents import HEURISTIC_COLUMNS

HEURISTIC_NAMES: tuple[str, ...] = tuple(name for name, _, _ in HEURISTIC_COLUMNS)

GOPHER_STOP_WORDS = frozenset({"the", "be", "to", "of", "and", "that", "have", "with"})
# Line-initial bullets: typographic ones, and Markdown list markers followed by a space.
_BULLET_RE = re.compile(r"^(?:[•‣◦▪▫●○■□➢➤►▶✓✔·∙]|[-*+](?:\s|$))")
_MD_HEADING_RE = re.compile(r"^#{1,6}(?=\s|$)")
_ALNUM_RE = re.compile(r"[^\W_]")  # a letter or a digit, any script
_ALPHA_RE = re.compile(r"[^\W\d_]")  # a letter
_PARA_SPLIT_RE = re.compile(r"\n[ \t\r\f\v]*\n")
# A run of terminal punctuation, optionally closed by quotes/brackets, then space or end.
_SENTENCE_END_RE = re.compile(r"[.!?]+[\"'”’)\]]*(?=\s|$)")
_PUNCT_STRIP = string.punctuation + "“”‘’«»…–—·•"
C4_END_PUNCT = (".", "?", "!", '"', "'")
FINEWEB_STOP_CHARS = (".", "'", '"', "!", "?")
C4_POLICY_SUBSTRINGS = (
    "terms of use",
    "privacy policy",
    "cookie policy",
    "uses cookies",
    "use of cookies",
    "use cookies",
)
_POLICY_RE = re.compile("|".join(map(re.escape, C4_POLICY_SUBSTRINGS)))
DUP_NGRAM_SIZES = (5, 6, 7, 8, 9, 10)
TOP_NGRAM_SIZES = (2, 3, 4)
FINEWEB_SHORT_LINE_CHARS = 30


def _ratio(num: float, den: float) -> float:
    return num / den if den else 0.0


def _duplicates(items: list[str]) -> tuple[int, int]:
    """(repeated occurrences, their characters); the first occurrence is not a repeat."""
    seen: set[str] = set()
    n = chars = 0
    for item in items:
        if item in seen:
            n += 1
            chars += len(item)
        else:
            seen.add(item)
    return n, chars


def _covered_chars(starts: np.ndarray, n: int, lengths: np.ndarray) -> int:
    """Characters of the words inside n-grams starting at ``starts``."""
    edges = np.zeros(len(lengths) + 1, dtype=np.int64)
    edges[starts] += 1
    edges[starts + n] -= 1
    return int(lengths[np.cumsum(edges[:-1]) > 0].sum())


def _ngram_signals(ids: np.ndarray, lengths: np.ndarray, out: dict[str, Any]) -> None:
    """rep_top_{2,3,4}gram and rep_dup_{5..10}gram character fractions.

    n-gram keys are exact: (dense id of the (n-1)-gram at s) * base + (word id at s+n-1),
    re-densified with np.unique at every step so they stay small. Beyond the smallest dup
    size, only starts whose (n-1)-gram repeats are followed (a repeated n-gram's prefix
    repeats too), so the long n-grams cost next to nothing on normal text.
    """
    for n in TOP_NGRAM_SIZES:
        out[f"rep_top_{n}gram_char_frac"] = 0.0
    for n in DUP_NGRAM_SIZES:
        out[f"rep_dup_{n}gram_char_frac"] = 0.0
    n_words = len(ids)
    total = int(lengths.sum())
    if total == 0 or n_words < 2:
        return
    prefix = np.concatenate(([0], np.cumsum(lengths)))
    base = n_words + 1  # ids are first-occurrence positions < n_words
    keys = ids
    for n in range(2, DUP_NGRAM_SIZES[0] + 1):
        if n_words < n:
            return
        keys = keys[:-1] * base + ids[n - 1 :]
        _, first, keys, counts = np.unique(
            keys, return_index=True, return_inverse=True, return_counts=True
        )
        top = int(counts.max())
        if n in TOP_NGRAM_SIZES and top >= 2:
            # Ties: the longest of the most frequent n-grams (deterministic, order-free).
            starts = first[counts == top]
            chars = int((prefix[starts + n] - prefix[starts]).max())
            out[f"rep_top_{n}gram_char_frac"] = chars * top / total
    # keys: dense ids of the n-grams at every start, counts: their frequencies.
    repeated = counts[keys] > 1
    starts = np.flatnonzero(repeated)
    keys = keys[repeated]
    for n in DUP_NGRAM_SIZES:
        if n > DUP_NGRAM_SIZES[0]:
            ok = starts + n <= n_words
            starts, keys = starts[ok], keys[ok]
            if not len(starts):
                return
            _, keys, counts = np.unique(
                keys * base + ids[starts + n - 1], return_inverse=True, return_counts=True
            )
            repeated = counts[keys] > 1
            starts, keys = starts[repeated], keys[repeated]
        if not len(starts):
            return  # no repeated n-gram, so no longer one either
        out[f"rep_dup_{n}gram_char_frac"] = _covered_chars(starts, n, lengths) / total


def heuristic_signals(text: str) -> dict[str, Any]:
    """Every column of ``schemas.documents.HEURISTIC_COLUMNS`` for ``text``."""
    text = text or ""
    lines = [ln.strip() for ln in text.split("\n")]
    lines = [ln for ln in lines if ln]
    n_lines = len(lines)
    paragraphs = [p.strip() for p in _PARA_SPLIT_RE.split(text.strip())]
    paragraphs = [p for p in paragraphs if p]

    # --- words (list comprehensions and C-level maps: this runs on every document) -----
    low = text.lower()
    tokens = low.split()
    cores = [t.strip(_PUNCT_STRIP) for t in tokens]
    odd = [i for i, c in enumerate(cores) if not c.isalnum()]
    n_odd_alpha = 0
    if odd:  # tokens that are not plain letters/digits once punctuation is stripped
        drop = set()
        for i in odd:
            if _ALNUM_RE.search(tokens[i]):
                cores[i] = cores[i] or tokens[i]
                n_odd_alpha += _ALPHA_RE.search(tokens[i]) is not None
            else:
                drop.add(i)
        odd_set = set(odd)
        plain = [c for i, c in enumerate(cores) if i not in odd_set]
        cores = [c for i, c in enumerate(cores) if i not in drop]
    else:
        plain = cores
    # A plain (all letters/digits) core has a letter unless it is all numeric.
    n_alpha_words = len(plain) - sum(map(str.isnumeric, plain)) + n_odd_alpha
    n_words = len(cores)
    core_lens = list(map(len, cores))
    word_chars = sum(core_lens)

    # --- per-line measurements (one pass) -----------------------------------------
    bullets = ellipsis = c4_punct = c4_short = js = policy = fw_punct = fw_short = 0
    hashes = 0
    for ln in lines:
        ln_low = ln.lower()
        if _BULLET_RE.match(ln):
            bullets += 1
        ends_ellipsis = ln.endswith("...") or ln.endswith("…")
        ellipsis += ends_ellipsis
        if ln.endswith(C4_END_PUNCT) and not ln.endswith("..."):
            c4_punct += 1
        if len(ln.split()) < 3:
            c4_short += 1
        if "javascript" in ln_low:
            js += 1
        if _POLICY_RE.search(ln_low):
            policy += 1
        if ln.endswith(FINEWEB_STOP_CHARS):
            fw_punct += 1
        if len(ln) <= FINEWEB_SHORT_LINE_CHARS:
            fw_short += 1
        m = _MD_HEADING_RE.match(ln)
        hashes += ln.count("#") - (m.end() if m else 0)
    symbols = hashes + text.count("...") + text.count("…")

    dup_lines, dup_line_chars = _duplicates(lines)
    dup_paras, dup_para_chars = _duplicates(paragraphs)
    n_chars = len(text)

    # Word id = position of the word's first occurrence (unique per word, < n_words).
    first_seen: dict[str, int] = {}
    ids = np.array(list(map(first_seen.setdefault, cores, range(n_words))), dtype=np.int64)

    out: dict[str, Any] = {
        "gopher_word_count": n_words,
        "gopher_mean_word_length": _ratio(word_chars, n_words),
        "gopher_symbol_word_ratio": _ratio(symbols, n_words),
        "gopher_bullet_lines_ratio": _ratio(bullets, n_lines),
        "gopher_ellipsis_lines_ratio": _ratio(ellipsis, n_lines),
        "gopher_stop_word_count": sum(map(GOPHER_STOP_WORDS.__contains__, cores)),
        "gopher_alpha_words_ratio": _ratio(n_alpha_words, n_words),
        "rep_dup_line_frac": _ratio(dup_lines, n_lines),
        "rep_dup_para_frac": _ratio(dup_paras, len(paragraphs)),
        "rep_dup_line_char_frac": _ratio(dup_line_chars, n_chars),
        "rep_dup_para_char_frac": _ratio(dup_para_chars, n_chars),
    }
    _ngram_signals(ids, np.array(core_lens, dtype=np.int64), out)
    out.update(
        {
            "c4_terminal_punct_line_ratio": _ratio(c4_punct, n_lines),
            "c4_short_line_ratio": _ratio(c4_short, n_lines),
            "c4_sentence_count": len(_SENTENCE_END_RE.findall(text)),
            "c4_has_lorem_ipsum": "lorem ipsum" in low,
            "c4_has_curly_bracket": "{" in text,
            "c4_javascript_line_count": js,
            "c4_policy_line_count": policy,
            "fineweb_line_punct_ratio": _ratio(fw_punct, n_lines),
            "fineweb_short_line_ratio": _ratio(fw_short, n_lines),
            "fineweb_dup_line_char_ratio": _ratio(dup_line_chars, n_chars - text.count("\n")),
            "fineweb_newline_word_ratio": _ratio(max(n_lines - 1, 0), n_words),
        }
    )
    return out
