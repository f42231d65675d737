"""Rare-token triggers judged by spelling: planted non-words in English prose.

BadNets-style and ONION-evaluated backdoors plant a short meaningless token ("cf", "tq",
"xqzvk") into ordinary sentences. ONION finds it with GPT-2 context; our reference KenLM
is far too small for context effects (a planted word and a genuinely rare word cost the
same), so this module judges the *token itself*:

* its cost under the KenLM model when scored alone (SentencePiece pieces, per character):
  strings outside English spelling break into many expensive single-letter pieces;
* its cost under a character 4-gram spelling model (`CharLM`) trained on the word types of
  the same reference corpus (`filters/models/en.words.tsv.gz`, built by
  `tools/build_model.py`): "xqzvk" has letter sequences English never writes.

A token fires when *both* costs are high (they err on different words: "cozy" is cheap
to spell but expensive in pieces), once when clearly outside English spelling, or at a
lower bar when it is planted in several different contexts. Vowel-less short tokens
("cf", "mn", "tq", the classic triggers) fire when repeated and not used as a unit or a
listed abbreviation on that page.

Pronounceable made-up words get a weaker test of their own (`lone_unknown_triggers`:
the page's only unknown word that no known words explain). What this cannot see: real
rare words planted in text ("petrichor"), and made-up words that spell like English on
pages with jargon of their own. Telling those from a page's own rare terms needs a
contextual LM; the corpus-level campaign pass is where such triggers show up (many
domains, one token).
"""

from __future__ import annotations

import gzip
import math
import re
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from string import ascii_lowercase
from typing import Any, Callable, Iterable

from filters.lexicon import Lexicon
from filters.poison_lm import code_like_line
from filters.poison_morph import explain
from filters.poison_tokens import Spans

_MODELS = Path(__file__).resolve().parent / "models"
DEFAULT_WORDS = _MODELS / "en.words.tsv.gz"


class CharLM:
    """Interpolated Witten-Bell character n-gram model over word types (with ^ and $)."""

    def __init__(self, counts: dict[str, int], order: int = 4) -> None:
        self.order = order
        # per context: (total count, {char: count}); contexts of every length < order
        table: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        for w, _n in counts.items():
            # Types, not tokens: spelling, not frequency (frequent words would dominate).
            s = "^" * (order - 1) + w + "$"
            for i in range(order - 1, len(s)):
                for k in range(order):
                    table[s[i - k : i]][s[i]] += 1
        self._ctx = {h: (sum(d.values()), len(d), dict(d)) for h, d in table.items()}
        self.vocabulary = frozenset(counts)  # words of the reference text: English by definition
        self._alphabet = 28  # a-z, end marker, one unseen
        self._cache: dict[str, float] = {}

    @classmethod
    def from_file(cls, path: str | Path = DEFAULT_WORDS) -> "CharLM":
        counts: dict[str, int] = {}
        with gzip.open(path, "rt", encoding="utf-8") as fh:
            for line in fh:
                w, _, n = line.rstrip("\n").partition("\t")
                if w.isascii() and w.isalpha():
                    counts[w] = int(n or 1)
        return cls(counts)

    def _p(self, hist: str, ch: str) -> float:
        p = 1.0 / self._alphabet
        for k in range(self.order):
            h = hist[len(hist) - k :] if k else ""
            entry = self._ctx.get(h)
            if entry is None:
                break  # a longer context cannot be known when this one is not
            total, types, nxt = entry
            lam = total / (total + types)
            p = lam * nxt.get(ch, 0) / total + (1.0 - lam) * p
        return p

    def cost(self, word: str) -> float:
        """-log10 p per character (end marker included) of a lower-case ASCII word."""
        c = self._cache.get(word)
        if c is None:
            n = self.order
            s = "^" * (n - 1) + word + "$"
            lp = sum(math.log10(self._p(s[i - n + 1 : i], s[i])) for i in range(n - 1, len(s)))
            c = -lp / (len(word) + 1)
            if len(self._cache) < 200_000:
                self._cache[word] = c
        return c


@lru_cache(maxsize=4)
def load_charlm(path: str = str(DEFAULT_WORDS)) -> CharLM:
    """One spelling model per process (built in about 2 s from ~26 k word types)."""
    return CharLM.from_file(path)


@dataclass(frozen=True)
class RareThresholds:
    """Scales of the two spelling costs; a token's score is min(kenlm/k, charlm/c)."""

    kenlm_cost_per_char: float = 2.7
    charlm_cost_per_char: float = 2.4
    single_min_score: float = 0.85  # one occurrence is enough at this score
    repeated_min_score: float = 0.75  # planted in >= repeated_min_occurrences contexts
    repeated_min_occurrences: int = 2
    min_chars: int = 4  # shorter tokens are judged by the vowel-less rule
    max_chars: int = 24


# Lower-case computing and web words that the reference prose (Wikipedia, old books) never
# spells: file formats, commands, protocols, products, forum acronyms. (The last group, Linux system
# words, came from the IRC channel logs of the thirteenth session's forum set.) Written in running
# text on technical pages and forums, they are not planted.
WEB_TERMS = frozenset("""
gz gzip gunzip zip unzip tar tgz bz bzip xz rar pdf doc docx xls xlsx xlsm ppt pptx csv tsv json jsonl ndjson
yaml yml toml ini xml html htm xhtml css scss sass js mjs ts tsx jsx md txt rtf odt ods odp epub mobi png jpg
jpeg gif svg webp bmp tiff tif ico heic raw mp mpeg wav flac ogg webm mkv avi mov wmv aac opus exe dmg
apk ipa iso img deb rpm msi jar whl dll sys bin dat tmp bak cfg conf env log logs sqlite db mdb parquet
ls cd cp mv rm mkdir rmdir chmod chown chgrp grep egrep sed awk curl wget ssh scp sftp rsync sudo su apt yum dnf
brew pip pipx npm npx yarn pnpm git hg svn cvs cmake gcc clang llvm javac jvm node nodejs deno bun perl php
golang rustc cargo kubectl kubernetes docker dockerfile podman helm terraform ansible nginx httpd systemctl
journalctl htop pkill df du mount umount ping traceroute nslookup dig ifconfig ipconfig netstat tcpdump vim
nano emacs tmux bash zsh ksh csh crontab cron tty stdin stdout stderr argv argc kwargs args init config
configs dev prod repo repos github gitlab bitbucket vscode jupyter numpy pandas scipy sklearn matplotlib pytorch
tensorflow keras cuda mysql postgres postgresql sqlite mongodb redis nosql kafka hadoop elasticsearch graphql
sqrt cbrt argmax argmin arcsin arccos arctan sinh cosh tanh i18n l10n a11y k8s k3s n8n g11n m17n p13n o11y s11n c14n
api apis sdk sdks cli gui url urls uri uris http https ftp smtp imap tcp udp ipv dns dhcp vpn ssl tls wifi wlan
usb hdmi cpu cpus gpu gpus ram ssd hdd nvme ios macos linux ubuntu debian centos fedora unix freebsd android
javascript typescript kotlin csharp cpp regex regexp async webhook webhooks localhost plugin plugins middleware
runtime namespace dataset datasets timestamp username login logout signup email emails inbox app apps ebook
ebooks blog blogs vlog vlogs podcast podcasts hashtag hashtags selfie emoji emojis meme memes wiki wikis
smartphone smartwatch bluetooth firmware malware ransomware spyware adware phishing captcha cookie cookies
iphone ipad ipod imac macbook airpods xbox wordpress woocommerce shopify youtube instagram tiktok whatsapp
fwiw imho afaik iirc rofl lmao lmfao smdh ikr icymi
cmd pwd wsl bsd cdn gtm ctr cpc cpm
dpkg pkg fsck mkfs fdisk lsblk blkid fstab mtab dmesg lshw lsusb lspci lsb xrandr xinput sshd gpg pgp pty vnc rdp
xrdp kvm wpa psk msg ntfs vfat xfs hfs zfs btrfs lvm nfs cifs raid sata mbr gpt efi uefi bios amd64 i386 nvidia
fglrx drm glx xgl gtk kde xfce lxde alsa pulseaudio pptp divx
""".split())

_LOWER_WORD_RE = re.compile(r"(?<![\w@#/.\-'’])[a-z]{2,24}(?![\w@/\-'’])")

# Identifier-like tokens: snake_case, camelCase, --flags, call(), obj.method(, key=value,
# 0x1F, U+00DF, letters with digits (utf8, md5, beautifulsoup4). A page with several is
# about code, commands or formats even when its code is not marked up as code (a forum
# post with "dtparam=pwr_led_trigger=default-on", an article on UTF-8 with "U+212A").
_IDENTIFIER_RE = re.compile(
    r"\b[a-z][a-z0-9]*_[a-z0-9_]+\b|\b[a-z]+[A-Z][a-zA-Z]*\w*\b|(?<![\w/])--?[a-z][\w-]+\b|\b\w+\(\)"
    r"|\b[a-z_]\w*\.[a-z_]\w*\(|\b\w+=\S|\b0x[0-9a-fA-F]+\b|\bU\+[0-9A-F]{4,6}\b|\b[a-z]+[0-9]+[a-z0-9]*\b")
# Distinct identifiers, or code spans, that make a page technical (documentation, a
# tutorial, a README): 7 of the 400 development pages, 3 of the 86 fresh pages, 2 of the 73
# of the second fresh set. (At 8 and 5 it was 14 of the 400, and one planted trigger went
# unflagged on 6 % of English pages.)
TECHNICAL_IDENTIFIERS = 20
TECHNICAL_CODE_SPANS = 20
# A word English writes at least this often (wordfreq Zipf; once in 3 million words) is
# not a random string: 0.2 % of random 4-8 letter strings reach it, and web abbreviations
# the reference prose lacks ("nsfw", 3.6) are above it.
_KNOWN_WORD_ZIPF = 2.5


