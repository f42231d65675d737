"""Creative Commons licence names and URLs -> SPDX ids.

Two spellings of the same licence show up on web pages: the deed / legal-code URL
(``creativecommons.org/licenses/by-nc-sa/3.0/de/``) and a human sentence
("Creative Commons Namensnennung - Keine Bearbeitung 3.0 Deutschland"). Both are
resolved here to one SPDX-style id: ``CC-<TYPE>-<version>[-<PORT>]`` (``CC-BY-4.0``,
``CC-BY-NC-SA-3.0-DE``), ``CC0-1.0`` or ``CC-PDM-1.0``. When the page names a licence
without its version ("CC BY-SA") the id has no version (``CC-BY-SA``): the family is
known, the exact legal code is not, and we do not guess one.
"""

from __future__ import annotations

import re

# Licence types as written in CC URLs, canonical order (by-nd-nc was the 1.0 spelling).
_URL_TYPES = {
    "by": "BY",
    "by-sa": "BY-SA",
    "by-nc": "BY-NC",
    "by-nd": "BY-ND",
    "by-nc-sa": "BY-NC-SA",
    "by-nc-nd": "BY-NC-ND",
    "by-nd-nc": "BY-NC-ND",
    "by-sa-nc": "BY-NC-SA",
}

# ``creativecommons.org/licenses/<type>[/<version>[/<port>]]``, ``/publicdomain/zero|mark/1.0``
# and the badge hosts (i.creativecommons.org/l/..., licensebuttons.net/l/...).
CC_URL_RE = re.compile(
    r"(?:creativecommons\.org|licensebuttons\.net)/"
    r"(?:(?:licenses|l)/(?P<type>by(?:-(?:nc|nd|sa)){0,2})(?=[/\s\"'#?]|$)"
    r"(?:/(?P<version>[1-4]\.[0-5]))?(?:/(?P<port>[a-z]{2}(?:-[a-z]{2})?|igo|scotland)(?=[/\s\"'#?]|$))?"
    r"|(?:publicdomain|p)/(?P<pd>zero|mark)(?:/(?P<pdversion>1\.0))?)",
    re.IGNORECASE,
)

# Ports whose URL segment is not a language code of a deed page ("deed.de" is a language).
_PORT_NAMES = {
    "deutschland": "DE", "germany": "DE", "allemagne": "DE",
    "österreich": "AT", "oesterreich": "AT", "austria": "AT", "autriche": "AT",
    "schweiz": "CH", "switzerland": "CH", "suisse": "CH", "svizzera": "CH",
    "france": "FR", "frankreich": "FR",
    "españa": "ES", "spain": "ES", "spanien": "ES",
    "italia": "IT", "italy": "IT", "italien": "IT",
    "nederland": "NL", "netherlands": "NL", "niederlande": "NL",
    "polska": "PL", "poland": "PL", "polen": "PL",
    "united states": "US", "usa": "US", "england and wales": "UK", "scotland": "SCOTLAND",
    "australia": "AU", "brasil": "BR", "brazil": "BR", "canada": "CA", "japan": "JP",
    "igo": "IGO",
}


def cc_id(kind: str, version: str | None = None, port: str | None = None) -> str:
    """SPDX-style id for a CC licence type ('BY-NC-SA', 'ZERO', 'MARK')."""
    kind = kind.upper()
    if kind == "ZERO":
        return "CC0-" + (version or "1.0")
    if kind == "MARK":
        return "CC-PDM-" + (version or "1.0")
    out = "CC-" + kind
    if version:
        out += "-" + version
        if port:
            out += "-" + port.upper()
    return out


def parse_cc_url(url: str) -> str | None:
    """SPDX id from a CC deed / legal-code / badge URL, None if it names no licence."""
    m = CC_URL_RE.search(url)
    if not m:
        return None
    if m.group("pd"):
        return cc_id(m.group("pd"), m.group("pdversion"))
    kind = _URL_TYPES.get(m.group("type").lower())
    if kind is None:
        return None
    return cc_id(kind, m.group("version"), m.group("port"))


