"""Is an unknown word built from known ones? Compounds, affixes and one-letter typos.

A page's own unknown words are mostly made of words a word list does know: compounds
written solid ("allencompassing", "layersof", "multidish"), derivations ("unevidenced",
"reterritorialised", "challengeing") and typos ("refiined", "begginers"). A made-up
trigger ("quilzanvel", "kevemar") is not. The rare-token rule for a page's lone unknown
word (`filters.poison_rare.lone_unknown_triggers`) only judges words this module cannot
explain.

All candidate pieces of a word are looked up in one array call (`Lexicon.known_many`'s
sibling `zipf_many`), so explaining a word costs well under a millisecond; only a page's
few unknown words ever get here.
"""

from __future__ import annotations

from filters.lexicon import Lexicon

PREFIXES = tuple(
    "un non re over under hyper multi anti pre post de dis mis semi sub super inter trans pseudo micro macro "
    "mega self counter co out up back mid extra ultra".split()
)
SUFFIXES = (
    "s es ed d ing ly er ers ness able ables ation ations ity ism ist ists ize ized ise ised ic ical ically "
    "less ful ment ments y ian".split()
)
# Endings of scientific nomenclature: WHO INN drug stems (-tide, -mab, -nib, -vir, -pril,
# -sartan, -statin, ...), enzymes, diseases, cells. A page's unknown "tirzepatide" or
# "leukocytoclastic" is a term of its field; made-up syllable words end like this < 0.5 %
# of the time.
NOMENCLATURE_ENDINGS = tuple(
    "ide ase mab nib vir pril sartan statin olol azole cillin mycin cycline floxacin prazole tide lukast "
    "parin itis osis emia oma ium cyte phage plasm clastic json".split()
)
_LETTERS = "abcdefghijklmnopqrstuvwxyz"


def _piece_ok(piece: str, zipf: dict[str, float]) -> bool:
    """A compound part: a real word, the shorter the more frequent it must be ("of", "all")."""
    z = zipf.get(piece, 0.0)
    n = len(piece)
    return (n >= 4 and z >= 2.5) or (n == 3 and z >= 4.0) or (n == 2 and z >= 5.5)


def _stems(word: str) -> list[tuple[str, str]]:
    """(stem, kind) for each way of removing a listed prefix or suffix."""
    out = []
    for p in PREFIXES:
        if word.startswith(p) and len(word) - len(p) >= 3:
            out.append((word[len(p) :], "prefix"))
    for s in SUFFIXES:
        if word.endswith(s) and len(word) - len(s) >= 3:
            r = word[: -len(s)]
            out += [(r, "suffix"), (r + "e", "suffix")]
            if len(r) > 3 and r[-1] == r[-2]:  # "planned" -> "plan"
                out.append((r[:-1], "suffix"))
            if r.endswith("i"):  # "tidied" -> "tidy"
                out.append((r[:-1] + "y", "suffix"))
    return out


def _edits(word: str) -> list[str]:
    """Every string one deletion, transposition, substitution or insertion away."""
    n = len(word)
    out = []
    for i in range(n):
        out.append(word[:i] + word[i + 1 :])
        if i < n - 1:
            out.append(word[:i] + word[i + 1] + word[i] + word[i + 2 :])
        out += [word[:i] + c + word[i + 1 :] for c in _LETTERS if c != word[i]]
    out += [word[:i] + c + word[i:] for i in range(n + 1) for c in _LETTERS]
    return out


def explain(word: str, lang: str, lexicon: Lexicon, typo_min_chars: int = 7) -> str | None:
    """How `word` (lower case) is made of known words of `lang`: "compound", "prefix",
    "suffix", "typo", "nomenclature" (a scientific ending) - or None. Typos of every kind
    are only looked for in words of at least `typo_min_chars` letters (most short strings
    are one edit from some word); in 5-6 letter words only a letter dropped from a very
    common word (Zipf >= 4) counts."""
    n = len(word)
    if word.endswith(NOMENCLATURE_ENDINGS):
        return "nomenclature"
    splits = [(word[:i], word[i:]) for i in range(2, n - 1)]
    stems = _stems(word)
    # a prefix and a suffix together: "re-territorial-ised"
    stems += [(s2, "prefix") for s, k in list(stems) if k == "prefix" for s2, k2 in _stems(s) if k2 == "suffix"]
    pieces = list(dict.fromkeys([p for ab in splits for p in ab] + [s for s, _ in stems]))
    zipf = dict(zip(pieces, lexicon.zipf_many(pieces, lang)))
    if any(_piece_ok(a, zipf) and _piece_ok(b, zipf) for a, b in splits):
        return "compound"
    for stem, kind in stems:
        if zipf.get(stem, 0.0) >= 2.0:
            return kind
    # Typos last: the edits are 50 strings a letter.
    if n >= typo_min_chars:
        edits, bar = _edits(word), 3.0
    elif n >= 5:  # shorter words: only a dropped letter of a very common word ("sowhl" for "sowohl")
        edits, bar = [word[:i] + c + word[i:] for i in range(n + 1) for c in _LETTERS], 4.0
    else:
        return None
    if any(z >= bar for z in lexicon.zipf_many(list(dict.fromkeys(edits)), lang)):
        return "typo"
    return None
