"""Licence declared in a page's HTML markup (Creative Commons first of all).

Targeted scanning instead of a DOM: pages are often 100 KB+ and most declare no
licence, so a handful of substring checks rejects them, and the rest are read with
regexes around the few places that matter (``<link>``/``<meta>`` tags, JSON-LD blocks,
anchors pointing at a licence, sentences naming a CC licence).

Where a licence is declared decides how much it counts:

* head markup (``<link rel=license>``, ``<meta name=license|dc.rights|og:license>``,
  JSON-LD ``license`` of the page, not of an image) beats
* footer / sidebar anchors and sentences, which beat
* body anchors, which must say so explicitly (``rel="license"`` or a sentence about
  *this* page/site: "This work is licensed under ...", "Alle Inhalte stehen unter ...").

Image credits (inside ``<figure>``/captions/``class=attribution|credit``, or after
"Foto:", "Photo by", "via Wikimedia Commons") and mere links to creativecommons.org are
not the page's licence and are ignored.
"""

from __future__ import annotations

import html as html_lib
import json
import re
from dataclasses import dataclass
from typing import Any, Collection, Iterator

from filters.license_cc import CC_MENTION_RE, parse_cc_name, parse_cc_url

# Cheap case-sensitive substring tests on the raw page: a regex scan of 100 KB costs
# milliseconds in Python, each str.find ~0.2-0.4 ms, so only three. "ommons" covers
# creativecommons.org, "Creative Commons", "creative-commons"; "CC BY"/"CC-BY" cover
# licence names written without a link. A page with none of them declares no CC licence
# (a page whose only licence markup is non-CC, e.g. rel=license to gnu.org, is skipped too).
_PREFILTER_LITERALS = ("ommons", "CC BY", "CC-BY")
_TAG_RE = re.compile(r"<[^>]*>")
_WS_RE = re.compile(r"\s+")
_ATTR_RE = re.compile(
    r"""([a-zA-Z_:][-a-zA-Z0-9_:.]*)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))"""
)
_REL_LICENSE_RE = re.compile(r"""rel\s*=\s*["']?[^"'>]*\blicen[sc]e""", re.IGNORECASE)
_CC_URL_LITERALS = ("creativecommons.org/", "licensebuttons.net/")
_MENTION_LITERALS = ("creative", "cc by", "cc-by", "cc0", "cc attribution")
_ANCHOR_CLOSE_RE = re.compile(r"</a\s*>", re.IGNORECASE)
_IMG_RE = re.compile(r"<img\b[^>]*>", re.IGNORECASE)

_META_NAMES = frozenset({
    "license", "licence", "og:license", "dc.rights", "dc.license", "dcterms.license",
    "dcterms.rights", "dc.rights.license", "rights", "copyright", "citation_license",
    "article:license", "cc:license", "schema:license",
})
_JSONLD_MEDIA_TYPES = frozenset({
    "imageobject", "videoobject", "audioobject", "mediaobject", "photograph", "3dmodel",
})

