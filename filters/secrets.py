"""Secret detection and redaction in extracted Markdown.

Two layers:

* provider-anchored rules (``filters.secret_rules``: AWS, GitHub, Slack, Stripe, OpenAI,
  private-key blocks, credential URLs, ...) run on the whole text;
* detect-secrets' plugins run line by line in its *default* (non-eager) mode, the one
  ``detect-secrets scan`` uses: high-entropy strings must be quoted and pass the entropy
  limit, keyword hits go through its heuristic filters (UUIDs, sequential strings, ids,
  templates, indirect references, allowlist pragmas). Its eager ``scan_line`` mode is
  deliberately not used: it drops those limits and floods prose with false positives.

Every secret value is replaced by ``<SECRET:type>``. Values that are documented examples
or placeholders are reported as ``example`` and left in place. Nothing here ever logs,
labels or raises with a secret value.
"""

from __future__ import annotations

import bisect
import itertools
import re
from dataclasses import dataclass, field
from typing import Any, Iterable, NamedTuple, Optional

from filters import secret_rules as R
from filters.base import Document

STAGE = "secrets"


@dataclass(frozen=True)
class SecretsConfig:
    """``secrets`` section of the run config."""

    enabled: bool = True
    # Rule families of the provider-anchored rules (see secret_rules.FAMILIES).
    families: list[str] = field(default_factory=lambda: list(R.FAMILIES))
    # Secret types never reported (e.g. ["jwt"]), whatever layer found them.
    disabled_types: list[str] = field(default_factory=list)
    # detect-secrets layer.
    detect_secrets: bool = True
    detect_secrets_plugins: list[str] = field(default_factory=lambda: list(DEFAULT_DS_PLUGINS))
    base64_limit: float = 4.5
    hex_limit: float = 3.0
    # Values the detect-secrets layer finds must be at least this long.
    min_generic_length: int = 8
    # Hex strings are hashes more often than secrets: demand more length from them.
    min_hex_length: int = 16
    # Adversarial-input guards.
    max_scan_chars: int = 2_000_000
    max_line_length: int = 1000
    # detect-secrets costs ~0.5 ms per candidate line: a config dump with 20,000
    # keyword lines would take 10 s. Lines past this many go to the anchored rules only.
    max_candidate_lines: int = 2000
    redact_title: bool = True
    # Count documented example keys / placeholders as label "example" (never redacted).
    count_examples: bool = True


# Default detect-secrets plugins: the keyword and entropy heuristics plus the provider
# detectors we have no anchored rule for. Left out: provider plugins our anchored rules
# cover with tighter formats and placeholder checks (their looser patterns fire on
# gitleaks' documented false positives such as "xoxp-1234-1234-1234-..."), BasicAuthDetector
# (our credential-URL rule knows template and default passwords) and IPPublicDetector
# (public IPs are not credentials). All remain available through the config.
DEFAULT_DS_PLUGINS = (
    "KeywordDetector",
    "Base64HighEntropyString",
    "HexHighEntropyString",
    "ArtifactoryDetector",
    "CloudantDetector",
    "DiscordBotTokenDetector",
    "IbmCloudIamDetector",
    "IbmCosHmacDetector",
    "SoftlayerDetector",
)

# detect-secrets secret_type -> our type name.
_DS_TYPES = {
    "Secret Keyword": "keyword_secret",
    "Base64 High Entropy String": "high_entropy_base64",
    "Hex High Entropy String": "high_entropy_hex",
    "Artifactory Credentials": "artifactory_token",
    "AWS Access Key": "aws_access_key_id",
    "Azure Storage Account access key": "azure_storage_key",
    "Basic Auth Credentials": "basic_auth_url",
    "Cloudant Credentials": "cloudant_credentials",
    "Discord Bot Token": "discord_bot_token",
    "GitHub Token": "github_token",
    "GitLab Token": "gitlab_token",
    "IBM Cloud IAM Key": "ibm_cloud_iam_key",
    "IBM COS HMAC Credentials": "ibm_cos_hmac",
    "JSON Web Token": "jwt",
    "Mailchimp Access Key": "mailchimp_api_key",
    "NPM tokens": "npm_token",
    "OpenAI Token": "openai_api_key",
    "Private Key": "private_key",
    "PyPI Token": "pypi_token",
    "SendGrid API Key": "sendgrid_api_key",
    "Slack Token": "slack_token",
    "SoftLayer Credentials": "softlayer_credentials",
    "Square OAuth Secret": "square_token",
    "Stripe Access Key": "stripe_key",
    "Telegram Bot Token": "telegram_bot_token",
    "Twilio API Key": "twilio_api_key",
}