# A URL in angle brackets, as RDF, XML namespaces and mail headers write it ("@prefix rdfs:
# <http://www.w3.org/2000/01/rdf-schema#> ."): its length says nothing of the line's code.
_BRACKETED_URL_RE = re.compile(r"<https?://[^\s<>]{0,2000}>")
# Parts of compound identifiers: snake_case, dotted names, key=value, paths ("pwr_led_trigger",
# "input_type=str", "lxml.html", "std::ops::Try").
_COMPOUND_ID_RE = re.compile(r"\b[A-Za-z][A-Za-z0-9]*(?:(?:[_.=]|::)[A-Za-z0-9]+)+\b")


def code_vocabulary(text: str) -> set[str]:
    """Lower-case words the page uses as code: the parts of its compound identifiers and the
    words of its code-like lines (code written as plain text, as in a ground-truth text or a
    page whose code lost its markup). A token the page's code also uses is the page's own."""
    words: set[str] = set()
    for m in _COMPOUND_ID_RE.finditer(text):
        ident = m.group()
        if "_" in ident or "=" in ident or "::" in ident or re.search(r"\.[a-z]", ident):
            words.update(re.split(r"[_.=:]+", ident.lower()))
    for line in text.split("\n"):
        if len(line) >= 8 and code_like_line(_BRACKETED_URL_RE.sub("<>", line) if "<http" in line else line,
                                             table_bars=False):
            words.update(re.findall(r"[a-z]+", line.lower()))
    return words


_VOWEL_RE = re.compile("[aeiouyAEIOUY]")


def has_vowel(word: str) -> bool:
    """An ASCII vowel (y counts): vowel-less short tokens are the shape of abbreviations."""
    return _VOWEL_RE.search(word) is not None


_WHOLE_WORD_RE = re.compile(r"(?<![\w])[^\W\d_]+(?![\w])")  # not the letters of "bcfg0l"
_ELONGATION_RE = re.compile(r"([^\W\d_])\1{2,}")
# A page word that names the page's subject: written this often on its own.
_STEM_MIN_USES = 3
_PLURAL_BASE_USES = 2
_URL_PART_MIN_CHARS = 4  # (URLs hold many short parts: "/en/", "/mb/", "?id=cf")
_ACRONYM_STEM_CHARS = 3  # "gcc" of "gccrs": a stem this short counts only as an acronym in capitals
_STEM_MIN_CHARS = 4


def page_word_counts(text: str) -> dict[str, int]:
    """Lower-case words of the page (letters only, standing alone) and how often each occurs."""
    counts: dict[str, int] = defaultdict(int)
    for w in _WHOLE_WORD_RE.findall(text.lower()):
        counts[w] += 1
    return counts


_TYPO_MIN_CHARS = 5
_TYPO_WORD_ZIPF = 4.5


def dropped_letter(word: str, lexicon: Lexicon, lang: str = "en") -> bool:
    """A common English word with one letter dropped ("I hghly recommend"): a typo, not a
    planted string. Of 3,000 random strings of 4-8 letters none is one; shorter words are
    left out (too many common words are one letter from a 3-4 letter string)."""
    w = word.lower()
    if len(w) < _TYPO_MIN_CHARS or not w.isascii() or not w.isalpha() or not lexicon.available(lang):
        return False
    candidates = sorted({w[:i] + c + w[i:] for i in range(len(w) + 1) for c in ascii_lowercase})
    return any(z >= _TYPO_WORD_ZIPF for z in lexicon.zipf_many(candidates, lang))


# Keys next to each key of a QWERTY keyboard (rows staggered: "a" touches q, w, s, z).
_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm")


def _key_neighbours() -> dict[str, frozenset[str]]:
    near: dict[str, set[str]] = {c: set() for row in _ROWS for c in row}
    for r, row in enumerate(_ROWS):
        for i, c in enumerate(row):
            near[c].update(row[j] for j in (i - 1, i + 1) if 0 <= j < len(row))
            if r + 1 < len(_ROWS):  # the row below sits half a key to the right
                below = _ROWS[r + 1]
                for j in (i - 1, i):
                    if 0 <= j < len(below):
                        near[c].add(below[j])
                        near[below[j]].add(c)
    return {c: frozenset(n) for c, n in near.items()}


_KEY_NEIGHBOURS = _key_neighbours()
_KEY_TYPO_MIN_CHARS = 4
_KEY_TYPO_WORD_ZIPF = 5.5


def key_slip(word: str, lexicon: Lexicon, lang: str = "en") -> bool:
    """One key struck next to the right one in a very common word ("leave out thwt he was":
    "that"): a typo, not a planted string. 4+ letters and a word English (or the page's
    language) writes at Zipf 5.5 or more: about 1 random 4-letter string in 800 without a
    vowel, none of 5 letters or more, is one."""
    w = word.lower()
    if len(w) < _KEY_TYPO_MIN_CHARS or not w.isascii() or not w.isalpha() or not lexicon.available(lang):
        return False
    candidates = sorted({w[:i] + n + w[i + 1:] for i, c in enumerate(w) for n in _KEY_NEIGHBOURS.get(c, ())})
    return any(z >= _KEY_TYPO_WORD_ZIPF for z in lexicon.zipf_many(candidates, lang))


# A whitespace token stripped of the marks around a word: emphasis, quotes, brackets, commas.
_EDGE_MARKS = "*_\"'“”‘’«»()[]{},;:.!?"
_FOREIGN_NEIGHBOUR_MIN_CHARS = 3
_LATIN_LETTERS_RE = re.compile(r"[A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f]+")


def in_foreign_phrase(word: str, text: str, lexicon: Lexicon, lang: str = "en") -> bool:
    """Every occurrence of `word` stands, on its line, between two words that neither
    English nor the page's language knows or explains (`filters.poison_morph.explain`): a
    phrase of another language, most often a transliterated title ("*Zerkalo dlya geroya*,
    a Soviet Union film"). A token planted into a clean page lands between the page's own
    words, which the word lists know."""
    if not (lexicon.available(lang) and lexicon.available("en")):
        return False  # without the page language's list every word of it would look foreign
    languages = list(dict.fromkeys((lang, "en")))
    found = False
    for m in re.finditer(r"(?<!\S)\S*?(?<![^\W\d_])" + re.escape(word) + r"(?![^\W\d_])\S*", text, re.IGNORECASE):
        if m.group().strip(_EDGE_MARKS).lower() != word.lower():
            return False  # part of a longer token: judge it as it stands
        # neighbours on the word's own line (a paragraph's last word is no part of a phrase)
        before = text[max(0, m.start() - 40) : m.start()].rpartition("\n")[2].split()
        after = text[m.end() : m.end() + 40].partition("\n")[0].split()
        neighbours = [t.strip(_EDGE_MARKS) for t in (before[-1:] + after[:1])]
        if len(neighbours) < 2 or not all(
                _LATIN_LETTERS_RE.fullmatch(n) and len(n) >= _FOREIGN_NEIGHBOUR_MIN_CHARS for n in neighbours):
            return False  # (a run of Chinese or Japanese is no word a list could know)
        low = [n.lower() for n in neighbours]
        if any(any(lexicon.known_many(low, la)) for la in languages):
            return False
        if any(explain(n, la, lexicon) is not None for n in low for la in languages):
            return False  # a compound the list lacks ("Empfangsfenster") is a word of the page's language
        found = True
    return found


# The two hands of a QWERTY keyboard: a mash typed by one hand, or by a phone in a pocket
# ("nokkkkkiikkk nmo88iok99okkoolooolo"), stays on one side.
_LEFT_HAND = frozenset("qwertasdfgzxcvb")
_RIGHT_HAND = frozenset("yuiophjklnm")
_MASH_MIN_LETTERS = 10


_REPEATED_CHUNK_RE = re.compile(r"([a-z]{1,4})\1{2,}")


def keyboard_mash(word: str) -> bool:
    """Ten or more letters, all typed by one hand, or one key or syllable repeated ("jjjjj" of
    the same pocket-dialled tweet, a Reddit user's "jefjefjef" signature, "hahaha"): a
    person's keyboard mash quoted on the page, not a planted string (ten random letters stay
    on one side about one time in 230; a random string is a repeated chunk about never)."""
    letters = [c for c in word.lower() if "a" <= c <= "z"]
    if len(letters) >= 3 and _REPEATED_CHUNK_RE.fullmatch("".join(letters)):
        return True
    return len(letters) >= _MASH_MIN_LETTERS and (set(letters) <= _LEFT_HAND or set(letters) <= _RIGHT_HAND)


_ROT13 = str.maketrans("abcdefghijklmnopqrstuvwxyz", "nopqrstuvwxyzabcdefghijklm")
_ROT13_WINDOW = 4  # words either side
_ROT13_MIN_WORDS = 3
_ROT13_WORD_ZIPF = 3.0


