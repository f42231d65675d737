"""PII anonymization with presidio-analyzer: offline, deterministic, pre-screened.

What is covered without a NER model (the default):
  e-mail addresses; phone numbers (libphonenumber in the configured regions plus
  phone-shaped digit groups near a phone word); credit-card numbers (Luhn); IBANs
  (ISO 13616 checksum); IPv4/IPv6 addresses (public and, by default, private ranges;
  loopback/unspecified/multicast/reserved are kept; version-like strings such as
  "version 1.2.3.4" are kept); US SSNs (###-##-#### shape, or bare digits next to
  "SSN"/"social security"); Bitcoin (base58check, bech32) and Ethereum addresses;
  user:password in URLs; UK National Insurance numbers, Spanish DNI/NIF and NIE
  (check letter), Italian codice fiscale (check character).
What is NOT covered without a NER model:
  personal names, postal/street addresses, cities and other locations, dates of
  birth, organisations, usernames/handles, and any identifier not listed above
  (passport, driver's licence, bank account and national numbers without a
  checksum). Set ``spacy_model`` to an installed spaCy pipeline (name or path) to add
  ``ner_entities`` (PERSON, LOCATION by default); models are never downloaded.

Detected spans in ``title`` and ``text`` are replaced by ``<ENTITY_TYPE>``
placeholders, or by keyed-hash surrogates (``mode: surrogate``) that are stable for a
given key across documents and runs. Speed comes from a pre-screen: cheap trigger
regexes find the few places that can hold PII ('@', digit runs, dotted quads, long
base58/hex tokens), and presidio only sees small windows around them, grouped per
family of recognizers. Input sizes are bounded and each document has a time budget;
what is left unscanned when the budget runs out is redacted conservatively
(``PII_UNSCANNED``, label ``timeout``), never left in clear silently.
"""

from __future__ import annotations

import bisect
import hashlib
import hmac
import ipaddress
import logging
import re
import time
from dataclasses import dataclass, field
from typing import Iterable, Optional

from filters.base import Document

logger = logging.getLogger(__name__)

DEFAULT_ENTITIES: list[str] = [
    "EMAIL_ADDRESS",
    "PHONE_NUMBER",
    "CREDIT_CARD",
    "IBAN_CODE",
    "IP_ADDRESS",
    "US_SSN",
    "CRYPTO",
    "URL_CREDENTIALS",
    "UK_NINO",
    "ES_NIF",
    "ES_NIE",
    "IT_FISCAL_CODE",
]

# libphonenumber regions tried for numbers written without a country prefix.
DEFAULT_PHONE_REGIONS: list[str] = [
    "US", "GB", "DE", "FR", "ES", "IT", "NL", "BE", "CH", "AT", "IE", "PL", "SE", "BR",
    "MX", "IN", "AU", "CA", "IL", "JP", "ZA", "RU",
]

UNSCANNED = "PII_UNSCANNED"


