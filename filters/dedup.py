"""Near-duplicate detection primitives: normalisation, shingling, MinHash signatures, LSH bands.

Pure Python + numpy (no Beam) so every step is testable on its own; the Beam wiring
(buckets, connected components, joins) lives in ``pipeline/dedup.py``.

Design (see docs/dedup.md):

* Text is normalised the FineWeb way (lower-case, punctuation and symbols removed,
  digits folded to ``0``, diacritics removed, whitespace collapsed) so that trivial
  edits (dates, prices, accents, Markdown markup) do not hide a copy.
* Shingles are word n-grams hashed to 64 bits: every distinct word is hashed once with
  BLAKE2b (stable across processes and machines, unlike ``hash()``), and n-gram hashes
  are combined from word hashes with vectorised numpy arithmetic.
* Signatures use datasketch 2.0's ``"affine64"`` permutation scheme, pinned explicitly
  (2.0 changed the default to ``"affine32"``): the permutation parameters come from
  ``datasketch.MinHash(num_perm, seed, scheme="affine64")`` and are applied with numpy
  to all shingles of a document at once, bit-identical to ``MinHash.update_batch``
  with an identity hash function (pinned by a test).
* A signature is cut into ``bands`` bands of ``rows`` rows; each band is folded to one
  64-bit key. Two documents become candidates when any band key matches.
"""

from __future__ import annotations

import hashlib
import math
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Optional, Sequence

import numpy as np
import regex

# ---------------------------------------------------------------------------------
# Configuration
# ---------------------------------------------------------------------------------

KEEP_RULES = ("longest", "shortest", "earliest", "latest", "smallest_id")

# datasketch 2.0 permutation scheme, pinned: 64-bit shingle hashes need the 64-bit
# affine scheme (the 2.0 default "affine32" would truncate them, "legacy" is biased).
MINHASH_SCHEME = "affine64"


@dataclass(frozen=True)
class DedupConfig:
    """Exact + MinHash-LSH near-duplicate detection.

    Defaults: 5-word shingles, 120 permutations in 30 bands x 4 rows, candidate
    pairs verified by exact Jaccard >= 0.55 on the shingle sets. The layout favours
    recall (detection 0.944 at J=0.55, 0.985 at 0.6, 0.9996 at 0.7) at the price of
    candidates below the threshold (0.86 at J=0.5, 0.22 at 0.3) which verification
    removes. 0.55 keeps short republished articles with one rewritten sentence
    (J~0.56 on a 90-word article) while partial borrowing between distinct texts
    (J~0.45, the ca1851/ny1850 fixture) and same-template pages (J<0.3) stay apart.
    With ``verify: false`` choose more rows (e.g. 14 x 8 for 0.75, FineWeb's layout)
    since unverified candidates are taken as duplicates.
    """

    enabled: bool = True
    ngram: int = 5
    num_perm: int = 120
    bands: int = 30
    rows: int = 4
    seed: int = 42
    # Jaccard similarity the band layout is designed for: pairs at this similarity
    # must be detected with probability >= 0.5 (checked), i.e. the knee is at or below it.
    threshold: float = 0.55
    exact_dedup: bool = True
    # Buckets with more members than this emit no edges (counted in stats as
    # bucket_cap_hits): thousands of documents sharing `rows` minhash values are
    # template/boilerplate pages, and one huge star would be a hot key. 0 = no cap.
    bucket_cap: int = 10_000
    verify: bool = True
    verify_threshold: float = 0.55
    # Large-star/small-star rounds unrolled in the Beam graph; convergence is checked
    # per round and reported in stats.
    max_rounds: int = 8
    # Representative order; smallest id is always the final tie-break.
    keep: list[str] = field(default_factory=lambda: ["longest", "earliest", "smallest_id"])

    def __post_init__(self) -> None:
        if self.ngram < 1:
            raise ValueError("ngram must be >= 1")
        if self.bands < 1 or self.rows < 1:
            raise ValueError("bands and rows must be >= 1")
        if self.bands * self.rows > self.num_perm:
            raise ValueError(f"bands*rows={self.bands * self.rows} exceeds num_perm={self.num_perm}")
        if not 0.0 < self.threshold <= 1.0 or not 0.0 <= self.verify_threshold <= 1.0:
            raise ValueError("threshold and verify_threshold must be in (0, 1]")
        p = detection_probability(self.threshold, self.bands, self.rows)
        if p < 0.5:
            raise ValueError(
                f"bands={self.bands} x rows={self.rows} detects pairs at J={self.threshold} with "
                f"probability {p:.2f} only; choose bands/rows for the threshold"
            )
        if self.max_rounds < 1:
            raise ValueError("max_rounds must be >= 1")
        if self.bucket_cap < 0:
            raise ValueError("bucket_cap must be >= 0")
        bad = [k for k in self.keep if k not in KEEP_RULES]
        if bad:
            raise ValueError(f"unknown keep rules {bad}; known: {list(KEEP_RULES)}")


