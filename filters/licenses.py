"""Licence stage: the page's licence as an SPDX id, from HTML markup or from its text.

Order of evidence (first hit wins):

1. what the HTML declares for the page (``filters.license_html``): head markup
   (``<link rel=license>``, ``<meta name=license|dc.rights|og:license>``, JSON-LD), then
   footer/sidebar, then body anchors and licence sentences; image credits and mere
   links to creativecommons.org do not count;
2. a whole licence text inside the extracted text (``filters.license_text``), e.g. a
   LICENSE page or a CC legal code.

Writes ``license`` (SPDX id or None) and ``license_source`` (meta | link | json-ld |
anchor | text). The policy stage decides what to keep, usually via ``license_family``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable

from filters.base import Document
from filters.license_html import detect_html_license
from filters.license_text import LicenseTextMatcher, detect_text_license

__all__ = [
    "LicenseConfig",
    "LicenseTagger",
    "detect_html_license",
    "detect_text_license",
    "license_family",
    "FAMILIES",
]

HTML_SOURCES = ("meta", "link", "json-ld", "anchor")
ALL_SOURCES = HTML_SOURCES + ("text",)

# Every value license_family can return (the policy stage allows/denies by these names).
FAMILIES = (
    "cc-by", "cc-by-sa", "cc-by-nc", "cc-by-nd", "cc-by-nc-sa", "cc-by-nc-nd", "cc0",
    "public-domain", "permissive", "weak-copyleft", "copyleft", "other", "none",
)

_PERMISSIVE = frozenset({
    "MIT", "MIT-0", "Apache-2.0", "BSD-2-Clause", "BSD-3-Clause", "BSD-3-Clause-Clear",
    "BSD-4-Clause", "BSD-2-Clause-Patent", "ISC", "0BSD", "Zlib", "BSL-1.0", "PostgreSQL",
    "Python-2.0", "Unlicense", "WTFPL", "NCSA", "UPL-1.0", "AFL-3.0", "Artistic-2.0",
    "BlueOak-1.0.0", "ECL-2.0", "MulanPSL-2.0", "CERN-OHL-P-2.0", "LPPL-1.3c", "X11",
    "ODC-By-1.0",
})
_WEAK_COPYLEFT = frozenset({
    "LGPL-2.0", "LGPL-2.1", "LGPL-3.0", "MPL-1.1", "MPL-2.0", "EPL-1.0", "EPL-2.0", "CDDL-1.0",
    "CDDL-1.1", "MS-PL", "MS-RL", "CERN-OHL-W-2.0", "OFL-1.1",
})
_COPYLEFT = frozenset({
    "GPL-1.0", "GPL-2.0", "GPL-3.0", "AGPL-3.0", "EUPL-1.1", "EUPL-1.2", "OSL-3.0", "CECILL-2.1",
    "CERN-OHL-S-2.0", "GFDL-1.1", "GFDL-1.2", "GFDL-1.3", "ODbL-1.0",
})
_PUBLIC_DOMAIN = frozenset({"CC-PDM-1.0", "PDDL-1.0", "CC-PDDC"})
_CC_FAMILIES = ("BY-NC-SA", "BY-NC-ND", "BY-NC", "BY-ND", "BY-SA", "BY")


def license_family(spdx_id: str | None) -> str:
    """Coarse family of an SPDX id, one of ``FAMILIES`` (unknown ids are ``other``)."""
    if not spdx_id:
        return "none"
    if spdx_id.startswith("CC0"):
        return "cc0"
    if spdx_id.startswith("CC-BY"):
        rest = spdx_id[3:]
        for kind in _CC_FAMILIES:
            if rest == kind or rest.startswith(kind + "-"):
                return "cc-" + kind.lower()
        return "other"
    if spdx_id in _PUBLIC_DOMAIN:
        return "public-domain"
    if spdx_id in _PERMISSIVE:
        return "permissive"
    # GNU ids: strip -only / -or-later / + before looking up.
    base = spdx_id.removesuffix("+").removesuffix("-only").removesuffix("-or-later")
    if base in _WEAK_COPYLEFT:
        return "weak-copyleft"
    if base in _COPYLEFT:
        return "copyleft"
    return "other"


@dataclass(frozen=True)
class LicenseConfig:
    """Licence detection settings (YAML section ``licenses``)."""

    enabled: bool = True
    # Which kinds of evidence may set the licence: meta, link, json-ld, anchor (HTML
    # markup and licence sentences in the page), text (a whole licence text in `text`).
    sources: list[str] = field(default_factory=lambda: list(ALL_SOURCES))
    # Share of a canonical licence's word 3-grams that must be present in the text.
    # Distinct licences of one family overlap up to ~0.99 (CC BY inside CC BY-NC), which
    # the best-match rule resolves; the threshold only decides "is a licence here at all".
    text_threshold: float = 0.85
    # Only the first N characters are scanned (pages beyond a few MB are not prose).
    max_html_chars: int = 3_000_000
    max_text_chars: int = 1_000_000

    def __post_init__(self) -> None:
        unknown = sorted(set(self.sources) - set(ALL_SOURCES))
        if unknown:
            raise ValueError(f"unknown licence sources {unknown}; known: {list(ALL_SOURCES)}")
        if not 0.0 < self.text_threshold <= 1.0:
            raise ValueError("text_threshold must be in (0, 1]")


class LicenseTagger:
    """Tagger: sets ``license`` / ``license_source``; label = the SPDX id or ``none``."""

    def __init__(self, config: LicenseConfig | None = None) -> None:
        self.config = config or LicenseConfig()
        self._sources = frozenset(self.config.sources)
        self._use_html = bool(self._sources & set(HTML_SOURCES))
        self._matcher = (
            LicenseTextMatcher(threshold=self.config.text_threshold)
            if "text" in self._sources and self.config.enabled
            else None
        )

    def detect(self, html: str | None, text: str | None) -> tuple[str, str] | None:
        """(spdx, source) from the page's HTML, else from its text; None if neither."""
        if self._use_html and html:
            found = detect_html_license(html, self.config.max_html_chars, self._sources)
            if found:
                return found
        if self._matcher is not None and text:
            spdx = self._matcher.match(text[: self.config.max_text_chars])
            if spdx:
                return spdx, "text"
        return None

    def tag(self, doc: Document) -> Iterable[str]:
        if not self.config.enabled:
            return []
        found = self.detect(doc.get("_html"), doc.get("text"))
        doc["license"], doc["license_source"] = found if found else (None, None)
        return [found[0] if found else "none"]
