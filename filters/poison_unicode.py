"""Unicode trigger signals: hidden format characters, bidi controls, tag characters, homoglyphs.

Planted triggers are often invisible to a human reviewer but not to a tokenizer: a
zero-width space inside a word, an ASCII message spelled in Unicode tag characters,
a right-to-left override, a Cyrillic 'а' inside a Latin word. Each of these has
legitimate uses on real pages, so every occurrence is judged by its neighbours:

* ZWJ/ZWNJ between letters of joining or Indic scripts (Persian, Arabic, Devanagari, ...)
  and ZWJ inside emoji sequences are orthography, not triggers.
* Soft hyphens between syllables of long words are hyphenation points (German, Dutch);
  a soft hyphen in a short word, next to a non-letter, or cutting off a vowel-less piece
  is not. English pages rarely hyphenate by hand, so there a few scattered soft hyphens
  are suspicious unless the page hyphenates systematically.
* Zero-width characters alone on a line or at a line edge are CMS placeholders (Webflow
  writes ``\\u200d`` paragraphs, editors leave ``\\u200b`` at line ends): ignored.
* A BOM at the start of the text (or of a line: concatenated files) is ignored.
* LRM/RLM and bidi embeddings/isolates on lines that contain right-to-left letters are
  ordinary bidi markup; in pure left-to-right lines overrides/embeddings/isolates are not.
* Tag characters are only legitimate in emoji subdivision flags (🏴 + tags + cancel tag).
* A token mixing Latin letters with Cyrillic/Greek/... lookalikes, or a foreign-script
  word made only of Latin lookalikes on a page otherwise written in Latin script, is a
  homoglyph. Greek letters in maths (Δx, π, σ) are not Latin lookalikes and a genuinely
  Cyrillic/Greek or bilingual page has many non-lookalike words, so neither fires.

Everything is counted on the fly; a pure-ASCII text returns immediately.
"""

from __future__ import annotations

import functools
import re
import string
import unicodedata
from dataclasses import dataclass, field

# --- character classes -------------------------------------------------------------

# Zero-width / invisible format characters (bidi marks are handled with the bidi set).
INVISIBLE_CHARS = frozenset(
    "\u00ad"  # soft hyphen
    "\u180e"  # Mongolian vowel separator
    "\u200b\u200c\u200d"  # ZWSP, ZWNJ, ZWJ
    "\u2060\u2061\u2062\u2063\u2064"  # word joiner, invisible maths operators
    "\ufeff"  # BOM / zero-width no-break space
    "\u034f"  # combining grapheme joiner
    "\u17b4\u17b5"  # Khmer inherent vowels (invisible)
    "\u206a\u206b\u206c\u206d\u206e\u206f"  # deprecated format controls
    "\ufff9\ufffa\ufffb"  # interlinear annotation controls
)
# Invisible "letters" used as filler in attacks (Hangul fillers, braille blank).
FILLER_CHARS = frozenset("\u115f\u1160\u3164\uffa0\u2800")
BIDI_MARKS = frozenset("\u200e\u200f\u061c")  # LRM, RLM, ALM
BIDI_EMBED = frozenset("\u202a\u202b\u202c\u2066\u2067\u2068\u2069")  # LRE RLE PDF LRI RLI FSI PDI
BIDI_OVERRIDE = frozenset("\u202d\u202e")  # LRO RLO
BIDI_CHARS = BIDI_MARKS | BIDI_EMBED | BIDI_OVERRIDE
VARIATION_SELECTORS = frozenset(chr(c) for c in range(0xFE00, 0xFE10)) | frozenset(
    chr(c) for c in range(0xE0100, 0xE01F0)
)
TAG_FIRST, TAG_LAST, TAG_CANCEL = 0xE0000, 0xE007F, 0xE007F
BLACK_FLAG = "\U0001f3f4"

# Every other format character (category Cf): Arabic and Syriac number and end-of-verse
# signs, Egyptian hieroglyph, shorthand and musical format controls, ... Each belongs to
# its own script; next to ASCII letters, digits or spaces it only hides something.
OTHER_FORMAT_CHARS = frozenset(
    chr(c) for c in range(0x110000)
    if unicodedata.category(chr(c)) == "Cf" and not TAG_FIRST <= c <= TAG_LAST
) - INVISIBLE_CHARS - BIDI_CHARS
_ARABIC_FORMAT = frozenset(c for c in OTHER_FORMAT_CHARS if "\u0600" <= c <= "\u08ff")


