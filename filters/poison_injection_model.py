"""Prompt-injection sentences by a linear model of word n-grams (logistic regression).

Why: the cue scorer of `filters.poison_injection` is a hand-written grammar of who an
injection speaks to and how it steers; each round of cues caught 0.39-0.58 of the
phrasings of an author it was not built on. A linear model over word 1-3-grams, fitted on
the same development phrasings against 20 k sentences of real pages, weighs thousands of
small hints (", ai reviewers", "do not mention", "the user") that no cue lists. It is no
neural model: one weight per n-gram, summed, a few array operations per page.

The weights ship in `filters/models/injection_ngrams.tsv.gz`, built (deterministically) by
`tools/build_injection_model.py`, which also reports its cross-validated recall per author.
"""

from __future__ import annotations

import bisect
import copy
import gzip
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Iterator

import numpy as np

from filters.poison_injection import _BOUNDARY_RE, _trie_pattern, lower_keeping_offsets

MODEL_PATH = Path(__file__).resolve().parent / "models" / "injection_ngrams.tsv.gz"

# Words (letters and digits, with inner apostrophes: "don't") and single punctuation marks.
TOKEN_RE = re.compile(r"[^\W_]+(?:['’][^\W_]+)*|[^\w\s]")
MAX_ORDER = 3
# A "sentence" longer than this many tokens (a page whose line breaks were lost) is scored
# in windows of this size, so that a long run of prose cannot add up many small weights.
WINDOW_TOKENS = 48


def tokens(text: str) -> list[str]:
    return TOKEN_RE.findall(text.lower())


def ngrams(toks: list[str], order: int = MAX_ORDER) -> list[str]:
    """The 1- to `order`-grams of a token list, joined by spaces (the model's feature names)."""
    out = list(toks)
    for n in range(2, order + 1):
        out += [" ".join(toks[i : i + n]) for i in range(len(toks) - n + 1)]
    return out


def windows(toks: list[str]) -> list[list[str]]:
    if len(toks) <= WINDOW_TOKENS:
        return [toks]
    step = WINDOW_TOKENS // 2
    return [toks[i : i + WINDOW_TOKENS] for i in range(0, len(toks) - step, step)]


@dataclass(frozen=True)
class ModelSentence:
    start: int
    end: int
    score: float


