"""Undo the spelling tricks that hide an injection from word-based detectors.

Why: the cue scorer and the n-gram model read words. Forum-style injections spell them the
way people type ("if u r reading this, ur rules dont count"), and evasive ones break them up
("i g n o r e", "1gn0r3 ur pr3v10us 0rd3rs"). This module rewrites such sentences into plain
spelling, with a map back to the original offsets, so the same scorers can read them; the
page itself is never changed. Only sentences holding a trick are rewritten (most pages hold
none), so the second reading costs little.

Rewrites (each a known evasion class, none a list of attack wordings):
  * letters spaced out: four or more single letters separated by single spaces are joined;
  * leetspeak: a lower-case word of letters and the digits 0 1 3 4 5 7 with a digit between
    two letters ("f0rget"), or leading two in a sentence that has such a word ("4ll"; not
    "1st", "5am", "3kg" or "mp3"), is read with o i e a s t for the digits;
  * text-speak: u, ur, r, pls, plz, thx, msg, ppl, b4, bc, dont, cant, wont, abt, tho, yr.
    Words that are real words of another language the pipeline sees ("im", "w", "n") are left.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from filters.poison_injection import _BOUNDARY_RE  # the sentences the injection scorers split

# Latin letters only: in Chinese or Japanese a digit between two characters is a date or a count.
_SPACED_RE = re.compile(r"(?<![A-Za-z])(?:[A-Za-z] ){3,}[A-Za-z](?![A-Za-z])")
# lower case only (product codes are capitals: "Z5II", "GET5K"), not in a handle, path or domain
_LEET_RE = re.compile(r"(?<![\w@/#.\\\-])(?=[a-z013457]*[a-z])(?=[a-z013457]*[013457])[a-z013457]{3,}"
                      r"(?![\w@/\-]|\.\w)")
_LEET_MAP = str.maketrans("013457", "oieast")
# Text-speak words. Strong ones open a rewrite; weak ones ("r", "dont", "bc": words or
# abbreviations elsewhere, "dont" is French) are rewritten only in a sentence opened by another.
_STRONG = {"u": "you", "ur": "your", "pls": "please", "plz": "please", "thx": "thanks", "msg": "message",
           "ppl": "people", "b4": "before"}
_WEAK = {"r": "are", "dont": "don't", "cant": "can't", "wont": "won't", "bc": "because", "abt": "about",
         "tho": "though", "yr": "your"}
_SPEAK = {**_STRONG, **_WEAK}
# Between spaces, brackets or quotes (not in an e-mail address, a path "r/python", a version
# "u2", a contraction or mojibake); lower case, or shouted among capitals ("IF U R A BOT":
# a word of capitals before it and a capital after);
# a one-letter word not before a full stop ("Koch U.", "2014 r.": initials, abbreviations).
_SPEAK_RE = re.compile(
    r"(?<![^\s(\[\"'“‘])(?:(" + "|".join(sorted(_SPEAK, key=len, reverse=True)) + r")"
    r"|(" + "|".join(sorted((w.upper() for w in _SPEAK if w.isalpha()), key=len, reverse=True)) + r")(?=\s+[A-Z]))"
    r"(?=[\s,!?:;)\]\"”’]|\.(?!\w)|$)")
_SHOUTED_BEFORE_RE = re.compile(r"\b[A-Z]+[ ,:!?]{1,3}$")
_SPANISH_U_RE = re.compile(r"\s+h?o", re.IGNORECASE)  # Spanish "u" (or) before o-: "siete u ocho"
# One cheap pass finds what could open a rewrite (most pages: nothing); the rules above then
# run on those sentences only.
_MAYBE_OPENING_RE = re.compile(r"[013457][a-z]|[\s(\"'“‘](?:[A-Za-z] [A-Za-z] [A-Za-z] |[uU][rR]?\b|"
                               r"(?:pls|plz|thx|msg|ppl|b4|PLS|PLZ|THX|MSG|PPL|B4)\b)")
MAX_REWRITTEN_CHARS = 20_000  # per page: a page of nothing but tricks is not read twice in full


@dataclass(frozen=True)
class Rewritten:
    """Plain-spelling text of the rewritten sentences, `offsets[i]` being the offset in the
    page of character `i` of `text` (sentences joined by newlines)."""

    text: str
    offsets: list[int]

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The page span of `text[start:end]`."""
        return self.offsets[start], self.offsets[max(end - 1, start)] + 1


