"""Presidio recognizers crawlsift adds or adjusts for web text.

presidio's stock recognizers are used where they validate well (credit cards with
Luhn, IBAN with its checksum, Spanish NIF/NIE and Italian fiscal code with their
check characters, US SSN, phone numbers through libphonenumber). This module adds
what a crawl needs beyond that and makes the stock ones safe to run offline and on
hostile input:

* ``OfflineEmailRecognizer``: bounded e-mail pattern (linear time on ``"a@" * 40000``)
  and a tldextract instance pinned to its bundled public-suffix snapshot, so e-mail
  validation never opens a socket.
* ``BitcoinRecognizer``: presidio's base58check / bech32 validation behind a pattern
  with token boundaries.
* ``EthereumRecognizer``: ``0x`` + 40 hex digits.
* ``UrlCredentialsRecognizer``: the ``user:password`` part of ``scheme://user:password@host``.
* ``PhoneShapeRecognizer``: separated digit groups that libphonenumber rejects as
  invalid in every configured region yet read as phone numbers (extensions such as
  ``x38548``, fictional area codes). Weak alone; context words lift it.
"""

from __future__ import annotations

from typing import List, Optional

import regex
import tldextract
from presidio_analyzer import Pattern, PatternRecognizer
from presidio_analyzer.predefined_recognizers import CreditCardRecognizer, CryptoRecognizer, EmailRecognizer

# One extractor per process, built from the snapshot bundled in the wheel:
# suffix_list_urls=() means "never fetch", cache_dir=None means "never write a cache".
_OFFLINE_TLD = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None, fallback_to_snapshot=True)

_EMAIL_ATOM = r"[!#$%&'*+\-/=?^_`{|}~\w]"


def offline_fqdn(candidate: str) -> str:
    """Fully-qualified domain of `candidate` using only the bundled suffix list."""
    return _OFFLINE_TLD(candidate).fqdn


class OfflineEmailRecognizer(EmailRecognizer):
    """presidio's e-mail recognizer with bounded repetition and offline TLD validation."""

    PATTERNS = [
        Pattern(
            "Email (bounded)",
            # Local part 1-64 chars, domain labels 1-63 chars, at most 8 labels: every
            # quantifier is bounded, so the work per start position is constant.
            rf"(?<![\w.+\-]){_EMAIL_ATOM}(?:[!#$%&'*+\-/=?^_`{{|}}~.\w]{{0,62}}{_EMAIL_ATOM})?"
            r"@\w(?:[\w\-]{0,61}\w)?(?:\.\w(?:[\w\-]{0,61}\w)?){1,8}\b",
            0.5,
        ),
    ]

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("patterns", [Pattern(p.name, p.regex, p.score) for p in self.PATTERNS])
        super().__init__(**kwargs)

    def validate_result(self, pattern_text: str) -> bool:  # noqa: D102
        domain = pattern_text.rpartition("@")[2]
        return offline_fqdn(domain) != ""


class BitcoinRecognizer(CryptoRecognizer):
    """BTC addresses (P2PKH/P2SH base58check, bech32/bech32m) with token boundaries."""

    PATTERNS = [
        Pattern(
            "BTC base58 / bech32",
            r"(?<![0-9A-Za-z])(?:[13][1-9A-HJ-NP-Za-km-z]{25,34}|bc1[02-9ac-hj-np-z]{11,71})(?![0-9A-Za-z])",
            0.5,
        ),
    ]

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("patterns", [Pattern(p.name, p.regex, p.score) for p in self.PATTERNS])
        super().__init__(**kwargs)


class PaymentCardRecognizer(CreditCardRecognizer):
    """presidio's card recognizer plus 12-19 digit numbers from every major network.

    presidio's pattern misses Mastercard 2-series, 15-digit JCB, 19-digit Visa/Discover
    and 14-digit Diners. The extra pattern accepts any such length but keeps only numbers
    with a valid Luhn digit *and* a plausible issuer prefix.
    """

    _IIN = regex.compile(
        r"^(?:4\d{11,18}|5[1-5]\d{14}|2(?:2[2-9]|[3-6]\d|7[01]|720)\d{12,13}|3[47]\d{13}"
        r"|3(?:0[0-5]|[689]\d)\d{11,16}|35\d{14,17}|(?:2131|1800)\d{11}"
        r"|6(?:011|4[4-9]\d|5\d\d|2\d\d)\d{12,15}|(?:5[06-9]|6\d)\d{10,17})$"
    )

    def __init__(self, **kwargs) -> None:
        patterns = [Pattern(p.name, p.regex, p.score) for p in CreditCardRecognizer.PATTERNS]
        patterns.append(Pattern("All networks (weak)", r"(?<![\d\-])(?>\d[ \-]?){11,18}\d(?![\d\-])", 0.3))
        kwargs.setdefault("patterns", patterns)
        super().__init__(**kwargs)

    def validate_result(self, pattern_text: str) -> bool:  # noqa: D102
        digits = "".join(c for c in pattern_text if c.isdigit())
        return bool(self._IIN.match(digits)) and super().validate_result(pattern_text)