@dataclass(frozen=True)
class PiiConfig:
    """PII stage settings (YAML section ``pii``)."""

    enabled: bool = True
    # Entity types to anonymize (presidio names plus CRYPTO / URL_CREDENTIALS).
    entities: list[str] = field(default_factory=lambda: list(DEFAULT_ENTITIES))
    # Minimum presidio score (after the context boost) for a span to be anonymized.
    score_threshold: float = 0.4
    # Added to a weak match's score when a context word ("phone", "ssn", ...) is near.
    context_boost: float = 0.35
    # mode "placeholder" writes "<EMAIL_ADDRESS>"; "surrogate" writes keyed-hash look-alikes ("user_3f2a9c@example.invalid").
    mode: str = "placeholder"
    # HMAC key for surrogates; required in surrogate mode. Same key -> same surrogates across runs.
    surrogate_key: str = ""
    # Private ranges (RFC 1918, ULA) identify machines inside a network: anonymize them too.
    redact_private_ips: bool = True
    # Keep dotted quads that read as versions ("version 1.2.3.4", "1.2.3.4-beta", "1.2.3.4.5").
    ip_version_context: bool = True
    phone_regions: list[str] = field(default_factory=lambda: list(DEFAULT_PHONE_REGIONS))
    # libphonenumber leniency 0 (possible) .. 3 (exact grouping); 1 = valid numbers.
    phone_leniency: int = 1
    # Installed spaCy pipeline (package name or path) for NER; None = pattern recognizers only.
    spacy_model: Optional[str] = None
    ner_entities: list[str] = field(default_factory=lambda: ["PERSON", "LOCATION"])
    # Only look at windows around trigger matches (off = analyze whole texts; for benchmarks).
    prescreen: bool = True
    # Longest string handed to presidio in one call (bounds regex work on hostile input).
    max_chunk_chars: int = 2000
    # Characters kept on each side of a trigger match.
    window_chars: int = 24
    # Wall-clock budget per document; past it the rest is redacted conservatively.
    max_doc_seconds: float = 2.0
    # Document columns anonymized.
    fields: list[str] = field(default_factory=lambda: ["title", "text"])

    def __post_init__(self) -> None:
        if self.mode not in ("placeholder", "surrogate"):
            raise ValueError(f"mode must be 'placeholder' or 'surrogate', got {self.mode!r}")
        if self.mode == "surrogate" and not self.surrogate_key:
            raise ValueError("surrogate mode needs a surrogate_key")
        if self.max_chunk_chars < 200:
            raise ValueError("max_chunk_chars must be >= 200")


# --------------------------------------------------------------------------- pre-screen
# family -> (trigger regex, entities its windows are analyzed for). Triggers are linear
# (no nested unbounded repetition) so scanning is O(len(text)) on any input.
_FAMILIES: dict[str, tuple[re.Pattern[str], tuple[str, ...]]] = {
    "at": (
        re.compile(r"[^\s@]{0,80}@[^\s@]{1,300}"),
        ("EMAIL_ADDRESS", "URL_CREDENTIALS"),
    ),
    "number": (
        re.compile(r"(?:\d[ \t\-.()/]{0,3}){6,}"),
        ("PHONE_NUMBER", "CREDIT_CARD", "US_SSN", "IBAN_CODE", "UK_NINO", "ES_NIF", "ES_NIE"),
    ),
    "ip": (
        re.compile(r"\d{1,3}(?:\.\d{1,3}){3}|[0-9A-Fa-f]{0,4}::?[0-9A-Fa-f]{1,4}:[0-9A-Fa-f:.%]{0,60}"),
        ("IP_ADDRESS",),
    ),
    "token": (
        re.compile(
            r"\b(?:[13][1-9A-HJ-NP-Za-km-z]{25,34}|bc1[02-9ac-hj-np-z]{11,71}|0x[0-9a-fA-F]{40}"
            r"|[A-Za-z]{6}\d{2}[A-Za-z]\d{2}[A-Za-z]\d{3}[A-Za-z])\b"
        ),
        ("CRYPTO", "IT_FISCAL_CODE"),
    ),
}

# ------------------------------------------------------------------- context handling
_WORD = re.compile(r"[^\W\d_]+")
_EXTRA_CONTEXT: dict[str, tuple[str, ...]] = {
    "US_SSN": ("ssn", "social", "security", "ssns"),
    "CREDIT_CARD": ("card", "credit", "visa", "mastercard", "amex", "debit"),
    "IP_ADDRESS": ("ip", "ipv4", "ipv6", "address", "host", "server"),
    "CRYPTO": ("wallet", "btc", "bitcoin", "eth", "ethereum", "address"),
}
# Words right before a number that say it is a bibliographic / commercial / technical
# identifier rather than personal data.
_LOOKALIKE_WORDS = frozenset(
    """isbn isbns issn doi pmid arxiv sku skus asin upc ean gtin order orders invoice item
    part model serial ref reference tracking page pages pp p rfc section sec chapter ch
    vol volume art article verse patent case docket ticket lot batch version ver v
    release build rev revision firmware kernel catalog cat product style""".split()
)
_VERSION_WORDS = frozenset(
    "version versions ver v release build rev revision firmware kernel update patch "
    "python node java chrome firefox android ios windows macos linux package section sec clause "
    "para paragraph chapter article rule step table figure fig appendix standard".split()
)
# Too generic to say "this is a phone number" when deciding against a look-alike word.
_NEUTRAL_WORDS = frozenset({"number", "no", "address", "text", "reach"})
_NUMERIC_TYPES = frozenset({"PHONE_NUMBER", "US_SSN", "CREDIT_CARD", "UK_NINO", "ES_NIF", "ES_NIE"})
_DATE_SHAPE = re.compile(
    r"^(?:\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}|(?:1[89]|20)\d\d\s?[-–]\s?(?:1[89]|20)\d\d)$"
)
_CURRENCY_BEFORE = re.compile(r"[$€£¥₹]\s?$|\b(?:usd|eur|gbp|rs|inr)\.?\s?$", re.IGNORECASE)


