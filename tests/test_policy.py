"""Policy: each rule yields its reason, rules run in a fixed order, nulls never drop."""

from __future__ import annotations

import importlib.util

import pytest

from filters.policy import PRESETS, RULE_ORDER, Bounds, Policy, PolicyConfig
from pipeline.config import ConfigError, build_dataclass
from schemas.documents import HEURISTIC_COLUMNS, empty_document


def _doc(**values):
    base = dict(id="d1", url="https://example.org/a", text="x" * 2000, n_chars=2000, n_tokens=500)
    base.update(values)
    return empty_document(**base)


def _policy(**config) -> Policy:
    return Policy(build_dataclass(PolicyConfig, config, "policy"))


# A document as every stage would leave a clean English page: passes every preset.
CLEAN = dict(
    language="en", language_score=0.97, license="CC-BY-4.0", dup_status="kept", dup_cluster_size=3,
    secret_types=[], secret_count=0, pii_entities=["EMAIL_ADDRESS"], pii_count=1,
    perplexity=310.0, quality_bucket="head", poison_score=0.02, poison_flags=[],
    gopher_word_count=340, gopher_mean_word_length=4.8, gopher_symbol_word_ratio=0.0,
    gopher_bullet_lines_ratio=0.1, gopher_ellipsis_lines_ratio=0.0, gopher_stop_word_count=60,
    gopher_alpha_words_ratio=0.95, rep_dup_line_frac=0.02, rep_dup_para_frac=0.0,
    rep_dup_line_char_frac=0.01, rep_dup_para_char_frac=0.0, rep_top_2gram_char_frac=0.03,
    rep_top_3gram_char_frac=0.02, rep_top_4gram_char_frac=0.01, rep_dup_5gram_char_frac=0.0,
    rep_dup_6gram_char_frac=0.0, rep_dup_7gram_char_frac=0.0, rep_dup_8gram_char_frac=0.0,
    rep_dup_9gram_char_frac=0.0, rep_dup_10gram_char_frac=0.0, c4_sentence_count=18,
    c4_has_lorem_ipsum=False, c4_has_curly_bracket=False, fineweb_line_punct_ratio=0.8,
    fineweb_short_line_ratio=0.2, fineweb_dup_line_char_ratio=0.0, fineweb_newline_word_ratio=0.05,
)
ALL_PRESETS = sorted(PRESETS)


# --- nulls and defaults ---------------------------------------------------------------


def test_document_with_every_signal_null_is_kept_by_every_rule_configured():
    strict = _policy(
        languages=["en"], min_chars=10, min_tokens=10, license_family_allow=["cc-by"], max_secret_count=0,
        max_pii_per_1k_chars=0.1, poison_threshold=0.1, max_perplexity=10.0, drop_quality_buckets=["tail"],
        presets=ALL_PRESETS,
    )
    assert strict.decide(empty_document(id="x", url="https://example.org/")) is None


def test_clean_page_passes_defaults_and_all_presets():
    assert Policy(PolicyConfig()).decide(_doc(**CLEAN)) is None
    assert _policy(presets=ALL_PRESETS, languages=["en"]).decide(_doc(**CLEAN)) is None


def test_defaults_drop_duplicates_nc_nd_licences_dense_pii_and_likely_poison_only():
    policy = Policy(PolicyConfig())
    assert policy.decide(_doc(**{**CLEAN, "dup_status": "near_duplicate"})) == "dedup:near_duplicate"
    assert policy.decide(_doc(**{**CLEAN, "license": "CC-BY-NC-ND-4.0"})) == "license:CC-BY-NC-ND-4.0"
    assert policy.decide(_doc(**{**CLEAN, "secret_count": 9, "secret_types": ["aws_access_key_id"] * 9})) is None
    assert policy.decide(_doc(**{**CLEAN, "quality_bucket": "tail", "perplexity": 5000.0})) is None
    assert policy.decide(_doc(**{**CLEAN, "gopher_word_count": 3})) is None  # presets off by default


# --- each rule and its reason ------------------------------------------------------------


def test_dedup_reasons_and_switch():
    policy = Policy(PolicyConfig())
    assert policy.decide(_doc(dup_status="exact_duplicate")) == "dedup:exact_duplicate"
    assert policy.decide(_doc(dup_status="near_duplicate")) == "dedup:near_duplicate"
    assert policy.decide(_doc(dup_status="kept")) is None
    assert policy.decide(_doc(dup_status="unique")) is None
    assert _policy(drop_duplicates=False).decide(_doc(dup_status="near_duplicate")) is None


def test_language_allow_list():
    policy = _policy(languages=["en", "fr"])
    assert policy.decide(_doc(language="de")) == "language:de"
    assert policy.decide(_doc(language="fr")) is None
    assert policy.decide(_doc(language=None)) is None
    assert _policy(languages=["en"], require_language=True).decide(_doc(language=None)) == "language:none"


def test_minimum_chars_and_tokens():
    assert _policy(min_chars=200).decide(_doc(n_chars=199)) == "length:too_few_chars"
    assert _policy(min_chars=200).decide(_doc(n_chars=200)) is None
    assert _policy(min_tokens=50).decide(_doc(n_tokens=49)) == "length:too_few_tokens"