def lsh_threshold(bands: int, rows: int) -> float:
    """Jaccard where the banding S-curve is steepest, ~(1/b)^(1/r)."""
    return (1.0 / bands) ** (1.0 / rows)


def detection_probability(jaccard: float, bands: int, rows: int) -> float:
    """P(two documents with this Jaccard share at least one band) = 1-(1-J^r)^b."""
    return 1.0 - (1.0 - jaccard**rows) ** bands


# ---------------------------------------------------------------------------------
# Normalisation and shingling
# ---------------------------------------------------------------------------------

_PUNCT_SYMBOL = regex.compile(r"[\p{P}\p{S}]+")
_DIGIT = regex.compile(r"\p{Nd}")
_COMBINING = regex.compile(r"\p{Mn}+")
# ASCII fast path (most of the web): one C-level translate instead of four regex passes.
_ASCII_TABLE = str.maketrans(
    {**{c: " " for c in map(chr, range(128)) if regex.match(r"[\p{P}\p{S}]", c)}, **{d: "0" for d in "0123456789"}}
)


def normalize_text(text: str) -> str:
    """FineWeb-style simplification: lower, no punctuation/symbols, digits->0, no diacritics.

    The result has words separated by single spaces (what ``shingle_hashes`` expects).
    """
    text = text.lower()
    if text.isascii():
        return " ".join(text.translate(_ASCII_TABLE).split())
    text = _COMBINING.sub("", unicodedata.normalize("NFKD", text))
    text = _PUNCT_SYMBOL.sub(" ", text)
    text = _DIGIT.sub("0", text)
    return " ".join(text.split())


_U64 = np.uint64
_MASK64 = (1 << 64) - 1
_FMIX_C1 = _U64(0xFF51AFD7ED558CCD)
_FMIX_C2 = _U64(0xC4CEB9FE1A85EC53)
_S33 = _U64(33)
_GOLDEN = _U64(0x9E3779B97F4A7C15)


def fmix64(h: np.ndarray) -> np.ndarray:
    """MurmurHash3 64-bit finaliser (the bijection datasketch applies before permuting)."""
    h = h ^ (h >> _S33)
    h = h * _FMIX_C1
    h = h ^ (h >> _S33)
    h = h * _FMIX_C2
    return h ^ (h >> _S33)


_FNV_PRIME = _U64(0x100000001B3)


def _word_hashes(normalized: str) -> np.ndarray:
    """64-bit hash of every word, vectorised over the UTF-8 bytes of the whole text.

    Each word's bytes are combined as a polynomial (base ``_FNV_PRIME``, mod 2^64)
    with ``np.add.reduceat`` over word segments, then avalanched with ``fmix64``:
    no Python work per word, and stable across processes (no ``hash()``).
    """
    b = np.frombuffer(normalized.encode("utf-8"), dtype=np.uint8)
    is_space = b == 32
    spaces = np.flatnonzero(is_space)
    seg_start = np.concatenate(([0], spaces))  # a word's segment includes its leading space
    ends = np.concatenate((spaces, [b.size]))  # exclusive end of every word
    word_of = np.cumsum(is_space)  # word index of each byte (a space opens the next word)
    exponent = ends[word_of] - np.arange(b.size) - 1
    lengths = ends - seg_start - (seg_start > 0)
    with np.errstate(over="ignore"):
        powers = np.cumprod(np.concatenate(([1], np.full(int(lengths.max()), _FNV_PRIME, dtype=np.uint64))),
                            dtype=np.uint64)
        contrib = np.where(is_space, _U64(0), b.astype(np.uint64) * powers[exponent])
        poly = np.add.reduceat(contrib, seg_start, dtype=np.uint64)
        return fmix64(poly ^ (lengths.astype(np.uint64) * _GOLDEN))


def shingle_hashes(normalized: str, ngram: int) -> np.ndarray:
    """Sorted unique 64-bit hashes of the word n-grams of a ``normalize_text`` output.

    A text shorter than `ngram` words yields one shingle (all its words), so short
    documents still get a signature; an empty text yields an empty array.
    """
    if not normalized:
        return np.empty(0, dtype=np.uint64)
    wh = _word_hashes(normalized)
    n = min(ngram, len(wh))
    span = len(wh) - n + 1
    with np.errstate(over="ignore"):
        acc = wh[:span].copy()
        for k in range(1, n):
            acc = fmix64(acc * _GOLDEN + wh[k : k + span])
    return np.unique(acc)


def exact_hash(normalized: str) -> str:
    """128-bit hex digest of the normalised text: equal means exact duplicate."""
    return hashlib.blake2b(normalized.encode("utf-8"), digest_size=16).hexdigest()


def jaccard(a: np.ndarray, b: np.ndarray) -> float:
    """Exact Jaccard of two sorted unique uint64 shingle arrays."""
    if a.size == 0 and b.size == 0:
        return 1.0
    inter = np.intersect1d(a, b, assume_unique=True).size
    return inter / (a.size + b.size - inter)


def shingles_to_bytes(hashes: np.ndarray) -> bytes:
    """Compact, pickle-free wire form of shingle hashes (little-endian uint64)."""
    return hashes.astype("<u8").tobytes()