# --- names in prose ---------------------------------------------------------------
# Each element, across the languages CC deeds are translated into. A lower-case "by" is
# an English preposition, so BY alone needs the upper-case token or a following element.
_ELEMENT_RES = {
    "BY": r"(?-i:BY)|by(?=[\s\-_/]*(?:sa|nc|nd)\b)|attribution|namensnennung|atribuci[oó]n|"
    r"reconocimiento|paternit[eé]|attribuzione|naamsvermelding|uznanie\s+autorstwa|atribui[cç][aã]o",
    "SA": r"sa|share[\s\-]*alike|weitergabe\s+unter\s+gleichen\s+bedingungen|compartir[\s\-]*igual|"
    r"partage\s+dans\s+les\s+m[eê]mes\s+conditions|condividi\s+allo\s+stesso\s+modo|gelijk\s+delen|"
    r"na\s+tych\s+samych\s+warunkach|compartilha(?:\s*igual)?",
    "NC": r"nc|non[\s\-]*commercial|nicht[\s\-]*kommerziell|keine\s+kommerzielle\s+nutzung|"
    r"no[\s\-]*comercial|pas\s+d.utilisation\s+commerciale|non\s+commerciale|niet[\s\-]*commercieel|"
    r"użycie\s+niekomercyjne|n[aã]o\s*comercial",
    "ND": r"nd|no[\s\-]*deriv(?:ative)?s|no[\s\-]*derivative\s+works|keine\s+bearbeitung(?:en)?|"
    r"sin\s*obra\s*derivada|sin\s*derivadas|pas\s+de\s+modification|non\s+opere\s+derivate|"
    r"geen\s+afgeleide\s+werken|bez\s+utworów\s+zależnych|sem\s*deriva[cç][oõ]es",
}
_ELEMENT_SCAN = re.compile(
    "|".join(f"(?P<{k}>\\b(?:{v})\\b)" for k, v in _ELEMENT_RES.items()), re.IGNORECASE
)
_LEADING_BY_RE = re.compile(r"[\s\-_]*by\b", re.IGNORECASE)
_VERSION_RE = re.compile(r"(?<![\d.])([1-4][.,][0-5])(?!\d)")
# CC jurisdiction ports; the ones that are also English words must be written upper-case.
_PORT_CODES = frozenset(
    "ar at au az be bg br ca ch cl cn co cr cz de dk ec ee eg es eu fi fr ge gr gt hk hr hu ie il in "
    "it jo jp kr lu mk mt mx my nl no nz pe ph pl pr pt ro rs se sg si sk th tw ua ug uk us ve vn za".split()
)
_AMBIGUOUS_PORTS = frozenset({"at", "in", "it", "no", "be", "my", "us", "se", "is"})
_PORT_AFTER_VERSION_RE = re.compile(r"\s*[\-(/]?\s*([a-z]{2})\b", re.IGNORECASE)
_PORT_NAME_RE = re.compile(
    r"\b(" + "|".join(sorted((re.escape(k) for k in _PORT_NAMES), key=len, reverse=True)) + r")\b",
    re.IGNORECASE,
)
_NO_PORT_RE = re.compile(r"\b(?:unported|international|generic|intl|universal)\b", re.IGNORECASE)
# Where a mention of CC starts: "Creative Commons", "CC BY...", "CC0", "CC-PDM".
CC_MENTION_RE = re.compile(
    r"creative[\s\-_]*commons|\bcc[\s\-]*(?:by\b|0\b|zero\b|pdm\b|attribution\b)", re.IGNORECASE
)
_ZERO_RE = re.compile(r"\W*(?:0\b|zero\b|cc[\s\-]*0\b|public\s+domain\s+dedication)", re.IGNORECASE)
_MARK_RE = re.compile(r"\W*(?:pdm\b|public\s+domain\s+mark)", re.IGNORECASE)
# A licence name ends at a sentence break; versions contain '.' followed by a digit.
_NAME_END_RE = re.compile(r"[.;:!?|\]\[](?!\d)|\n|\(c\)|©")


def parse_cc_name(text: str) -> str | None:
    """SPDX id from prose that starts at a CC mention.

    ``text`` should begin at "Creative Commons" / "CC" (see ``CC_MENTION_RE``); only the
    licence name up to the end of its sentence is read, so "CC BY-SA 3.0. Photo: CC BY"
    gives ``CC-BY-SA-3.0``. Returns None for a bare "Creative Commons licence".
    """
    m = CC_MENTION_RE.match(text)
    if not m:
        return None
    # After "Creative Commons" read on; after "CC" keep the element ("CC BY", "CC0").
    start = m.end() if m.group(0).lower().startswith("creative") else 2
    end = _NAME_END_RE.search(text, start, start + 160)
    name = text[start : end.start() if end else start + 160]
    if _MARK_RE.match(name):
        return cc_id("MARK", _version(name))
    if _ZERO_RE.match(name):
        return cc_id("ZERO", _version(name))
    found: set[str] = set()
    pos = 0
    lead = _LEADING_BY_RE.match(name)
    if lead:
        found.add("BY")
        pos = lead.end()
    last = pos
    for em in _ELEMENT_SCAN.finditer(name, pos):
        # Elements follow each other closely ("BY-NC-SA", "Namensnennung - Keine ...").
        if em.start() - last > (40 if not found else 25):
            break
        found.add(em.lastgroup)
        last = em.end()
    if "BY" not in found:
        return None
    kind = "-".join(k for k in ("BY", "NC", "ND", "SA") if k in found)
    if kind in ("BY-ND-SA", "BY-NC-ND-SA"):
        return None  # contradictory: no such licence
    version = _version(name)
    port = None
    if version:
        vm = _VERSION_RE.search(name)
        tail = name[vm.end() :]
        pm = _PORT_NAME_RE.search(tail, 0, 30)
        if pm:
            port = _PORT_NAMES[pm.group(1).lower()]
        elif not _NO_PORT_RE.search(tail, 0, 30):
            cm = _PORT_AFTER_VERSION_RE.match(tail)
            if cm:
                code = cm.group(1)
                if code.lower() in _PORT_CODES and (code.isupper() or code.lower() not in _AMBIGUOUS_PORTS):
                    port = code
    return cc_id(kind, version, port)


def _version(name: str) -> str | None:
    vm = _VERSION_RE.search(name)
    return vm.group(1).replace(",", ".") if vm else None