EXAMPLE_LABEL = "example"


class SecretSpan(NamedTuple):
    """A secret value at ``text[start:end]``; ``example`` spans are reported, never redacted."""

    start: int
    end: int
    type: str
    example: bool = False


# --- cheap pre-screens ----------------------------------------------------------------------

# detect-secrets' keyword list (lower-case substrings) plus a few of ours.
_KEYWORDS = (
    "api_key", "apikey", "api-key", "auth_key", "authkey", "service_key", "account_key", "db_key",
    "database_key", "priv_key", "private_key", "privatekey", "client_key", "db_pass", "database_pass",
    "key_pass", "password", "passwd", "pwd", "secret", "contrase", "token", "credential", "access_key",
    "accesskey",
)
_RUN16 = re.compile(r"[A-Za-z0-9_]{16}")
# Every keyword contains one of these: a cheaper first test.
_KEYWORD_ROOTS = ("key", "pass", "pwd", "secret", "token", "credential", "contrase")
# A quoted or assigned run of token characters (what entropy plugins look at).
_LONG_TOKEN = re.compile(r"[=:'\"]\s{0,3}['\"]?[A-Za-z0-9+/=_\-]{16}")
# Lines handed to detect-secrets: a keyword, a quoted long token or a config assignment.
_LINE_TOKEN = re.compile(r"['\"][A-Za-z0-9+/=_.\-]{12}|[=:]\s{0,3}['\"]?[A-Za-z0-9+/=_\-]{20}")
# `key = value` / `key: value` lines (config files, .env, YAML) where values need no quotes.
_CONFIG_LINE = re.compile(
    r"^(\s{0,40}(?:export\s+|-\s+)?[\"']?[A-Za-z_][A-Za-z0-9_.\-]{0,80}[\"']?\s{0,5}(?:=|:(?!//))\s{0,5})"
    r"([^\s\"'#;][^\s#;]{0,500})\s*(?:[#;].*)?$"
)
# Keyword/entropy hits made of one repeated character ("AIzaaaaaaaaaaaa...") are fillers.
_LONG_RUN = re.compile(r"(.)\1{7}")
_GLUED = re.compile(r"[A-Za-z0-9+.\-]")
_NOT_CLEAR = re.compile(r"(?i)encrypted|ENC\[|public[_\-]?key|pub[_\-]?key|publishable")


def _strip_trailing_punct(text: str, start: int, end: int) -> int:
    """Sentence punctuation glued to a token (``ghp_... .``) is not part of it."""
    while end > start and text[end - 1] in ".-":
        end -= 1
    return end