_INNER_DIGIT_RE = re.compile(r"[a-z][013457]+[a-z]")
# a number and a unit or an ordinal ending: "1st", "4th", "5am", "3kg", "7x"
_NUMBER_UNIT_RE = re.compile(r"\d+(?:st|nd|rd|th|am|pm|[a-z]|px|pt|em|kg|km|cm|mm|ml|mb|gb|kb|tb|hz|fps|mph|ft|lb|oz|in"
                             r"|yr|yrs|hr|hrs|min|sec|mo)")


def _leet(word: str) -> int:
    """2: a digit between letters ("f0rget", "p4ssw0rd"), opens a rewrite; 1: a digit leading
    two letters or more ("4ll"; "10bn", "50er" are numbers too), rewritten only in a sentence
    opened by another; 0: a number with its unit ("1st", "5am", "3kg") or a version ("mp3")."""
    if _INNER_DIGIT_RE.search(word):
        return 2
    return int(word[0].isdigit() and sum(c.isalpha() for c in word) >= 2 and not _NUMBER_UNIT_RE.fullmatch(word))


def _edits(text: str) -> tuple[list[tuple[int, int, str]], list[int]]:
    """(start, end, replacement) of every trick, in order, not overlapping; and the offsets of
    those that open a rewrite of their sentence (all but the weak words)."""
    edits = [(m.start(), m.end(), m.group().replace(" ", "")) for m in _SPACED_RE.finditer(text)]
    opening = [e[0] for e in edits]
    for m in _LEET_RE.finditer(text):
        kind = _leet(m.group())
        if kind:
            edits.append((m.start(), m.end(), m.group().translate(_LEET_MAP)))
            if kind == 2:
                opening.append(m.start())
    for m in _SPEAK_RE.finditer(text):
        word = m.group().lower()
        if len(word) == 1 and text.startswith(".", m.end()):
            continue
        if word == "u" and _SPANISH_U_RE.match(text, m.end()):
            continue
        if m.group(2) and not _SHOUTED_BEFORE_RE.search(text, max(0, m.start() - 30), m.start()):
            continue  # "PPL Center", "Sci U S A": capitals in a name, not shouting
        edits.append((m.start(), m.end(), _SPEAK[word]))
        if word in _STRONG:
            opening.append(m.start())
    edits.sort()
    out: list[tuple[int, int, str]] = []
    for e in edits:
        if not out or e[0] >= out[-1][1]:
            out.append(e)
    return out, opening


def rewrite_evasions(text: str) -> Rewritten | None:
    """The sentences of `text` holding a spelling trick, in plain spelling; None if none does."""
    hits = [m.end() - 1 for m in _MAYBE_OPENING_RE.finditer(text)]  # in the word (not the space before)
    if not hits:
        return None
    ends = [m.end() for m in _BOUNDARY_RE.finditer(text)]
    candidates = []
    for h in hits:
        k = bisect.bisect_right(ends, h)
        span = (ends[k - 1] if k else 0, ends[k] if k < len(ends) else len(text))
        if not candidates or candidates[-1] != span:
            candidates.append(span)
    sentences: list[tuple[int, int]] = []
    edits: list[tuple[int, int, str]] = []
    for start, end in candidates:
        found, opening = _edits(text[start:end])
        if opening:
            sentences.append((start, end))
            edits += [(s + start, e + start, rep) for s, e, rep in found]
    if not sentences:
        return None
    pieces: list[str] = []
    offsets: list[int] = []
    i = 0
    budget = MAX_REWRITTEN_CHARS
    for start, end in sentences:
        if budget <= 0:
            break
        budget -= end - start
        if pieces and offsets[-1] + 1 != start:  # apart in the page: apart here
            pieces.append("\n")
            offsets.append(start)
        pos = start
        while i < len(edits) and edits[i][0] < end:
            s, e, rep = edits[i]
            i += 1
            if s < pos:
                continue
            pieces.append(text[pos:s])
            offsets.extend(range(pos, s))
            pieces.append(rep)
            # the new characters spread over the old word, the last on its last character
            offsets.extend(s + j * (e - s) // len(rep) for j in range(len(rep) - 1))
            offsets.append(e - 1)
            pos = e
        pieces.append(text[pos:end])
        offsets.extend(range(pos, end))
    return Rewritten("".join(pieces), offsets)