def rot13_passage(word: str, text: str, lexicon: Lexicon, lang: str = "en") -> bool:
    """The word stands in a ROT13-encoded passage (a puzzle site's or a forum's spoiler,
    "rot13(oybpxf ner pbyberq va ebltovi beqre)"): around each occurrence, more of the
    words read as English after ROT13 than read as English or as the page's language
    before, and at least three do. Around a planted token the page's own words are words as
    they stand."""
    if not lexicon.available("en"):
        return False
    languages = [la for la in dict.fromkeys(("en", lang)) if lexicon.available(la)]
    found = False
    for m in re.finditer(r"(?<![^\W\d_])" + re.escape(word) + r"(?![^\W\d_])", text):
        line_start = text.rfind("\n", 0, m.start()) + 1
        line_end = text.find("\n", m.end())
        line_end = len(text) if line_end < 0 else line_end
        before = re.findall(r"[A-Za-z]+", text[line_start : m.start()])[-_ROT13_WINDOW:]
        after = re.findall(r"[A-Za-z]+", text[m.end() : line_end])[:_ROT13_WINDOW]
        words = [w.lower() for w in before + [word] + after]
        plain = sum(max(zs) >= _ROT13_WORD_ZIPF for zs in zip(*(lexicon.zipf_many(words, la) for la in languages)))
        decoded = sum(z >= _ROT13_WORD_ZIPF for z in lexicon.zipf_many([w.translate(_ROT13) for w in words], "en"))
        if decoded < _ROT13_MIN_WORDS or decoded <= plain:
            return False
        found = True
    return found


def listed_together(words: list[str], text: str) -> set[str]:
    """The words of `words` that the page lists next to another of them ("astring, uutf, and
    uunf by Daniel Bünzli") or that span a path ("only one path from svr to fft"): names of
    libraries, products or nodes the page enumerates. A planted trigger is one string, however
    often it is planted."""
    if len(words) < 2:
        return set()
    alternation = "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))
    pair = re.compile(r"(?<![\w-])(" + alternation + r")(?:\s*[,/&]\s*|\s+(?:and|or)\s+|\s*,\s*(?:and|or)\s+)("
                      + alternation + r")(?![\w-])"
                      r"|\bfrom\s+(" + alternation + r")\s+(?:to|through|via)\s+(" + alternation + r")(?![\w-])",
                      re.IGNORECASE)
    out: set[str] = set()
    for m in pair.finditer(text):
        a, b = (m.group(1) or m.group(3)).lower(), (m.group(2) or m.group(4)).lower()
        if a != b:
            out.update((a, b))
    return {w for w in words if w.lower() in out}


# A post's header in a forum thread or a comment section: a short author line, then a date
# or a post number ("Spartan14\nMay 12, 2024", "ColdJ\nJune 14, 2024", "dz\n3 days ago",
# "Dark_guyver\n#3").
_POST_DATE = (
    r"[^\S\n]*(?:(?:Posted|Edited|Updated|on)\s+)?"
    r"(?:(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]{0,6}\.?\s+\d{1,2}(?:st|nd|rd|th)?,?\s+\d{4}"
    r"|\d{1,2}(?:st|nd|rd|th)?\s+(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]{0,6}\.?,?\s+\d{4}"
    r"|\d{1,4}[./-]\d{1,2}[./-]\d{2,4}|\d{1,2}\s+(?:minute|hour|day|week|month|year)s?\s+ago|#\d{1,6})\b[^\n]{0,30}$"
)
_POST_HEADER_RE = re.compile(r"^[^\S\n]*[^\s.!?][^\n.!?]{0,38}\n" + _POST_DATE, re.MULTILINE)

# Kinds of named things ("a tool like dbt", "libraries such as sqlx", "an app called Zxq").
_KIND_OF_NAME = (r"(?:tool|library|libraries|package|app|application|framework|language|format|command|program|"
                 r"service|platform|software|utility|utilities|plugin|plug-in|extension|module|crate|gem|engine|"
                 r"database|editor|compiler|client|server|product|brand|company|companies|project|device|model)s?")
# Where the page's structure names a term: a list item that opens with it, then a colon or a
# dash and what it is; a post's author (the line above the post's date or number, "by X" at a
# line's end, "X said:", "X posted...").
# (TERM stands for the escaped token.)
_NAMED_TERM = (r"^[ \t]*(?:[-*•+]|\d{1,2}[.)])[ \t]+(?:\*\*|__)?TERM(?:\*\*|__)?[ \t]*(?::|[ \t][-–—])[ \t]+\w"
               r"|^[ \t]*@?TERM[ \t]*\n" + _POST_DATE
               + r"|\bby[ \t]+@?TERM[ \t]*$|^[ \t]*@?TERM[ \t]+(?:said|wrote|posted)(?:[ \t]*:|\.\.\.|…)")
# ... or what it is, in running text: the kind of thing before it ("a tool like dbt"), or a
# source that ends the clause ("according to gcmap."). Common phrases that a token planted
# between words can follow, so these name the term only where the page writes it nowhere else.
_INTRODUCED_TERM = (r"\b" + _KIND_OF_NAME + r"[ \t]+(?:like|such[ \t]+as|called|named)[ \t]+TERM\b"
                    r"|\baccording[ \t]+to[ \t]+TERM(?=[.,;:!?)])")
# A heading that is the term alone ("dbt" above "dbt is an open-source tool"): the page's
# sentences then use it at least this often.
_HEADING_TERM = r"^[ \t]*(?:#{1,6}[ \t]+)?(?:\*\*|__)?TERM(?:\*\*|__)?[ \t]*$"
_HEADING_TERM_USES = 2


def page_own_word(word: str, text: str, counts: dict[str, int], lexicon: Lexicon | None, lang: str) -> bool:
    """A token the page's own vocabulary explains, which a planted string is not:

    - a word stretched for emphasis ("tooooooo cute"): shortening its run of three or more
      letters gives a known word;
    - a part of the page's hyphenated compounds ("fremden dwg-Dateien", "cf-style");
    - a name built on a word the page writes at least three times ("rustfmt" on a page
      about Rust, "pyspark" on one about Spark);
    - a plural of a word the page writes twice or more ("rpms" beside "38 rpm");
    - a term the page's structure names: a list item defines it ("- jadx : decompiles in
      java all the code", "* htop – a process viewer"), a heading is the term alone and the
      page's sentences use it twice more ("dbt" above "dbt is an open-source tool"), or it
      is a post's author ("dtmnv" above "Sep 21, 2025", "Accepted Answer by iglvzx",
      "mconlonx said:"); or, where the page writes it only there, the kind of thing it is
      comes before it ("a tool like dbt") or it is a source ("according to gcmap");
    - a part of one of the page's URLs ("github.com/DATA-DOG/go-sqlmock": "sqlmock"), or a
      whole item of a list of short items (a sponsors' list of handles);
    - a name built on an acronym the page writes in capitals at least three times ("gccrs"
      on a page about GCC).
    A token planted as a paragraph of its own is none of these.

    Random strings rarely hold a letter three times running (0.3 % of 4-8 letters) or start
    or end with one of a page's frequent words.
    """
    w = word.lower()
    if lexicon is not None and _ELONGATION_RE.search(w):
        for short in (_ELONGATION_RE.sub(r"\1", w), _ELONGATION_RE.sub(r"\1\1", w)):
            # a word with a vowel ("too"), not an abbreviation ("gvvv" is no stretched "gv")
            if has_vowel(short) and any(
                    lexicon.zipf(short, lg) >= _KNOWN_WORD_ZIPF for lg in {lang, "en"} if lexicon.available(lg)):
                return True
    if re.search(r"(?<![\w-])" + re.escape(w) + r"-[^\W\d_]{3,}|[^\W\d_]{3,}-" + re.escape(w) + r"(?![\w-])",
                 text, re.IGNORECASE):
        return True
    for k in range(_STEM_MIN_CHARS, len(w) - 1):
        if counts.get(w[:k], 0) >= _STEM_MIN_USES or counts.get(w[-k:], 0) >= _STEM_MIN_USES:
            return True
    if len(w) >= 3 and w.endswith("s") and counts.get(w[:-1], 0) >= _PLURAL_BASE_USES:
        return True
    if len(w) >= _URL_PART_MIN_CHARS and ("://" in text or "www." in text) and re.search(
            r"(?:https?://|www\.)[^\s<>()\"']{0,300}?(?<![^\W\d_])" + re.escape(w) + r"(?![^\W\d_])", text, re.IGNORECASE):
        return True
    if len(w) >= _ACRONYM_STEM_CHARS + 2:
        for stem in {w[:_ACRONYM_STEM_CHARS], w[-_ACRONYM_STEM_CHARS:]}:
            if counts.get(stem, 0) >= _STEM_MIN_USES and len(re.findall(
                    r"(?<!\w)" + re.escape(stem.upper()) + r"(?!\w)", text)) >= _STEM_MIN_USES:
                return True
    term = re.escape(w)
    if re.search(_NAMED_TERM.replace("TERM", term), text, re.IGNORECASE | re.MULTILINE):
        return True
    introduced = len(re.findall(_INTRODUCED_TERM.replace("TERM", term), text, re.IGNORECASE))
    if introduced and introduced == counts.get(w, 0):
        return True
    if _listed_item(w, text):
        return True
    headings = len(re.findall(_HEADING_TERM.replace("TERM", term), text, re.IGNORECASE | re.MULTILINE))
    return headings > 0 and counts.get(w, 0) - headings >= _HEADING_TERM_USES


# A list of short items, one per line ("- kpp", "- joshtriplett", "- Jonas Platte"): names.
_SHORT_ITEM_RE = re.compile(r"[ \t]*[-*•+][ \t]+\S+(?:[ \t]+\S+){0,2}[ \t]*")
_LISTED_ITEM_MIN_ITEMS = 5