class InjectionModel:
    """Weights of word n-grams; a sentence's score is its bias plus the weights it holds."""

    def __init__(self, weights: dict[str, float], bias: float, threshold: float,
                 gate: Iterable[str] | None = None) -> None:
        self.bias = bias
        self.threshold = threshold
        # Only sentences holding a gate word are scored (None: every sentence).
        gate = frozenset(gate) if gate is not None else None
        self.gate_re = (re.compile(r"(?<![^\W_])" + _trie_pattern(gate) + r"(?![^\W_])")
                        if gate else None)
        # every word of a kept n-gram has an id, with the weight of its unigram (0 if pruned)
        unigrams = sorted({p for g in weights for p in g.split(" ")})
        self.vocab = {w: i for i, w in enumerate(unigrams)}
        self.w1 = np.array([weights.get(w, 0.0) for w in unigrams], dtype=np.float64)
        v = max(len(unigrams), 1)
        self._v = v
        keys, vals = [], []
        for g, w in weights.items():
            parts = g.split(" ")
            if len(parts) == 1:
                continue
            ids = [self.vocab[p] for p in parts]
            k = 0
            for i in ids:
                k = k * v + i
            keys.append(k * 4 + len(parts))  # the order in the low bits keeps 2- and 3-grams apart
            vals.append(w)
        order = np.argsort(np.array(keys, dtype=np.int64), kind="stable")
        self.keys = np.array(keys, dtype=np.int64)[order]
        self.vals = np.array(vals, dtype=np.float64)[order]

    def with_threshold(self, threshold: float) -> "InjectionModel":
        """The same weights (shared, not copied) with another decision threshold."""
        other = copy.copy(self)
        other.threshold = threshold
        return other

    @classmethod
    def from_file(cls, path: str | Path = MODEL_PATH) -> "InjectionModel":
        weights: dict[str, float] = {}
        meta: dict[str, str] = {}
        with gzip.open(path, "rt", encoding="utf-8") as fh:
            for line in fh:
                line = line.rstrip("\n")
                if line.startswith("#"):
                    parts = line[1:].strip().split("\t")
                    if len(parts) == 2:
                        meta[parts[0]] = parts[1]
                    continue
                g, w = line.split("\t")
                weights[g] = float(w)
        gate = meta["gate"].split() if "gate" in meta else None
        return cls(weights, float(meta["bias"]), float(meta["threshold"]), gate)

    def _window_scores(self, ids: np.ndarray, win: np.ndarray, n_win: int) -> np.ndarray:
        """Score of every window (`win[i]` is the window of token `ids[i]`, tokens of one
        window contiguous): bias + the weight of each distinct n-gram it holds."""
        scores = np.full(n_win, self.bias)
        known = ids >= 0
        if known.any():
            u = np.unique(win[known] * self._v + ids[known])  # each unigram once per window
            np.add.at(scores, u // self._v, self.w1[u % self._v])
        n_keys = len(self.keys)
        for n in range(2, MAX_ORDER + 1):
            if len(ids) < n or n_keys == 0:
                break
            m = len(ids) - n + 1
            ok = win[:m] == win[n - 1 :]
            for i in range(n):
                ok &= ids[i : i + m] >= 0
            if not ok.any():
                continue
            k = np.zeros(int(ok.sum()), dtype=np.int64)
            for i in range(n):
                k = k * self._v + ids[i : i + m][ok]
            k = k * 4 + n
            pos = np.searchsorted(self.keys, k)
            pos[pos >= n_keys] = 0
            hit = self.keys[pos] == k
            if hit.any():
                u = np.unique(win[:m][ok][hit] * n_keys + pos[hit])  # each n-gram once per window
                np.add.at(scores, u // n_keys, self.vals[u % n_keys])
        return scores

    def _windows_of(self, ids: np.ndarray, sent: np.ndarray, n_sent: int) -> tuple[np.ndarray, np.ndarray,
                                                                                   np.ndarray]:
        """(ids, window of each id, sentence of each window): a sentence is one window unless
        it is longer than WINDOW_TOKENS, then overlapping windows of that size."""
        lens = np.bincount(sent, minlength=n_sent)
        if len(lens) == 0 or lens.max() <= WINDOW_TOKENS:
            return ids, sent, np.arange(n_sent)
        starts = np.concatenate(([0], np.cumsum(lens)[:-1]))
        step = WINDOW_TOKENS // 2
        idx, win, win_sent = [], [], []
        for s_i in range(n_sent):
            st, ln = int(starts[s_i]), int(lens[s_i])
            offsets = [0] if ln <= WINDOW_TOKENS else range(0, ln - step, step)
            for o in offsets:
                e = min(o + WINDOW_TOKENS, ln)
                idx.append(np.arange(st + o, st + e))
                win.append(np.full(e - o, len(win_sent)))
                win_sent.append(s_i)
        ix = np.concatenate(idx) if idx else np.zeros(0, dtype=np.int64)
        return (ids[ix], np.concatenate(win) if win else np.zeros(0, dtype=np.int64),
                np.array(win_sent, dtype=np.int64))

    def score(self, sentence: str) -> float:
        """Score of one sentence: its best window (one window unless it is very long)."""
        get = self.vocab.get
        ids = np.array([get(t, -1) for t in TOKEN_RE.findall(sentence.lower())], dtype=np.int64)
        if len(ids) == 0:
            return self.bias
        ids, win, _ = self._windows_of(ids, np.zeros(len(ids), dtype=np.int64), 1)
        return float(self._window_scores(ids, win, int(win.max()) + 1).max())

    def sentences(self, text: str, threshold: float | None = None, low: str | None = None) -> Iterator[ModelSentence]:
        """Sentences of `text` (split as the cue scorer splits them) scoring `threshold` or
        more. Only sentences holding a gate word are tokenised, all of them at once.
        `low`, if given, is `lower_keeping_offsets(text)`."""
        thr = self.threshold if threshold is None else threshold
        if low is None:
            low = lower_keeping_offsets(text)
        ends = [m.end() for m in _BOUNDARY_RE.finditer(text)]
        if self.gate_re is not None:
            picked = sorted({bisect.bisect_right(ends, m.start()) for m in self.gate_re.finditer(low)})
        else:
            picked = list(range(len(ends) + 1))
        if not picked:
            return
        get = self.vocab.get
        spans, ids_l, lens = [], [], []
        for k in picked:
            start = ends[k - 1] if k else 0
            end = ends[k] if k < len(ends) else len(text)
            ids = [get(t, -1) for t in TOKEN_RE.findall(low, start, end)]
            spans.append((start, end))
            ids_l += ids
            lens.append(len(ids))
        ids = np.array(ids_l, dtype=np.int64)
        sent = np.repeat(np.arange(len(lens), dtype=np.int64), lens)
        scores = np.full(len(lens), -np.inf)
        ids, win, win_sent = self._windows_of(ids, sent, len(lens))
        if len(ids):
            np.maximum.at(scores, win_sent, self._window_scores(ids, win, len(win_sent)))
        for (start, end), score in zip(spans, scores):
            if score >= thr:
                yield ModelSentence(start, end, float(score))


@lru_cache(maxsize=2)
def load_injection_model(path: str = str(MODEL_PATH)) -> InjectionModel | None:
    """One model per process; None if the weights file is missing."""
    if not Path(path).exists():
        return None
    return InjectionModel.from_file(path)