# Non-CC licence URLs worth resolving when the markup says "this is the licence".
_KNOWN_URL_RES = [
    (re.compile(r"gnu\.org/licenses/(?:old-licenses/)?(a?gpl|lgpl|fdl)-?([123]\.[0-3])", re.I), None),
    (re.compile(r"apache\.org/licenses/license-2\.0", re.I), "Apache-2.0"),
    (re.compile(r"mozilla\.org/(?:en-us/)?mpl/2\.0", re.I), "MPL-2.0"),
    (re.compile(r"opendatacommons\.org/licenses/odbl", re.I), "ODbL-1.0"),
    (re.compile(r"opendatacommons\.org/licenses/pddl", re.I), "PDDL-1.0"),
    (re.compile(r"opendatacommons\.org/licenses/by", re.I), "ODC-By-1.0"),
    (re.compile(r"(?:opensource\.org|spdx\.org)/licenses/([A-Za-z0-9.\-+]+?)(?:\.html|\.php|/|$|[\"'?#])",
                re.I), "spdx"),
]
_SPDX_CASE = {s.lower(): s for s in (
    "MIT", "Apache-2.0", "BSD-2-Clause", "BSD-3-Clause", "ISC", "MPL-2.0", "EPL-1.0", "EPL-2.0",
    "GPL-2.0-only", "GPL-3.0-only", "LGPL-2.1-only", "LGPL-3.0-only", "AGPL-3.0-only",
    "GPL-2.0-or-later", "GPL-3.0-or-later", "LGPL-2.1-or-later", "LGPL-3.0-or-later",
    "AGPL-3.0-or-later", "Unlicense", "0BSD", "Zlib", "BSL-1.0", "MIT-0", "PostgreSQL",
    "Artistic-2.0", "CDDL-1.0", "EUPL-1.2", "MS-PL", "MS-RL", "UPL-1.0", "OFL-1.1", "CC0-1.0",
)}
_SPDX_CASE.update({"gpl-2.0": "GPL-2.0-only", "gpl-3.0": "GPL-3.0-only", "lgpl-2.1": "LGPL-2.1-only",
                   "lgpl-3.0": "LGPL-3.0-only", "agpl-3.0": "AGPL-3.0-only", "bsd-license": "BSD-2-Clause",
                   "mit-license": "MIT", "apache2.0": "Apache-2.0"})

# --- context ----------------------------------------------------------------------
# The page speaks about itself: only then is a body sentence the page's licence.
_DECLARATION_RE = re.compile(
    r"\b(?:this|the)\s+(?:work|page|site|website|web\s*site|blog|weblog|article|post|content|text|"
    r"document|material|wiki|podcast|episode|entry|story|publication|book)s?\b|"
    r"\b(?:content|contents|text|texts|material|articles|posts)\s+(?:on|of|in|from)\s+(?:this|the|our)\b|"
    r"\ball\s+(?:content|contents|text|texts|posts|material|articles|original)\b|"
    r"\b(?:text|content)\s+is\s+available\s+under|\bunless\s+otherwise\s+(?:noted|stated|specified|indicated|"
    r"mentioned)|\bexcept\s+where\s+otherwise\s+noted|\bour\s+(?:content|texts?|articles?|work)\b|"
    r"\bsite\s+content\b|\b(?:user|community)\s+(?:contributions|content)\b|"
    r"\bdies(?:e[rsm]?)?\s+(?:werk|seite|website|webseite|homepage|blog|weblog|artikel|beitrag|beiträge|"
    r"inhalte?|arbeit|texte?|podcast|wiki|ausgabe|episode|folge|publikation|buch)|"
    r"\binhalte?\s+(?:dieser|dieses|auf|von|der)\b|\balle\s+(?:inhalte|texte|beiträge|artikel|rechte)\b|"
    r"\bder\s+inhalt\b|\b(?:soweit|sofern|wenn|falls)\s+nicht\s+anders|\bunsere\s+(?:texte|inhalte|beiträge)|"
    r"\btexte\s+(?:auf|dieser)\b|"
    r"\bce(?:tte|t)?\s+(?:œuvre|oeuvre|site|page|article|contenu|blog|texte)|\bsauf\s+mention\s+contraire|"
    r"\b(?:este|esta)\s+(?:obra|sitio|p[áa]gina|blog|art[íi]culo|contenido|web)|"
    r"\bsalvo\s+(?:que\s+se\s+indique|indicaci[óo]n|diversa\s+indicazione)|"
    r"\bel\s+(?:texto|contenido)\s+est[áa]\s+disponible|\bo\s+texto\s+ye\s+disponible|"
    r"\bquest[oa]\s+(?:opera|sito|blog|articolo)|\bdit\s+werk\b|\bdeze\s+(?:site|website)\b|"
    r"\bniniejsz[ay]\s+(?:utw[óo]r|strona)",
    re.IGNORECASE,
)
_GENERIC_RE = re.compile(
    r"licen[cs]ed\s+under|available\s+under|released\s+under|published\s+under|distributed\s+under|"
    r"lizenziert|lizenz|steht\s+unter|stehen\s+unter|ver[öo]ffentlicht\s+unter|unter\s+(?:einer|der)|"
    r"sous\s+(?:licence|la\s+licence|contrat)|bajo\s+(?:una|la)\s+licencia|disponible|licencia|licence|"
    r"license|copyright|©|&copy;",
    re.IGNORECASE,
)
# Somebody else's work used on the page (photo credit, TASL attribution of a quoted work).
_CREDIT_RE = re.compile(
    r"\b(?:foto|fotos|photo|photos|photograph|bild|bilder|image|images|picture|pic|abbildung|grafik|"
    r"graphic|illustration|icon|titelbild|beitragsbild|headerbild|bildnachweis|bildquelle|bildrechte|"
    r"credits?|quelle|source|map|karte|tiles|data|video|screenshot|logo|cover|artwork|photographer|"
    r"fotograf|musik|music|song|track|sound|audio|headerimage|header\s+image|titelfoto|kartendaten)\b|"
    r"\bvia\s+(?:wikimedia|flickr|wikipedia|unsplash|pixabay)|\bhere\s+cropped|\bis\s+licensed\s+via|"
    r"[\"“”„»«][^\"“”„»«]{1,160}[\"“”„»«]\s*(?:by|von|de|par|di)\s+[^.]{1,80}$",
    re.IGNORECASE,
)
_CREDIT_AFTER_RE = re.compile(r"^[\s\]\)),;]*(?:via\s+(?:wikimedia|flickr|wikipedia)|from\s+wikimedia)",
                              re.IGNORECASE)