class SecretScanner:
    """Compiled rules + configured detect-secrets plugins. Build once, scan many texts."""

    def __init__(self, config: SecretsConfig | None = None) -> None:
        self.config = config or SecretsConfig()
        self.candidates_truncated = False  # set by the last scan when lines were capped
        unknown = set(self.config.families) - set(R.FAMILIES)
        if unknown:
            raise ValueError(f"unknown secret rule families {sorted(unknown)}; known: {list(R.FAMILIES)}")
        families = set(self.config.families)
        self.disabled = frozenset(self.config.disabled_types)
        self.rules = tuple(r for r in R.RULES if r.family in families and r.type not in self.disabled)
        self.scan_private_keys = "crypto" in families and "private_key" not in self.disabled
        self.scan_urls = "url" in families
        self.plugins: list[Any] = []
        if self.config.detect_secrets:
            self.plugins = _build_ds_plugins(self.config)

    # -- public -------------------------------------------------------------------------------

    def scan(self, text: str) -> list[SecretSpan]:
        """All findings (secrets and examples), non-overlapping, sorted by start."""
        if not text:
            return []
        text = text[: self.config.max_scan_chars]
        lowered = text.lower()
        # Cheap pre-screen. Every token rule needs a run of 16 token characters (or is a
        # Slack token, whose runs are shorter); the keyword layer needs a keyword or a
        # quoted/assigned long value. Most pages pass neither and cost two scans.
        has_keyword = any(k in lowered for k in _KEYWORD_ROOTS) and any(k in lowered for k in _KEYWORDS)
        has_run = "xox" in text or "Q~" in text or bool(_RUN16.search(text))
        generic = has_keyword or (has_run and bool(_LONG_TOKEN.search(text)))
        spans: list[SecretSpan] = []
        if self.scan_private_keys and "PRIVATE KEY" in text:
            spans.extend(self._private_keys(text))
        if self.scan_urls and "://" in text and "@" in text:
            spans.extend(self._credential_urls(text))
        for rule in self.rules:
            if not (has_keyword if rule.family == "generic" else has_run):
                continue
            hay = lowered if rule.anchors_lower else text
            if rule.anchors and not any(a in hay for a in rule.anchors):
                continue
            for m in rule.regex.finditer(text):
                s, e = m.span(rule.group)
                e = _strip_trailing_punct(text, s, e)
                value = text[s:e]
                if rule.check is not None and not rule.check(value):
                    continue
                if rule.family == "generic" and not _generic_context_ok(text, m.start(), s):
                    continue
                spans.append(SecretSpan(s, e, rule.type, self._is_example(text, s, value, rule.type)))
        if self.plugins and generic:
            # Anchored rules know the format better: a detect-secrets hit overlapping an
            # anchored finding (secret or example) is dropped.
            anchored = sorted((s.start, s.end) for s in spans)
            spans.extend(
                sp for sp in self._detect_secrets(text) if not _overlaps_any(sp, anchored)
            )
        spans = [sp for sp in spans if sp.type not in self.disabled]
        spans = _resolve_overlaps(spans)
        return _add_repeats(text, spans)

    # -- layers ---------------------------------------------------------------------------------

    def _is_example(self, text: str, start: int, value: str, rule_type: str) -> bool:
        if R.is_known_example(value, rule_type) or R.is_placeholder_value(value):
            return True
        end = start + len(value)
        if R.followed_by_mask(text[end:end + 4]):
            return True
        line_start = text.rfind("\n", 0, start) + 1
        return R.in_doc_context(text[max(line_start, start - 200):start])

    def _private_keys(self, text: str) -> Iterable[SecretSpan]:
        pos = 0
        while True:
            m = R.PRIVATE_KEY_BEGIN.search(text, pos)
            if not m:
                return
            end_m = R.PRIVATE_KEY_END.search(text, m.end(), m.end() + 20000)
            if end_m is not None:
                body = text[m.end():end_m.start()]
                end = end_m.end()
            else:
                body_m = R.PRIVATE_KEY_BODY.match(text, m.end())
                end = body_m.end() if body_m else m.end()
                body = text[m.end():end]
            pos = max(end, m.end())
            body_chars = len(R.BASE64_CHARS.findall(body.replace("\\n", "")))
            if body_chars < 50 or R.is_placeholder_value(body):
                yield SecretSpan(m.start(), pos, "private_key", True)
            else:
                yield SecretSpan(m.start(), pos, "private_key", False)

    def _credential_urls(self, text: str) -> Iterable[SecretSpan]:
        for m in R.CREDENTIAL_URL.finditer(text):
            if m.start() > 0 and _GLUED.match(text, m.start() - 1):
                continue
            scheme, user, password, host = m.group(1), m.group(2), m.group(3), m.group(4)
            kind = "database_connection_string" if R.DB_SCHEME_RE.match(scheme) else "basic_auth_url"
            s, e = m.span(3)
            example = R.is_weak_url_password(user, password, host) or self._is_example(
                text, s, password, kind
            )
            yield SecretSpan(s, e, kind, example)

    def _detect_secrets(self, text: str) -> Iterable[SecretSpan]:
        """detect-secrets plugins, default (non-eager) mode, with its heuristic filters."""
        from detect_secrets.filters import heuristic as H
        from detect_secrets.plugins.high_entropy_strings import HexHighEntropyString
        from detect_secrets.plugins.base import RegexBasedDetector

        cfg = self.config
        lines = text.split("\n")
        starts = list(itertools.accumulate((len(x) + 1 for x in lines[:-1]), initial=0))
        # Lines worth handing to the plugins: a keyword or a quoted/assigned long value.
        hits = [m.start() for m in _LINE_TOKEN.finditer(text)]
        lowered = text.lower()
        for k in _KEYWORDS:
            idx = lowered.find(k)
            while idx >= 0:
                hits.append(idx)
                idx = lowered.find(k, idx + len(k))
        candidates = {bisect.bisect_right(starts, h) - 1 for h in hits}
        if not candidates:
            return
        if len(candidates) > cfg.max_candidate_lines:
            candidates = set(sorted(candidates)[: cfg.max_candidate_lines])
            self.candidates_truncated = True
        in_fence = False
        prev_line = ""
        for i, line in enumerate(lines):
            line_start = starts[i]
            if line[:6].lstrip().startswith(("```", "~~~")):
                in_fence = not in_fence
                prev_line = line
                continue
            if i not in candidates or len(line) > cfg.max_line_length:
                prev_line = line
                continue
            if "allowlist secret" in line or "allowlist nextline secret" in prev_line or (
                # Encrypted values (dotenvx "encrypted:", SOPS "ENC[", commented) and public keys.
                _NOT_CLEAR.search(line) or "encrypted" in prev_line.lower()
            ):
                prev_line = line
                continue
            prev_line = line
            scan_line, filename = line, "page.md"
            cm = _CONFIG_LINE.match(line)
            if cm is not None:
                # Like detect-secrets' config transformers: quote bare values so the
                # entropy plugins see them, and use the config keyword patterns.
                scan_line = f'{cm.group(1)}"{cm.group(2)}"'
                filename = "page.yaml"
            elif in_fence and "=" not in line and ":" not in line:
                continue
            indirect: Optional[bool] = None  # computed lazily: its regex is slow
            for plugin in self.plugins:
                try:
                    found = plugin.analyze_line(filename=filename, line=scan_line, line_number=0)
                except Exception:  # a plugin bug must not leak the line through a traceback
                    continue
                for secret in found:
                    value = secret.secret_value
                    if not value or len(value) < cfg.min_generic_length:
                        continue
                    is_regex_plugin = isinstance(plugin, RegexBasedDetector)
                    if not is_regex_plugin and (
                        H.is_sequential_string(value)
                        or H.is_potential_uuid(value)
                        or H.is_likely_id_string(value, scan_line, plugin)
                        or H.is_templated_secret(value)
                        or H.is_prefixed_with_dollar_sign(value)
                        or H.is_not_alphanumeric_string(value)
                    ):
                        continue
                    if indirect is None:
                        indirect = H.is_indirect_reference(scan_line)
                    if indirect:
                        break
                    kind = _DS_TYPES.get(secret.type, "generic_secret")
                    if isinstance(plugin, HexHighEntropyString) and len(value) < cfg.min_hex_length:
                        continue
                    idx = line.find(value)
                    while idx >= 0:
                        s = line_start + idx
                        if not self._is_hash_or_data(line, idx, value, kind):
                            example = self._is_example(text, s, value, kind) or (
                                not is_regex_plugin
                                and (_looks_like_prose(value) or bool(_LONG_RUN.search(value)))
                            )
                            yield SecretSpan(s, s + len(value), kind, example)
                        idx = line.find(value, idx + len(value))

    @staticmethod
    def _is_hash_or_data(line: str, idx: int, value: str, kind: str) -> bool:
        """Not a credential: hashes near hash words, SRI/digest values, data: URIs, UUIDs,
        paths, and (for bare entropy hits) public identifiers in id/verification attributes."""
        before = line[max(0, idx - 80):idx]
        if R.SRI_OR_DIGEST_PREFIX.search(before) or R.DIGEST_VALUE.match(value):
            return True
        if "data:" in before[-60:] or "integrity" in before[-40:].lower():
            return True
        if R.UUID_RE.search(value):
            return True
        if kind in ("high_entropy_hex", "high_entropy_base64", "keyword_secret") and R.HEX_ONLY.match(value):
            if R.HASH_CONTEXT.search(line):
                return True
        if kind in ("high_entropy_hex", "high_entropy_base64"):
            if value[0] in "/#." or "://" in value or R.PUBLIC_ID_CONTEXT.search(before[-50:]) or (
                R.PUBLIC_TOKEN_NAMES.search(before)
                or R.PUBLIC_TOKEN_NAMES.search(line[idx + len(value):idx + len(value) + 60])
            ):
                return True
            if kind == "high_entropy_base64" and not R.MIXED_BASE64.match(value):
                return True
        return False