def shingles_from_bytes(data: bytes) -> np.ndarray:
    return np.frombuffer(data, dtype="<u8").astype(np.uint64)


# ---------------------------------------------------------------------------------
# Signatures and bands
# ---------------------------------------------------------------------------------


class MinHasher:
    """Signatures and band keys for one config; build once per worker."""

    # Shingles processed per numpy block: bounds the (block x num_perm) uint64 matrix
    # to ~4 MB at 128 permutations whatever the document length.
    BLOCK = 4096

    def __init__(self, config: DedupConfig) -> None:
        from datasketch import MinHash  # permutations only; imported lazily

        self.config = config
        proto = MinHash(num_perm=config.num_perm, seed=config.seed, scheme=MINHASH_SCHEME)
        a, b = proto.permutations
        self.a = np.ascontiguousarray(a, dtype=np.uint64)
        self.b = np.ascontiguousarray(b, dtype=np.uint64)
        self._band_salt = fmix64(
            np.arange(1, config.bands + 1, dtype=np.uint64) * _GOLDEN ^ _U64(config.seed & _MASK64)
        )

    def signature(self, shingles: np.ndarray) -> np.ndarray:
        """MinHash signature (uint64[num_perm]) of a shingle-hash array.

        Same values as ``datasketch.MinHash(num_perm, seed, scheme="affine64",
        hashfunc=lambda x: x).update_batch(shingles)`` without per-element Python work.
        """
        sig = np.full(self.config.num_perm, np.iinfo(np.uint64).max, dtype=np.uint64)
        with np.errstate(over="ignore"):
            for start in range(0, shingles.size, self.BLOCK):
                hv = fmix64(shingles[start : start + self.BLOCK].astype(np.uint64, copy=False))
                block = np.multiply.outer(hv, self.a)  # (shingles, num_perm), wraps mod 2^64
                block += self.b
                np.minimum(sig, block.min(axis=0), out=sig)
        return sig

    def to_minhash(self, signature: np.ndarray) -> Any:
        """The signature as a datasketch LeanMinHash (interop with datasketch's LSH indexes)."""
        from datasketch import LeanMinHash

        return LeanMinHash(seed=self.config.seed, hashvalues=signature, scheme=MINHASH_SCHEME)

    def band_keys(self, signature: np.ndarray) -> list[int]:
        """One 64-bit key per band (band index folded in, so bands never collide).

        Returned as signed int64 values: Beam's integer coder (and Java/SQL sinks) only
        take signed 64-bit integers.
        """
        c = self.config
        rows = signature[: c.bands * c.rows].reshape(c.bands, c.rows)
        with np.errstate(over="ignore"):
            acc = self._band_salt.copy()
            for j in range(c.rows):
                acc = fmix64(acc * _GOLDEN + rows[:, j])
        return acc.view(np.int64).tolist()


@dataclass(frozen=True)
class Sketch:
    """What the clustering needs of one document (its text is not carried)."""

    exact: str
    bands: list[int]
    shingles: np.ndarray


def sketch_text(text: str, hasher: MinHasher) -> Optional[Sketch]:
    """Normalise, shingle and sign a text; None when nothing is left after normalising."""
    norm = normalize_text(text)
    if not norm:
        return None
    sh = shingle_hashes(norm, hasher.config.ngram)
    return Sketch(exact=exact_hash(norm), bands=hasher.band_keys(hasher.signature(sh)), shingles=sh)


# ---------------------------------------------------------------------------------
# Representative choice
# ---------------------------------------------------------------------------------


def _date_key(warc_date: Optional[str]) -> str:
    """Comparable UTC timestamp string; unparseable dates compare as text after valid ones."""
    if not warc_date:
        return "~"  # sorts after every digit: unknown dates are never 'earliest'
    try:
        dt = datetime.fromisoformat(warc_date.strip().replace("Z", "+00:00"))
        if dt.tzinfo is None:
            dt = dt.replace(tzinfo=timezone.utc)
        return dt.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")
    except ValueError:
        return "~" + warc_date


def _invert(s: str) -> tuple[int, ...]:
    # Descending order of a string inside an ascending tuple sort.
    return tuple(-ord(ch) for ch in s) + (1,)


def rank_key(doc_id: str, n_chars: Optional[int], warc_date: Optional[str], keep: Sequence[str]) -> tuple:
    """Sort key: the smallest key in a cluster is its representative.

    A total order (the id is always the last component), so the choice is the same
    on any runner, worker count or retry.
    """
    n = int(n_chars) if n_chars is not None else -1
    parts: list[Any] = []
    for rule in keep:
        if rule == "longest":
            parts.append(-n)
        elif rule == "shortest":
            parts.append(n if n >= 0 else math.inf)
        elif rule == "earliest":
            parts.append(_date_key(warc_date))
        elif rule == "latest":
            d = _date_key(warc_date)
            parts.append((1,) if d.startswith("~") else _invert(d))
        elif rule == "smallest_id":
            parts.append(doc_id)
    parts.append(doc_id)
    return tuple(parts)