_ISBN10_SHAPE = re.compile(r"^\d{1,5}[- ]\d{1,7}[- ]\d{1,7}[- ][\dXx]$")
_ISBN13_SHAPE = re.compile(r"^97[89][- ]?(?:\d[- ]?){9}\d$")
_RANGE_SHAPE = re.compile(r"^(\d{3,})\s?[-–]\s?(\d{3,})$")
_DECIMAL_SHAPE = re.compile(r"^\d{1,3}[.,]\d+$")
_DOTTED_3 = re.compile(r"(?<![\d.])\d+\.\d+\.\d+(?![\d.])")


def _isbn_valid(candidate: str) -> bool:
    """ISBN-10 (hyphenated in four groups) or ISBN-13 (978/979) with a valid check digit."""
    chars = [c for c in candidate if c.isdigit() or c in "Xx"]
    if _ISBN10_SHAPE.match(candidate) and len(chars) == 10:
        total = sum((10 - i) * (10 if c in "Xx" else int(c)) for i, c in enumerate(chars))
        return total % 11 == 0
    if _ISBN13_SHAPE.match(candidate) and len(chars) == 13:
        total = sum(int(c) * (1 if i % 2 == 0 else 3) for i, c in enumerate(chars))
        return total % 10 == 0
    return False


def _is_numeric_lookalike(value: str) -> bool:
    """Shapes phone matchers accept that are dates, ISBNs, ranges or decimals in prose."""
    stripped = value.strip("()+ ")
    if _DATE_SHAPE.match(stripped) or _isbn_valid(value) or _DECIMAL_SHAPE.match(value):
        return True
    m = _RANGE_SHAPE.match(value)
    if m and len(m[1]) == len(m[2]) and int(m[2]) > int(m[1]):
        return True
    groups = [int(g) for g in re.findall(r"\d+", value)]
    return len(groups) >= 3 and all(b - a == 1 for a, b in zip(groups, groups[1:]))  # "9 10 11 12"


def _is_year_run(value: str) -> bool:
    """'1900 1901 1902 1903' in a year picker passes Luhn by chance; real cards are not year lists."""
    groups = re.findall(r"\d+", value)
    return len(groups) >= 3 and all(len(g) == 4 and 1700 <= int(g) <= 2199 for g in groups)


def _words_before(text: str, start: int, chars: int) -> list[str]:
    """Lower-cased words in the `chars` characters before `start`, on the same line only."""
    lo = max(0, start - chars, text.rfind("\n", max(0, start - chars), start) + 1)
    return [w.lower() for w in _WORD.findall(text[lo:start])]


def _words_after(text: str, end: int, chars: int) -> list[str]:
    hi = text.find("\n", end, end + chars)
    return [w.lower() for w in _WORD.findall(text[end : hi if hi >= 0 else end + chars])]


# ----------------------------------------------------------------------------- spans
@dataclass
class _Span:
    start: int
    end: int
    entity: str
    score: float
    # Recognizer score before the context boost: ranks types inside an overlap cluster, so
    # "call ... 81.2.69.142" stays an IP address even though "call" lifted the phone guess.
    raw: float = 0.0