def _char_class(chars: frozenset[str] | set[str] | dict[str, str]) -> str:
    """A regex character class of code-point ranges (a long list of singletons is slow in `re`)."""
    points = sorted(ord(c) for c in chars)
    parts = []
    i = 0
    while i < len(points):
        j = i
        while j + 1 < len(points) and points[j + 1] == points[j] + 1:
            j += 1
        lo, hi = chr(points[i]), chr(points[j])
        parts.append(re.escape(lo) if i == j else f"{re.escape(lo)}-{re.escape(hi)}")
        i = j + 1
    return "[" + "".join(parts) + "]"


_HIDDEN = INVISIBLE_CHARS | FILLER_CHARS | BIDI_CHARS | OTHER_FORMAT_CHARS
# One pass finds every character worth a closer look.
# (`re` tests BMP classes with a bitmap but walks astral members one by one: the few astral
# format characters go in a class of their own, as ranges.)
_HIDDEN_RE = re.compile(
    "(?:" + _char_class({c for c in _HIDDEN if ord(c) < 0x10000}) + "|"
    + _char_class({c for c in _HIDDEN if ord(c) >= 0x10000} | {chr(c) for c in range(TAG_FIRST, TAG_LAST + 1)}) + ")+"
)
_VS_RUN_RE = re.compile("[\ufe00-\ufe0f\U000e0100-\U000e01ef]{2,}")
# Right-to-left text; the Arabic letter mark and the Arabic format signs sit in the same
# block but are not text of their own.
_RTL_RE = re.compile(_char_class(
    {chr(c) for lo, hi in ((0x0590, 0x08FF), (0xFB1D, 0xFDFF), (0xFE70, 0xFEFF), (0x10800, 0x10FFF), (0x1E800, 0x1EFFF))
     for c in range(lo, hi + 1)} - _ARABIC_FORMAT - {"\u061c"}
))

# Scripts where ZWJ/ZWNJ are part of spelling.
_JOINING_SCRIPTS = frozenset(
    "ARABIC SYRIAC NKO MONGOLIAN MANDAIC PHAGS-PA DEVANAGARI BENGALI GURMUKHI GUJARATI ORIYA "
    "TAMIL TELUGU KANNADA MALAYALAM SINHALA TIBETAN MYANMAR KHMER THAI LAO BALINESE JAVANESE "
    "HEBREW".split()
)
# Scripts written without spaces, where ZWSP marks word boundaries.
_NO_SPACE_SCRIPTS = frozenset(
    "THAI LAO KHMER MYANMAR TIBETAN CJK HIRAGANA KATAKANA JAVANESE BALINESE".split()
)
_VOWELS = frozenset("aeiouyäöüàáâãåæèéêëìíîïòóôõøùúûýÿąęœ")


@functools.lru_cache(maxsize=65536)
def char_script(ch: str) -> str:
    """First word of the Unicode name ('LATIN', 'CYRILLIC', ...); '' for unnamed chars."""
    name = unicodedata.name(ch, "")
    if not name:
        return ""
    head = name.split(" ", 1)[0]
    if head in ("FULLWIDTH", "HALFWIDTH") and len(name.split()) > 1:
        return "FULLWIDTH"
    return head


def _is_emoji(ch: str) -> bool:
    o = ord(ch)
    return (
        0x1F000 <= o <= 0x1FAFF
        or 0x2600 <= o <= 0x27BF
        or 0x2B00 <= o <= 0x2BFF
        or 0x2190 <= o <= 0x21FF
        or o in (0x2640, 0x2642, 0x2695, 0x2696, 0x2708, 0x2764, 0xFE0F, 0x20E3)
        or 0x1F3FB <= o <= 0x1F3FF
    )


# --- homoglyph tables ------------------------------------------------------------


def _build_lookalikes() -> tuple[dict[str, str], frozenset[str]]:
    """Non-Latin letters that look like an ASCII letter, and ASCII letters with a foreign twin.

    Built once from the Unicode confusables table shipped with `confusable_homoglyphs`.
    Latin-script lookalikes (dotless i, long s, ...) are left out: they are ordinary
    letters of Turkish, historical English, IPA.
    """
    from confusable_homoglyphs import confusables

    ascii_letters = set(string.ascii_letters)
    foreign_to_latin: dict[str, str] = {}
    latin_with_twin: set[str] = set()
    for ch, homoglyphs in confusables.confusables_data.items():
        if len(ch) != 1:
            continue
        for h in homoglyphs:
            other = h["c"]
            if len(other) != 1:
                continue
            if ch in ascii_letters and other not in ascii_letters and other.isalpha():
                if char_script(other) not in ("LATIN", ""):
                    latin_with_twin.add(ch)
            elif other in ascii_letters and ch not in ascii_letters and ch.isalpha():
                if char_script(ch) not in ("LATIN", ""):
                    foreign_to_latin[ch] = other
    return foreign_to_latin, frozenset(latin_with_twin)