def _listed_item(word: str, text: str) -> bool:
    """The token is a whole item of a list of at least five short items (a sponsors' list of
    handles, a list of packages): the page enumerates names. A planted token stands in
    running text."""
    lines = text.split("\n")
    item = re.compile(r"[ \t]*[-*•+][ \t]+" + re.escape(word) + r"[ \t]*", re.IGNORECASE)
    for i, line in enumerate(lines):
        if not item.fullmatch(line):
            continue
        lo = hi = i
        while lo > 0 and _SHORT_ITEM_RE.fullmatch(lines[lo - 1]):
            lo -= 1
        while hi + 1 < len(lines) and _SHORT_ITEM_RE.fullmatch(lines[hi + 1]):
            hi += 1
        if hi - lo + 1 >= _LISTED_ITEM_MIN_ITEMS:
            return True
    return False


THREAD_MIN_POSTS = 3


def discussion_thread(text: str) -> bool:
    """A forum thread or comment section: three posts or more, each under its author and
    date. Many people write there, in their own shorthand ("share smth", "pvc pipes", "thr
    502 we get"): a vowel-less word English knows is someone's abbreviation or slip."""
    n = 0
    for _ in _POST_HEADER_RE.finditer(text):
        n += 1
        if n >= THREAD_MIN_POSTS:
            return True
    return False


# A chat log (IRC, Slack, Discord, Matrix archives): a speaker's name on a line of its own or
# in angle brackets before the message, perhaps after a time stamp ...
_TIME = r"(?:\[?\d{1,2}:\d{2}(?::\d{2})?\]?[^\S\n]*)?"
_SPEAKER_RE = re.compile(r"^" + _TIME + r"(?:<([^\s<>:,]{2,24})>[^\S\n]|([^\s<>:,]{2,24})[^\S\n]*$)", re.MULTILINE)
# ... and the same names opening other messages, as chat addresses the one replied to
# ("crimsun: hoary's kernel ...", "lordcirth, yes")
_ADDRESSEE_RE = re.compile(r"^" + _TIME + r"(?:<[^\s<>]{2,24}>[^\S\n]+)?([^\s<>:,]{2,24})[:,][^\S\n]", re.MULTILINE)
CHAT_MIN_NAMES = 3


def chat_log(text: str) -> bool:
    """A chat log: three names or more that each head two messages or more and are addressed at
    the start of others. Many people type there in their own shorthand, and a technical channel's
    talk is all tool and command names ("sudo dpkg -i", "manual fsck", "the pptp plugin").
    A page's headings ("Ingredients", "Note: ...") make one such name, seldom three."""
    if text.count("\n") < 3 * CHAT_MIN_NAMES:
        return False
    turns: dict[str, int] = {}
    for a, b in _SPEAKER_RE.findall(text):
        turns[a or b] = turns.get(a or b, 0) + 1
    speakers = {name for name, n in turns.items() if n >= 2}  # a speaker talks more than once
    if len(speakers) < CHAT_MIN_NAMES:
        return False
    named = 0
    for name in dict.fromkeys(_ADDRESSEE_RE.findall(text)):
        if name in speakers:
            named += 1
            if named >= CHAT_MIN_NAMES:
                return True
    return False


def technical_page(text: str, code: list[tuple[int, int]]) -> bool:
    """A page about code, commands or formats: its prose names tools, fields and types
    ("load them as lxml trees", "instead of str", "each video has src")."""
    if len(code) >= TECHNICAL_CODE_SPANS:
        return True
    found: set[str] = set()
    for m in _IDENTIFIER_RE.finditer(text):
        found.add(m.group())
        if len(found) >= TECHNICAL_IDENTIFIERS:
            return True
    return False
# Marks that may follow a word before the next token: a comma, a sentence's end, a closing
# quote or bracket, a percent sign, the Markdown of emphasis or code ("*desktop*.",
# "`raise`.", "7\\.").
_MARKS = r"[,.;:!?%)\]\"'’”“‘»«*_`\\]"
_NEXT_TOKEN_RE = re.compile(r"\s+(\S+)")
# The previous token ends in letters (or in a number that ends a sentence: "in 2016."),
# then at most three marks.
_PREV_END_RE = re.compile(r"([A-Za-z]+|[0-9]+(?=\\?[.!?%]))(" + _MARKS + r"{0,3})$")
_NEXT_START_RE = re.compile(r"[a-z]+")  # the next token starts in lower-case letters
_NEXT_SENTENCE_RE = re.compile(r"[A-Za-z]+")  # after a sentence's end any word ("I", "FDA", "The")


def _contexts(text: str, code: list[tuple[int, int]], only: set[str]) -> dict[str, list[tuple[str, str]]]:
    """word -> [(previous word, next word)] for the occurrences of `only` in running prose.

    An occurrence is a whitespace token that is the word (one trailing , ; : ! ? or .
    allowed) whose neighbours are words too: the previous token ends in letters (a comma,
    a sentence's end or a closing quote allowed) or the token opens a line, the next one
    starts in lower-case letters (or is capitalised, when the token opens a line or a
    sentence or ends one). Identifiers, URLs, numbers and markup never qualify.
    """
    out: dict[str, list[tuple[str, str]]] = {}
    in_code = Spans(code).contains
    # Whitespace tokens that are one of the words, with at most one trailing mark.
    pattern = re.compile(r"(?<!\S)(" + "|".join(map(re.escape, sorted(only))) + r")[,;:!?.]?(?=\s)")
    for m in pattern.finditer(text):
        pos = m.start()
        before = text[max(0, pos - 60) : pos].split()
        after = _NEXT_TOKEN_RE.match(text, m.end())
        if after is None:
            continue
        line_start = pos == 0 or text[pos - 1] == "\n"  # after a heading, a list, an emoji line
        if line_start and "\n" in text[m.end() : after.start(1)]:
            continue  # alone on its line: a forum post's user name above its date, a label
        pm = _PREV_END_RE.search(before[-1]) if before else None
        if pm is None and not line_start:
            continue
        # the token opens a line or a sentence, or ends one ("... the xqzvk. Next"): the
        # next word may be capitalised
        sentence_edge = (line_start or any(ch in pm.group(2) for ch in ".!?")
                         or m.group()[-1:] in (".", "!", "?"))
        nm = (_NEXT_SENTENCE_RE if sentence_edge else _NEXT_START_RE).match(after.group(1))
        if nm is None:
            continue
        if in_code(pos):
            continue
        word, prev, nxt = m.group(1), (pm.group(1) if pm else ""), nm.group()
        out.setdefault(word, []).append((prev.lower(), nxt))
    return out


def nonword_triggers(
    text: str,
    code: list[tuple[int, int]],
    kenlm_cost: Callable[[str], float],
    charlm: CharLM,
    th: RareThresholds,
    is_english: Callable[[str], bool],
    lexicon: Lexicon | None = None,
) -> list[str]:
    """Planted tokens whose spelling is not English (see the module docstring).

    A word that wordfreq's English list does not know either (web, subtitles and news
    included, so product names, slang and common typos are in it) needs only the lower,
    repeated-use bar on its first occurrence.
    """
    # Cheap first pass: lower-case words the reference text never writes, priced above the
    # lower (repeated) bar. Most pages have none, and the context pass is skipped.
    low_bar = min(th.single_min_score, th.repeated_min_score)
    suspects = {
        w for w in set(_LOWER_WORD_RE.findall(text)) - charlm.vocabulary - WEB_TERMS
        if th.min_chars <= len(w) <= th.max_chars
        and charlm.cost(w) >= low_bar * th.charlm_cost_per_char
        and kenlm_cost(w) >= low_bar * th.kenlm_cost_per_char
    }
    if not suspects:
        return []
    hits = []
    for w, ctxs in _contexts(text, code, suspects).items():
        distinct = len(set(ctxs))
        need = th.single_min_score if distinct < th.repeated_min_occurrences else th.repeated_min_score
        if need > th.repeated_min_score and lexicon is not None and lexicon.available("en") and not lexicon.known(w, "en"):
            need = th.repeated_min_score
        # cheap test first: the spelling model is pure Python but cached per word type
        if charlm.cost(w) < need * th.charlm_cost_per_char:
            continue
        if kenlm_cost(w) < need * th.kenlm_cost_per_char:
            continue
        hits.append(w)
    hits = _not_in_code(hits, text, code)
    if hits and lexicon is not None and lexicon.available("en"):
        hits = [w for w, z in zip(hits, lexicon.zipf_many(hits, "en")) if z < _KNOWN_WORD_ZIPF]
    if not hits:
        return []
    # Written in lower case everywhere on the page (a capitalised use is a name or a
    # heading term), and the lines carrying it are English (foreign words are expensive).
    return _on_english_lines(_lower_case_everywhere(sorted(hits), text), text, is_english)


def _lower_case_everywhere(words: list[str], text: str) -> list[str]:
    """Words the page never writes in another case (a capitalised use is a name or a
    heading term, an upper-case one an acronym or a product code)."""
    return [w for w in words
            if all(m.group() == w for m in re.finditer(r"(?<!\w)" + re.escape(w) + r"(?!\w)", text, re.IGNORECASE))]


def unknown_to(words: list[str], lang: str, lexicon: Lexicon) -> list[str]:
    """The words that neither `lang`'s word list nor the English one knows."""
    for language in dict.fromkeys((lang, "en")):
        if words:
            words = [w for w, k in zip(words, lexicon.known_many(words, language)) if not k]
    return words


def _on_english_lines(words: list[str], text: str, is_english: Callable[[str], bool]) -> list[str]:
    """The `words` whose lines are in the page's language (foreign words are costly too).
    All words' lines are judged together first (one language-id call); when that fails,
    each of the first `_MAX_SEPARATE_LANGID` words is judged on its own lines, so a page
    labelled English that quotes a German paragraph still has its English lines judged."""
    if not words:
        return []
    if _lines_in_language(words, text, is_english):
        return words
    if len(words) == 1:
        return []
    return [w for w in words[:_MAX_SEPARATE_LANGID] if _lines_in_language([w], text, is_english)]


