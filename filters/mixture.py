"""Data-mixture sampling: how many times each kept document is used for training.

Documents are grouped into buckets by one column (or a derived key). Targets are
shares of *tokens* per bucket. `plan_mixture` turns available tokens per bucket into
a rate per bucket (expected copies per document, float >= 0) that meets the shares
and the token budget, with a repetition cap (default 4 epochs: Muennighoff et al.
2023, "Scaling Data-Constrained Language Models", find up to ~4 epochs nearly as good
as fresh data); what a capped bucket cannot supply is redistributed to buckets with
headroom in proportion to their targets (water-filling).

Per document, `copies_for(seed, bucket, id, rate)` is floor(rate) plus one more copy
when a hash-derived uniform u(seed, bucket, id) is below frac(rate): a pure function,
so every runner, worker and retry gives bit-identical copies. Independent draws leave
sampling noise on small buckets, so `calibrate_plan` uses a token-weighted histogram
of u per bucket (`BucketStats`, summed exactly in integers) to choose the threshold
that selects exactly frac(rate) of the bucket's tokens (to one histogram bin); the
calibrated `sample_rate` is what documents are sampled with. Math: docs/mixture.md.
"""

from __future__ import annotations

import hashlib
import math
import re
from dataclasses import asdict, dataclass, field
from typing import Any, Callable, Iterable, Mapping, Optional

Document = dict[str, Any]

HIST_BINS = 1024
NULL_BUCKET = "none"
ALL_BUCKET = "all"
OTHER_BUCKET = "other"
DERIVED_KEYS = ("license_family", "domain_category")


@dataclass(frozen=True)
class MixtureConfig:
    """Token-share mixture over buckets of one column (YAML section ``mixture``)."""

    # Off: every document gets 1 copy; its bucket is the key's value (or "all").
    enabled: bool = False
    # A document column (quality_bucket, language, content_type, ...) or a derived key:
    # license_family (filters.licenses.license_family of `license`) or domain_category
    # (rule-based map of the URL host, see domain_category()). "" = one bucket "all".
    bucket_key: str = ""
    # Target token share per bucket value; normalised to sum 1 (weights are fine).
    # Buckets not listed get share 0 (sampled out) unless an "other" entry exists:
    # then every unlisted value is pooled into the bucket "other".
    targets: dict[str, float] = field(default_factory=dict)
    # Alternative to targets: temperature sampling, share_b proportional to N_b ** alpha
    # (N_b = available tokens). 1 = natural proportions, 0 = uniform over buckets.
    alpha: Optional[float] = None
    # Total tokens to emit; None = the largest budget the epoch cap allows at these shares.
    token_budget: Optional[int] = None
    # No document is used more than ceil(max_epochs) times; no bucket more than max_epochs on average.
    max_epochs: float = 4.0
    seed: int = 0
    # Histogram-based calibration of the fractional part (exact shares on small corpora).
    calibrate: bool = True

    def __post_init__(self) -> None:
        if self.targets and self.alpha is not None:
            raise ValueError("mixture: give either targets or alpha, not both")
        if any(v < 0 or not math.isfinite(v) for v in self.targets.values()):
            raise ValueError("mixture.targets: shares must be finite and >= 0")
        if self.targets and sum(self.targets.values()) <= 0:
            raise ValueError("mixture.targets: at least one share must be > 0")
        if self.enabled and not self.targets and self.alpha is None:
            raise ValueError("mixture: enabled needs targets or alpha")
        if self.max_epochs <= 0:
            raise ValueError("mixture.max_epochs must be > 0")
        if self.token_budget is not None and self.token_budget < 0:
            raise ValueError("mixture.token_budget must be >= 0")


# --- bucket keys --------------------------------------------------------------------