_ID_KEY = re.compile(r"(?i)(?:^|[^a-z0-9])(?:id|ids|myid|userid)[^a-z0-9]|_ids?[^a-z0-9]")


def _generic_context_ok(text: str, match_start: int, value_start: int) -> bool:
    """detect-secrets' line heuristics for our generic keyword rule: allowlist pragmas,
    id-named keys, encrypted values and public keys."""
    line_start = text.rfind("\n", 0, match_start) + 1
    line_end = text.find("\n", value_start)
    line = text[line_start:line_end if line_end >= 0 else len(text)]
    prev_start = text.rfind("\n", 0, max(0, line_start - 1)) + 1
    prev = text[prev_start:line_start]
    if "allowlist secret" in line or "allowlist nextline secret" in prev:
        return False
    if _NOT_CLEAR.search(line) or "encrypted" in prev.lower():
        return False
    return not _ID_KEY.search(text[line_start:value_start])


def _overlaps_any(span: SecretSpan, ranges: list[tuple[int, int]]) -> bool:
    i = bisect.bisect_left(ranges, (span.end, span.end))
    return any(s < span.end and span.start < e for s, e in ranges[max(0, i - 50):i])


def _looks_like_prose(value: str) -> bool:
    """Keyword hits such as ``password: "correct horse"`` or ``secret = "MyApp.Settings"``."""
    return " " in value.strip()


