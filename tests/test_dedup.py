"""Pure near-dedup primitives on real texts (tests/data/near_dup, see its SOURCES.md)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from datasketch import MinHash

from filters.dedup import (
    MINHASH_SCHEME,
    DedupConfig,
    MinHasher,
    detection_probability,
    exact_hash,
    jaccard,
    normalize_text,
    rank_key,
    shingle_hashes,
    shingles_from_bytes,
    shingles_to_bytes,
    sketch_text,
)
from pipeline.config import ConfigError, build_dataclass

DATA = Path(__file__).parent / "data" / "near_dup"


def _text(name: str) -> str:
    return (DATA / name).read_text(encoding="utf-8")


def _articles() -> dict[str, dict]:
    rows = [json.loads(line) for line in (DATA / "articles.jsonl").read_text(encoding="utf-8").splitlines()]
    return {r["id"]: r for r in rows}


def _sh(text: str, n: int = 5) -> np.ndarray:
    return shingle_hashes(normalize_text(text), n)


@pytest.fixture(scope="module")
def hasher() -> MinHasher:
    return MinHasher(DedupConfig())


# --- normalisation ------------------------------------------------------------------


def test_normalize_folds_case_punctuation_digits_and_diacritics():
    assert normalize_text("Héllo, WORLD! Ça coûte 12,50 € — **gras** (2019-11-18)") == (
        "hello world ca coute 00 00 gras 0000 00 00"
    )


def test_normalize_collapses_whitespace_and_markdown_markup():
    assert normalize_text("# Title\n\n* item  one\n| a | b |") == "title item one a b"


def test_punctuation_only_text_sketches_to_none(hasher):
    assert sketch_text("— … !!! ###", hasher) is None


# --- shingles -----------------------------------------------------------------------


def test_shingles_are_unique_sorted_word_ngrams():
    sh = _sh("a b c d e f a b c d e f")
    # 8 five-grams, of which "a b c d e" and "b c d e f" repeat
    assert sh.dtype == np.uint64
    assert sh.size == 6
    assert np.all(np.diff(sh.astype(object)) > 0)


def test_text_shorter_than_ngram_is_one_shingle_and_empty_is_none():
    assert _sh("only three words").size == 1
    assert _sh("").size == 0
    assert not np.array_equal(_sh("only three words"), _sh("only four words"))


def test_word_order_matters_in_shingles():
    assert jaccard(_sh("one two three four five six"), _sh("six five four three two one")) == 0.0


def test_shingle_hashes_are_stable_across_processes():
    """Never Python's hash(): a fresh interpreter with another hash seed gives the same values."""
    code = (
        "from filters.dedup import shingle_hashes, normalize_text;"
        "print(list(map(int, shingle_hashes(normalize_text(open('tests/data/near_dup/rails_mit_license.txt').read()), 5)[:5])))"
    )
    root = Path(__file__).resolve().parents[1]
    outs = {
        subprocess.run(
            [sys.executable, "-c", code], cwd=root, capture_output=True, text=True, check=True,
            env={"PYTHONHASHSEED": seed, "PYTHONPATH": str(root)},
        ).stdout
        for seed in ("1", "2")
    }
    assert len(outs) == 1
    assert list(map(int, _sh(_text("rails_mit_license.txt"))[:5])) == json.loads(outs.pop())


def test_shingles_round_trip_through_bytes():
    sh = _sh(_text("ca1851-match.txt"))
    assert np.array_equal(shingles_from_bytes(shingles_to_bytes(sh)), sh)


# --- exact Jaccard on the real pairs ----------------------------------------------


def test_real_fuzzy_duplicate_licences_are_above_threshold_and_pytorch_is_not():
    rails, react, torch = (_sh(_text(f)) for f in ("rails_mit_license.txt", "react_mit_license.txt", "pytorch_license.txt"))
    assert jaccard(rails, react) > 0.9
    assert jaccard(rails, torch) < 0.1


def test_two_editions_of_remember_are_near_duplicates_but_legal_borrowing_is_not():
    thr = DedupConfig().verify_threshold
    assert jaccard(_sh(_text("remember00palm.txt")), _sh(_text("remembermeorholy00palm.txt"))) >= thr
    assert 0.3 < jaccard(_sh(_text("ca1851-match.txt")), _sh(_text("ny1850-match.txt"))) < thr


# --- signatures -----------------------------------------------------------------------


def test_numpy_signature_is_bit_identical_to_datasketch_update_batch(hasher):
    sh = _sh(_text("remember00palm.txt"))
    assert sh.size > hasher.BLOCK  # exercises the block loop
    ref = MinHash(num_perm=hasher.config.num_perm, seed=hasher.config.seed, scheme="affine64", hashfunc=lambda x: x)
    ref.update_batch([int(x) for x in sh])
    assert MINHASH_SCHEME == "affine64"
    assert np.array_equal(hasher.signature(sh), ref.hashvalues)


def test_signature_jaccard_estimate_tracks_exact_jaccard(hasher):
    a, b = _sh(_text("remember00palm.txt")), _sh(_text("remembermeorholy00palm.txt"))
    est = hasher.to_minhash(hasher.signature(a)).jaccard(hasher.to_minhash(hasher.signature(b)))
    assert abs(est - jaccard(a, b)) < 0.1