def _merge_overlaps(spans: list[_Span], priority: dict[str, int]) -> list[_Span]:
    """Union overlapping spans; the cluster takes the type of its best member.

    Union (not pick-one) so that no digit of a partly overlapping match stays in clear.
    """
    spans = sorted(spans, key=lambda s: (s.start, -s.end))
    merged: list[tuple[int, int, list[_Span]]] = []
    for s in spans:
        if merged and s.start < merged[-1][1]:
            a, b, members = merged[-1]
            members.append(s)
            merged[-1] = (a, max(b, s.end), members)
        else:
            merged.append((s.start, s.end, [s]))
    out = []
    for a, b, members in merged:
        best = min(
            members,
            key=lambda m: (-m.raw, -m.score, -(m.end - m.start), priority.get(m.entity, 99), m.entity),
        )
        out.append(_Span(a, b, best.entity, best.score))
    return out


def _drop_emails_inside_credentials(spans: list[_Span]) -> list[_Span]:
    """`pass@host` inside `scheme://user:pass@host` is the URL's userinfo, not an e-mail address."""
    creds = [s for s in spans if s.entity == "URL_CREDENTIALS"]
    if not creds:
        return spans
    return [
        s
        for s in spans
        if s.entity != "EMAIL_ADDRESS" or not any(c.start <= s.start < c.end for c in creds)
    ]


# ------------------------------------------------------------------------ surrogates
_LOWER = "abcdefghijklmnopqrstuvwxyz"
_TEST_NETS = ("192.0.2", "198.51.100", "203.0.113")


class _Surrogates:
    """Keyed-hash stand-ins: same (key, type, value) -> same surrogate, readable shape."""

    def __init__(self, key: str) -> None:
        self._key = key.encode("utf-8")

    def _stream(self, entity: str, value: str, n: int, salt: int = 0) -> bytes:
        out = b""
        counter = 0
        while len(out) < n:
            msg = f"{entity}\x00{value}\x00{salt}\x00{counter}".encode("utf-8")
            out += hmac.new(self._key, msg, hashlib.sha256).digest()
            counter += 1
        return out[:n]

    def _shape(self, entity: str, value: str, salt: int) -> str:
        """Same characters classes as `value`: digits->digits, letters->letters, rest kept."""
        stream = self._stream(entity, value, len(value), salt)
        chars = []
        for ch, b in zip(value, stream):
            if ch.isdigit():
                chars.append(str(b % 10))
            elif ch.isalpha() and ch.isascii():
                letter = _LOWER[b % 26]
                chars.append(letter.upper() if ch.isupper() else letter)
            else:
                chars.append(ch)
        return "".join(chars)

    def make(self, entity: str, value: str) -> str:
        for salt in range(4):
            out = self._make(entity, value, salt)
            if out != value:
                return out
        return f"<{entity}>"

    def _make(self, entity: str, value: str, salt: int) -> str:
        h = self._stream(entity, value, 16, salt).hex()
        if entity == "EMAIL_ADDRESS":
            return f"user_{h[:6]}@example.invalid"
        if entity == "IP_ADDRESS":
            if ":" in value:
                return "2001:db8::" + ":".join(h[i : i + 4] for i in range(0, 16, 4))
            n = int(h[:8], 16)
            return f"{_TEST_NETS[n % 3]}.{(n >> 2) % 254 + 1}"
        if entity == "URL_CREDENTIALS":
            return f"user_{h[:6]}:pw_{h[6:18]}"
        if entity == "CRYPTO":
            if value.lower().startswith("0x"):
                return "0x" + self._stream(entity, value, 20, salt).hex()
            prefix = "bc1" if value.lower().startswith("bc1") else value[:1]
            return prefix + self._shape(entity, value[len(prefix) :], salt)
        if entity == "IBAN_CODE":
            return value[:2] + self._shape(entity, value[2:], salt)
        if entity in ("PERSON", "LOCATION", "NRP", "ORGANIZATION"):
            return f"{entity.title()}_{h[:6]}"
        if entity == UNSCANNED:
            return "<PII>"
        return self._shape(entity, value, salt)