def _build_ds_plugins(config: SecretsConfig) -> list[Any]:
    from detect_secrets.core.plugins.util import get_mapping_from_secret_type_to_class

    by_name = {cls.__name__: cls for cls in get_mapping_from_secret_type_to_class().values()}
    plugins = []
    for name in config.detect_secrets_plugins:
        cls = by_name.get(name)
        if cls is None:
            raise ValueError(f"unknown detect-secrets plugin {name!r}; known: {sorted(by_name)}")
        if name == "Base64HighEntropyString":
            plugins.append(cls(limit=config.base64_limit))
        elif name == "HexHighEntropyString":
            plugins.append(cls(limit=config.hex_limit))
        else:
            plugins.append(cls())
    return plugins


def _resolve_overlaps(spans: list[SecretSpan]) -> list[SecretSpan]:
    """Keep one span per region: secrets beat examples, then the earliest, then the longest."""
    if not spans:
        return []
    # Secrets first so an example never hides an overlapping real secret.
    order = sorted(spans, key=lambda s: (s.example, s.start, -(s.end - s.start)))
    kept: list[SecretSpan] = []
    for sp in order:
        overlap = [k for k in kept if sp.start < k.end and k.start < sp.end]
        if not overlap:
            kept.append(sp)
            continue
        if sp.example:
            continue
        # Grow a kept secret to cover the union (never leave a part of a value in clear).
        for k in overlap:
            kept.remove(k)
        start = min([sp.start] + [k.start for k in overlap])
        end = max([sp.end] + [k.end for k in overlap])
        first = min(overlap + [sp], key=lambda s: (s.start, -(s.end - s.start)))
        kept.append(SecretSpan(start, end, first.type, False))
    return sorted(kept)