class EthereumRecognizer(PatternRecognizer):
    """Ethereum account/contract addresses: 0x + 40 hex digits, nothing glued on either side.

    EIP-55 mixed-case checksums need Keccak-256, which hashlib does not ship; the shape
    alone (exactly 40 hex digits after 0x, token-bounded) is specific enough in prose.
    """

    PATTERNS = [Pattern("ETH address", r"(?<![0-9A-Za-z])0x[0-9a-f]{40}(?![0-9A-Za-z])", 0.6)]
    CONTEXT = ["wallet", "eth", "ethereum", "address", "crypto", "send", "donate"]

    def __init__(self, supported_language: str = "en", supported_entity: str = "CRYPTO") -> None:
        super().__init__(
            supported_entity=supported_entity,
            name="EthereumRecognizer",
            patterns=[Pattern(p.name, p.regex, p.score) for p in self.PATTERNS],
            context=self.CONTEXT,
            supported_language=supported_language,
        )

    def invalidate_result(self, pattern_text: str) -> bool:
        digits = pattern_text[2:]
        return len(set(digits.lower())) < 4  # 0x000...0 / 0xfff...f placeholders


class UrlCredentialsRecognizer(PatternRecognizer):
    """`user:password` embedded in a URL authority (``scheme://user:password@host``).

    Only the userinfo is the entity, so the placeholder keeps scheme and host readable.
    A password is required: ``ftp://anonymous@host`` carries no secret.
    """

    PATTERNS = [
        Pattern(
            "URL userinfo",
            r"(?<=\b[a-z][a-z0-9+.\-]{1,15}://)[^\s/:@?#<>\"'\[\]]{1,128}:[^\s/@?#<>\"'\[\]]{1,256}(?=@[\w\[])",
            0.9,
        )
    ]

    def __init__(self, supported_language: str = "en", supported_entity: str = "URL_CREDENTIALS") -> None:
        super().__init__(
            supported_entity=supported_entity,
            name="UrlCredentialsRecognizer",
            patterns=[Pattern(p.name, p.regex, p.score) for p in self.PATTERNS],
            context=["password", "login", "credentials"],
            supported_language=supported_language,
        )

    def invalidate_result(self, pattern_text: str) -> bool:
        user, _, password = pattern_text.partition(":")
        # "http://host:8080@..." is not userinfo; templated "user:password" / "<user>:<pass>" are not secrets.
        return password.isdigit() or password.lower() in {"password", "pass", "passwd", "pwd", "secret"}


class PhoneShapeRecognizer(PatternRecognizer):
    """Phone-number shapes libphonenumber rejects (unassigned area codes, extensions).

    7-15 digits written as separated groups: three or more groups, or an international
    prefix (``+``/``00``), or a parenthesised area code. Scored 0.3: below the default
    threshold unless a phone context word is near (``PiiTagger`` adds 0.35) or the shape
    is unmistakable (international prefix, extension, North-American 3-3-4). Digit groups
    are possessive, so a 100 000-digit run is scanned in linear time.
    """

    CONTEXT = [
        "phone", "telephone", "tel", "cell", "cellphone", "mobile", "call", "fax", "contact",
        "desk", "office", "whatsapp", "hotline", "ph", "téléphone", "telefon", "teléfono",
        "móvil", "handy", "sms", "text", "dial", "reach", "phones",
    ]
    PATTERNS = [
        Pattern(
            "phone shape",
            r"(?<![\w.+\-/])"
            r"(?>(?:\+|\(?00)\s?\d{1,4}+\)?(?:\s?\(0\))?|\(?\d{1,5}+\)?)"
            r"(?>(?:[ \-.]|\)\s?|\s?\()?\d{1,6}+\)?){1,5}"
            r"(?:\s?(?:x|ext\.?|extension)\s?\d{1,6}+)?"
            r"(?![\w\-/]|\.\d)",
            0.3,
        ),
    ]
    _EXTENSION = regex.compile(r"(?:x|ext\.?|extension)\s?\d{1,6}$", regex.IGNORECASE)
    _DOTTED_QUAD = regex.compile(r"^\d{1,3}(?:\.\d{1,3}){3}$")
    _NANP = regex.compile(r"^(?:\+?1[ \-.]|001[ \-.])?(?:\(\d{3}\)\s?|\d{3}[ \-.])\d{3}[ \-.]\d{4}$")

    def __init__(self, supported_language: str = "en", supported_entity: str = "PHONE_NUMBER") -> None:
        super().__init__(
            supported_entity=supported_entity,
            name="PhoneShapeRecognizer",
            patterns=[Pattern(p.name, p.regex, p.score) for p in self.PATTERNS],
            context=self.CONTEXT,
            supported_language=supported_language,
        )

    def invalidate_result(self, pattern_text: str) -> bool:
        body = self._EXTENSION.sub("", pattern_text).strip()
        digits = sum(c.isdigit() for c in body)
        if not 7 <= digits <= 15 or self._DOTTED_QUAD.match(body):
            return True
        groups = len(regex.findall(r"\d+", body))
        international = body.lstrip("(").startswith(("+", "00"))
        return not (groups >= 3 or international or (groups >= 2 and body.startswith("(")))

    def analyze(self, text: str, entities: List[str], nlp_artifacts=None, regex_flags: Optional[int] = None):
        results = super().analyze(text, entities, nlp_artifacts, regex_flags)
        for res in results:
            found = text[res.start : res.end]
            body = self._EXTENSION.sub("", found).strip()
            if found.lstrip("(").startswith(("+", "00")) or self._EXTENSION.search(found) or self._NANP.match(body):
                res.score = max(res.score, 0.5)
        return results
