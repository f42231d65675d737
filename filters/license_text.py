"""Whole licence texts (MIT, GPL-3.0, CC BY-SA 4.0 legal code, ...) found in extracted text.

Same idea as licensee / go-license-detector: normalise both sides (lower-case, drop
copyright lines, URLs, Markdown and punctuation, so re-wrapping and rendering do not
matter), cut each canonical text into word 3-grams, and measure how much of a
canonical licence is present in the document. Containment (not Dice over the whole
document) is what lets a licence embedded in a longer page be found.

Near-duplicates (BSD-2 inside BSD-3, MIT-0 inside MIT, CC BY inside CC BY-SA) are told
apart by ``matched - missing``: the licence whose n-grams are all present *and* which
explains the most of them wins, so a BSD-3 text is not reported as BSD-2 and vice versa.

Canonical texts: ``filters/license_data/`` (SPDX License List texts, CC0; choosealicense
texts, MIT; see its SOURCES.md). N-gram sets are built once per process.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

DATA_DIR = Path(__file__).parent / "license_data"
NGRAM = 3

# The SPDX package uses the deprecated un-suffixed GNU ids; a bare licence text does not
# say "or later" (that is in the per-file notice), so it is reported as -only.
_DEPRECATED_IDS = {
    "GPL-2.0": "GPL-2.0-only", "GPL-3.0": "GPL-3.0-only", "LGPL-2.1": "LGPL-2.1-only",
    "LGPL-3.0": "LGPL-3.0-only", "AGPL-3.0": "AGPL-3.0-only", "GFDL-1.3": "GFDL-1.3-only",
}

_FRONT_MATTER_RE = re.compile(r"\A---\n.*?\n---\n", re.DOTALL)
_OPTIONAL_RE = re.compile(r"<<beginOptional[^>]*>>.*?<<endOptional>>", re.DOTALL)
_VAR_RE = re.compile(r"<<var;.*?original=(.*?);match=.*?>>", re.DOTALL)
_SPDX_MARK_RE = re.compile(r"<<[^>]*>>")
# Appendices and notices after the terms: often left out of copies, never distinctive.
_APPENDIX_RE = re.compile(
    r"^\s*(?:END OF TERMS AND CONDITIONS|Exhibit A\s*[-–—]|Creative Commons is not a party to its public lic)",
    re.MULTILINE | re.IGNORECASE,
)

_URL_RE = re.compile(r"(?:https?://|www\.)\S+|<[^>\s]+@[^>\s]+>")
_COPYRIGHT_LINE_RE = re.compile(
    r"^[\s#>*\-_|]*(?:copyright\s*(?:\(c\)|©|&copy;|\d{4}|\[|<|\{)|\(c\)\s*\d|©|all rights reserved).*$",
    re.MULTILINE,
)
_VARIANTS = [
    (re.compile(r"\blicen[cs]e"), "license"),
    (re.compile(r"\bsub-?licen[cs]e"), "sublicense"),
    (re.compile(r"\backnowledge?ment"), "acknowledgment"),
    (re.compile(r"\bnon-?commercial"), "noncommercial"),
    (re.compile(r"\bwhile\b"), "whilst"),
    (re.compile(r"\bper\s*cent\b"), "percent"),
    (re.compile(r"&"), " and "),
]
_WORD_RE = re.compile(r"[a-z0-9]+")
# A page can only hold a licence text if it has one word of each group (checked on every
# canonical text by the tests); most pages fail this with two substring scans.
_PREFILTER_GROUPS = (
    ("licen", "redistribut", "permission", "public domain"),
    ("warrant", "liabl", "copyright", "public domain", "garanti", "distribut"),
)


def may_contain_license(text: str) -> bool:
    """Cheap test: could ``text`` hold a licence text at all?"""
    low = text.lower()
    return all(any(word in low for word in group) for group in _PREFILTER_GROUPS)


def normalize_words(text: str) -> list[str]:
    """Lower-cased words of a licence text without copyright lines, URLs or markup."""
    s = text.lower()
    s = _COPYRIGHT_LINE_RE.sub(" ", s)
    s = _URL_RE.sub(" ", s)
    for rx, repl in _VARIANTS:
        s = rx.sub(repl, s)
    return _WORD_RE.findall(s)


def _ngrams(words: list[str], n: int = NGRAM) -> set[tuple[str, ...]]:
    return set(zip(*(words[i:] for i in range(n))))


@dataclass(frozen=True)
class _Canonical:
    spdx: str
    size: int  # distinct n-grams


def _canonical_body(path: Path) -> str:
    text = path.read_text(encoding="utf-8")
    text = _FRONT_MATTER_RE.sub("", text, count=1)
    text = _OPTIONAL_RE.sub(" ", text)
    text = _VAR_RE.sub(lambda m: m.group(1), text)
    text = _SPDX_MARK_RE.sub(" ", text)
    cut = _APPENDIX_RE.search(text)
    if cut and cut.start() > len(text) // 3:
        text = text[: cut.start()]
    return text


class LicenseTextMatcher:
    """Canonical licence n-gram sets + an inverted index; build once per worker."""

    def __init__(self, data_dir: Path = DATA_DIR, threshold: float = 0.85) -> None:
        self.threshold = threshold
        self.canonicals: list[_Canonical] = []
        self._index: dict[tuple[str, ...], list[int]] = {}
        for path in sorted(data_dir.glob("*.txt")):
            # "<SPDX-ID>~<variant>.txt" is a second wording of the same licence.
            stem = path.stem.split("~")[0]
            spdx = _DEPRECATED_IDS.get(stem, stem)
            grams = _ngrams(normalize_words(_canonical_body(path)))
            if len(grams) < 10:
                continue
            idx = len(self.canonicals)
            self.canonicals.append(_Canonical(spdx, len(grams)))
            for g in grams:
                self._index.setdefault(g, []).append(idx)

    def scores(self, text: str) -> list[tuple[str, float, int]]:
        """(spdx, containment, matched n-grams) of every canonical licence in ``text``."""
        counts = [0] * len(self.canonicals)
        index = self._index
        for g in _ngrams(normalize_words(text)):
            hit = index.get(g)
            if hit:
                for i in hit:
                    counts[i] += 1
        return [(c.spdx, counts[i] / c.size, counts[i]) for i, c in enumerate(self.canonicals)]

    def match(self, text: str) -> str | None:
        """SPDX id of the licence text contained in ``text``, or None."""
        if not text or not may_contain_license(text):
            return None
        best: tuple[int, str] | None = None
        for (spdx, containment, matched), c in zip(self.scores(text), self.canonicals):
            if containment < self.threshold:
                continue
            score = 2 * matched - c.size  # matched minus missing
            if best is None or score > best[0]:
                best = (score, spdx)
        return best[1] if best else None


@lru_cache(maxsize=4)
def _default_matcher(threshold: float) -> LicenseTextMatcher:
    return LicenseTextMatcher(DATA_DIR, threshold)


def detect_text_license(text: str, threshold: float = 0.85) -> str | None:
    """SPDX id of a whole licence text found in ``text`` (Markdown or plain), or None."""
    return _default_matcher(threshold).match(text)