LOOKALIKE_TO_LATIN, LATIN_WITH_TWIN = _build_lookalikes()


# `re` matches BMP classes with a bitmap but walks astral ranges one by one: keep them apart,
# and look for astral lookalikes (mathematical alphanumerics) only when the text has astral chars.
_LOOKALIKE_BMP_RE = re.compile(_char_class({c for c in LOOKALIKE_TO_LATIN if ord(c) < 0x10000}))
_LOOKALIKE_ASTRAL_RE = re.compile(_char_class({c for c in LOOKALIKE_TO_LATIN if ord(c) >= 0x10000}))
_ASTRAL_RE = re.compile("[\U00010000-\U0010ffff]")
_WORD_RE = re.compile(r"[^\W\d_]+")
# Gene/protein names: an upper-case acronym with a Greek suffix (TNFα, PPARγ, ERα).
_GENE_NAME_RE = re.compile(r"[A-Z][A-Z0-9]{1,9}[\u03b1-\u03c9]")
# An ASCII letter touching a Greek, Cyrillic, Armenian or Cherokee letter (cheap pre-check
# for script mixing by letters that are not in the confusables table, e.g. Greek kappa).
_MIXED_SCRIPT_RE = re.compile(
    r"[A-Za-z][\u0370-\u03ff\u0400-\u052f\u0531-\u058f\u13a0-\u13ff]"
    r"|[\u0370-\u03ff\u0400-\u052f\u0531-\u058f\u13a0-\u13ff][A-Za-z]"
)
# Scripts whose lookalikes are used to fake Latin words.
_HOMOGLYPH_SCRIPTS = frozenset(
    "CYRILLIC GREEK ARMENIAN CHEROKEE COPTIC LISU WARANG CANADIAN MATHEMATICAL FULLWIDTH "
    "DOUBLE-STRUCK SCRIPT BLACK-LETTER DESERET OSAGE TIFINAGH".split()
)

def _compat_letters() -> frozenset[str]:
    """Characters that NFKC folds to one ASCII letter: fullwidth and mathematical letters,
    small roman numerals, letterlike symbols (ｐ, 𝐩, ⅰ, ℎ). They render as Latin letters
    and tokenize as something else."""
    out = set()
    for lo, hi in ((0x2100, 0x218F), (0xFF21, 0xFF5A), (0x1D400, 0x1D7FF)):
        for cp in range(lo, hi + 1):
            n = unicodedata.normalize("NFKC", chr(cp))
            if len(n) == 1 and n in string.ascii_letters:
                out.add(chr(cp))
    return frozenset(out)


COMPAT_LETTERS = _compat_letters()
# Latin-script lookalikes of ASCII letters that no orthography writes inside an ASCII word:
# IPA and small capitals (ɑ, ɡ, ɪ, ᴏ, ꜱ). Not dotless i (Turkish names in English text:
# Yıldız), long s (old books), or ɣ, ʋ and click letters (Berber, Ewe, Khoisan spelling).
LATIN_LOOKALIKES = frozenset("ɑɡɩɪʏᴄᴏᴑᴜᴠᴡᴢꜱ")
_COMPAT_BMP_RE = re.compile(_char_class({c for c in COMPAT_LETTERS | LATIN_LOOKALIKES | {"ı"} if ord(c) < 0x10000}))
_COMPAT_ASTRAL_RE = re.compile(_char_class({c for c in COMPAT_LETTERS if ord(c) >= 0x10000}))
_CJK_RE = re.compile("[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af\uff66-\uff9f]")
_ASCII_WORD_RE = re.compile(r"(?<![^\W\d_])[A-Za-z]{2,}(?![^\W\d_])")
_TURKISH_RE = re.compile("[ğşİĞŞ]")
_FULLWIDTH_LETTER_RE = re.compile("[\uff21-\uff3a\uff41-\uff5a]")
# Latin letters that pass for a common letter of the neighbouring script (Russian, Bulgarian,
# Ukrainian, Serbian, Kazakh Cyrillic; Greek). A Latin run with any other letter ("Show",
# "org", "http") cannot be disguising a word of that script.
_FAKEABLE_LATIN = {
    "CYRILLIC": frozenset("aceopxyhijsABCEHIJKMOPSTX"),
    "GREEK": frozenset("ikopuvxyABEHIKMNOPTXYZ"),
}


