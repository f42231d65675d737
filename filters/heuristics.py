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


_HASH_MULT = np.uint64(0x9E3779B97F4A7C15)  # odd 64-bit constant (golden ratio)


def _runs(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(argsort of keys, start of each run of equal keys in sorted order, run lengths)."""
    order = np.argsort(keys)
    sk = keys[order]
    new_run = np.empty(len(sk), dtype=bool)
    new_run[0] = True
    np.not_equal(sk[1:], sk[:-1], out=new_run[1:])
    starts = np.flatnonzero(new_run)
    return order, starts, np.diff(np.append(starts, len(sk)))


def _ngram_signals(ids: np.ndarray, lengths: np.ndarray, out: dict[str, Any]) -> None:
    """rep_top_{2,3,4}gram and rep_dup_{5..10}gram character fractions.

    An n-gram's key is a 64-bit polynomial hash of its word ids, extended one word per
    step (collisions need ~2^32 distinct n-grams to become likely). Beyond the smallest dup
    size, only starts whose (n-1)-gram repeats are followed (a repeated n-gram's prefix
    repeats too), so long n-grams cost next to nothing on normal text.
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
    words = ids.astype(np.uint64) + np.uint64(1)
    keys = words
    for n in range(2, DUP_NGRAM_SIZES[0] + 1):
        if n_words < n:
            return
        keys = keys[:-1] * _HASH_MULT + words[n - 1 :]  # wraps mod 2^64 by design
        order, run_starts, run_lens = _runs(keys)
        top = int(run_lens.max())
        if n in TOP_NGRAM_SIZES and top >= 2:
            # Ties: the longest of the most frequent n-grams (deterministic, order-free).
            first = order[run_starts[run_lens == top]]  # an occurrence of each (same chars)
            out[f"rep_top_{n}gram_char_frac"] = int((prefix[first + n] - prefix[first]).max()) * top / total
    if top < 2:
        return
    repeated = np.empty(len(keys), dtype=bool)
    repeated[order] = np.repeat(run_lens > 1, run_lens)
    starts = np.flatnonzero(repeated)
    keys = keys[repeated]
    for n in DUP_NGRAM_SIZES:
        if n > DUP_NGRAM_SIZES[0]:
            ok = starts + n <= n_words
            starts = starts[ok]
            if not len(starts):
                return
            keys = keys[ok] * _HASH_MULT + words[starts + n - 1]
            order, _, run_lens = _runs(keys)
            repeated = np.empty(len(keys), dtype=bool)
            repeated[order] = np.repeat(run_lens > 1, run_lens)
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
    # A string with any non-alphanumeric character is never numeric, so this counts the
    # numeric "plain" (all letters/digits) cores without building that list.
    n_numeric = sum(map(str.isnumeric, cores))
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
        if drop:
            cores = [c for i, c in enumerate(cores) if i not in drop]
    # A plain core has a letter unless it is all numeric.
    n_alpha_words = len(tokens) - len(odd) - n_numeric + n_odd_alpha
    n_words = len(cores)
    core_lens = list(map(len, cores))
    word_chars = sum(core_lens)

    # --- per-line measurements (one pass; rare markers only looked for when present) -----
    bullets = ellipsis = c4_punct = c4_short = js = policy = fw_punct = fw_short = 0
    has_js = "javascript" in low
    has_policy = _POLICY_RE.search(low) is not None
    has_hash = "#" in text
    hashes = 0
    for ln in lines:
        if _BULLET_RE.match(ln):
            bullets += 1
        if ln.endswith(("...", "…")):
            ellipsis += 1
        if ln.endswith(C4_END_PUNCT) and not ln.endswith("..."):
            c4_punct += 1
        if len(ln.split()) < 3:
            c4_short += 1
        if ln.endswith(FINEWEB_STOP_CHARS):
            fw_punct += 1
        if len(ln) <= FINEWEB_SHORT_LINE_CHARS:
            fw_short += 1
        if has_js or has_policy:
            ln_low = ln.lower()
            js += "javascript" in ln_low
            policy += _POLICY_RE.search(ln_low) is not None
        if has_hash:
            m = _MD_HEADING_RE.match(ln)
            hashes += ln.count("#") - (m.end() if m else 0)
    symbols = hashes + text.count("...") + text.count("…")

    dup_lines, dup_line_chars = _duplicates(lines)
    dup_paras, dup_para_chars = _duplicates(paragraphs)
    n_chars = len(text)

    # Word id = position of the word's first occurrence (unique per word).
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