# First match wins; patterns are tested against the lower-cased host.
_DOMAIN_RULES: list[tuple[str, re.Pattern[str]]] = [
    ("wiki", re.compile(r"wiki|(^|\.)fandom\.com$")),
    ("code", re.compile(r"(^|\.)(github\.com|gitlab\.com|bitbucket\.org|sourceforge\.net|codeberg\.org|stackoverflow\.com|pypi\.org|npmjs\.com|crates\.io|readthedocs\.io|rtfd\.io)$|(^|\.)(docs|developer|developers)\.")),
    ("forum", re.compile(r"(^|\.)(reddit\.com|quora\.com|stackexchange\.com|superuser\.com|serverfault\.com|askubuntu\.com|discourse\.|forums?\.|community\.|boards?\.)|(^|\.)(forum|forums|board|boards|community)\.")),
    ("gov", re.compile(r"(^|\.)gov(\.[a-z]{2})?$|\.gouv\.[a-z]{2}$|\.gob\.[a-z]{2}$|\.go\.[a-z]{2}$|\.mil$|\.gc\.ca$|(^|\.)europa\.eu$")),
    ("edu", re.compile(r"(^|\.)edu(\.[a-z]{2})?$|\.ac\.[a-z]{2}$|\.edu\.[a-z]{2}$|(^|\.)(arxiv\.org|ncbi\.nlm\.nih\.gov|researchgate\.net|semanticscholar\.org)$|(^|\.)(uni-[a-z-]+|univ-[a-z-]+)\.")),
    ("news", re.compile(r"(^|\.)(news|nieuws|nachrichten|noticias)\.|(^|\.)(bbc\.co\.uk|bbc\.com|cnn\.com|nytimes\.com|theguardian\.com|reuters\.com|apnews\.com|washingtonpost\.com|aljazeera\.com|npr\.org|lemonde\.fr|spiegel\.de|elpais\.com)$|news")),
]


def domain_category(url_or_host: str | None) -> str:
    """wiki | code | forum | gov | edu | news | other, by host patterns (first rule that matches)."""
    if not url_or_host:
        return OTHER_BUCKET
    host = url_or_host.lower()
    if "://" in host:
        host = host.split("://", 1)[1]
    host = host.split("/", 1)[0].split("?", 1)[0].rsplit("@", 1)[-1].split(":", 1)[0].strip(".")
    for name, pattern in _DOMAIN_RULES:
        if pattern.search(host):
            return name
    return OTHER_BUCKET


def _license_family_function() -> Callable[[str | None], str]:
    from filters.licenses import license_family  # written by the licences stage

    return license_family


def make_bucket_function(config: MixtureConfig) -> Callable[[Document], str]:
    """doc -> bucket name, with derived keys and unlisted-bucket pooling resolved once."""
    key = config.bucket_key
    if not key:
        raw: Callable[[Document], str] = lambda doc: ALL_BUCKET  # noqa: E731
    elif key == "domain_category":
        raw = lambda doc: domain_category(doc.get("host") or doc.get("url"))  # noqa: E731
    elif key == "license_family":
        family = _license_family_function()
        cache: dict[Any, str] = {}

        def raw(doc: Document) -> str:
            spdx = doc.get("license")
            if spdx not in cache:
                cache[spdx] = family(spdx) if spdx else NULL_BUCKET
            return cache[spdx]
    else:
        def raw(doc: Document) -> str:
            value = doc.get(key)
            return NULL_BUCKET if value is None else str(value)

    if config.enabled and config.alpha is None and OTHER_BUCKET in config.targets:
        listed = frozenset(config.targets)
        return lambda doc: (b if (b := raw(doc)) in listed else OTHER_BUCKET)
    return raw


# --- per-document sampling ----------------------------------------------------------


def uniform(seed: int, bucket: str, doc_id: str) -> float:
    """Uniform in [0, 1) from blake2b(seed, bucket, id): identical on every machine."""
    digest = hashlib.blake2b(
        f"{seed}\x1f{bucket}\x1f{doc_id}".encode("utf-8"), digest_size=8
    ).digest()
    return int.from_bytes(digest, "big") / 18446744073709551616.0  # 2**64


def copies_for(seed: int, bucket: str, doc_id: str, rate: float) -> int:
    """floor(rate), plus one when uniform(seed, bucket, id) < frac(rate)."""
    if rate <= 0.0:
        return 0
    whole = math.floor(rate)
    frac = rate - whole
    if frac > 0.0 and uniform(seed, bucket, doc_id) < frac:
        return whole + 1
    return whole


@dataclass
class BucketStats:
    """Available tokens and documents of one bucket + token mass per uniform-u bin."""

    tokens: int = 0
    documents: int = 0
    hist: list[int] = field(default_factory=lambda: [0] * HIST_BINS)

    def add(self, tokens: int, u: float) -> "BucketStats":
        self.tokens += tokens
        self.documents += 1
        self.hist[min(int(u * HIST_BINS), HIST_BINS - 1)] += tokens
        return self

    def merge(self, other: "BucketStats") -> "BucketStats":
        self.tokens += other.tokens
        self.documents += other.documents
        self.hist = [a + b for a, b in zip(self.hist, other.hist)]
        return self