_SENTENCE_BREAK_RE = re.compile(r"[.!?](?=\s+[A-ZÄÖÜ])|\n|\|")

_FOOTER_LOOKBACK = 1500
_CREDIT_LOOKBACK = 1500


@dataclass
class _Candidate:
    spdx: str
    source: str  # meta | link | json-ld | anchor
    tier: int  # 3 head markup, 2 footer/sidebar, 1 body
    evidence: int
    pos: int


def known_license_url(url: str) -> str | None:
    """SPDX id for a CC or well-known licence URL (gnu.org, opensource.org, apache.org, ...)."""
    cc = parse_cc_url(url)
    if cc:
        return cc
    for rx, spdx in _KNOWN_URL_RES:
        m = rx.search(url)
        if not m:
            continue
        if spdx is None:
            kind, version = m.group(1).upper(), m.group(2)
            kind = "GFDL" if kind == "FDL" else kind
            return f"{kind}-{version}-only"
        if spdx == "spdx":
            return _SPDX_CASE.get(m.group(1).lower())
        return spdx
    return None


def _license_from_value(value: str) -> str | None:
    """A licence from a markup value: a URL, a CC name, or an SPDX-looking id."""
    value = value.strip()
    if not value:
        return None
    found = known_license_url(value)
    if found:
        return found
    m = CC_MENTION_RE.search(value)
    if m:
        return parse_cc_name(value[m.start():])
    return _SPDX_CASE.get(value.lower())