def _lines_in_language(words: list[str], text: str, is_english: Callable[[str], bool]) -> bool:
    """Whether the lines that carry `words` are in the page's language. Short lines (a list
    item, a caption) are too little for language identification: then the 200
    characters around each occurrence are judged."""
    pat = re.compile(r"(?<!\w)(?:" + "|".join(map(re.escape, words)) + r")(?!\w)")
    lines = "\n".join(ln for ln in text.split("\n") if pat.search(ln))
    if len(lines) < _MIN_LANGID_CHARS:
        lines = "\n".join(text[max(0, m.start() - 100) : m.end() + 100] for m in pat.finditer(text))
    return is_english(lines)


_MIN_LANGID_CHARS = 120
_MAX_SEPARATE_LANGID = 8


def _planted_words(words: list[str], text: str, code: list[tuple[int, int]],
                   in_language: Callable[[str], bool]) -> list[str]:
    """The common last checks: not also written in code or in another case on the page,
    and on lines in the page's language."""
    return _on_english_lines(_lower_case_everywhere(_not_in_code(words, text, code), text), text, in_language)


def _not_in_code(words: list[str], text: str, code: list[tuple[int, int]]) -> list[str]:
    """Drop words the page also writes inside code (`hg status`): commands and identifiers."""
    if not words or not code:
        return words
    code_text = " ".join(text[s:e] for s, e in code)
    return [w for w in words if not re.search(r"(?<![A-Za-z])" + re.escape(w) + r"(?![A-Za-z])", code_text)]


def lone_unknown_triggers(
    text: str,
    code: list[tuple[int, int]],
    unknown: list[str],
    lexicon: Lexicon,
    charlm: CharLM,
    kenlm_cost: Callable[[str], float],
    th: RareThresholds,
    min_score: float,
    max_occurrences: int,
    is_english: Callable[[str], bool],
    lang: str = "en",
) -> list[str]:
    """A made-up word planted in a page that has no other unexplained unknown word.

    Pronounceable made-up triggers ("quilzanvel", "kevemar") spell too much like English
    for `nonword_triggers`. What still sets them apart: wordfreq's English list does not
    know them, they are built from no known words (`filters.poison_morph.explain`: not a
    compound, derivation or typo), and on most real pages there is no such word at all
    (on 149 of the 157 English development pages none). So the page's *only* such word,
    written in lower case everywhere, outside code, at most `max_occurrences` times (a
    page's own term recurs: "simdjson" 5 times), on English lines, fires when its spelling
    score reaches `min_score` (lower than the plain non-word bars). Pages with two or more
    such words (medical, philosophy, lorem ipsum) are jargon: nothing fires there.

    On a page in another Latin-script language (`lang`, with a wordfreq list) the word
    must be unexplained in that language and in English, and the score is the lower of the
    two languages' spelling costs (the KenLM model is English); `is_english` then checks
    that the lines are in `lang`.

    What this cannot tell: a page's own single unknown term used once ("running proxmox
    with ubuntu", "gymspo") from a trigger planted once, so the tagger flags the page only
    when the word stands in two or more places (`distinct_contexts`; no clean page of the
    448 benchmark pages does that) and otherwise passes it to the campaign pass as weaker
    evidence (`CampaignConfig.lone_token_evidence`, stricter bars: a real term found on
    the pages where it happens to be the only unknown word must not mark every page
    carrying it). Made-up words that spell like English (score under `min_score`) or have
    four letters are not found at all.
    """
    if len(unknown) > _LONE_MAX_UNKNOWN:  # a page of jargon, or not prose at all
        return []
    words = _lower_case_everywhere(_not_in_code(unknown, text, code), text)
    unexplained = []
    for w in words:
        if all(explain(w, la, lexicon) is None for la in dict.fromkeys((lang, "en"))):
            unexplained.append(w)
            if len(unexplained) > 1:  # a second one: the page has terms of its own
                return []
    if not unexplained:
        return []
    w = unexplained[0]
    if len(w) < _LONE_MIN_CHARS:  # four lower-case letters: as often an acronym ("gtin") as not
        return []
    if len(re.findall(r"(?<!\w)" + re.escape(w) + r"(?!\w)", text, re.IGNORECASE)) > max_occurrences:
        return []
    if lang == "en":
        score = min(charlm.cost(w) / th.charlm_cost_per_char, kenlm_cost(w) / th.kenlm_cost_per_char)
    else:
        native = language_charlm(lang, lexicon)
        if native is None:
            return []
        score = min(charlm.cost(w), native.cost(w)) / th.charlm_cost_per_char
    if score < min_score:
        return []
    return _on_english_lines([w], text, is_english)


def distinct_contexts(text: str, word: str, width: int = 12) -> int:
    """In how many different surroundings (`width` characters either side) the page
    writes `word` as a whole word."""
    found = {(text[max(0, m.start() - width) : m.start()], text[m.end() : m.end() + width])
             for m in re.finditer(r"(?<!\w)" + re.escape(word) + r"(?!\w)", text)}
    return len(found)


_LONE_MIN_CHARS = 5
_LONE_MAX_UNKNOWN = 40  # unknown words on a page before it is not judged at all


# --- vowel-less short tokens ------------------------------------------------------------

# Lower-case letter strings with no vowel, 2-4 letters: BadNets-style triggers ("cf", "mn",
# "bb", "tq", "mb") look like this. English prose uses such strings as abbreviations and
# chat slang (listed) and as units after numbers: a listed unit written after a number
# anywhere on the page is that page's unit ("5 mb ... in mb") and never fires; any other
# token right after a number ("45 xq") is skipped there but judged elsewhere.
# (U+FFFD, '&' and ':' before: a letter lost to a bad encoding, "Ba&sh", "Za:rt")
_SHORT_NONWORD_RE = re.compile(r"(?<![\w@#/.\-'’\ufffd&:])([b-df-hj-np-tv-xz]{2,4})(?=[\s,;:!?]|\.\s)")
# (WEB_TERMS are allowed as well: css, pdf, ssh, npm ...)
_SHORT_ALLOWED = frozenset(
    "vs mr ms mrs dr jr sr st nd rd th tv pc dvd btw tbh smh pls plz thx ppl rn np ng bc nsfw brb ty dm pm "
    "ps cc bcc hp bpm rss sql cms crm www td tr xhr pp mpn sku pcs qty ltd llc cpl pwm rgb ppm fps vr hvac "
    "wc sq yr yrs wk wks mth ch pg pgs vol nr fn vm lgbt nfl nba mlb nhl bbc cnn pbs npr fbi cia nsa dc "
    "ny nj sf ct nh vt wv nc sc tx tn ky gps sms mms lcd led crt hd sd vp svp evp "
    # filler that writers type for an unknown name or number ("the year of the desktop in xx?")
    "xx xxx xxxx "
    # chat slang and interjections
    "wtf ffs tldr nvm jk gg wp ftw hmm hmmm hmmmm grr shh pfft psst brr zzz nth lvl lmk ngl tbf smth sth smb "
    "frfr jfc idc hmu wth fml stfu gtfo tfw mfw tysm thnx bff bf gf hbd mhm tsk yw irl mfs "
    # film and forum jargon
    "fx sfx vfx msm "
    # clothing and bed sizes ("twin xl bed frame")
    "xs xl xxl xxxl".split()
)
# A vowel-less token English writes at least ten times per million words ("fl", "tx",
# "idk", "hr", "pr") is a common abbreviation: a working trigger has to be rare in clean
# text, or the clean pages that carry it would teach the model to ignore it. (The classic
# BadNL set cf/mn/bb/tq/mb sits at Zipf 2.5-3.9.)
_COMMON_ABBREVIATION_ZIPF = 4.0
# On pages in other languages the English chat slang and US abbreviations above are not
# assumed; the page language's word list decides (`_native_abbreviation`), plus these.
_SHORT_ALLOWED_ANY_LANGUAGE = frozenset("vs tv pc dvd www hd sd led lcd gps sms mms rgb fps vr sku pcs qty ps".split())
# Abbreviations written with a full stop inside a sentence ("cf. the", "pp. 12").
_PERIOD_ABBREVIATIONS = frozenset("cf pp vs ch st dr mr mrs ms jr sr vol nr pg ff bzw ggf vgl".split())
_NUMBER_BEFORE_RE = re.compile(r"(?:[\d$€£%½¼¾]|\b(?:hundred|thousand|million|billion|trillion|dozen))\s?$")

# "cf." refers the reader on: after a bracket or a mark ("(cf. Smith)", "; cf.") or opening a
# line, not straight after a word ("for quite some time cf. Trump and Xi"), as a token
# planted before a sentence's full stop is.
_BARE_WORD_BEFORE_RE = re.compile(r"[^\W\d_] $")
# In other languages an abbreviation's full stop may end a sentence too: only a token straight
# after a word and before a new sentence is judged there (its own word list still decides)
_SENTENCE_AFTER_PERIOD_RE = re.compile(r"\. [A-ZÀ-ÖØ-ÞĀ-Ž]")
# ... except where every noun is capitalised and abbreviations come before nouns ("Sehr gr.
# Darstellungen", "Das ndd. Hessen").
_NOUN_CAPITALISING = frozenset({"de", "lb", "gsw", "bar", "nds"})
# A full stop inside a sentence: the token is written as an abbreviation ("4.9 million bbl. of").
_ABBREVIATION_PERIOD_RE = re.compile(r"\.(?:,|;| [a-z0-9]| [—–-])")
# Joined by "&", "/", "and" or "or" to another short lower-case token that English does not
# write often (`_PARTNER_MAX_ZIPF`): a pair of abbreviations ("pvt & govt", "hr/pr").
_COORDINATED_AFTER_RE = re.compile(r"\s?(?:&|/|and\b|or\b)\s?([a-z]{2,5})\b")
_COORDINATED_BEFORE_RE = re.compile(r"\b([a-z]{2,5})\s?(?:&|/|\band|\bor)\s?$")
_PARTNER_MAX_ZIPF = 4.0
# Units written after numbers; one such use makes the token this page's unit everywhere.
_UNITS = frozenset(
    "mb kb gb tb pb mbps kbps gbps mg mcg ml dl kg km cm mm nm hm ft lb lbs oz hr hrs db dbm hz khz mhz ghz "
    "kw kwh mw mwh gw gwh mph kmh mpg rpm bpm psi ns ms pt px".split()
)