def doc_tokens(doc: Document) -> int:
    n = doc.get("n_tokens")
    return int(n) if n else 0


# --- planning -----------------------------------------------------------------------


@dataclass(frozen=True)
class BucketPlan:
    available_tokens: int
    target_share: float
    rate: float  # planned copies per document (= epochs over the bucket)
    expected_tokens: float
    expected_share: float
    capped: bool  # hit max_epochs (its unmet share went to other buckets)
    sample_rate: float  # rate the documents are sampled with (calibrated when possible)
    documents: int = 0


@dataclass(frozen=True)
class MixturePlan:
    buckets: dict[str, BucketPlan]
    token_budget: Optional[int]  # as configured (None = largest feasible)
    planned_tokens: float
    feasible: bool  # shares and budget both met exactly (no cap hit, no empty target)
    message: str
    enabled: bool = True
    seed: int = 0

    def rates(self) -> dict[str, float]:
        return {b: p.sample_rate for b, p in self.buckets.items()}

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _resolve_targets(bucket_tokens: Mapping[str, int], config: MixtureConfig) -> dict[str, float]:
    """Normalised target share per bucket, including listed buckets absent from the data."""
    if config.alpha is not None:
        weights = {b: float(n) ** config.alpha for b, n in bucket_tokens.items() if n > 0}
    else:
        weights = {b: float(w) for b, w in config.targets.items()}
        for b in bucket_tokens:
            weights.setdefault(b, 0.0)
    total = sum(weights.values())
    return {b: (w / total if total > 0 else 0.0) for b, w in weights.items()}


def _water_fill(
    budget: float, targets: dict[str, float], capacity: dict[str, float]
) -> tuple[dict[str, float], set[str]]:
    """Split `budget` by `targets`; buckets over capacity are capped and the excess re-split."""
    alloc = {b: 0.0 for b in targets}
    active = {b for b, t in targets.items() if t > 0 and capacity.get(b, 0) > 0}
    capped: set[str] = set()
    remaining = budget
    while active and remaining > 1e-9:
        weight = sum(targets[b] for b in active)
        # Relative tolerance: the bottleneck bucket of a "largest budget" plan sits exactly at capacity.
        over = {b for b in active if remaining * targets[b] / weight > capacity[b] * (1 + 1e-9)}
        if not over:
            for b in active:
                alloc[b] = min(remaining * targets[b] / weight, capacity[b])
            remaining = 0.0
            break
        for b in over:
            alloc[b] = capacity[b]
            remaining -= capacity[b]
        active -= over
        capped |= over
    return alloc, capped


def plan_mixture(bucket_tokens: Mapping[str, int], config: MixtureConfig) -> MixturePlan:
    """Rates per bucket that meet target token shares within the budget and epoch cap."""
    tokens = {b: int(n) for b, n in sorted(bucket_tokens.items())}
    total = sum(tokens.values())
    if not config.enabled:
        buckets = {
            b: BucketPlan(n, n / total if total else 0.0, 1.0, float(n), n / total if total else 0.0, False, 1.0)
            for b, n in tokens.items()
        }
        return MixturePlan(buckets, None, float(total), True, "mixture disabled: every document used once",
                           enabled=False, seed=config.seed)

    targets = _resolve_targets(tokens, config)
    notes: list[str] = []
    missing = sorted(b for b, t in targets.items() if t > 0 and tokens.get(b, 0) == 0)
    if missing:
        notes.append(
            f"no tokens for target bucket(s) {', '.join(missing)} "
            f"({sum(targets[b] for b in missing):.1%} of targets redistributed)"
        )
    capacity = {b: config.max_epochs * tokens.get(b, 0) for b in targets}
    live = {b: t for b, t in targets.items() if t > 0 and tokens.get(b, 0) > 0}
    live_weight = sum(live.values())
    if config.token_budget is None:
        # Largest budget at exactly these shares (renormalised over buckets that have data).
        budget = min((capacity[b] * live_weight / t for b, t in live.items()), default=0.0)
    else:
        budget = float(config.token_budget)
    alloc, capped = _water_fill(budget, targets, capacity)
    planned = sum(alloc.values())
    if capped:
        headroom = sorted(set(live) - capped)
        where = f"redistributed to {', '.join(headroom)}" if headroom else "not redistributable"
        notes.append(
            f"bucket(s) {', '.join(sorted(capped))} capped at {config.max_epochs:g} epochs; "
            f"their unmet share {where}"
        )
    shortfall = budget - planned
    if shortfall > max(1.0, 1e-9 * budget):
        notes.append(
            f"budget {budget:,.0f} tokens cannot be met: at most {planned:,.0f} tokens "
            f"available within {config.max_epochs:g} epochs (short by {shortfall:,.0f})"
        )
    feasible = not notes
    if feasible:
        message = f"feasible: {planned:,.0f} tokens at target shares"
    else:
        message = "infeasible: " + "; ".join(notes)

    buckets = {}
    for b in sorted(set(tokens) | set(targets)):
        n = tokens.get(b, 0)
        rate = alloc.get(b, 0.0) / n if n else 0.0
        buckets[b] = BucketPlan(
            available_tokens=n,
            target_share=targets.get(b, 0.0),
            rate=rate,
            expected_tokens=alloc.get(b, 0.0),
            expected_share=alloc.get(b, 0.0) / planned if planned else 0.0,
            capped=b in capped,
            sample_rate=rate,
        )
    return MixturePlan(buckets, config.token_budget, planned, feasible, message, enabled=True, seed=config.seed)