def _attrs(tag: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for m in _ATTR_RE.finditer(tag):
        name = m.group(1).lower()
        if name not in out:
            val = m.group(2) if m.group(2) is not None else m.group(3) if m.group(3) is not None else m.group(4)
            out[name] = html_lib.unescape(val)
    return out


def _text(fragment: str) -> str:
    """Visible text of an HTML fragment (tags dropped, entities decoded, spaces collapsed)."""
    gt, lt = fragment.find(">"), fragment.find("<")
    if gt != -1 and (lt == -1 or gt < lt):  # fragment starts inside a tag
        fragment = fragment[gt + 1:]
    lt = fragment.rfind("<")
    if lt != -1 and fragment.find(">", lt) == -1:  # ends inside a tag
        fragment = fragment[:lt]
    return _WS_RE.sub(" ", html_lib.unescape(_TAG_RE.sub(" ", fragment))).strip()


def _last_segment(text: str) -> str:
    """The end of ``text`` after its last sentence break (the clause leading to a link)."""
    last = None
    for last in _SENTENCE_BREAK_RE.finditer(text):
        pass
    return text[last.end():] if last else text


_ATTR_TAIL_RE = re.compile(r"""\s([\w:\-]+)\s*=\s*["']?[^"'<>=]*$""")
_STRUCT_ATTRS = frozenset({"class", "id", "role"})


def _tag_marker(low: str, lo: int, hi: int, literals: tuple[str, ...]) -> int:
    """Offset of the last ``literal`` in low[lo:hi] inside a class/id/role attribute value."""
    best = -1
    for lit in literals:
        i = low.rfind(lit, lo, hi)
        while i > best:
            lt = low.rfind("<", lo, i)
            if lt > low.rfind(">", lo, i):
                m = _ATTR_TAIL_RE.search(low, lt, i)
                if m and m.group(1) in _STRUCT_ATTRS:
                    best = i
                    break
            i = low.rfind(lit, lo, i)
    return best


_CREDIT_CLASSES = ("caption", "attribution", "credit", "bildnachweis", "image-source", "copyright-image")
_FOOTER_MARKS = ("footer", "sidebar", "widget", "copyright", "colophon", "site-info", "contentinfo",
                 "complementary", "license", "licence", "lizenz", "impressum", "bottom", "legal")


def _in_credit(low: str, pos: int) -> bool:
    """Inside a <figure>/<figcaption>, or shortly after a caption/attribution/credit class."""
    lo = max(0, pos - _CREDIT_LOOKBACK)
    fig = max(low.rfind("<figure", lo, pos), low.rfind("<figcaption", lo, pos))
    if fig >= 0 and max(low.rfind("</figure", fig, pos), low.rfind("</figcaption", fig, pos)) < 0:
        return True
    return _tag_marker(low, max(0, pos - 600), pos, _CREDIT_CLASSES) >= 0


def _in_footer(low: str, pos: int) -> bool:
    lo = max(0, pos - _FOOTER_LOOKBACK)
    if low.rfind("<footer", lo, pos) >= 0 or low.rfind("<aside", lo, pos) >= 0:
        return True
    if _tag_marker(low, lo, pos, _FOOTER_MARKS) >= 0:
        return True
    n = len(low)
    return pos > n - 1000 and n > 5000  # the very end of a long page is its footer


def _inside(low: str, pos: int, open_tag: str, close_tag: str) -> bool:
    return low.rfind(open_tag, 0, pos) > low.rfind(close_tag, 0, pos)


def _is_credit(before: str) -> bool:
    """Credit words in the clause right before a licence ("Foto: X, CC BY", "“T” by A is ...")."""
    clause = before[before.rfind(";") + 1:][-120:]
    return _CREDIT_RE.search(clause) is not None


def _context(page: str, start: int, end: int) -> tuple[str, str]:
    """(clause before ``start``, text right after ``end``) as visible text."""
    before = _last_segment(_text(page[max(0, start - 400):start]))[-250:]
    after = _text(page[end:end + 120])
    return before, after


def _positions(low: str, literal: str) -> Iterator[int]:
    """Every offset of ``literal`` in ``low`` (str.find is far faster than a regex scan)."""
    i = low.find(literal)
    while i != -1:
        yield i
        i = low.find(literal, i + 1)


def _head_candidates(page: str, low: str) -> Iterator[_Candidate]:
    head_end = low.find("</head")
    head = low[:head_end] if head_end != -1 else low
    for pos in _positions(head, "<link"):
        end = low.find(">", pos)
        if end == -1:
            break
        tag = low[pos:end]
        if "licen" not in tag and "copyright" not in tag:
            continue
        a = _attrs(page[pos:end + 1])
        rel = a.get("rel", "").lower()
        if ("license" in rel or "licence" in rel or "copyright" in rel) and a.get("href"):
            spdx = known_license_url(a["href"])
            if spdx:
                yield _Candidate(spdx, "link", 3, 3, pos)
    for pos in _positions(head, "<meta"):
        end = low.find(">", pos)
        if end == -1:
            break
        tag = low[pos:end]
        if "licen" not in tag and "rights" not in tag and "copyright" not in tag:
            continue
        a = _attrs(page[pos:end + 1])
        key = (a.get("name") or a.get("property") or a.get("itemprop") or a.get("rel") or "").lower()
        if key in _META_NAMES:
            spdx = _license_from_value(a.get("content") or a.get("href") or "")
            if spdx:
                yield _Candidate(spdx, "meta", 3, 3, pos)


def _jsonld_candidates(page: str, low: str) -> Iterator[_Candidate]:
    for pos in _positions(low, "application/ld+json"):
        start = low.find(">", pos)
        end = low.find("</script", start)
        if start == -1 or end == -1:
            continue
        if "licen" not in low[start:end]:
            continue
        try:
            data = json.loads(page[start + 1:end], strict=False)
        except ValueError:
            continue
        for value in _jsonld_licenses(data, 0):
            spdx = _license_from_value(value)
            if spdx:
                yield _Candidate(spdx, "json-ld", 3, 3, pos)


def _jsonld_licenses(node: Any, depth: int) -> Iterator[str]:
    """``license`` values of page-level JSON-LD nodes (media objects are image credits)."""
    if depth > 8:
        return
    if isinstance(node, list):
        for item in node:
            yield from _jsonld_licenses(item, depth + 1)
        return
    if not isinstance(node, dict):
        return
    types = node.get("@type", "")
    types = [types] if isinstance(types, str) else types if isinstance(types, list) else []
    if any(isinstance(t, str) and t.lower() in _JSONLD_MEDIA_TYPES for t in types):
        return
    for key, value in node.items():
        if key.lower() in ("license", "http://schema.org/license", "https://schema.org/license"):
            for v in value if isinstance(value, list) else [value]:
                if isinstance(v, str):
                    yield v
                elif isinstance(v, dict):
                    for k in ("@id", "url", "name"):
                        if isinstance(v.get(k), str):
                            yield v[k]
        elif isinstance(value, (dict, list)):
            yield from _jsonld_licenses(value, depth + 1)


def _anchor_candidates(page: str, low: str) -> Iterator[_Candidate]:
    """Anchors whose href is a licence URL, or that carry rel=license."""
    hits = [p for lit in _CC_URL_LITERALS for p in _positions(low, lit)]
    hits += [p for p in _positions(low, "rel=") if _REL_LICENSE_RE.match(page, p)]
    starts: set[int] = set()
    for hit in hits:
        lt = low.rfind("<", 0, hit)
        if lt != -1 and low.find(">", lt, hit) == -1 and low.startswith("<a", lt) \
                and low[lt + 2:lt + 3] in " \t\n\r":
            starts.add(lt)
    for start in sorted(starts):
        tag_end = page.find(">", start)
        if tag_end == -1:
            continue
        attrs = _attrs(page[start:tag_end + 1])
        close = _ANCHOR_CLOSE_RE.search(page, tag_end, tag_end + 3000)
        inner = page[tag_end + 1:close.start() if close else tag_end + 1]
        end = close.end() if close else tag_end + 1
        inner_text = _text(inner)
        rel = "licen" in attrs.get("rel", "").lower()
        spdx = known_license_url(attrs.get("href", ""))
        named = None
        mm = CC_MENTION_RE.search(inner_text)
        if mm:
            named = parse_cc_name(inner_text[mm.start():])
        if spdx is None:
            if not rel:
                continue  # the licence URL was only in a title/data attribute
            spdx = named
            if spdx is None:
                continue
        elif not spdx.startswith("CC") and not rel:
            continue  # a plain link to a GNU/OSI page is not a declaration
        if _inside(low, start, "<script", "</script"):
            continue  # markup inside JavaScript strings (map tile attributions, widgets)
        if _in_credit(low, start):
            continue
        before, after = _context(page, start, end)
        if _is_credit(before) or _CREDIT_AFTER_RE.search(after):
            continue
        evidence = 0
        if rel:
            evidence += 3
        if _DECLARATION_RE.search(before) or _DECLARATION_RE.search(inner_text):
            evidence += 3
        elif _GENERIC_RE.search(before):
            evidence += 1
        badge = False
        for im in _IMG_RE.finditer(inner):
            ia = _attrs(im.group(0))
            blob = (ia.get("src", "") + " " + ia.get("alt", "") + " " + ia.get("title", "")).lower()
            if "creativecommons" in blob or "creative commons" in blob or "licensebuttons" in blob \
                    or re.search(r"\bcc[\s\-_]?(?:by|0|zero)", blob):
                badge = True
        if badge or named:
            evidence += 1
        evidence += 1 if known_license_url(attrs.get("href", "")) else 0
        tier = 2 if _in_footer(low, start) else 1
        if tier == 1 and not (rel or _DECLARATION_RE.search(before)):
            continue  # a body link to a licence is not a declaration by itself
        yield _Candidate(spdx, "anchor", tier, evidence, start)


def _sentence_candidates(page: str, low: str) -> Iterator[_Candidate]:
    """Sentences naming a CC licence for this page, with or without a link."""
    hits = sorted({p for lit in _MENTION_LITERALS for p in _positions(low, lit)})
    for pos in hits:
        if pos and low[pos - 1].isalnum():
            continue
        if not CC_MENTION_RE.match(page, pos):
            continue
        if page.rfind("<", 0, pos) > page.rfind(">", 0, pos):
            continue  # inside a tag or comment (alt text, attribute, <!-- -->)
        if _inside(low, pos, "<script", "</script") or _inside(low, pos, "<style", "</style"):
            continue
        before, _ = _context(page, pos, pos)
        if not _DECLARATION_RE.search(before):
            continue
        if _is_credit(before) or _in_credit(low, pos):
            continue
        spdx = parse_cc_name(_text(page[pos:pos + 400]))
        if spdx is None:
            continue
        tier = 2 if _in_footer(low, pos) else 1
        yield _Candidate(spdx, "anchor", tier, 3, pos)


def _family_key(spdx: str) -> str:
    return re.sub(r"-\d\.\d.*$", "", spdx)


def detect_html_license(
    html: str, max_chars: int = 3_000_000, sources: Collection[str] | None = None
) -> tuple[str, str] | None:
    """(SPDX id, source) of the licence the page declares for itself, or None.

    source is ``link``, ``meta``, ``json-ld`` (head markup) or ``anchor`` (an anchor or a
    licence sentence in the footer or body). ``sources`` restricts which may count.
    """
    if not html:
        return None
    page = html[:max_chars]
    if not any(lit in page for lit in _PREFILTER_LITERALS):
        return None
    # ASCII fold keeps positions identical to ``page`` (str.lower can change lengths).
    low = page.encode("ascii", "replace").decode("ascii").lower()
    cands: list[_Candidate] = list(_head_candidates(page, low))
    cands.extend(_jsonld_candidates(page, low))
    cands.extend(_anchor_candidates(page, low))
    cands.extend(_sentence_candidates(page, low))
    if sources is not None:
        cands = [c for c in cands if c.source in sources]
    if not cands:
        return None
    votes: dict[str, int] = {}
    for c in cands:
        votes[c.spdx] = votes.get(c.spdx, 0) + 1
    best = max(cands, key=lambda c: (c.tier, c.evidence, votes[c.spdx], -c.pos))
    spdx = best.spdx
    if not any(ch.isdigit() for ch in spdx.replace("CC0", "")):
        # Versionless name ("CC BY-SA"): take the version from a link of the same family.
        same = [c for c in cands if c.spdx != spdx and _family_key(c.spdx) == spdx]
        if same:
            spdx = max(same, key=lambda c: (c.tier, c.evidence, votes[c.spdx], -c.pos)).spdx
    return spdx, best.source