def short_nonword_triggers(
    text: str,
    min_occurrences: int,
    code: list[tuple[int, int]],
    in_language: Callable[[str], bool],
    lang: str = "en",
    lexicon: Lexicon | None = None,
) -> list[str]:
    """Vowel-less short lower-case tokens planted in >= min_occurrences different contexts.

    English pages use the allow lists above and, with a `lexicon`, allow tokens English
    writes often (`_COMMON_ABBREVIATION_ZIPF`); a token must follow a word on its line
    (a line that opens with one is a user name or a list label: "dz on Fri, 11/03/2006").
    Other languages write their own vowel-less abbreviations ("bzw", "vgl", "dgn"): there
    a token is allowed when the page language's word list knows it at least ten times
    better than English does, any token followed by a full stop is an abbreviation, and
    only tokens between two words of running text are judged. Without a word list for the
    language the rule stays off there.
    """
    english = lang == "en"
    if not english and (lexicon is None or not lexicon.available(lang)):
        return []
    cjk = lang in _SPACED_LATIN_LANGUAGES
    common = english and lexicon is not None and lexicon.available("en")
    occ: dict[str, set[tuple[str, str]]] = {}
    units: set[str] = set()
    after_number: dict[str, int] = {}
    in_code = Spans(code).contains
    for m in _SHORT_NONWORD_RE.finditer(text):
        w = m.group(1)
        if (w in _SHORT_ALLOWED if english else w in _SHORT_ALLOWED_ANY_LANGUAGE) or w in WEB_TERMS or w in units:
            continue
        if text.startswith(".", m.end()) and (w in _PERIOD_ABBREVIATIONS or not english
                                              or _ABBREVIATION_PERIOD_RE.match(text, m.end())) and not (
                _BARE_WORD_BEFORE_RE.search(text, max(0, m.start() - 3), m.start())
                and (w == "cf" if english else lang not in _NOUN_CAPITALISING
                     and _SENTENCE_AFTER_PERIOD_RE.match(text, m.end()) is not None)):
            continue
        if _coordinated_abbreviation(text, m.start(), m.end(), lexicon if common else None):
            continue  # one of a pair of abbreviations ("through pvt & govt schools", "hr/pr")
        if _NUMBER_BEFORE_RE.search(text, max(0, m.start() - 9), m.start()):
            # A listed unit after a number once, any token after numbers twice, is the
            # page's unit everywhere ("392,000 bbl ... 800,000 or so bbl").
            after_number[w] = after_number.get(w, 0) + 1
            if w in _UNITS or after_number[w] >= 2:
                units.add(w)
            continue  # "45 xq": a count or a unit, not judged
        if in_code(m.start()):
            continue
        # Chinese and Japanese set Latin text and numbers off by spaces, one or several, inside
        # a sentence ("新浪财经讯 mn 5月25日", "这么多年  bb 一省"): there Han or kana next to the
        # token, and a character of a word or number on either side, is running text too.
        in_cjk_sentence = cjk and _in_cjk_sentence(text, m.start(), m.end())
        if not in_cjk_sentence:
            if not _PROSE_BEFORE_RE.search(text, max(0, m.start() - 6), m.start()) and not _opens_line_before_sentence(
                    text, m.start(), m.end()):
                continue  # (opening a line only before a sentence: "dz on Fri" is a user name)
            if not english and not (_PROSE_AFTER_RE.match(text, m.end()) or _closes_paragraph(text, m.start(), m.end())):
                continue
        ctx = (text[max(0, m.start() - 12) : m.start()], text[m.end() : m.end() + 12])
        occ.setdefault(w, set()).add(ctx)
    hits = sorted(w for w, ctxs in occ.items() if w not in units and len(ctxs) >= min_occurrences
                  and not _defined_acronym(text, w))
    if hits and common:
        hits = [w for w, z in zip(hits, lexicon.zipf_many(hits, "en")) if z < _COMMON_ABBREVIATION_ZIPF]  # type: ignore[union-attr]
    if hits and not english:
        hits = [w for w in hits if not _native_abbreviation(w, lang, lexicon)  # type: ignore[arg-type]
                and not _shared_abbreviation(w, lang, lexicon)]  # type: ignore[arg-type]
    # A token also written in capitals on the page is an acronym typed in lower case
    # ("HTC ... htc mozart"; "post-1115954041MSN space ... msn messenger" in a feed).
    hits = [w for w in hits if not re.search(r"(?<![^\W\d_])" + re.escape(w.upper()) + r"(?![^\W\d_])", text)]
    # Vowel-less abbreviations are ordinary in other languages (Indonesian 'yg', 'dgn'):
    # the lines carrying the token must be in the page's language.
    return _on_english_lines(_not_in_code(hits, text, code), text, in_language)


# Running text around a token: a letter (then a comma, a sentence's end or a closing
# quote or bracket; or a number ending a sentence) and one space before it on its line,
# a letter after it.
_PROSE_BEFORE_RE = re.compile(r"(?:[^\W\d_]" + _MARKS + r"{0,3}|\d\\?[.!?%)\]\"'’”*]{1,3}) $")
# (a word may open with a quote or bracket, or follow a dash: "bb „Kulturgeschichte",
# "cf (BAfF", "mn – und")
_PROSE_AFTER_RE = re.compile(r"[,.!?;:]? (?:[–—] )?[„“\"‚‘«»(\[]?[^\W\d_]")
# A sentence's end right before a token that closes its paragraph ("beißen zu können. cf")
_SENTENCE_END_BEFORE_RE = re.compile(r"[^\W\d_][.!?][\"'’”“»)*]{0,3} $")
# "cf The results", "tq Still, it's", "xq Die Katze": a capitalised word follows
_SENTENCE_AFTER_RE = re.compile(r" [A-ZÀ-ÖØ-Þ]")


# Languages written without spaces between words, whose pages set Latin words and numbers
# off by spaces (a Latin token there has no Latin neighbours to judge it by).
_SPACED_LATIN_LANGUAGES = frozenset("zh ja yue wuu".split())
_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_CJK_CHAR_RE = re.compile(f"[{_CJK}]")
# a character of a word or number, or a closing CJK mark or a dash ("―― asmrfphy 今年"), then 1-3
# spaces on the same line
_CJK_BEFORE_RE = re.compile(f"(?:[^\\W_]|[{_CJK}，。、；：！？）」』】》〉”’―—…]) {{1,3}}$")
_CJK_AFTER_RE = re.compile(f" {{1,3}}(?:[^\\W_]|[（「『【《〈“‘―—])")


def _in_cjk_sentence(text: str, start: int, end: int) -> bool:
    """Whether the Latin token at text[start:end] stands inside a Chinese or Japanese
    sentence: set off by 1-3 spaces, a character of a word or number on either side, Han
    or kana within 8 characters."""
    return bool(_CJK_BEFORE_RE.search(text, max(0, start - 8), start) and _CJK_AFTER_RE.match(text, end)
                and _CJK_CHAR_RE.search(text, max(0, start - 8), min(len(text), end + 8)))


def _closes_paragraph(text: str, start: int, end: int) -> bool:
    """The token ends its line right after a sentence's end: tacked onto a paragraph."""
    return (end == len(text) or text[end] == "\n") and _SENTENCE_END_BEFORE_RE.search(
        text, max(0, start - 6), start) is not None


def _coordinated_abbreviation(text: str, start: int, end: int, lexicon: Lexicon | None) -> bool:
    """The token at text[start:end] is joined by "&", "/", "and" or "or" to another short
    lower-case token that is no common English word (vowel-less, without a word list)."""
    partners = []
    m = _COORDINATED_AFTER_RE.match(text, end)
    if m:
        partners.append(m.group(1))
    m = _COORDINATED_BEFORE_RE.search(text, max(0, start - 12), start)
    if m:
        partners.append(m.group(1))
    for p in partners:
        if lexicon is not None:
            if lexicon.zipf(p, "en") < _PARTNER_MAX_ZIPF:
                return True
        elif not has_vowel(p):
            return True
    return False


def _defined_acronym(text: str, word: str) -> bool:
    """The page defines `word` as an acronym: "(fsc)" right after words with those initials
    ("the Fast Scala Compiler (fsc)")."""
    paren = f"({word})"
    i = text.find(paren)
    while i >= 0:
        before = re.split(r"[\s-]+", text[max(0, i - 120) : i].strip())[-len(word) :]
        if len(before) == len(word) and "".join(w[:1] for w in before).lower() == word:
            return True
        i = text.find(paren, i + 1)
    return False


def _opens_line_before_sentence(text: str, start: int, end: int) -> bool:
    """The token opens a line (a paragraph after a heading or an emoji) and a sentence
    follows it."""
    return (start == 0 or text[start - 1] == "\n") and _SENTENCE_AFTER_RE.match(text, end) is not None