def calibrated_rate(rate: float, stats: BucketStats) -> float:
    """floor(rate) + threshold t where the tokens of documents with u < t equal frac(rate) * tokens."""
    whole = math.floor(rate)
    frac = rate - whole
    if frac <= 0.0 or stats.tokens <= 0:
        return rate
    want = frac * stats.tokens
    cumulative = 0
    for i, mass in enumerate(stats.hist):
        if mass and cumulative + mass >= want:
            return whole + (i + (want - cumulative) / mass) / HIST_BINS
        cumulative += mass
    return float(whole + 1)


def calibrate_plan(plan: MixturePlan, stats: Mapping[str, BucketStats], enabled: bool = True) -> MixturePlan:
    """Plan with `sample_rate` calibrated on each bucket's u-histogram and document counts filled."""
    buckets = {}
    for b, p in plan.buckets.items():
        s = stats.get(b)
        sample_rate = calibrated_rate(p.rate, s) if (enabled and s is not None) else p.rate
        buckets[b] = BucketPlan(
            **{**asdict(p), "sample_rate": sample_rate, "documents": s.documents if s else 0}
        )
    return MixturePlan(buckets, plan.token_budget, plan.planned_tokens, plan.feasible, plan.message,
                       plan.enabled, plan.seed)


def plan_from_stats(stats: Mapping[str, BucketStats], config: MixtureConfig) -> MixturePlan:
    """plan_mixture on the stats' token totals, then calibration (if configured)."""
    plan = plan_mixture({b: s.tokens for b, s in stats.items()}, config)
    return calibrate_plan(plan, stats, enabled=config.enabled and config.calibrate)


def collect_stats(docs: Iterable[Document], config: MixtureConfig) -> dict[str, BucketStats]:
    """Per-bucket stats of an in-memory corpus (the Beam transform computes the same with a combiner)."""
    bucket_of = make_bucket_function(config)
    stats: dict[str, BucketStats] = {}
    for doc in docs:
        b = bucket_of(doc)
        stats.setdefault(b, BucketStats()).add(doc_tokens(doc), uniform(config.seed, b, doc["id"]))
    return stats


def mixture_table(plan: MixturePlan, realised: Mapping[str, tuple[int, int, int]]) -> dict[str, Any]:
    """The run report's mixture table; realised[b] = (documents, copies, tokens x copies)."""
    total = sum(r[2] for r in realised.values())
    rows = []
    for b, p in plan.buckets.items():
        docs, copies, tok = realised.get(b, (0, 0, 0))
        rows.append(
            {
                "bucket": b,
                "available_tokens": p.available_tokens,
                "documents": docs,
                "copies": copies,
                "target_share": p.target_share,
                "planned_rate": p.rate,
                "expected_share": p.expected_share,
                "realised_tokens": tok,
                "realised_share": tok / total if total else 0.0,
                "epochs": tok / p.available_tokens if p.available_tokens else 0.0,
                "capped": p.capped,
            }
        )
    return {
        "enabled": plan.enabled,
        "seed": plan.seed,
        "token_budget": plan.token_budget,
        "planned_tokens": plan.planned_tokens,
        "realised_tokens": total,
        "feasible": plan.feasible,
        "message": plan.message,
        "buckets": rows,
    }