def _add_repeats(text: str, spans: list[SecretSpan]) -> list[SecretSpan]:
    """A secret value repeated elsewhere in the text (unquoted, in a URL...) is redacted too."""
    secrets = {text[s.start:s.end]: s.type for s in spans if not s.example and s.end - s.start >= 8}
    if not secrets:
        return spans
    extra = []
    for value, kind in secrets.items():
        idx = text.find(value)
        while idx >= 0:
            extra.append(SecretSpan(idx, idx + len(value), kind, False))
            idx = text.find(value, idx + len(value))
    return _resolve_overlaps(spans + extra)


def redact_secrets(text: str, spans: Iterable[SecretSpan]) -> str:
    """Replace each non-example span by ``<SECRET:type>`` (spans may be unsorted)."""
    out = []
    pos = 0
    for sp in sorted(s for s in spans if not s.example):
        if sp.start < pos:  # overlapping input: extend the previous redaction
            continue
        out.append(text[pos:sp.start])
        out.append(f"<SECRET:{sp.type}>")
        pos = sp.end
    out.append(text[pos:])
    return "".join(out)


_DEFAULT_SCANNER: Optional[SecretScanner] = None


def find_secrets(text: str, config: SecretsConfig | None = None) -> list[SecretSpan]:
    """Secrets to redact in ``text`` (examples and placeholders excluded), sorted."""
    global _DEFAULT_SCANNER
    if config is not None:
        scanner = SecretScanner(config)
    else:
        if _DEFAULT_SCANNER is None:
            _DEFAULT_SCANNER = SecretScanner()
        scanner = _DEFAULT_SCANNER
    return [s for s in scanner.scan(text) if not s.example]


class SecretsStageError(RuntimeError):
    """Raised instead of whatever failed, so no document content reaches logs."""


class SecretsTagger:
    """Redacts secrets in ``text`` and ``title``; sets ``secret_types`` and ``secret_count``."""

    def __init__(self, config: SecretsConfig | None = None) -> None:
        self.config = config or SecretsConfig()
        self.scanner = SecretScanner(self.config)

    def tag(self, doc: Document) -> list[str]:
        if not self.config.enabled:
            return []
        try:
            return self._tag(doc)
        except Exception as exc:  # noqa: BLE001 - re-raised without the message (may hold content)
            raise SecretsStageError(
                f"secrets stage failed on document {doc.get('id')!r}: {type(exc).__name__}"
            ) from None

    def _tag(self, doc: Document) -> list[str]:
        labels: list[str] = []
        types: list[str] = []
        text = doc.get("text") or ""
        if len(text) > self.config.max_scan_chars:
            labels.append("scan_truncated")
        self.scanner.candidates_truncated = False
        spans = self.scanner.scan(text)
        if self.scanner.candidates_truncated:
            labels.append("candidates_truncated")
        secrets = [s for s in spans if not s.example]
        if secrets:
            doc["text"] = redact_secrets(text, secrets)
            types.extend(s.type for s in secrets)
        examples = len(spans) - len(secrets)
        title = doc.get("title")
        if self.config.redact_title and title:
            tspans = self.scanner.scan(title)
            tsecrets = [s for s in tspans if not s.example]
            # Values redacted in the text must not survive in the title either.
            for value, kind in {text[s.start:s.end]: s.type for s in secrets}.items():
                idx = title.find(value)
                while idx >= 0:
                    tsecrets.append(SecretSpan(idx, idx + len(value), kind, False))
                    idx = title.find(value, idx + len(value))
            if tsecrets:
                tsecrets = _resolve_overlaps(tsecrets)
                doc["title"] = redact_secrets(title, tsecrets)
                types.extend(s.type for s in tsecrets)
            examples += sum(1 for s in tspans if s.example)
        types.sort()
        doc["secret_types"] = types
        doc["secret_count"] = len(types)
        labels.extend(types)
        if examples and self.config.count_examples:
            labels.extend([EXAMPLE_LABEL] * examples)
        return labels