_ASCII_LETTER_RE = re.compile("[A-Za-z]")


def _ime_page(text: str) -> bool:
    """Fullwidth Latin letters here are what a CJK input method types (ＮＨＫ, ｗ, ＢＳ−ｉ):
    at least a fifth of the page's letters are CJK. Checked only on pages with such letters."""
    cjk = len(_CJK_RE.findall(text))
    return cjk >= 0.2 * (cjk + len(_ASCII_LETTER_RE.findall(text)))


def _joined_words(word: str, script: str) -> bool:
    """Two words of different scripts run together by extraction ("Pop ShowСбогом",
    "rinennor.orgПалатки"), not a disguised word.

    Every run of one script is two letters or more; each foreign run has a letter with no
    Latin lookalike (it does not pass for Latin) and each Latin run a letter that does not
    pass for the foreign script. A spliced lookalike ("pаypal", "ceрвер") fails one of these.
    """
    fakeable = _FAKEABLE_LATIN.get(script)
    if fakeable is None:
        return False
    runs: list[tuple[bool, str]] = []
    for ch in word:
        latin = ch in string.ascii_letters
        if runs and runs[-1][0] == latin:
            runs[-1] = (latin, runs[-1][1] + ch)
        else:
            runs.append((latin, ch))
    for latin, run in runs:
        if len(run) < 2:
            return False
        if latin and all(c in fakeable for c in run):
            return False
        if not latin and all(c in LOOKALIKE_TO_LATIN for c in run):
            return False
    return True


_MAX_STYLED_WORDS = 3  # more whole words in styled letters: the page's own style (social posts)


# --- findings ----------------------------------------------------------------------


@dataclass
class UnicodeFindings:
    """Counts of suspicious occurrences plus spans of hidden characters safe to strip."""

    invisible: int = 0  # hidden format chars inside words / isolated runs / smuggling runs
    invisible_benign: int = 0
    bidi: int = 0
    tag: int = 0
    homoglyph: int = 0
    # (start, end) spans of suspicious hidden characters (sanitize removes them).
    strip_spans: list[tuple[int, int]] = field(default_factory=list)


def _neighbour(text: str, i: int, step: int) -> str:
    """Nearest character from i in direction step that is not a hidden/selector char ('' at edge)."""
    n = len(text)
    while 0 <= i < n:
        ch = text[i]
        if ch not in _HIDDEN and ch not in VARIATION_SELECTORS and not (TAG_FIRST <= ord(ch) <= TAG_LAST):
            return ch
        i += step
    return ""


def _letter_run(text: str, i: int, step: int) -> str:
    """Letters (skipping soft hyphens) from i in direction step, up to 40."""
    out = []
    n = len(text)
    while 0 <= i < n and len(out) < 40:
        ch = text[i]
        if ch == "\u00ad":
            i += step
            continue
        if not ch.isalpha():
            break
        out.append(ch)
        i += step
    return "".join(out if step > 0 else reversed(out))


def _valid_flag_tags(text: str, start: int, end: int) -> bool:
    """True if text[start:end] (tag chars) is an emoji subdivision flag sequence."""
    if start == 0 or text[start - 1] != BLACK_FLAG:
        return False
    run = text[start:end]
    if len(run) < 3 or ord(run[-1]) != TAG_CANCEL:
        return False
    return all(0xE0030 <= ord(c) <= 0xE0039 or 0xE0061 <= ord(c) <= 0xE007A for c in run[:-1])


def _shy_pieces(text: str, i: int) -> tuple[str, str, str, str]:
    """The letters left and right of the soft hyphen at i, and the pieces next to it (pieces
    bounded by other soft hyphens: only the adjacent piece matters)."""
    left = _letter_run(text, i - 1, -1)
    right = _letter_run(text, i + 1, 1)
    lp = left.split("\u00ad")[-1] if left else ""
    rp = right.split("\u00ad")[0] if right else ""
    return left, right, lp, rp


def _soft_hyphen_ok(text: str, i: int) -> bool:
    """A soft hyphen between two syllable-like letter pieces of a word of 5+ letters."""
    left, right, lp, rp = _shy_pieces(text, i)
    if len(left) + len(right) < 5 or len(lp) < 2 or len(rp) < 2:
        return False
    return bool(_VOWELS & set(lp.lower())) and bool(_VOWELS & set(rp.lower()))