def test_signature_depends_on_seed():
    sh = _sh(_text("rails_mit_license.txt"))
    s1 = MinHasher(DedupConfig(seed=1)).signature(sh)
    s2 = MinHasher(DedupConfig(seed=2)).signature(sh)
    assert not np.array_equal(s1, s2)


def test_near_duplicates_share_a_band_and_distinct_licences_do_not(hasher):
    def bands(name):
        return set(sketch_text(_text(name), hasher).bands)

    assert bands("rails_mit_license.txt") & bands("react_mit_license.txt")
    assert not bands("rails_mit_license.txt") & bands("pytorch_license.txt")
    assert not bands("CC-BY-NC-3.0.txt") & bands("CC-BY-NC-4.0.txt")


def test_band_keys_differ_per_band_index_for_identical_rows(hasher):
    c = hasher.config
    keys = hasher.band_keys(np.zeros(c.num_perm, dtype=np.uint64))
    assert len(keys) == c.bands == len(set(keys))


def test_republished_copies_collide_and_template_negatives_do_not(hasher):
    arts = _articles()
    sk = {i: sketch_text(r["text"], hasher) for i, r in arts.items()}
    for i, r in arts.items():
        if r["role"] == "copy" and r["id"].startswith("copy"):
            orig = "orig-" + i.split("-", 1)[1]
            j = jaccard(sk[i].shingles, sk[orig].shingles)
            if j >= 0.7:  # well above threshold: must be a candidate
                assert set(sk[i].bands) & set(sk[orig].bands), i
    tmpl = [i for i, r in arts.items() if i.startswith("tmpl-")]
    for x in tmpl:
        for y in tmpl:
            if x < y:
                assert jaccard(sk[x].shingles, sk[y].shingles) < 0.3


# --- exact hash ------------------------------------------------------------------------


def test_exact_hash_ignores_case_punctuation_and_numbers_but_not_words():
    base = _text("ca1851-nomatch.txt")
    assert exact_hash(normalize_text(base)) == exact_hash(normalize_text(base.upper().replace(".", " ;")))
    assert exact_hash(normalize_text(base)) != exact_hash(normalize_text(base.replace("the", "a", 1)))


# --- config and S-curve -----------------------------------------------------------------


def test_default_layout_detects_threshold_pairs_and_rarely_unrelated_ones():
    c = DedupConfig()
    assert c.bands * c.rows <= c.num_perm
    assert detection_probability(c.threshold, c.bands, c.rows) > 0.94
    assert detection_probability(c.threshold + 0.05, c.bands, c.rows) > 0.98
    assert detection_probability(0.8, c.bands, c.rows) > 0.9999
    assert detection_probability(0.1, c.bands, c.rows) < 0.005


def test_config_rejects_layout_that_misses_its_threshold():
    with pytest.raises(ValueError, match="probability"):
        DedupConfig(bands=2, rows=20, num_perm=40, threshold=0.6)
    with pytest.raises(ValueError, match="exceeds"):
        DedupConfig(bands=30, rows=5, num_perm=120)


def test_config_builds_from_yaml_mapping_and_rejects_unknown_keys_and_rules():
    c = build_dataclass(DedupConfig, {"bands": 14, "rows": 8, "num_perm": 112, "threshold": 0.75, "keep": ["earliest"]})
    assert (c.bands, c.rows, c.keep) == (14, 8, ["earliest"])
    with pytest.raises(ConfigError):
        build_dataclass(DedupConfig, {"band": 3})
    with pytest.raises(ConfigError, match="keep"):
        build_dataclass(DedupConfig, {"keep": ["newest"]})


# --- representative order -----------------------------------------------------------------


def test_rank_prefers_longest_then_earliest_then_smallest_id():
    keep = ["longest", "earliest", "smallest_id"]
    docs = [
        ("b", 100, "2020-01-02T00:00:00Z"),
        ("c", 100, "2020-01-01T00:00:00Z"),
        ("a", 100, "2020-01-01T00:00:00Z"),
        ("d", 90, "2019-01-01T00:00:00Z"),
    ]
    order = sorted(docs, key=lambda d: rank_key(*d, keep))
    assert [d[0] for d in order] == ["a", "c", "b", "d"]


def test_rank_compares_dates_across_formats_and_puts_unknown_dates_last():
    keep = ["earliest"]
    assert rank_key("z", 1, "2020-01-01T01:00:00+02:00", keep) < rank_key("a", 1, "2020-01-01T00:00:00Z", keep)
    assert rank_key("z", 1, "2021-01-01T00:00:00Z", keep) < rank_key("a", 1, None, keep)
    assert rank_key("z", 1, "2021-01-01T00:00:00Z", ["latest"]) < rank_key("a", 1, "2020-01-01T00:00:00Z", ["latest"])
    assert rank_key("z", 1, "2021-01-01T00:00:00Z", ["latest"]) < rank_key("a", 1, None, ["latest"])


def test_rank_shortest_and_id_tiebreak_is_total():
    assert rank_key("b", 5, None, ["shortest"]) < rank_key("a", 9, None, ["shortest"])
    assert rank_key("a", 5, None, ["shortest"]) < rank_key("b", 5, None, ["shortest"])
    assert rank_key("a", 5, None, []) != rank_key("b", 5, None, [])