def test_licence_family_deny_by_default_and_spdx_lists():
    policy = Policy(PolicyConfig())
    for nc_or_nd in ("CC-BY-NC-4.0", "CC-BY-ND-4.0", "CC-BY-NC-SA-3.0", "CC-BY-NC-ND-3.0"):
        assert policy.decide(_doc(license=nc_or_nd)) == f"license:{nc_or_nd}"
    for ok in ("CC-BY-4.0", "CC-BY-SA-4.0", "CC0-1.0"):
        assert policy.decide(_doc(license=ok)) is None
    assert _policy(license_deny=["GPL-3.0"]).decide(_doc(license="GPL-3.0")) == "license:GPL-3.0"
    allow = _policy(license_allow=["CC0-1.0"], license_family_allow=["cc-by"])
    assert allow.decide(_doc(license="CC-BY-SA-4.0")) == "license:CC-BY-SA-4.0"
    assert allow.decide(_doc(license="CC-BY-3.0")) is None
    assert allow.decide(_doc(license="CC0-1.0")) is None
    assert allow.decide(_doc(license=None)) is None
    assert _policy(require_license=True).decide(_doc(license=None)) == "license:none"


def test_deny_wins_over_allow():
    policy = _policy(license_allow=["CC-BY-NC-4.0"])
    assert policy.decide(_doc(license="CC-BY-NC-4.0")) == "license:CC-BY-NC-4.0"


@pytest.mark.skipif(importlib.util.find_spec("filters.licenses") is None, reason="filters.licenses not in tree yet")
def test_licence_families_come_from_the_licences_stage():
    policy = _policy(license_family_allow=["permissive", "cc0"], license_family_deny=["copyleft"])
    assert policy.decide(_doc(license="MIT")) is None
    assert policy.decide(_doc(license="GPL-3.0")) == "license:GPL-3.0"


def test_secrets_reject_above_count_with_first_type():
    policy = _policy(max_secret_count=1)
    doc = _doc(secret_count=2, secret_types=["aws_access_key_id", "github_token"])
    assert policy.decide(doc) == "secrets:aws_access_key_id"
    assert policy.decide(_doc(secret_count=1, secret_types=["github_token"])) is None
    assert _policy(max_secret_count=0).decide(_doc(secret_count=1, secret_types=[])) == "secrets:unknown"


def test_pii_density_per_thousand_chars():
    policy = _policy(max_pii_per_1k_chars=5.0)
    assert policy.decide(_doc(n_chars=1000, pii_count=6)) == "pii:too_dense"
    assert policy.decide(_doc(n_chars=1000, pii_count=5)) is None
    assert policy.decide(_doc(n_chars=10_000, pii_count=40)) is None
    assert policy.decide(_doc(n_chars=0, pii_count=3)) is None


def test_poisoning_threshold_reports_first_flag():
    policy = _policy(poison_threshold=0.7)
    assert policy.decide(_doc(poison_score=0.7, poison_flags=["invisible_chars", "campaign:ab12"])) == (
        "poisoning:invisible_chars"
    )
    assert policy.decide(_doc(poison_score=0.69, poison_flags=["invisible_chars"])) is None
    assert policy.decide(_doc(poison_score=0.9, poison_flags=None)) == "poisoning:score"
    assert _policy(poison_threshold=None).decide(_doc(poison_score=1.0)) is None


def test_quality_perplexity_ceiling_and_bucket():
    policy = _policy(max_perplexity=1000.0, drop_quality_buckets=["tail"])
    assert policy.decide(_doc(perplexity=1000.5, quality_bucket="middle")) == "quality:perplexity"
    assert policy.decide(_doc(perplexity=900.0, quality_bucket="tail")) == "quality:bucket_tail"
    assert policy.decide(_doc(perplexity=900.0, quality_bucket="middle")) is None
    assert policy.decide(_doc(perplexity=None, quality_bucket=None, quality_note="language:de")) is None


def test_threshold_min_max_on_numeric_columns_and_booleans():
    policy = _policy(
        thresholds={"gopher_word_count": {"min": 50}, "rep_dup_line_frac": {"max": 0.3}, "c4_has_lorem_ipsum": {"max": 0}}
    )
    assert policy.decide(_doc(gopher_word_count=49)) == "quality:gopher_word_count"
    assert policy.decide(_doc(gopher_word_count=50, rep_dup_line_frac=0.31)) == "quality:rep_dup_line_frac"
    assert policy.decide(_doc(gopher_word_count=50, rep_dup_line_frac=0.3)) is None
    assert policy.decide(_doc(c4_has_lorem_ipsum=True)) == "quality:c4_has_lorem_ipsum"
    assert policy.decide(_doc(c4_has_lorem_ipsum=False)) is None