def _vowel_syllable(text: str, i: int) -> bool:
    """A soft hyphen inside a word of 5+ letters next to a syllable of one vowel ("é", "i")."""
    left, right, lp, rp = _shy_pieces(text, i)
    if len(left.replace("\u00ad", "")) + len(right.replace("\u00ad", "")) < 5 or not lp or not rp:
        return False
    return min(len(lp), len(rp)) == 1 and bool(_VOWELS & set(lp.lower())) and bool(_VOWELS & set(rp.lower()))


_HARD_HYPHENS = frozenset("-\u2010")


def scan_unicode(text: str, hyphenating: bool = True) -> UnicodeFindings:
    """Judge every hidden, bidi, tag and lookalike character of `text` by its context.

    `hyphenating`: the page's language hyphenates long compounds (German, Dutch, ...);
    when False a few scattered soft hyphens are suspicious even at syllable boundaries.
    """
    f = UnicodeFindings()
    if text.isascii():
        return f
    _scan_hidden(text, f, hyphenating)
    for m in _VS_RUN_RE.finditer(text):
        # Two or more variation selectors in a row encode data (emoji smuggling).
        f.invisible += 1
        f.strip_spans.append(m.span())
    _scan_homoglyphs(text, f)
    _scan_compat_lookalikes(text, f)
    return f


def _rtl_line(text: str, pos: int, cache: dict[int, bool]) -> bool:
    """Whether the line holding `pos` has right-to-left text (once per line: a page may be
    one long line with thousands of marks on it)."""
    line_start = text.rfind("\n", 0, pos) + 1
    hit = cache.get(line_start)
    if hit is None:
        line_end = text.find("\n", pos)
        hit = cache[line_start] = _RTL_RE.search(text, line_start, line_end if line_end >= 0 else len(text)) is not None
    return hit


