"""Tag-then-filter policy: one place that turns signal columns into keep / reject.

Every stage before this one only measures (taggers never drop). `Policy.decide` reads
those columns and returns the reject reason of the first failing rule, or None to
keep. Rules run in a fixed order (`RULE_ORDER`, documented in docs/policy.md) so a
document rejected for several reasons always reports the same one. A null column
(stage not run, or nothing measured) never fails a rule unless the config says so
(`require_license`, `require_language`).

`decide` is cheap: a handful of dict lookups and comparisons; licence families are
memoised per SPDX id, threshold rules are flattened to tuples in ``__init__``.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from typing import Any, Callable, Optional

import pyarrow as pa

from schemas.documents import DOCUMENT_SCHEMA

log = logging.getLogger(__name__)

Document = dict[str, Any]

# Families whose licences forbid commercial use or derivatives: not trainable by default.
DEFAULT_DENIED_FAMILIES = ["cc-by-nc", "cc-by-nd", "cc-by-nc-sa", "cc-by-nc-nd"]

RULE_ORDER = (
    "dedup",
    "language",
    "length",
    "license",
    "secrets",
    "pii",
    "poisoning",
    "quality",
    "heuristics",
)

# Reject reasons written by stages before the policy; `crawlsift filter` must not re-decide them.
STICKY_PREFIXES = ("extract:",)


def is_sticky(reason: str | None) -> bool:
    """A reject reason a re-filter keeps: decided before any signal existed (extraction),
    or `<stage>:failed` (a stage raised; the text may have been withheld)."""
    return bool(reason) and (reason.startswith(STICKY_PREFIXES) or reason.endswith(":failed"))


@dataclass(frozen=True)
class Bounds:
    """Inclusive bounds on one numeric column: value < min or value > max fails."""

    min: Optional[float] = None
    max: Optional[float] = None


# Published document-level thresholds, expressed over our heuristic columns.
# Gopher: Rae et al. 2021 (MassiveText) quality + repetition rules, values as in datatrove.
# C4: Raffel et al. 2020, only its document-level rules (line-level removals are not
# applied by crawlsift). FineWeb: Penedo et al. 2024 custom filters.
PRESETS: dict[str, dict[str, Bounds]] = {
    "gopher_quality": {
        "gopher_word_count": Bounds(min=50, max=100_000),
        "gopher_mean_word_length": Bounds(min=3, max=10),
        "gopher_symbol_word_ratio": Bounds(max=0.1),
        "gopher_bullet_lines_ratio": Bounds(max=0.9),
        "gopher_ellipsis_lines_ratio": Bounds(max=0.3),
        "gopher_alpha_words_ratio": Bounds(min=0.8),
        "gopher_stop_word_count": Bounds(min=2),
    },
    "gopher_repetition": {
        "rep_dup_line_frac": Bounds(max=0.3),
        "rep_dup_para_frac": Bounds(max=0.3),
        "rep_dup_line_char_frac": Bounds(max=0.2),
        "rep_dup_para_char_frac": Bounds(max=0.2),
        "rep_top_2gram_char_frac": Bounds(max=0.2),
        "rep_top_3gram_char_frac": Bounds(max=0.18),
        "rep_top_4gram_char_frac": Bounds(max=0.16),
        "rep_dup_5gram_char_frac": Bounds(max=0.15),
        "rep_dup_6gram_char_frac": Bounds(max=0.14),
        "rep_dup_7gram_char_frac": Bounds(max=0.13),
        "rep_dup_8gram_char_frac": Bounds(max=0.12),
        "rep_dup_9gram_char_frac": Bounds(max=0.11),
        "rep_dup_10gram_char_frac": Bounds(max=0.10),
    },
    "c4": {
        "c4_sentence_count": Bounds(min=5),
        "c4_has_lorem_ipsum": Bounds(max=0),
        "c4_has_curly_bracket": Bounds(max=0),
    },
    "fineweb": {
        "fineweb_line_punct_ratio": Bounds(min=0.12),
        "fineweb_short_line_ratio": Bounds(max=0.67),
        "fineweb_dup_line_char_ratio": Bounds(max=0.01),
        "fineweb_newline_word_ratio": Bounds(max=0.3),
    },
}

_NUMERIC_COLUMNS = frozenset(
    f.name
    for f in DOCUMENT_SCHEMA
    if pa.types.is_integer(f.type) or pa.types.is_floating(f.type) or pa.types.is_boolean(f.type)
)


@dataclass(frozen=True)
class PolicyConfig:
    """Keep/drop rules over the signal columns (YAML section ``policy``)."""

    # dedup: drop every document that is not its cluster's representative.
    drop_duplicates: bool = True
    # language: allow-list of ISO 639-1 codes; empty = every language.
    languages: list[str] = field(default_factory=list)
    # Reject documents whose language is null (undetected) when the allow-list is set.
    require_language: bool = False
    # length: minimum n_chars / n_tokens (0 = off).
    min_chars: int = 0
    min_tokens: int = 0
    # licences: SPDX ids and families (filters.licenses.license_family). An allow list,
    # when non-empty, is exclusive; a deny list always wins. Checks apply to documents
    # that carry a licence; `require_license` also rejects licence-less pages.
    license_allow: list[str] = field(default_factory=list)
    license_deny: list[str] = field(default_factory=list)
    license_family_allow: list[str] = field(default_factory=list)
    license_family_deny: list[str] = field(default_factory=lambda: list(DEFAULT_DENIED_FAMILIES))
    require_license: bool = False
    # secrets: reject when secret_count > this; None = never (they are redacted already).
    max_secret_count: Optional[int] = None
    # PII: reject when pii_count per 1,000 characters of n_chars exceeds this; None = off.
    max_pii_per_1k_chars: Optional[float] = 20.0
    # poisoning: reject when poison_score >= this; None = off.
    poison_threshold: Optional[float] = 0.5
    # quality: perplexity ceiling (None = off) and quality buckets to drop (e.g. [tail]).
    max_perplexity: Optional[float] = None
    drop_quality_buckets: list[str] = field(default_factory=list)
    # heuristics: named presets (keys of PRESETS) then per-column bounds that override them.
    presets: list[str] = field(default_factory=list)
    thresholds: dict[str, Bounds] = field(default_factory=dict)

    def __post_init__(self) -> None:
        unknown = sorted(set(self.presets) - set(PRESETS))
        if unknown:
            raise ValueError(f"unknown policy presets {unknown}; known: {sorted(PRESETS)}")
        bad = sorted(c for c in self.thresholds if c not in _NUMERIC_COLUMNS)
        if bad:
            raise ValueError(f"thresholds on unknown or non-numeric columns {bad}")
        for column, bounds in self.thresholds.items():
            if not isinstance(bounds, Bounds):
                raise ValueError(f"thresholds.{column}: expected {{min, max}}, got {bounds!r}")


def _family_function() -> Callable[[str], str]:
    """filters.licenses.license_family, or a CC-only stand-in while that module is absent."""
    try:
        from filters.licenses import license_family
    except ImportError:  # pragma: no cover - depends on the licences stage being installed
        log.warning("filters.licenses not importable: licence families from SPDX id pattern only")
        return _fallback_family
    return license_family


_CC_RE = re.compile(r"^CC-(BY(?:-NC)?(?:-SA|-ND)?)-", re.IGNORECASE)


def _fallback_family(spdx_id: str | None) -> str:
    if not spdx_id:
        return "none"
    upper = spdx_id.upper()
    if upper.startswith("CC0"):
        return "cc0"
    if upper.startswith("CC-PDDC") or upper == "PUBLIC-DOMAIN":
        return "public-domain"
    match = _CC_RE.match(upper)
    return "cc-" + match.group(1).lower() if match else "other"


class Policy:
    """Built once per worker; `decide(doc)` returns None (keep) or '<stage>:<reason>'."""

    def __init__(self, config: PolicyConfig) -> None:
        self.config = config
        c = config
        self._languages = frozenset(c.languages)
        self._lic_allow = frozenset(c.license_allow)
        self._lic_deny = frozenset(c.license_deny)
        self._fam_allow = frozenset(c.license_family_allow)
        self._fam_deny = frozenset(c.license_family_deny)
        self._family_of = _family_function() if (self._fam_allow or self._fam_deny) else None
        self._family_cache: dict[str, str] = {}
        self._drop_buckets = frozenset(c.drop_quality_buckets)
        merged: dict[str, Bounds] = {}
        for name in c.presets:
            merged.update(PRESETS[name])
        merged.update(c.thresholds)
        # (column, min, max) in schema order: a fixed, documented order whatever the YAML order.
        order = {name: i for i, name in enumerate(DOCUMENT_SCHEMA.names)}
        self._bounds: tuple[tuple[str, float | None, float | None], ...] = tuple(
            (col, b.min, b.max)
            for col, b in sorted(merged.items(), key=lambda kv: order[kv[0]])
            if b.min is not None or b.max is not None
        )
        self._checks = tuple(getattr(self, f"_check_{name}") for name in RULE_ORDER)

    def decide(self, doc: Document) -> str | None:
        """Reject reason of the first failing rule in RULE_ORDER, or None to keep."""
        for check in self._checks:
            reason = check(doc)
            if reason is not None:
                return reason
        return None

    def redecide(self, doc: Document) -> str | None:
        """For re-filtering existing output: extraction rejects stay, everything else is re-decided."""
        previous = doc.get("reject_reason")
        if is_sticky(previous):
            return previous
        return self.decide(doc)

    # --- rules, in RULE_ORDER -------------------------------------------------------

    def _check_dedup(self, doc: Document) -> str | None:
        status = doc.get("dup_status")
        if self.config.drop_duplicates and status in ("near_duplicate", "exact_duplicate"):
            return f"dedup:{status}"
        return None

    def _check_language(self, doc: Document) -> str | None:
        if not self._languages:
            return None
        lang = doc.get("language")
        if lang is None:
            return "language:none" if self.config.require_language else None
        return None if lang in self._languages else f"language:{lang}"

    def _check_length(self, doc: Document) -> str | None:
        c = self.config
        n_chars, n_tokens = doc.get("n_chars"), doc.get("n_tokens")
        if c.min_chars and n_chars is not None and n_chars < c.min_chars:
            return "length:too_few_chars"
        if c.min_tokens and n_tokens is not None and n_tokens < c.min_tokens:
            return "length:too_few_tokens"
        return None

    def _family(self, spdx_id: str) -> str:
        family = self._family_cache.get(spdx_id)
        if family is None:
            family = self._family_of(spdx_id)  # type: ignore[misc]
            self._family_cache[spdx_id] = family
        return family

    def _check_license(self, doc: Document) -> str | None:
        spdx_id = doc.get("license")
        if spdx_id is None:
            return "license:none" if self.config.require_license else None
        if spdx_id in self._lic_deny:
            return f"license:{spdx_id}"
        if self._family_of is not None:
            family = self._family(spdx_id)
            if family in self._fam_deny:
                return f"license:{spdx_id}"
        else:
            family = None
        if self._lic_allow or self._fam_allow:
            if spdx_id in self._lic_allow or (family is not None and family in self._fam_allow):
                return None
            return f"license:{spdx_id}"
        return None

    def _check_secrets(self, doc: Document) -> str | None:
        limit = self.config.max_secret_count
        count = doc.get("secret_count")
        if limit is None or count is None or count <= limit:
            return None
        types = doc.get("secret_types") or []
        return f"secrets:{types[0]}" if types else "secrets:unknown"

    def _check_pii(self, doc: Document) -> str | None:
        limit = self.config.max_pii_per_1k_chars
        count, n_chars = doc.get("pii_count"), doc.get("n_chars")
        if limit is None or count is None or not count or not n_chars:
            return None
        return "pii:too_dense" if count * 1000.0 / n_chars > limit else None

    def _check_poisoning(self, doc: Document) -> str | None:
        threshold = self.config.poison_threshold
        score = doc.get("poison_score")
        if threshold is None or score is None or score < threshold:
            return None
        flags = doc.get("poison_flags") or []
        return f"poisoning:{flags[0]}" if flags else "poisoning:score"

    def _check_quality(self, doc: Document) -> str | None:
        ceiling = self.config.max_perplexity
        ppl = doc.get("perplexity")
        if ceiling is not None and ppl is not None and ppl > ceiling:
            return "quality:perplexity"
        bucket = doc.get("quality_bucket")
        if bucket is not None and bucket in self._drop_buckets:
            return f"quality:bucket_{bucket}"
        return None

    def _check_heuristics(self, doc: Document) -> str | None:
        # Columns are numeric by schema (checked in PolicyConfig); bools compare as 0/1 so `max: 0`
        # rejects a True flag, and NaN fails no comparison (treated like null).
        for column, low, high in self._bounds:
            value = doc.get(column)
            if value is None:
                continue
            if (low is not None and value < low) or (high is not None and value > high):
                return f"quality:{column}"
        return None