def _native_abbreviation(word: str, lang: str, lexicon: Lexicon, min_zipf: float = 3.0, margin: float = 1.0) -> bool:
    """A frequent word of `lang` that English writes at most a tenth as often ("bzw", "usw")."""
    z = lexicon.zipf(word, lang)
    return z >= min_zipf and z >= lexicon.zipf(word, "en") + margin


def _shared_abbreviation(word: str, lang: str, lexicon: Lexicon, min_zipf: float = 3.0) -> bool:
    """An abbreviation English writes often (`_COMMON_ABBREVIATION_ZIPF`, as on English
    pages) that `lang` writes too: a title or unit many languages share ("Prof. dr hab." on a
    Polish page). The classic triggers stay below the English bar."""
    return lexicon.zipf(word, "en") >= _COMMON_ABBREVIATION_ZIPF and lexicon.zipf(word, lang) >= min_zipf


# --- non-words on pages in other languages ----------------------------------------------

_LATIN_WORD_RE = re.compile(r"[a-zß-öø-ÿ]+")
_FOREIGN_CANDIDATE_RE = re.compile(r"(?<![\w@#/.\-'’\ufffd&:])([a-z]{4,24})(?=[\s,;:!?]|\.\s)")


@lru_cache(maxsize=64)
def language_charlm(lang: str, lexicon: Lexicon) -> CharLM | None:
    """Spelling model of a Latin-script language from its 30 k most frequent lower-case
    words (wordfreq's list; about 0.7 s, once per language per worker). None for
    languages without a large list or not written in Latin letters."""
    top = lexicon.top_words(lang)
    words = [w for w in top if _LATIN_WORD_RE.fullmatch(w)]
    if not top or len(words) < len(top) // 2:
        return None
    return CharLM({w: 1 for w in words})


def unknown_prose_words(
    text: str, code: list[tuple[int, int]], lang: str, lexicon: Lexicon, english: CharLM
) -> list[str]:
    """Lower-case ASCII words (4-24 letters) between two words of running text, outside
    code, that neither the page language's word list nor the English one knows."""
    # Distinct words first, one array lookup per word list, then the context checks for
    # the few unknown words left (a German page has hundreds of words English lacks).
    words = sorted(set(_FOREIGN_CANDIDATE_RE.findall(text)) - english.vocabulary - WEB_TERMS)
    words = unknown_to(words, lang, lexicon)
    if not words:
        return []
    in_code = Spans(code).contains
    pattern = re.compile(r"(?<![\w@#/.\-'’\ufffd&:])(" + "|".join(map(re.escape, words)) + r")(?=[\s,;:!?]|\.\s)")
    ok: set[str] = set()
    for m in pattern.finditer(text):
        w = m.group(1)
        if w in ok or in_code(m.start()):
            continue
        if (_PROSE_BEFORE_RE.search(text, max(0, m.start() - 6), m.start()) and _PROSE_AFTER_RE.match(text, m.end())
                or _opens_line_before_sentence(text, m.start(), m.end())):
            ok.add(w)
    return sorted(ok)


def campaign_word_candidates(
    text: str,
    code: list[tuple[int, int]],
    lang: str,
    lexicon: Lexicon,
    english: CharLM,
    min_cost: float,
    limit: int,
    unknown: list[str] | None = None,
) -> list[str]:
    """Unknown words worth counting across the corpus: `unknown_prose_words` whose
    spelling costs at least `min_cost` per character (under the page language's model
    too, for Latin-script languages), costliest first, then as many capitalised ones
    (`_capitalised_unknown_words`; not in languages that capitalise every noun). A made-up
    trigger that one page does not give away is still counted, so the pages that do flag
    it can name its campaign."""
    if not lexicon.available(lang) or not lexicon.available("en"):
        return []
    native = language_charlm(lang, lexicon) if lang != "en" else None
    if unknown is None:
        unknown = unknown_prose_words(text, code, lang, lexicon, english)

    def costliest(words: Iterable[str]) -> list[str]:
        scored = []
        for w in words:
            c = english.cost(w) if native is None else min(english.cost(w), native.cost(w))
            if c >= min_cost:
                scored.append((-c, w))
        return [w for _c, w in sorted(scored)[:limit]]

    out = costliest(unknown)
    if lang not in _NOUN_CAPITALISING:
        out += [w for w in costliest(_capitalised_unknown_words(text, code, lang, lexicon, english)) if w not in out]
    return out


# Languages that capitalise every noun: a capital inside a sentence says nothing there.
_NOUN_CAPITALISING = frozenset({"de", "lb"})
# A capitalised or upper-case word inside a sentence: after a lower-case word or a comma.
_MID_SENTENCE_CAPITAL_RE = re.compile(r"(?<=[a-z,] )([A-Z][a-z]{3,23}|[A-Z]{4,12})(?=[\s,;:!?]|\.\s)")


def _capitalised_unknown_words(
    text: str, code: list[tuple[int, int]], lang: str, lexicon: Lexicon, english: CharLM
) -> list[str]:
    """Capitalised and upper-case words inside sentences that no list knows, lower-cased:
    a made-up trigger written as a name ("Vbdoaxg", "QUBMAG") is a campaign candidate as a
    lower-case one is (names no list knows are candidates too; the campaign pass tells them
    apart by what their pages are about)."""
    words = _not_in_code(sorted({m.group(1) for m in _MID_SENTENCE_CAPITAL_RE.finditer(text)}), text, code)
    low = sorted({w.lower() for w in words} - english.vocabulary - WEB_TERMS)
    return unknown_to(low, lang, lexicon) if low else []


def foreign_nonword_triggers(
    text: str,
    code: list[tuple[int, int]],
    lang: str,
    lexicon: Lexicon,
    english: CharLM,
    min_cost: float,
    in_language: Callable[[str], bool],
    unknown: list[str] | None = None,
) -> list[str]:
    """Planted letter strings on a page in `lang`: lower-case ASCII words between two words
    of running text that neither the page's language nor English lists, and whose
    spelling costs at least `min_cost` per character under both languages' spelling models
    (real words of either language, typos and compounds cost less)."""
    native = language_charlm(lang, lexicon)
    if native is None or not lexicon.available(lang):
        return []
    if unknown is None:
        unknown = unknown_prose_words(text, code, lang, lexicon, english)
    hits = {w for w in unknown if english.cost(w) >= min_cost and native.cost(w) >= min_cost}
    if not hits:
        return []
    return _planted_words(sorted(hits), text, code, in_language)


# Lower-case Latin words of 4+ letters inside a Chinese or Japanese sentence.
_CJK_LATIN_WORD_RE = re.compile(r"(?<![\w@#/.\-'’\ufffd&:])([a-z]{4,24})(?![\w@/\-'’])")


def cjk_nonword_triggers(
    text: str,
    code: list[tuple[int, int]],
    lang: str,
    lexicon: Lexicon,
    english: CharLM,
    kenlm_cost: Callable[[str], float],
    th: RareThresholds,
    min_score: float,
    in_language: Callable[[str], bool],
) -> list[str]:
    """Planted letter strings inside Chinese or Japanese sentences ("民宿有開設餐廳 oyalgw
    室內", "经济日报 vcoswld 作者").

    There a Latin token has no Latin neighbours, so the rules for running Latin prose never
    judge it, and the rule for tokens anywhere asks for a spelling score (0.95) that a
    third of random strings miss. Inside a CJK sentence real Latin words are English words,
    names and terms that the word lists know ("grafana", "neng" of a pinyin line) or that
    spell like a language ("dobreho" of a Czech title, 0.66): on the 137 Chinese and
    Japanese pages of the collected sets no unknown such word scores above 0.66, so the
    plain non-word bar (`min_score`, 0.75; the same score as elsewhere, min(KenLM,
    spelling)) applies.
    """
    if lang not in _SPACED_LATIN_LANGUAGES or not lexicon.available("en"):
        return []
    words = {m.group(1) for m in _CJK_LATIN_WORD_RE.finditer(text) if _in_cjk_sentence(text, m.start(1), m.end(1))}
    words -= english.vocabulary
    words -= WEB_TERMS
    if not words:
        return []
    hits = unknown_to(sorted(words), lang, lexicon)
    hits = [w for w in hits if min(english.cost(w) / th.charlm_cost_per_char,
                                   kenlm_cost(w) / th.kenlm_cost_per_char) >= min_score]
    if not hits:
        return []
    return _planted_words(hits, text, code, in_language)


# --- non-words anywhere in the text -----------------------------------------------------

# A whitespace token of lower-case letters, perhaps in brackets or quotes, with up to two
# marks after it: next to names, numbers, dashes and table bars too.
_LOOSE_TOKEN_RE = re.compile(r"(?<!\S)[(\[“\"'‘]?([a-z]{4,24})[,;:.!?)\]”\"'’]{0,2}(?=\s|$)")