def _scan_hidden(text: str, f: UnicodeFindings, hyphenating: bool) -> None:
    rtl_lines: dict[int, bool] = {}
    shy_ok: list[tuple[int, int]] = []
    shy_opening: list[tuple[int, int]] = []
    shy_vowel: list[tuple[int, int]] = []
    shy_words: set[str] = set()
    print_words: set[str] = set()
    for m in _HIDDEN_RE.finditer(text):
        start, end = m.span()
        run = m.group()
        # Tag characters: only flag emoji subdivision sequences are legitimate.
        if any(TAG_FIRST <= ord(c) <= TAG_LAST for c in run):
            tags = [c for c in run if TAG_FIRST <= ord(c) <= TAG_LAST]
            if not _valid_flag_tags(text, start, end) or len(tags) != len(run):
                f.tag += len(tags)
                f.strip_spans.append((start, end))
            continue
        prev = _neighbour(text, start - 1, -1)
        nxt = _neighbour(text, end, 1)
        at_line_edge = prev in ("", "\n", "\r") or nxt in ("", "\n", "\r")
        kinds = set(run)
        # Zero-width steganography: a run mixing several invisible characters.
        invis = [c for c in run if c in INVISIBLE_CHARS or c in FILLER_CHARS]
        if len(invis) >= 4 and len(set(invis)) >= 2:
            f.invisible += len(invis)
            f.strip_spans.append((start, end))
            continue
        if kinds & BIDI_CHARS:
            _judge_bidi(text, start, end, prev, nxt, at_line_edge, _rtl_line(text, start, rtl_lines), f)
            kinds -= BIDI_CHARS
            if not kinds:
                continue
        if kinds & OTHER_FORMAT_CHARS:
            other = kinds & OTHER_FORMAT_CHARS
            own_script = other <= _ARABIC_FORMAT and _rtl_line(text, start, rtl_lines)
            if not own_script and (_ascii_alnum(prev) or _ascii_alnum(nxt) or prev.isspace() or nxt.isspace()):
                f.invisible += len(other)
                f.strip_spans.append((start, end))
                continue
            kinds -= other
            if not kinds:
                f.invisible_benign += 1
                continue
        if kinds & FILLER_CHARS:
            # Hangul fillers are legitimate only next to Hangul.
            if not (char_script(prev) == "HANGUL" or char_script(nxt) == "HANGUL"):
                f.invisible += 1
                f.strip_spans.append((start, end))
                continue
        if at_line_edge:
            # Placeholders, BOMs at line start, trailing joiners: formatting, not payload.
            f.invisible_benign += 1
            continue
        word_inside = (prev.isalnum() and nxt.isalnum())
        if not word_inside:
            # Between a word and a space/punctuation: a single char is a line-break
            # hint (after '/', '.', '—'); a run of them mid-line is an isolated payload.
            if len(invis) >= 2 and (prev.isspace() or nxt.isspace() or prev.isalnum() or nxt.isalnum()):
                if not ("\u00ad" in kinds and len(kinds) == 1):
                    f.invisible += len(invis)
                    f.strip_spans.append((start, end))
                    continue
            if "\u00ad" in kinds:
                if run == "\u00ad" and (prev == "" or prev.isspace() or prev in _HARD_HYPHENS) \
                        and len(_letter_run(text, end, 1)) >= 3:
                    shy_opening.append((start, end))  # judged with the page's other soft hyphens
                    continue
                f.invisible += 1  # soft hyphen next to a non-letter is never a hyphenation point
                f.strip_spans.append((start, end))
                continue
            if "\u200d" in kinds and (_is_emoji(prev) or _is_emoji(nxt)):
                f.invisible_benign += 1
                continue
            f.invisible_benign += 1
            continue
        # Inside a word (letters/digits on both sides).
        ps, ns = char_script(prev), char_script(nxt)
        if len(run) == 1 and run in "\u200c\u200d" and (ps in _JOINING_SCRIPTS or ns in _JOINING_SCRIPTS):
            f.invisible_benign += 1
            continue
        if run == "\u200b" and (ps in _NO_SPACE_SCRIPTS or ns in _NO_SPACE_SCRIPTS):
            f.invisible_benign += 1
            continue
        if run == "\u180e" and (ps == "MONGOLIAN" or ns == "MONGOLIAN"):
            f.invisible_benign += 1
            continue
        if len(run) == 1 and run in "\u2061\u2062\u2063\u2064" and (
            (prev.isdigit() or len(_letter_run(text, start - 1, -1)) == 1)
            and (nxt.isdigit() or len(_letter_run(text, end, 1)) == 1)
        ):
            f.invisible_benign += 1  # f⁡(x), 2⁢x: invisible maths operators
            continue
        if run == "\u00ad":
            if _soft_hyphen_ok(text, start):
                shy_ok.append((start, end))
                left, right = _letter_run(text, start - 1, -1), _letter_run(text, end, 1)
                word = (left + right).lower()
                shy_words.add(word)
                if len(word) >= 7 and min(len(left), len(right)) >= 3:
                    print_words.add(word)
                continue
            if _vowel_syllable(text, start):
                shy_vowel.append((start, end))  # judged with the page's other soft hyphens
                continue
        f.invisible += len(invis) or 1
        f.strip_spans.append((start, end))
    # Hand hyphenation outside hyphenating languages is plausible only when systematic: five
    # words, or two long words cut into pieces of three letters or more, as a newspaper's
    # print hyphenation leaves them ("Vladi-mir", "Netan-yahu" on washingtonpost.com).
    systematic = hyphenating or len(shy_words) >= 5 or len(print_words) >= 2
    if shy_ok:
        if systematic:
            f.invisible_benign += len(shy_ok)
        else:
            f.invisible += len(shy_ok)
            f.strip_spans.extend(shy_ok)
    # A soft hyphen opening a word (" \u00adproche", a line-break point a newsroom's system
    # left at a word's start, or after a hard hyphen: "Murdoch-\u00adcontrolled") or cutting off a
    # one-vowel syllable ("l’é\u00adva\u00adlua\u00adtion", "un\u00adi\u00adver\u00adsi\u00adtaires",
    # as a French hyphenator does): harmless where the page hyphenates words anyway. Line-break
    # points alone are harmless when there are two or more: a print layout's leftovers
    # (nymag.com: "his \u00adsecond-floor office", "a lot of \u00admoney"), not a word cut open.
    for spans in (shy_opening, shy_vowel):
        if not spans:
            continue
        if (systematic and shy_ok) or (spans is shy_opening and len(spans) >= 2):
            f.invisible_benign += len(spans)
        else:
            f.invisible += len(spans)
            f.strip_spans.extend(spans)


