"""Provider-anchored credential rules and the example/placeholder heuristics.

Formats follow the public rule sets of gitleaks and secretlint (prefixes, lengths,
boundaries); the code is ours. Each rule runs only when one of its literal anchors
occurs in the text (a substring test), and patterns use only bounded repetitions of
single character classes, so a scan stays linear and cannot backtrack catastrophically.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass
from typing import Callable, Optional

# Families a config can switch on or off.
FAMILIES = ("cloud", "vcs", "chat", "payment", "ai", "saas", "crypto", "url", "generic")

# Characters that may not touch a token on either side (a token glued to a word is not one).
_L = r"(?<![A-Za-z0-9_\-])"
_R = r"(?![A-Za-z0-9_\-])"
_R_ALNUM = r"(?![A-Za-z0-9])"


@dataclass(frozen=True)
class Rule:
    """One credential format. ``group`` is the regex group holding the value to redact."""

    type: str
    family: str
    regex: re.Pattern[str]
    group: int = 0
    # Extra check on the matched value (e.g. entropy, mixed character classes).
    check: Optional[Callable[[str], bool]] = None
    # Literal strings one of which must occur in the text for the regex to run at all
    # (a plain substring test is ~50x cheaper than a regex scan). Empty: always run.
    anchors: tuple[str, ...] = ()
    # Test the anchors against the lower-cased text.
    anchors_lower: bool = False


def _has_digit_and_letter(value: str) -> bool:
    return any(c.isdigit() for c in value) and any(c.isalpha() for c in value)


def shannon_entropy(value: str) -> float:
    """Bits per character of ``value``."""
    if not value:
        return 0.0
    n = len(value)
    return -sum((c / n) * math.log2(c / n) for c in Counter(value).values())


def _generic_value_ok(value: str) -> bool:
    """Generic assignments: mixed letters+digits, upper+lower or symbols, and real entropy."""
    classes = sum((any(c.islower() for c in value), any(c.isupper() for c in value),
                   any(c.isdigit() for c in value), any(not c.isalnum() for c in value)))
    return (
        classes >= 3
        and shannon_entropy(value) >= 3.5
        and not is_placeholder_value(value)
        and not PROVIDER_PREFIX.match(value)
    )


# Values that start like a provider token are judged by that provider's rule only.
PROVIDER_PREFIX = re.compile(
    r"xox|xapp-|gh[pousr]_|github_pat_|gl[a-z]{2,4}-|[spr]k[-_]|AKIA|ASIA|AIza|SG\.|hf_|npm_|pypi-|"
    r"eyJ|dapi|shp[a-z]{2}_|whsec_|dckr_|hv[sbr]\.|tskey-|ntn_|lin_|gsk_|fig[dou]_|vc[piark]_|cf[auk]"
)


def _r(pattern: str, flags: int = 0) -> re.Pattern[str]:
    return re.compile(pattern, flags)


RULES: tuple[Rule, ...] = (
    # --- cloud ---------------------------------------------------------------------
    Rule("aws_access_key_id", "cloud",
         _r(_L + r"((?:A3T[A-Z0-9]|AKIA|ASIA|ABIA|ACCA|AGPA|AIDA|AROA|AIPA|ANPA|ANVA|APKA)[A-Z0-9]{16})" + _R_ALNUM), 1,
         lambda v: shannon_entropy(v) >= 3.0,
         anchors=("AKIA", "ASIA", "A3T", "ABIA", "ACCA", "AGPA", "AIDA", "AROA", "AIPA", "ANPA", "ANVA", "APKA")),
    Rule("aws_secret_access_key", "cloud",
         _r(r"(?i:aws)[A-Za-z0-9_.\-]{0,30}?(?i:secret|private)?[A-Za-z0-9_.\-]{0,20}?(?i:key)['\"\]]{0,2}\s{0,3}(?::=|=>|[:=])\s{0,3}['\"]?"
            r"([A-Za-z0-9/+]{40})(?![A-Za-z0-9/+=])"), 1, _has_digit_and_letter,
         anchors=("aws",), anchors_lower=True),
    Rule("google_api_key", "cloud", _r(_L + r"(AIza[0-9A-Za-z_\-]{35})" + _R), 1,
         lambda v: shannon_entropy(v) >= 3.5,
         anchors=("AIza",)),
    Rule("google_oauth_secret", "cloud", _r(_L + r"(GOCSPX-[0-9A-Za-z_\-]{28})" + _R), 1,
         anchors=("GOCSPX-",)),
    Rule("azure_storage_key", "cloud",
         _r(r"(?i:AccountKey)\s{0,3}=\s{0,3}([A-Za-z0-9+/]{86}==)"), 1,
         anchors=("accountkey",), anchors_lower=True),
    Rule("azure_ad_client_secret", "cloud", _r(_L + r"([A-Za-z0-9_~.]{3}\dQ~[A-Za-z0-9_~.\-]{31,34})" + _R), 1,
         anchors=("Q~",)),
    Rule("databricks_token", "cloud", _r(_L + r"(dapi[a-fA-F0-9]{32}(?:-\d)?)" + _R_ALNUM), 1,
         anchors=("dapi",)),
    Rule("cloudflare_api_token", "cloud", _r(r"(?<![A-Za-z0-9_])(cf(?:at|ut|k)_[A-Za-z0-9]{40}[a-f0-9]{8})" + _R_ALNUM), 1,
         anchors=("cfat_", "cfut_", "cfk_")),
    Rule("hashicorp_vault_token", "cloud", _r(r"(?<![A-Za-z0-9_])(hv[sbr]\.[A-Za-z0-9_\-]{90,300})" + _R), 1,
         anchors=("hvs.", "hvb.", "hvr.")),
    Rule("tailscale_key", "cloud", _r(r"(?<![A-Za-z])(tskey-[a-z]{2,12}-[A-Za-z0-9]{8,20}-[A-Za-z0-9]{20,40})" + _R_ALNUM), 1,
         anchors=("tskey-",)),
    Rule("vercel_token", "cloud", _r(_L + r"(vc[piark]_[A-Za-z0-9]{40,60})" + _R_ALNUM), 1,
         anchors=("vcp_", "vci_", "vca_", "vcr_", "vck_")),
    Rule("docker_pat", "cloud", _r(_L + r"(dckr_pat_[A-Za-z0-9_\-]{27,})" + _R), 1,
         anchors=("dckr_pat_",)),
    Rule("grafana_token", "cloud",
         _r(_L + r"(glc_[A-Za-z0-9+/]{32,400}={0,2}|glsa_[A-Za-z0-9]{32}_[A-Fa-f0-9]{8})" + _R_ALNUM), 1,
         anchors=("glc_", "glsa_")),
    Rule("digitalocean_token", "cloud", _r(_L + r"(do[pro]_v1_[a-f0-9]{64})" + _R_ALNUM), 1,
         anchors=("dop_v1_", "dor_v1_", "doo_v1_")),
    # --- vcs / package registries ----------------------------------------------------
    Rule("github_token", "vcs",
         _r(_L + r"(gh[pousr]_[A-Za-z0-9_.\-]{36,600}|github_pat_[A-Za-z0-9_]{22,255})" + _R), 1,
         anchors=("ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_")),
    Rule("gitlab_token", "vcs",
         _r(_L + r"(gl(?:pat|ptt|dt|rt|cbt|ft|imt|oas|soat)-[A-Za-z0-9_\-]{20,64}|GR1348941[A-Za-z0-9_\-]{20})" + _R), 1,
         anchors=("gl", "GR1348941")),
    Rule("npm_token", "vcs", _r(_L + r"(npm_[A-Za-z0-9]{36})" + _R), 1,
         anchors=("npm_",)),
    Rule("pypi_token", "vcs", _r(_L + r"(pypi-AgEIcHlwaS5vcmc[A-Za-z0-9_\-]{50,1000})" + _R), 1,
         anchors=("pypi-AgEIcHlwaS5vcmc",)),
    # --- chat ------------------------------------------------------------------------
    Rule("slack_token", "chat",
         _r(_L + r"((?:xoxb-\d{8,14}-(?:\d{8,14}|[A-Za-z0-9]{18,26})|xox[pe](?:-\d{8,14}){2,3}-[A-Za-z0-9]{16,64}|"
            r"xox[ar]-(?:\d-)?[0-9A-Za-z]{8,48}|xox[os]-\d{6,14}-\d{6,14}|xoxe\.xox[bp]-\d-[A-Za-z0-9]{160,170}|"
            r"xoxe-\d-[A-Za-z0-9]{140,150}|xapp-\d-[A-Za-z0-9]{6,20}-\d{6,20}(?:-[A-Za-z0-9]{20,80})?)"
            r"[0-9A-Za-z\-]{0,200})" + _R_ALNUM), 1, _has_digit_and_letter,
         anchors=("xox", "xapp-")),
    Rule("slack_webhook", "chat",
         _r(r"(https?://hooks\.slack\.com/(?:services|workflows|triggers)/[A-Za-z0-9+/_\-]{20,200})"), 1,
         anchors=("hooks.slack.com",)),
    Rule("discord_webhook", "chat",
         _r(r"(https?://(?:ptb\.|canary\.)?discord(?:app)?\.com/api/webhooks/\d{10,25}/[A-Za-z0-9_\-]{60,80})"), 1,
         anchors=("/api/webhooks/",)),
    Rule("telegram_bot_token", "chat", _r(r"(?<![0-9A-Za-z])(\d{8,10}:AA[0-9A-Za-z_\-]{33})" + _R), 1,
         anchors=(":AA",)),
    # --- payment / commerce ------------------------------------------------------------
    Rule("stripe_key", "payment", _r(r"(?<![A-Za-z0-9])((?:sk|rk)_(?:live|test)_[A-Za-z0-9]{24,247})" + _R_ALNUM), 1,
         anchors=("k_live_", "k_test_")),
    Rule("stripe_webhook_secret", "payment", _r(_L + r"(whsec_[A-Za-z0-9]{32,64})" + _R_ALNUM), 1,
         anchors=("whsec_",)),
    Rule("square_token", "payment", _r(_L + r"(sq0(?:atp|csp)-[0-9A-Za-z_\-]{22,43}|EAAA[A-Za-z0-9_\-]{60})" + _R), 1,
         anchors=("sq0", "EAAA")),
    Rule("shopify_token", "payment", _r(_L + r"(shp(?:at|ca|pa|ss)_[A-Za-z0-9]{32,64})" + _R_ALNUM), 1,
         anchors=("shpat_", "shpca_", "shppa_", "shpss_")),
    # --- AI providers ----------------------------------------------------------------
    Rule("openai_api_key", "ai",
         _r(_L + r"(sk-(?:(?:proj|svcacct|admin)-)?[A-Za-z0-9_\-]{16,200}T3BlbkFJ[A-Za-z0-9_\-]{16,200})" + _R), 1,
         anchors=("T3BlbkFJ",)),
    Rule("anthropic_api_key", "ai", _r(_L + r"(sk-ant-[a-z]{3,8}\d{2}-[A-Za-z0-9_\-]{80,120})" + _R), 1,
         anchors=("sk-ant-",)),
    Rule("huggingface_token", "ai", _r(_L + r"((?:hf_|api_org_)[A-Za-z]{34})" + _R_ALNUM), 1,
         anchors=("hf_", "api_org_")),
    Rule("groq_api_key", "ai", _r(_L + r"(gsk_[A-Za-z0-9]{52})" + _R), 1,
         anchors=("gsk_",)),
    # --- SaaS ------------------------------------------------------------------------
    Rule("twilio_api_key", "saas", _r(_L + r"(SK[0-9a-fA-F]{32})" + _R_ALNUM), 1,
         anchors=("SK",)),
    Rule("sendgrid_api_key", "saas", _r(r"(?<![A-Za-z0-9])(SG\.[A-Za-z0-9_\-]{22}\.[A-Za-z0-9_\-]{43})" + _R), 1,
         anchors=("SG.",)),
    Rule("mailchimp_api_key", "saas", _r(_L + r"([0-9a-f]{32}-us\d{1,2})" + _R_ALNUM), 1,
         anchors=("-us",)),
    Rule("mailgun_api_key", "saas", _r(_L + r"(key-[0-9a-f]{32})" + _R_ALNUM), 1,
         anchors=("key-",)),
    Rule("figma_token", "saas", _r(_L + r"(fig[dou]_[A-Za-z0-9_\-]{40,64})" + _R), 1,
         anchors=("figd_", "figo_", "figu_")),
    Rule("linear_api_key", "saas", _r(_L + r"(lin_(?:api|oauth)_[A-Za-z0-9]{40,50})" + _R_ALNUM), 1,
         anchors=("lin_api_", "lin_oauth_")),
    Rule("notion_token", "saas", _r(_L + r"(ntn_\d{11}[A-Za-z0-9]{35})" + _R_ALNUM), 1,
         anchors=("ntn_",)),
    Rule("onepassword_token", "saas", _r(_L + r"(ops_eyJ[A-Za-z0-9+/=_\-]{100,4000})"), 1,
         anchors=("ops_eyJ",)),
    Rule("atlassian_api_token", "saas", _r(_L + r"(ATATT3[A-Za-z0-9_\-=]{180,200})" + _R), 1,
         anchors=("ATATT3",)),
    # --- crypto material -------------------------------------------------------------
    Rule("jwt", "crypto",
         _r(_L + r"(eyJ[A-Za-z0-9_\-]{10,4000}\.eyJ[A-Za-z0-9_\-]{10,8000}\.[A-Za-z0-9_\-]{16,2000})" + _R), 1,
         anchors=("eyJ",)),
    # --- generic: a secret-named variable assigned a quoted, mixed-class value ------------
    Rule("keyword_secret", "generic",
         _r(r"(?i:secret|passw(?:or)?d|pwd|token|api_?key|apikey|access_?key|auth_?key|private_?key|client_?secret)"
            r"[A-Za-z0-9_\-]{0,20}[\"']?\s{0,3}(?::=|=>|==|=|:)\s{0,3}[\"']"
            r"([A-Za-z0-9+/=_\-.~!@#$%^&*]{16,200})[\"']"), 1, lambda v: _generic_value_ok(v),
         anchors=("secret", "passw", "pwd", "token", "api_key", "apikey", "api-key", "access_key", "accesskey", "auth_key", "authkey", "private_key", "privatekey", "client_secret", "clientsecret"), anchors_lower=True),
    # private keys and URLs with passwords are handled by dedicated code in secrets.py
)

# Private keys: BEGIN line, body (real newlines or JSON "\n" escapes) and END line.
PRIVATE_KEY_BEGIN = re.compile(r"-----BEGIN[ A-Z0-9]{0,30}PRIVATE KEY(?: BLOCK)?-----")
PRIVATE_KEY_END = re.compile(r"-----END[ A-Z0-9]{0,30}PRIVATE KEY(?: BLOCK)?-----")
# Body characters when no END line follows (truncated paste): base64, whitespace, "\n" escapes.
PRIVATE_KEY_BODY = re.compile(r"(?:[A-Za-z0-9+/=\s:,\-]|\\n){0,20000}")
BASE64_CHARS = re.compile(r"[A-Za-z0-9+/=]")

# URLs with user:password@host. Group 1 scheme, 2 user, 3 password, 4 host.
DB_SCHEMES = (
    r"mongodb(?:\+srv)?|postgres(?:ql)?|mysql|mariadb|redis|rediss|amqps?|mssql|sqlserver|"
    r"oracle|cockroachdb|clickhouse|neo4j(?:\+s)?|couchdb|cassandra|jdbc:[a-z0-9]{2,20}"
)
# No leading look-behind (it would disable the regex engine's literal-prefix scan):
# callers check that the scheme is not glued to a preceding word character.
CREDENTIAL_URL = re.compile(
    r"((?:" + DB_SCHEMES + r"|https?|ftps?|sftp|ssh|git|smtps?|imaps?|ldaps?|svn|rtsp)://)"
    r"([^\s:@/'\"<>()\[\]{}]{1,100}):([^\s'\"<>`]{1,200})@(?=[A-Za-z0-9\[])([A-Za-z0-9.\-\[\]]{1,255})"
)
DB_SCHEME_RE = re.compile(r"^(?:" + DB_SCHEMES + r")://$", re.IGNORECASE)

# --- examples and placeholders ----------------------------------------------------------

# Documented example credentials (provider docs, RFCs, tool READMEs).
KNOWN_EXAMPLE_VALUES = frozenset({
    "AKIAIOSFODNN7EXAMPLE",
    "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    "je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY",
    "AKIAI44QH8DHBEXAMPLE",
    "ASIAIOSFODNN7EXAMPLE",
    "sk_test_4eC39HqLyjWDarjtT1zdp7dc",
    "sk_test_BQokikJOvBiI2HlWgH4olfQ2",
    "pk_test_TYooMQauvdEDq54NiTphI7jx",
    "xoxb-not-a-real-token-this-will-not-work",
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c",
    "AIzaSyDaGmWKa4JsXZ-HjGw7ISLn_3namBGewQe",
    # Example API keys shipped in firebase-android-sdk (listed by gitleaks' gcp rule).
    "AIzaSyabcdefghijklmnopqrstuvwxyz1234567", "AIzaSyAnLA7NfeLquW1tJFpx_eQCxoX-oo6YyIs",
    "AIzaSyCkEhVjf3pduRDt6d1yKOMitrUEke8agEM", "AIzaSyDMAScliyLx7F0NPDEJi1QmyCgHIAODrlU",
    "AIzaSyD3asb-2pEZVqMkmL6M9N6nHZRR_znhrh0", "AIzayDNSXIbFmlXbIE6mCzDLQAqITYefhixbX4A",
    "AIzaSyAdOS2zB6NCsk1pCdZ4-P6GBdi_UUPwX7c", "AIzaSyASWm6HmTMdYWpgMnjRBjxcQ9CKctWmLd4",
    "AIzaSyANUvH9H9BsUccjsu2pCmEkOPjjaXeDQgY", "AIzaSyA5_iVawFQ8ABuTZNUdcwERLJv_a_p4wtM",
    "AIzaSyA4UrcGxgwQFTfaI3no3t7Lt1sjmdnP5sQ", "AIzaSyDSb51JiIcB6OJpwwMicseKRhhrOq1cS7g",
    "AIzaSyBF2RrAIm4a0mO64EShQfqfd2AFnzAvvuU", "AIzaSyBcE-OOIbhjyR83gm4r2MFCu4MJmprNXsw",
    "AIzaSyB8qGxt4ec15vitgn44duC5ucxaOi4FmqE", "AIzaSyA8vmApnrHNFE0bApF4hoZ11srVL_n0nvY",
})

# Markers inside a value that make it a placeholder, not a credential.
PLACEHOLDER_IN_VALUE = re.compile(
    r"x{4,}|X{4,}|\*{3,}|\.{3}|…|<[^<>]{0,40}>|\$\{|\{\{|\$\(|%[sd(]|"
    r"your[_\-]|your(?=[A-Z])|YOUR|(?i:replace[_\-]?(?:me|with)|placeholder|changeme|redacted|"
    r"dummy|insert[_\-]?|example[_\-]?(?:key|token|secret|password)|not[_\-]?a[_\-]?real|"
    r"(?:test|fake|demo|sample){3})"
)
AWS_EXAMPLE_SUFFIX = re.compile(r"EXAMPLE(?:KEY)?$")

# Documentation context on the same line, before the value.
DOC_CONTEXT = re.compile(
    r"(?i)\b(?:for example|examples?|e\.g\.|sample|placeholder|dummy|fake|such as|"
    r"replace (?:it |this |them )?with)(?![a-z])"
)

# Passwords in URLs that are template words, defaults or too weak to be a leak.
PLACEHOLDER_PASSWORDS = frozenset({
    "password", "passwd", "passw0rd", "pwd", "mypassword", "yourpassword", "secret", "mysecret",
    "changeme", "pass123", "password123", "p@ssw0rd", "p@ssword", "pw", "pass_word", "token",
    "apikey", "api_key", "xxx", "***",
})
LOCAL_DEFAULT_PASSWORDS = frozenset({
    "pass", "root", "admin", "test", "postgres", "mysql", "guest", "demo", "1234", "12345", "123456",
})
LOCAL_HOSTS = ("localhost", "127.0.0.1", "0.0.0.0", "[::1]", "host.docker.internal")

# Hashes, checksums and digests: hex or SRI-style values next to these words are not secrets.
HASH_CONTEXT = re.compile(
    r"(?i)sha-?\d{0,3}|md5|hash|checksum|digest|commit|integrity|etag|fingerprint|blake2?|crc32|"
    r"revision|\brev\b|object id|oid|nonce|salt|build id|\bsum\b"
)
SRI_OR_DIGEST_PREFIX = re.compile(r"(?i)(?:sha(?:1|224|256|384|512)[-:]|md5[-:]|base64,)$")
# Digest values written with their algorithm (SRI "sha384-...", docker "sha256:...").
DIGEST_VALUE = re.compile(r"(?i)(?:sha(?:1|224|256|384|512)|md5|blake2b?)[-:_]")
# Attribute/key names whose values are public identifiers, not credentials
# (HTML ids, site-verification tokens, reCAPTCHA site keys, analytics/customer ids).
PUBLIC_ID_CONTEXT = re.compile(
    r"(?i)(?:\bid|[-_]id|Id|class|href|src|name|slot|verification|verify|validate|sitekey|site_key|"
    r"site-key|customer_?id|app_?id|uid|widget[-_]?id|tracking[-_]?id|version|release|cache_?key)"
    r"[\"']?\s{0,3}[=:,(]\s{0,3}[\"']?$"
)
# Published-on-purpose tokens: site verification, origin trials, CSRF form tokens.
PUBLIC_TOKEN_NAMES = re.compile(
    r"(?i)verification|domain_verify|msvalidate|webmaster|origin-trial|requestverificationtoken|"
    r"csrf|xsrf|honeypot|nonce"
)
# Random base64 has upper case, lower case and digits; slugs and word-ids rarely all three.
MIXED_BASE64 = re.compile(r"(?=[^A-Z]*[A-Z])(?=[^a-z]*[a-z])(?=[^0-9]*[0-9])")
HEX_ONLY = re.compile(r"^[0-9a-fA-F]+$")
UUID_RE = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")


def is_placeholder_value(value: str) -> bool:
    """True for template markers, masked values and runs of one character."""
    if PLACEHOLDER_IN_VALUE.search(value):
        return True
    core = value.split("_")[-1] if "_" in value else value
    return len(core) >= 4 and len(set(core.lower())) == 1 and core[0] in "xX*0.#-"


def is_known_example(value: str, rule_type: str) -> bool:
    """Documented example keys (AWS's ...EXAMPLE family and a short list of famous ones)."""
    if value in KNOWN_EXAMPLE_VALUES:
        return True
    return rule_type.startswith("aws_") and bool(AWS_EXAMPLE_SUFFIX.search(value))


def followed_by_mask(after: str) -> bool:
    """A value cut short by a mask (``xoxp-123-...-####``, ``sk_live_****``) is a placeholder."""
    return after[:1] in ("#", "*", "…", "<") or after.startswith(("...", "xxxx", "XXXX"))


def in_doc_context(line_before: str) -> bool:
    """Documentation wording ("for example", "e.g.", "placeholder") just before the value."""
    return bool(DOC_CONTEXT.search(line_before[-80:]))


def is_weak_url_password(user: str, password: str, host: str) -> bool:
    """Template, default or trivially weak password in a credential URL."""
    p = password.lower()
    if len(password) < 4 or len(set(password)) == 1:
        return True
    if p in PLACEHOLDER_PASSWORDS or p == user.lower():
        return True
    if p.startswith(("your", "my_", "<", "{", "$", "%", "replace", "insert", "enter")):
        return True
    if is_placeholder_value(password) or is_placeholder_value(user):
        return True
    if user.startswith(("$", "{", "<", "%")):
        return True
    return host.lower().startswith(LOCAL_HOSTS) and p in LOCAL_DEFAULT_PASSWORDS