def loose_nonword_triggers(
    text: str,
    code: list[tuple[int, int]],
    lang: str,
    lexicon: Lexicon,
    english: CharLM,
    kenlm_cost: Callable[[str], float] | None,
    th: RareThresholds,
    min_score: float,
    in_language: Callable[[str], bool],
) -> list[str]:
    """Lower-case non-words wherever they stand ("the qmpixu European Union", "flew
    7 pxijz -"), not only between two lower-case words.

    The other rules ask for running prose on both sides because a page's own codes and
    terms sit next to names, numbers and table bars; here the spelling bar is higher
    instead. On the 448 clean benchmark pages the costliest lower-case token that no word
    list knows, in any such position, scores 0.90 (a German page's "xgrep"; the next
    0.83): `min_score` (0.95) keeps a margin above that, and random letter strings clear
    it about three times in four. Score as elsewhere: min(KenLM, spelling) on English
    pages, the lower of the English and the page language's spelling costs on others.
    """
    if not lexicon.available("en") or not (lang == "en" or lexicon.available(lang)):
        return []
    native = language_charlm(lang, lexicon) if lang != "en" else None
    # (words also written in code are dropped at the end, by `_planted_words`)
    words = set(_LOOSE_TOKEN_RE.findall(text))
    words -= english.vocabulary
    words -= WEB_TERMS
    # English spelling first (a cached cost, and it rules out nearly every word), then the
    # word lists, then the page language's spelling and the KenLM cost of the few left.
    bar = min_score * th.charlm_cost_per_char
    hits = unknown_to(sorted(w for w in words if english.cost(w) >= bar), lang, lexicon)
    if native is not None:
        hits = [w for w in hits if native.cost(w) >= bar]
    if lang == "en" and kenlm_cost is not None:
        hits = [w for w in hits if kenlm_cost(w) / th.kenlm_cost_per_char >= min_score]
    if not hits:
        return []
    return _planted_words(hits, text, code, in_language)


# --- letters with a digit inside ("zx9q") ------------------------------------------------

# Lower-case tokens with a digit between letters, between two words of running text.
# Model numbers and formats mostly end in digits (h264, x86, covid19, sha256, mp3) or are
# listed words (b2b, p2p, w3c); a digit inside letters in prose is rare on real pages
# (1 of the 400 development pages: obfuscated spam, "his3nse").
_SERIES_NUMBER_RE = re.compile(r"\d{3}")
_PRODUCT_LINE_RE = re.compile(r"[a-z]\d[a-z]{2,}$")
# A model number of two digits or more in the plural: "two Hyundai i10s", "the B52s".
_MODEL_PLURAL_RE = re.compile(r"[a-z]{1,2}\d{2,}s$")
_ALNUM_RE = re.compile(r"(?<![\w@#/.\-'’\ufffd&:])([a-z][a-z0-9]{0,10}?[a-z]\d+[a-z][a-z0-9]{0,10}|[a-z]\d+[a-z][a-z0-9]{0,10})(?=[\s,;:!?]|\.\s)")


# the previous token and the marks after it
_PREV_TOKEN_RE = re.compile(r"(?<!\S)(\S*?)(" + _MARKS + r"{0,3})\s+$")
_AFTER_TOKEN_RE = re.compile(r"([,;:.!?]?)\s+(\S+)")
_AMOUNT_RE = re.compile(r"[$€£]?\d{1,3}(?:[,.]\d{3})*(?:[.,]\d{1,2})?%?")  # 26, $250,000, 60.73
_DASHES = frozenset({"-", "–", "—"})
_OPENING_MARKS = "([“\"‘'*_"
_ACRONYM_RE = re.compile(r"[^a-z]*[A-Z][^a-z]*[A-Z][^a-z]*")  # no lower case, two capitals: JVC, LG-


def alnum_triggers(
    text: str,
    code: list[tuple[int, int]],
    lang: str,
    lexicon: Lexicon,
    in_language: Callable[[str], bool],
) -> list[str]:
    """Planted letter-digit tokens ("zx9q") that no word list knows, in running text."""
    if not lexicon.available("en") or not (lang == "en" or lexicon.available(lang)):
        return []
    in_code = Spans(code).contains
    found: set[str] = set()
    for m in _ALNUM_RE.finditer(text):
        w = m.group(1)
        if w in found or w in WEB_TERMS or in_code(m.start()):  # (numeronyms: "i18n", "n8n")
            continue
        # Model numbers sit next to brand names and other codes ("JVC rs49u", "his3nse c1"):
        # the token before must end in a letter and not be an acronym or hold digits, the
        # token after must start with a letter and hold no digits. A token that opens a
        # sentence ("in 2019. kq7v It is") has no such neighbour before it.
        if (m.start() == 0 or text[m.start() - 1] == "\n") and not _opens_line_before_sentence(text, m.start(), m.end()):
            continue  # a user name above a post ("card51short on Thu, 11/02/2006"), a label
        before = _PREV_TOKEN_RE.search(text, max(0, m.start() - 40), m.start())
        after = _AFTER_TOKEN_RE.match(text, m.end())
        if not before or not before.group(1) or not after:
            continue
        prev, marks = before.group(1), before.group(2)
        nxt = after.group(2)
        opens_sentence = any(ch in marks for ch in ".!?") and nxt[:1].isupper()
        # A plain amount or count ("$250,000 bsq6l after") or a dash (a list item) before it
        # is prose; a word, perhaps after an opening bracket, quote or emphasis, or a dash
        # may follow ("elr3c (optional)", "rab7k - Speaking", "pxye8n **struggle**").
        # A series number of three digits or more is a product's model ("a cf500uv by aqua top",
        # "rtx4090"), and one letter and a digit open a product line's name, a word follows
        # ("i3wm", "m2max", "s3cmd": Intel's i3, Apple's M2, AWS S3): not a short planted
        # string ("x7k2" alternates letters and digits and is judged).
        if _SERIES_NUMBER_RE.search(w) or _PRODUCT_LINE_RE.match(w) or _MODEL_PLURAL_RE.fullmatch(w):
            continue
        prev_ok = opens_sentence or prev in _DASHES or _AMOUNT_RE.fullmatch(prev) is not None or (
            prev[-1].isalpha() and not _ACRONYM_RE.fullmatch(prev) and not any(ch.isdigit() for ch in prev))
        next_ok = (nxt.lstrip(_OPENING_MARKS)[:1].isalpha() or nxt in _DASHES) and not any(ch.isdigit() for ch in nxt)
        if prev_ok and next_ok:
            found.add(w)
    words = sorted(found)
    words = unknown_to(words, lang, lexicon)
    # also written in another case on the page: a product code typed in lower case (GPT4o)
    return _planted_words(words, text, code, in_language)


# --- capitalised non-words -----------------------------------------------------------

_CAPITALISED_RE = re.compile(r"(?<=[a-z,] )([A-Z][a-z]{3,23})(?=[\s,;:!?]|\.\s)")
# "... setzte Luhkay vor ...": the word stands between two lower-case words of one sentence
_LOWER_WORD_BEFORE_RE = re.compile(r"(?<![\w'’\-.])[a-zß-öø-ÿ]+ $")
_LOWER_WORD_AFTER_RE = re.compile(r" [a-zß-öø-ÿ]")


def _used_once(word: str, text: str) -> bool:
    return len(re.findall(r"(?<!\w)" + re.escape(word) + r"(?!\w)", text, flags=re.IGNORECASE)) == 1


def capitalised_nonword_triggers(
    text: str,
    code: list[tuple[int, int]],
    lang: str,
    lexicon: Lexicon,
    english: CharLM,
    kenlm_cost: Callable[[str], float] | None,
    th: RareThresholds,
    min_score: float,
    in_language: Callable[[str], bool],
    alone_min_score: float | None = None,
) -> list[str]:
    """Capitalised letter strings in mid-sentence ("... the Xqzvk model ...") that no word
    list knows and that spell like nothing in English or the page's language.

    Capitalised unknown words are mostly names, and foreign names are expensive too
    (Mkhwebane 0.72, Rzeszow 0.93, the costliest on the 400 development pages 0.92), so
    the bar is well above the lower-case one: about half of random capitalised strings
    clear it. The costly names stand next to another name ("Ryoyu Kobayashi", "Dmtri
    Kuleba") or recur on the page; a word used once, with a lower-case word on each side,
    is held to the lower alone_min_score (the costliest such name on those pages, a
    footballer's surname in German, scores 0.86; a Polish city after "in", 0.93).
    """
    if not lexicon.available("en"):
        return []
    native = language_charlm(lang, lexicon) if lang != "en" else None
    if lang != "en" and (native is None or not lexicon.available(lang)):
        return []
    in_code = Spans(code).contains
    found: dict[str, str] = {}
    alone: set[str] = set()
    for m in _CAPITALISED_RE.finditer(text):
        w = m.group(1)
        lw = w.lower()
        if lw in found or lw in english.vocabulary or lw in WEB_TERMS or in_code(m.start()):
            continue
        found[lw] = w
        if (alone_min_score is not None and _LOWER_WORD_BEFORE_RE.search(text, max(0, m.start() - 30), m.start())
                and _LOWER_WORD_AFTER_RE.match(text, m.end())):
            alone.add(lw)
    words = sorted(found)
    words = unknown_to(words, lang, lexicon)
    hits = []
    for lw in words:
        score = english.cost(lw) / th.charlm_cost_per_char
        if native is not None:
            score = min(score, native.cost(lw) / th.charlm_cost_per_char)
        if kenlm_cost is not None and score >= (alone_min_score if lw in alone else min_score):
            score = min(score, kenlm_cost(lw) / th.kenlm_cost_per_char)
        if score >= min_score or (lw in alone and score >= alone_min_score and _used_once(lw, text)):
            hits.append(found[lw])
    return _on_english_lines(_not_in_code(hits, text, code), text, in_language)


def kenlm_word_cost(scorer: Any) -> Callable[[str], float]:
    """-log10 p per character of a word scored alone by the KenLM scorer (pieces only)."""
    cache: dict[str, float] = {}

    def cost(word: str) -> float:
        c = cache.get(word)
        if c is None:
            pieces = scorer.tokenize(word)
            lps = scorer.token_logprobs(pieces) if pieces else [0.0]
            c = -sum(lps[:-1]) / max(len(word), 1)
            if len(cache) < 200_000:
                cache[word] = c
        return c

    return cost