# ---------------------------------------------------------------------- the tagger
class PiiTagger:
    """Anonymizes PII in ``title`` and ``text``; sets ``pii_entities`` and ``pii_count``.

    Build once per worker (presidio engine, recognizers and regexes are set up here).
    Labels returned are entity types, one per anonymized span, plus ``timeout`` /
    ``error`` when a document was (partly) redacted without being scanned.
    """

    def __init__(self, config: PiiConfig | None = None) -> None:
        self.config = config or PiiConfig()
        cfg = self.config
        self._entities = [e for e in cfg.entities]
        self._ner_entities = list(cfg.ner_entities) if cfg.spacy_model else []
        self._priority = {e: i for i, e in enumerate(self._entities + self._ner_entities)}
        self._surrogates = _Surrogates(cfg.surrogate_key) if cfg.mode == "surrogate" else None
        if cfg.enabled:
            self._build_engine()
        self._families = {
            name: (trigger, tuple(e for e in ents if e in self._entities))
            for name, (trigger, ents) in _FAMILIES.items()
        }
        self._families = {k: v for k, v in self._families.items() if v[1]}

    # -- presidio setup --------------------------------------------------------------
    def _build_engine(self) -> None:
        # Imported here so importing filters.pii (config loading) stays cheap.
        from presidio_analyzer import AnalyzerEngine, RecognizerRegistry
        from presidio_analyzer.nlp_engine import NoOpNlpEngine
        from presidio_analyzer.predefined_recognizers import (
            EsNieRecognizer,
            EsNifRecognizer,
            IbanRecognizer,
            IpRecognizer,
            ItFiscalCodeRecognizer,
            PhoneRecognizer,
            UkNinoRecognizer,
            UsSsnRecognizer,
        )

        from filters.pii_recognizers import (
            BitcoinRecognizer,
            EthereumRecognizer,
            OfflineEmailRecognizer,
            PaymentCardRecognizer,
            PhoneShapeRecognizer,
            UrlCredentialsRecognizer,
        )

        cfg = self.config
        builders = {
            "EMAIL_ADDRESS": lambda: [OfflineEmailRecognizer()],
            "PHONE_NUMBER": lambda: [
                PhoneRecognizer(supported_regions=tuple(cfg.phone_regions), leniency=cfg.phone_leniency),
                PhoneShapeRecognizer(),
            ],
            "CREDIT_CARD": lambda: [PaymentCardRecognizer()],
            "IBAN_CODE": lambda: [IbanRecognizer()],
            "IP_ADDRESS": lambda: [IpRecognizer()],
            "US_SSN": lambda: [UsSsnRecognizer()],
            "CRYPTO": lambda: [BitcoinRecognizer(), EthereumRecognizer()],
            "URL_CREDENTIALS": lambda: [UrlCredentialsRecognizer()],
            "UK_NINO": lambda: [UkNinoRecognizer(supported_language="en")],
            "ES_NIF": lambda: [EsNifRecognizer(supported_language="en")],
            "ES_NIE": lambda: [EsNieRecognizer(supported_language="en")],
            "IT_FISCAL_CODE": lambda: [ItFiscalCodeRecognizer(supported_language="en")],
        }
        unknown = sorted(set(self._entities) - set(builders))
        if unknown:
            raise ValueError(f"pii.entities: unsupported {unknown}; supported: {sorted(builders)}")
        recognizers = [r for e in self._entities for r in builders[e]()]

        self._noop = NoOpNlpEngine(models=[{"lang_code": "en", "model_name": "none"}])
        self._noop.load()
        nlp_engine = self._noop
        if cfg.spacy_model:
            nlp_engine = self._spacy_engine(cfg.spacy_model)
            from presidio_analyzer.predefined_recognizers import SpacyRecognizer

            recognizers.append(SpacyRecognizer(supported_entities=self._ner_entities))
        registry = RecognizerRegistry(recognizers=recognizers, supported_languages=["en"])
        self._engine = AnalyzerEngine(registry=registry, nlp_engine=nlp_engine, supported_languages=["en"])
        self._context: dict[str, set[str]] = {}
        for rec in recognizers:
            for ent in rec.supported_entities:
                words = self._context.setdefault(ent, set())
                words.update(w.lower() for w in (rec.context or []))
                words.update(_EXTRA_CONTEXT.get(ent, ()))

    @staticmethod
    def _spacy_engine(model: str):
        """A spaCy NLP engine for an installed model; never downloads."""
        from pathlib import Path

        import spacy
        from presidio_analyzer.nlp_engine import SpacyNlpEngine

        if not (spacy.util.is_package(model) or Path(model).exists()):
            raise ValueError(f"pii.spacy_model {model!r} is not installed (models are never downloaded)")
        engine = SpacyNlpEngine(models=[{"lang_code": "en", "model_name": model}])
        engine.load()
        return engine

    # -- public API ------------------------------------------------------------------
    def tag(self, doc: Document) -> list[str]:
        """Anonymize one document in place; return one label per anonymized span."""
        if not self.config.enabled:
            return []
        deadline = time.monotonic() + self.config.max_doc_seconds
        labels: list[str] = []
        entities: list[str] = []
        for column in self.config.fields:
            value = doc.get(column)
            if not isinstance(value, str) or not value:
                continue
            spans, flags = self._detect(value, deadline)
            labels.extend(flags)
            if spans:
                doc[column] = self._replace(value, spans)
                entities.extend(s.entity for s in spans)
        entities.sort()
        doc["pii_entities"] = entities
        doc["pii_count"] = len(entities)
        return entities + sorted(set(labels))

    def tag_batch(self, docs: list[Document]) -> list[str]:
        """Tag several documents; per-document time budgets keep one hostile page from starving the rest."""
        labels: list[str] = []
        for doc in docs:
            labels.extend(self.tag(doc))
        return labels

    def analyze_text(self, text: str) -> list[tuple[int, int, str]]:
        """(start, end, entity) of every span that would be anonymized (for tests/benchmarks)."""
        spans, _ = self._detect(text, time.monotonic() + self.config.max_doc_seconds)
        return [(s.start, s.end, s.entity) for s in spans]

    # -- detection -------------------------------------------------------------------
    def _detect(self, text: str, deadline: float) -> tuple[list[_Span], list[str]]:
        flags: list[str] = []
        raw: list[_Span] = []
        if self.config.prescreen:
            jobs = self._prescreened_jobs(text)
        else:
            jobs = [(self._entities, self._whole_pieces(text))]
        for entities, pieces in jobs:
            for batch in self._batches(text, pieces):
                if time.monotonic() > deadline:
                    raw.extend(self._conservative(text, batch))
                    if "timeout" not in flags:
                        flags.append("timeout")
                    continue
                try:
                    raw.extend(self._analyze_batch(text, batch, entities))
                except Exception as exc:  # never let a library error leak content or drop redaction
                    logger.warning("pii: presidio failed (%s); redacting batch conservatively", type(exc).__name__)
                    raw.extend(self._conservative(text, batch))
                    if "error" not in flags:
                        flags.append("error")
        if self._ner_entities:
            raw.extend(self._ner(text, deadline, flags))
        kept = [s for s in (self._judge(text, s) for s in raw) if s is not None]
        kept = _drop_emails_inside_credentials(kept)
        return _merge_overlaps(kept, self._priority), flags

    def _prescreened_jobs(self, text: str):
        """Per family: the entities to look for and merged windows around its trigger matches."""
        pad = self.config.window_chars
        n = len(text)
        jobs = []
        for trigger, entities in self._families.values():
            windows: list[list[int]] = []
            for m in trigger.finditer(text):
                a, b = m.span()
                s, e = _snap_left(text, max(0, a - pad)), _snap_right(text, min(n, b + pad))
                if windows and s <= windows[-1][1]:
                    windows[-1][1] = max(windows[-1][1], e)
                else:
                    windows.append([s, e])
            if windows:
                jobs.append((list(entities), [tuple(w) for w in windows]))
        return jobs

    def _whole_pieces(self, text: str) -> list[tuple[int, int]]:
        return [(0, len(text))]

    def _batches(self, text: str, pieces: list[tuple[int, int]]):
        """Pack pieces into strings of at most max_chunk_chars; split long pieces with overlap."""
        limit = self.config.max_chunk_chars
        overlap = min(200, limit // 4)
        parts: list[tuple[int, int]] = []
        for s, e in pieces:
            while e - s > limit:
                parts.append((s, s + limit))
                s += limit - overlap
            parts.append((s, e))
        batch: list[tuple[int, int]] = []
        size = 0
        for s, e in parts:
            if batch and size + (e - s) + 2 > limit:
                yield batch
                batch, size = [], 0
            batch.append((s, e))
            size += e - s + 2
        if batch:
            yield batch

    def _analyze_batch(self, text: str, batch: list[tuple[int, int]], entities: list[str]) -> list[_Span]:
        """One presidio call over the batch's pieces joined by blank lines; map offsets back."""
        joined_parts, starts = [], []
        pos = 0
        for s, e in batch:
            starts.append(pos)
            joined_parts.append(text[s:e])
            pos += e - s + 2
        joined = "\n\n".join(joined_parts)
        results = self._engine.analyze(
            text=joined,
            language="en",
            entities=entities,
            score_threshold=0.01,
            nlp_artifacts=self._noop.process_text("", "en"),
        )
        out = []
        for r in results:
            i = bisect.bisect_right(starts, r.start) - 1
            j = bisect.bisect_right(starts, max(r.start, r.end - 1)) - 1
            for k in range(i, j + 1):  # a match crossing a piece boundary is clipped into each piece
                s, e = batch[k]
                lo = max(r.start, starts[k]) - starts[k] + s
                hi = min(r.end, starts[k] + (e - s)) - starts[k] + s
                if hi > lo:
                    out.append(_Span(lo, hi, r.entity_type, r.score))
        return out

    def _ner(self, text: str, deadline: float, flags: list[str]) -> list[_Span]:
        out: list[_Span] = []
        for batch in self._batches(text, self._whole_pieces(text)):
            for s, e in batch:
                if time.monotonic() > deadline:
                    if "timeout" not in flags:
                        flags.append("timeout")
                    return out
                for r in self._engine.analyze(
                    text=text[s:e], language="en", entities=self._ner_entities,
                    score_threshold=self.config.score_threshold,
                ):
                    out.append(_Span(r.start + s, r.end + s, r.entity_type, r.score))
        return out

    def _conservative(self, text: str, batch: list[tuple[int, int]]) -> list[_Span]:
        """Unscanned pieces: redact every trigger token (its whole whitespace-delimited run)."""
        hits: list[tuple[int, int]] = []
        for s, e in batch:
            for trigger, _ in _FAMILIES.values():
                for m in trigger.finditer(text, s, e):
                    a, b = m.span()
                    while b > a and text[b - 1] in " \t-.()/":
                        b -= 1
                    hits.append((a, b))
        hits.sort()
        merged: list[list[int]] = []
        for a, b in hits:  # adjacent hits in one token ("1.1.1.1.1...") become one span
            if merged and a <= merged[-1][1] + 1:
                merged[-1][1] = max(merged[-1][1], b)
            else:
                merged.append([a, b])
        return [_Span(_snap_left(text, a, 256), _snap_right(text, b, 256), UNSCANNED, 1.0) for a, b in merged]

    # -- scoring and look-alike rules -------------------------------------------------
    def _judge(self, text: str, span: _Span) -> Optional[_Span]:
        """Context boost, look-alike suppression and threshold for one candidate span."""
        if span.entity == UNSCANNED:
            return span
        cfg = self.config
        value = text[span.start : span.end]
        before = _words_before(text, span.start, 40)
        near = before[-3:]
        if span.entity in _NUMERIC_TYPES:
            if self._lookalike_context(before, span.entity):
                return None
            if span.start > 0 and text[span.start - 1].isalnum():
                return None  # glued to a word: "rgb(140 140 140", "ID12345678"
            if span.entity == "CREDIT_CARD" and _is_year_run(value):
                return None
            if span.entity == "PHONE_NUMBER":
                if _is_numeric_lookalike(value):
                    return None
                if value.isdigit() and not (value.startswith("0") and 10 <= len(value) <= 11):
                    # A bare digit run is "valid" somewhere among many regions; ask for a phone word
                    # (national trunk-prefixed 0xxxxxxxxx[x] numbers excepted).
                    span = _Span(span.start, span.end, span.entity, min(span.score, 0.3))
                if _CURRENCY_BEFORE.search(text[max(0, span.start - 5) : span.start]):
                    return None
        if span.entity == "IP_ADDRESS" and not self._ip_is_personal(text, span, near):
            return None
        score = span.score
        if score < cfg.score_threshold:
            context = self._context.get(span.entity, ())
            after = _words_after(text, span.end, 24)[:2]
            if any(w in context for w in before[-5:] + after):
                score = min(1.0, score + cfg.context_boost)
        if score < cfg.score_threshold:
            return None
        return _Span(span.start, span.end, span.entity, score, raw=span.score)

    def _lookalike_context(self, before: list[str], entity: str) -> bool:
        """Closest words decide: a context word ("call") keeps, a look-alike word ("isbn", "order") drops."""
        context = self._context.get(entity, set()) - _NEUTRAL_WORDS
        for word in reversed(before[-4:]):
            if word in context:
                return False
            if word in _LOOKALIKE_WORDS:
                return True
        return False

    def _ip_is_personal(self, text: str, span: _Span, near: list[str]) -> bool:
        value = text[span.start : span.end]
        try:
            addr = ipaddress.ip_address(value.split("/")[0].split("%")[0])
        except ValueError:
            return False
        if addr.is_loopback or addr.is_unspecified or addr.is_multicast:
            return False
        if addr.version == 4 and addr.is_reserved:
            return False  # 240/4; for IPv6 "reserved" is most of the unallocated space, still an address
        if addr.is_private and not self.config.redact_private_ips:
            return False
        if addr.version == 4 and self.config.ip_version_context:
            before = text[max(0, span.start - 2) : span.start]
            after = text[span.end : span.end + 2]
            if any(w in _VERSION_WORDS for w in near[-2:]):
                return False
            if re.match(r"\.\d|-[A-Za-z0-9]", after) or re.search(r"\d\.$|[vV]$", before):
                return False
            if all(int(octet) < 10 for octet in str(addr).split(".")):
                return False  # "2.3.4.1": section/version numbering, and public resolvers like 1.1.1.1
            around = text[max(0, span.start - 60) : span.start] + " " + text[span.end : span.end + 60]
            if _DOTTED_3.search(around):
                return False  # other x.y.z version numbers nearby
        return True

    # -- replacement -----------------------------------------------------------------
    def _replace(self, text: str, spans: list[_Span]) -> str:
        out = []
        pos = 0
        for s in spans:
            out.append(text[pos : s.start])
            if self._surrogates is None:
                out.append("<PII>" if s.entity == UNSCANNED else f"<{s.entity}>")
            else:
                out.append(self._surrogates.make(s.entity, text[s.start : s.end]))
            pos = s.end
        out.append(text[pos:])
        return "".join(out)


_SPACES = (" ", "\n", "\t", "\r", "\xa0")


def _snap_left(text: str, i: int, limit: int = 32) -> int:
    """Move i left to just after a whitespace (at most `limit` chars) so windows start on a token."""
    if i <= 0:
        return 0
    lo = max(0, i - limit)
    j = max(text.rfind(c, lo, i) for c in _SPACES)
    if j >= 0:
        return j + 1
    return 0 if lo == 0 else i


def _snap_right(text: str, i: int, limit: int = 32) -> int:
    """Move i right to a whitespace (at most `limit` chars) so windows end on a token."""
    n = len(text)
    if i >= n:
        return n
    hi = min(n, i + limit)
    found = [j for j in (text.find(c, i, hi) for c in _SPACES) if j >= 0]
    if found:
        return min(found)
    return n if hi == n else i


def anonymize_documents(docs: Iterable[Document], config: PiiConfig | None = None) -> list[str]:
    """Convenience for scripts: build a tagger and tag `docs` in place."""
    return PiiTagger(config).tag_batch(list(docs))


__all__ = ["PiiConfig", "PiiTagger", "DEFAULT_ENTITIES", "DEFAULT_PHONE_REGIONS", "anonymize_documents"]