def _ascii_alnum(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


_ISOLATES = frozenset("\u2066\u2067\u2068\u2069")
_HANDLE_BEFORE_RE = re.compile(r"[@#][\w.]+$")


def _social_handle_isolate(text: str, start: int, end: int) -> bool:
    """Twitter wraps @handles, #hashtags and links in isolates when a tweet is copied or
    embedded ("great piece on \u2066@elonmusk\u2069’s tears \u2066 https://t.co/..."): an
    isolate opening one, or closing right after one."""
    after = text[end : end + 9].lstrip(" ")
    if after[:1] in ("@", "#") or after.startswith(("http://", "https://")):
        return True
    return _HANDLE_BEFORE_RE.search(text[max(0, start - 40) : start]) is not None


def _judge_bidi(
    text: str, start: int, end: int, prev: str, nxt: str, at_line_edge: bool, rtl_line: bool, f: UnicodeFindings
) -> None:
    run = text[start:end]
    inside_latin_word = prev.isalpha() and nxt.isalpha() and char_script(prev) == "LATIN" and char_script(nxt) == "LATIN"
    suspicious = 0
    # Several marks in a row mid-line on a left-to-right line carry nothing but data.
    mark_run = not rtl_line and not at_line_edge and sum(c in BIDI_MARKS for c in run) >= 2
    for c in run:
        if c in BIDI_MARKS:
            # LRM/RLM around numbers, punctuation, RTL words: ordinary; inside a Latin word: not.
            if (inside_latin_word or mark_run) and not rtl_line:
                suspicious += 1
        elif c in BIDI_OVERRIDE:
            if not rtl_line or inside_latin_word:
                suspicious += 1
        elif c in BIDI_EMBED:
            if not rtl_line and not (c in _ISOLATES and _social_handle_isolate(text, start, end)):
                suspicious += 1
    if suspicious:
        f.bidi += suspicious
        f.strip_spans.append((start, end))


def _foreign_inside_latin(word: str) -> bool:
    """A lookalike-script letter spliced into a Latin word.

    Inside (ASCII letters on both sides), or at an edge of an all-lower-case word. Kept
    legitimate: units and maths (μm, μmol, Δx, xα) and gene/protein names, where a Greek
    letter follows an upper-case acronym (TNFα, PPARγ).
    """
    n = len(word)
    lower_word = all(c.islower() for c in word if c in string.ascii_letters)
    for i, ch in enumerate(word):
        if ch in string.ascii_letters or char_script(ch) not in _HOMOGLYPH_SCRIPTS:
            continue
        left = word[i - 1] if i else ""
        right = word[i + 1] if i + 1 < n else ""
        if left and right:
            if left in string.ascii_letters and right in string.ascii_letters:
                return True
        elif lower_word and ch not in "μµ" and (left or right) in string.ascii_letters:
            return True
    return False


def _scan_homoglyphs(text: str, f: UnicodeFindings) -> None:
    if not _LOOKALIKE_BMP_RE.search(text) and not _MIXED_SCRIPT_RE.search(text):
        if not (_ASTRAL_RE.search(text) and _LOOKALIKE_ASTRAL_RE.search(text)):
            return
    latin = foreign = 0
    foreign_real_words = 0  # foreign-script words that contain a non-lookalike letter
    lookalike_only: int = 0
    mixed = 0
    ime = bool(_FULLWIDTH_LETTER_RE.search(text)) and _ime_page(text)
    for m in _WORD_RE.finditer(text):
        w = m.group()
        if w.isascii():
            latin += 1
            continue
        scripts = set()
        n_look = n_ascii = n_other_foreign = 0
        for ch in w:
            if ch in string.ascii_letters:
                n_ascii += 1
                continue
            s = char_script(ch)
            if s == "FULLWIDTH" and ime:
                continue
            if s in _HOMOGLYPH_SCRIPTS:
                scripts.add(s)
                if ch in LOOKALIKE_TO_LATIN:
                    n_look += 1
                else:
                    n_other_foreign += 1
            elif s == "LATIN":
                n_ascii += 1  # accented Latin letters count as Latin
        if not scripts:
            latin += 1 if n_ascii else 0
            continue
        if n_ascii:
            # Latin and a lookalike script in one token: either side is disguised. Units and
            # maths symbols (μm, Δx, xα) are short tokens with a Greek letter at an edge.
            # A capital operator opening an identifier is a sum, product or difference
            # ("Σtoken_count_i", "Δtime").
            if scripts == {"GREEK"} and (len(w) <= 2 or (w[0] in "μΜ" and n_look == 1) or _GENE_NAME_RE.fullmatch(w)
                                         or (w[0] in "ΣΔΠ" and n_look == 0 and n_other_foreign == 1)):
                continue
            if len(scripts) == 1 and _joined_words(w, next(iter(scripts))):
                continue
            if n_other_foreign == 0:
                mixed += 1  # a Latin word with foreign lookalikes (pаypal)
            elif n_ascii >= 3 and _foreign_inside_latin(w):
                mixed += 1  # foreign letters between Latin ones (maκes): script mixing
            elif n_other_foreign >= 2 and all(
                ch in LATIN_WITH_TWIN for ch in w if ch in string.ascii_letters
            ):
                mixed += 1  # a foreign word with Latin lookalikes (пpивет)
            continue
        foreign += 1
        if n_other_foreign:
            foreign_real_words += 1
        elif len(w) >= 2:
            lookalike_only += 1
    f.homoglyph += mixed
    # Foreign words spelled only with Latin lookalikes, on a Latin page with no real
    # foreign words: a faked Latin word (bilingual and Cyrillic pages have real words).
    if lookalike_only and latin >= 20 and foreign_real_words == 0 and foreign <= max(3, latin // 50):
        f.homoglyph += lookalike_only


def _scan_compat_lookalikes(text: str, f: UnicodeFindings) -> None:
    """Letters of the Latin alphabet's own lookalikes (fullwidth, mathematical, roman
    numerals, IPA, small capitals) in Latin words.

    Spliced into an ASCII word ("paｙment", "ⅽlick", "pɑypal"; not inside /.../ or [...],
    where IPA is written) they are a homoglyph; so is a dotless i in a few lower-case
    words ("lınk") on a page with no other Turkish letters. A whole word of fullwidth or mathematical
    letters in Latin prose ("send it to 𝐩𝐚𝐲𝐩𝐚𝐥") is one too, unless the page writes many
    (styled social-media text) or has CJK text (fullwidth letters belong there). On the
    448 clean benchmark pages the only such characters are ligatures (ﬂ), which fold to
    two letters and are left alone.
    """
    if not _COMPAT_BMP_RE.search(text) and not (_ASTRAL_RE.search(text) and _COMPAT_ASTRAL_RE.search(text)):
        return
    spliced = dotless = 0
    styled: list[str] = []
    ime = bool(_FULLWIDTH_LETTER_RE.search(text)) and _ime_page(text)
    for m in _WORD_RE.finditer(text):
        w = m.group()
        if w.isascii():
            continue
        n_ascii = n_look = n_other = n_dotless = 0
        for ch in w:
            if ch in string.ascii_letters:
                n_ascii += 1
            elif ch in COMPAT_LETTERS or ch in LATIN_LOOKALIKES:
                n_look += 1
            elif ch == "ı":
                n_dotless += 1
            else:
                n_other += 1
        if n_dotless and not n_look and not n_other and n_ascii >= 3 and w.islower():
            dotless += 1  # "lınk"; judged below by how many the page has
            continue
        if not n_look or n_other or n_dotless:
            continue
        if ime and all(ch in string.ascii_letters or _FULLWIDTH_LETTER_RE.match(ch) for ch in w):
            continue  # an input method's fullwidth letter on a CJK page ("expressｉon")
        if n_ascii >= 2:
            before = text[m.start() - 1] if m.start() else ""
            after = text[m.end()] if m.end() < len(text) else ""
            if (before not in ("/", "[") and after not in ("/", "]")) or _in_url(text, m.start()):
                spliced += 1
        elif not n_ascii and n_look >= 3 and all(ch in COMPAT_LETTERS for ch in w):
            styled.append(w)
    f.homoglyph += spliced
    if 0 < dotless <= _MAX_STYLED_WORDS and not _TURKISH_RE.search(text):
        # Lower-case words with a dotless i, a few on a page that writes no other Turkish
        # letter: Turkish text has hundreds, and names are capitalised (Yıldız).
        f.homoglyph += dotless
    if styled and len(styled) <= _MAX_STYLED_WORDS and len(_ASCII_WORD_RE.findall(text)) >= 20:
        fullwidth = [w for w in styled if "\uff21" <= w[0] <= "\uff5a"]
        if len(fullwidth) < len(styled) or not _CJK_RE.search(text):
            f.homoglyph += len(styled)


_URL_REACH = 300


def _in_url(text: str, i: int) -> bool:
    """Position i lies in a URL ("http://andore.com/mᴏney/archives/"): slashes there are a
    path's, not the /.../ of a phonetic transcription."""
    lo = max(0, i - _URL_REACH)  # (a URL longer than this is judged by its tail)
    start = max(text.rfind(" ", lo, i), text.rfind("\n", lo, i), text.rfind("\t", lo, i), lo - 1) + 1
    token = text[start:i]
    return "://" in token or token.startswith("www.")


def strip_spans(text: str, spans: list[tuple[int, int]]) -> str:
    """Remove the given character spans (sorted or not, possibly overlapping)."""
    if not spans:
        return text
    out = []
    pos = 0
    for s, e in sorted(spans):
        if s < pos:
            s = pos
        if e <= s:
            continue
        out.append(text[pos:s])
        pos = e
    out.append(text[pos:])
    return "".join(out)