@pytest.mark.parametrize(
    "preset,column,value",
    [
        ("gopher_quality", "gopher_word_count", 49),
        ("gopher_quality", "gopher_mean_word_length", 11.0),
        ("gopher_quality", "gopher_stop_word_count", 1),
        ("gopher_quality", "gopher_alpha_words_ratio", 0.7),
        ("gopher_repetition", "rep_dup_line_frac", 0.31),
        ("gopher_repetition", "rep_top_2gram_char_frac", 0.21),
        ("gopher_repetition", "rep_dup_10gram_char_frac", 0.11),
        ("c4", "c4_sentence_count", 4),
        ("c4", "c4_has_curly_bracket", True),
        ("fineweb", "fineweb_line_punct_ratio", 0.1),
        ("fineweb", "fineweb_newline_word_ratio", 0.35),
    ],
)
def test_presets_use_published_thresholds(preset, column, value):
    policy = _policy(presets=[preset])
    assert policy.decide(_doc(**CLEAN)) is None
    assert policy.decide(_doc(**{**CLEAN, column: value})) == f"quality:{column}"


def test_presets_cover_only_declared_heuristic_columns():
    declared = {name for name, _, _ in HEURISTIC_COLUMNS}
    assert {c for preset in PRESETS.values() for c in preset} <= declared


def test_explicit_threshold_overrides_preset_for_that_column():
    policy = _policy(presets=["gopher_quality"], thresholds={"gopher_word_count": {"min": 20}})
    assert policy.decide(_doc(**{**CLEAN, "gopher_word_count": 30})) is None
    assert policy.decide(_doc(**{**CLEAN, "gopher_word_count": 19})) == "quality:gopher_word_count"


# --- order --------------------------------------------------------------------------------


def test_first_failing_rule_in_documented_order_wins():
    assert RULE_ORDER == (
        "dedup", "language", "length", "license", "secrets", "pii", "poisoning", "quality", "heuristics"
    )
    policy = _policy(
        languages=["en"], min_chars=100, max_secret_count=0, max_pii_per_1k_chars=1.0, poison_threshold=0.5,
        max_perplexity=500.0, presets=["gopher_quality"],
    )
    bad = dict(
        dup_status="near_duplicate", language="de", n_chars=10, license="CC-BY-NC-4.0", secret_count=1,
        secret_types=["github_token"], pii_count=5, poison_score=0.9, poison_flags=["invisible_chars"],
        perplexity=900.0, gopher_word_count=5,
    )
    expected = [
        ("dup_status", "dedup:near_duplicate"), ("language", "language:de"), ("n_chars", "length:too_few_chars"),
        ("license", "license:CC-BY-NC-4.0"), ("secret_count", "secrets:github_token"), ("pii_count", "pii:too_dense"),
        ("poison_score", "poisoning:invisible_chars"), ("perplexity", "quality:perplexity"),
        ("gopher_word_count", "quality:gopher_word_count"),
    ]
    doc = _doc(**bad)
    for column, reason in expected:
        assert policy.decide(doc) == reason
        doc[column] = CLEAN.get(column, 2000)  # fix this rule; the next one must now report
    assert policy.decide(doc) is None


def test_heuristic_rules_run_in_schema_order_whatever_the_yaml_order():
    policy = _policy(thresholds={"rep_dup_line_frac": {"max": 0.1}, "gopher_word_count": {"min": 50}})
    assert policy.decide(_doc(gopher_word_count=1, rep_dup_line_frac=0.9)) == "quality:gopher_word_count"


# --- re-filtering and config ----------------------------------------------------------------


def test_redecide_keeps_extraction_rejects_and_recomputes_the_rest():
    policy = _policy(drop_duplicates=False)
    assert policy.redecide({**_doc(), "reject_reason": "extract:empty"}) == "extract:empty"
    assert policy.redecide({**_doc(dup_status="near_duplicate"), "reject_reason": "dedup:near_duplicate"}) is None
    assert policy.redecide({**_doc(), "reject_reason": "mixture:sampled_out"}) is None
    assert Policy(PolicyConfig()).redecide({**_doc(language="de"), "reject_reason": None}) is None


def test_config_errors_name_the_problem():
    with pytest.raises(ConfigError, match="unknown policy presets"):
        build_dataclass(PolicyConfig, {"presets": ["gopher"]}, "policy")
    with pytest.raises(ConfigError, match="non-numeric columns \\['text'\\]"):
        build_dataclass(PolicyConfig, {"thresholds": {"text": {"min": 1}}}, "policy")
    with pytest.raises(ConfigError, match="unknown keys"):
        build_dataclass(PolicyConfig, {"thresholds": {"gopher_word_count": {"minimum": 1}}}, "policy")
    config = build_dataclass(PolicyConfig, {"thresholds": {"gopher_word_count": {"min": 50}}}, "policy")
    assert config.thresholds["gopher_word_count"] == Bounds(min=50.0)


def test_failed_stage_rejections_stay_rejected_on_refilter():
    from filters.policy import is_sticky

    policy = Policy(PolicyConfig())
    assert policy.redecide({**_doc(), "reject_reason": "pii:failed"}) == "pii:failed"
    assert is_sticky("extract:timeout") and is_sticky("secrets:failed")
    assert not is_sticky("quality:bucket_tail") and not is_sticky(None)
