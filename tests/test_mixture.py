"""Data-mixture sampling: plan math, per-document copies, and the Beam transform."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from filters.mixture import (
    BucketStats,
    MixtureConfig,
    calibrated_rate,
    collect_stats,
    copies_for,
    domain_category,
    make_bucket_function,
    mixture_table,
    plan_from_stats,
    plan_mixture,
    uniform,
)
from pipeline.config import ConfigError, build_dataclass
from schemas.documents import empty_document

TARGETS = {"head": 0.5, "middle": 0.3, "tail": 0.2}


def _synthetic(sizes: dict[str, int], mean_tokens: int = 100) -> list[dict]:
    """Buckets of known token totals; document lengths vary (hash-derived) around mean_tokens."""
    docs = []
    for bucket, total in sizes.items():
        left, i = total, 0
        while left > 0:
            n = min(left, int(mean_tokens * (0.5 + uniform(7, bucket, str(i)))) or 1)
            docs.append(empty_document(id=f"{bucket}-{i:06d}", quality_bucket=bucket, n_tokens=n))
            left -= n
            i += 1
    return docs


def _sample(docs: list[dict], config: MixtureConfig):
    """Pure re-implementation of the Beam graph: stats -> plan -> copies -> table."""
    plan = plan_from_stats(collect_stats(docs, config), config)
    bucket_of, rates = make_bucket_function(config), plan.rates()
    realised: dict[str, tuple[int, int, int]] = {}
    for doc in docs:
        b = bucket_of(doc)
        c = copies_for(config.seed, b, doc["id"], rates.get(b, 0.0))
        d, cc, t = realised.get(b, (0, 0, 0))
        realised[b] = (d + 1, cc + c, t + c * doc["n_tokens"])
    return plan, mixture_table(plan, realised)


def _rows(table: dict) -> dict[str, dict]:
    return {r["bucket"]: r for r in table["buckets"]}


# --- proportions ----------------------------------------------------------------------


def test_known_corpus_hits_target_token_shares_within_half_a_point():
    docs = _synthetic({"head": 1_000_000, "middle": 100_000, "tail": 10_000})
    config = MixtureConfig(enabled=True, bucket_key="quality_bucket", targets=TARGETS, token_budget=200_000)
    plan, table = _sample(docs, config)
    assert plan.feasible, plan.message
    rows = _rows(table)
    for bucket, share in TARGETS.items():
        assert abs(rows[bucket]["realised_share"] - share) < 0.005, (bucket, rows[bucket])
    assert abs(table["realised_tokens"] - 200_000) / 200_000 < 0.01
    # head is downsampled, tail repeated: 40k tokens out of 10k available = 4 epochs.
    assert rows["head"]["planned_rate"] == pytest.approx(0.1)
    assert rows["tail"]["planned_rate"] == pytest.approx(4.0)
    assert rows["tail"]["epochs"] == pytest.approx(4.0, abs=1e-9)


def test_null_budget_is_largest_budget_the_epoch_cap_allows_at_target_shares():
    plan = plan_mixture(
        {"head": 1_000_000, "middle": 100_000, "tail": 10_000},
        MixtureConfig(enabled=True, bucket_key="quality_bucket", targets=TARGETS, max_epochs=4),
    )
    # tail is the bottleneck: 4 x 10k = 40k tokens = 20% of 200k.
    assert plan.feasible, plan.message
    assert plan.planned_tokens == pytest.approx(200_000)
    assert plan.buckets["tail"].rate == pytest.approx(4.0)
    assert not plan.buckets["tail"].capped
    one_epoch = plan_mixture(
        {"head": 1_000_000, "middle": 100_000, "tail": 10_000},
        MixtureConfig(enabled=True, bucket_key="quality_bucket", targets=TARGETS, max_epochs=1),
    )
    assert one_epoch.planned_tokens == pytest.approx(50_000)
    assert max(p.rate for p in one_epoch.buckets.values()) == pytest.approx(1.0)


def test_targets_are_normalised_weights():
    a = plan_mixture({"x": 1000, "y": 1000}, MixtureConfig(enabled=True, bucket_key="k", targets={"x": 3, "y": 1}))
    assert a.buckets["x"].target_share == pytest.approx(0.75)
    assert a.buckets["x"].expected_share == pytest.approx(0.75)


# --- epoch cap, redistribution, infeasibility ---------------------------------------


def test_epoch_cap_redistributes_excess_to_buckets_with_headroom_in_target_proportion():
    plan = plan_mixture(
        {"head": 1_000_000, "middle": 100_000, "tail": 10_000},
        MixtureConfig(enabled=True, bucket_key="quality_bucket", targets=TARGETS, token_budget=1_000_000),
    )
    tail, head, middle = plan.buckets["tail"], plan.buckets["head"], plan.buckets["middle"]
    assert tail.capped and tail.rate == pytest.approx(4.0)
    assert tail.expected_tokens == pytest.approx(40_000)
    # the other 960k split 5:3 like their targets
    assert head.expected_tokens == pytest.approx(600_000)
    assert middle.expected_tokens == pytest.approx(360_000)
    assert plan.planned_tokens == pytest.approx(1_000_000)
    assert not plan.feasible
    assert "tail capped at 4 epochs" in plan.message and "redistributed to head, middle" in plan.message


def test_cascading_cap_when_redistribution_overfills_a_second_bucket():
    plan = plan_mixture(
        {"a": 1_000_000, "b": 30_000, "c": 10_000},
        MixtureConfig(enabled=True, bucket_key="k", targets={"a": 0.4, "b": 0.3, "c": 0.3}, token_budget=500_000),
    )
    assert plan.buckets["c"].capped and plan.buckets["b"].capped
    assert plan.buckets["b"].expected_tokens == pytest.approx(120_000)
    assert plan.buckets["a"].expected_tokens == pytest.approx(500_000 - 120_000 - 40_000)
    assert max(p.rate for p in plan.buckets.values()) <= 4.0 + 1e-12


def test_budget_beyond_capacity_is_infeasible_with_clear_message():
    plan = plan_mixture(
        {"head": 1_000_000, "middle": 100_000, "tail": 10_000},
        MixtureConfig(enabled=True, bucket_key="quality_bucket", targets=TARGETS, token_budget=10_000_000),
    )
    assert not plan.feasible
    assert plan.planned_tokens == pytest.approx(4_440_000)
    assert "budget 10,000,000 tokens cannot be met" in plan.message
    assert "at most 4,440,000 tokens" in plan.message
    assert all(p.rate == pytest.approx(4.0) for p in plan.buckets.values())


def test_target_bucket_absent_from_data_is_reported_and_its_share_redistributed():
    plan = plan_mixture(
        {"head": 1_000_000, "middle": 100_000},
        MixtureConfig(enabled=True, bucket_key="quality_bucket", targets=TARGETS, token_budget=100_000),
    )
    assert not plan.feasible
    assert "no tokens for target bucket(s) tail" in plan.message
    assert plan.buckets["tail"].rate == 0.0
    assert plan.buckets["head"].expected_share == pytest.approx(0.5 / 0.8)


# --- buckets ---------------------------------------------------------------------------


def test_unlisted_buckets_get_no_copies_without_an_other_share():
    docs = _synthetic({"head": 20_000, "middle": 20_000, "junk": 5_000})
    config = MixtureConfig(enabled=True, bucket_key="quality_bucket", targets={"head": 1, "middle": 1})
    plan, table = _sample(docs, config)
    rows = _rows(table)
    assert rows["junk"]["target_share"] == 0.0 and rows["junk"]["copies"] == 0
    assert rows["junk"]["documents"] > 0
    assert plan.feasible, plan.message


def test_unlisted_buckets_are_pooled_into_other_when_other_has_a_share():
    config = MixtureConfig(enabled=True, bucket_key="language", targets={"en": 0.7, "other": 0.3})
    bucket_of = make_bucket_function(config)
    assert bucket_of(empty_document(id="1", language="en")) == "en"
    assert bucket_of(empty_document(id="2", language="de")) == "other"
    assert bucket_of(empty_document(id="3", language=None)) == "other"


def test_disabled_mixture_uses_every_document_once_with_key_value_or_all():
    docs = _synthetic({"head": 3_000, "tail": 1_000})
    plan, table = _sample(docs, MixtureConfig(bucket_key="quality_bucket"))
    assert plan.feasible and not plan.enabled
    rows = _rows(table)
    assert rows["head"]["copies"] == rows["head"]["documents"]
    assert rows["tail"]["realised_share"] == pytest.approx(1_000 / 4_000)
    assert make_bucket_function(MixtureConfig())(docs[0]) == "all"


def test_alpha_zero_gives_equal_shares_and_alpha_one_natural_shares():
    tokens = {"en": 900_000, "de": 90_000, "fr": 10_000}
    flat = plan_mixture(tokens, MixtureConfig(enabled=True, bucket_key="language", alpha=0.0, token_budget=30_000))
    assert [p.target_share for p in flat.buckets.values()] == pytest.approx([1 / 3] * 3)
    natural = plan_mixture(tokens, MixtureConfig(enabled=True, bucket_key="language", alpha=1.0, token_budget=100_000))
    assert natural.buckets["en"].expected_share == pytest.approx(0.9)
    assert all(p.rate == pytest.approx(0.1) for p in natural.buckets.values())
    half = plan_mixture(tokens, MixtureConfig(enabled=True, bucket_key="language", alpha=0.5))
    assert half.buckets["fr"].target_share == pytest.approx(100 / (948.683 + 300 + 100), rel=1e-4)


def test_domain_category_rules():
    assert domain_category("https://en.wikipedia.org/wiki/Beam") == "wiki"
    assert domain_category("https://github.com/apache/beam/issues") == "code"
    assert domain_category("https://www.reddit.com/r/python/") == "forum"
    assert domain_category("https://www.nasa.gov/news") == "gov"
    assert domain_category("https://www.gov.uk/browse") == "gov"
    assert domain_category("https://www.cs.ox.ac.uk/people") == "edu"
    assert domain_category("https://web.mit.edu/") == "edu"
    assert domain_category("https://www.bbc.co.uk/sport") == "news"
    assert domain_category("https://shop.example.com/cart") == "other"
    assert domain_category(None) == "other"


def test_domain_category_bucket_key_reads_host_then_url():
    bucket_of = make_bucket_function(MixtureConfig(bucket_key="domain_category"))
    assert bucket_of(empty_document(id="1", url="https://x.org/", host="forum.example.org")) == "forum"
    assert bucket_of(empty_document(id="2", url="https://arxiv.org/abs/1", host=None)) == "edu"


# --- per-document copies -------------------------------------------------------------


def test_copies_for_is_floor_plus_bernoulli_on_fraction_and_pure():
    ids = [f"doc-{i}" for i in range(20_000)]
    copies = [copies_for(3, "tail", i, 2.25) for i in ids]
    assert set(copies) == {2, 3}
    assert sum(copies) / len(ids) == pytest.approx(2.25, abs=0.01)
    assert copies == [copies_for(3, "tail", i, 2.25) for i in ids]
    assert copies != [copies_for(4, "tail", i, 2.25) for i in ids]  # seed matters
    assert copies_for(3, "tail", "x", 0.0) == 0 and copies_for(3, "tail", "x", 3.0) == 3


def test_uniform_is_a_fixed_function_of_seed_bucket_and_id():
    # Pinned value: any change here changes every published mixture.
    assert uniform(0, "head", "abc") == 0.8644677385111689
    assert uniform(42, "tail", "0123456789abcdef") == 0.3209671308538916
    assert uniform(0, "head", "abc") != uniform(0, "tail", "abc")
    assert 0.0 <= uniform(1, "b", "c") < 1.0


def test_calibrated_rate_selects_exact_token_fraction_on_a_skewed_histogram():
    stats = BucketStats()
    stats.add(900, 0.05)  # one big document early in u
    for i in range(100):
        stats.add(1, 0.5 + i / 1000)
    rate = calibrated_rate(0.5, stats)  # want 500 of 1000 tokens
    # the big document alone is 900 tokens: the threshold lands inside its bin (cannot split it)
    assert rate < 0.06
    assert calibrated_rate(2.0, stats) == 2.0


# --- config ------------------------------------------------------------------------------


def test_config_from_yaml_mapping_and_conflicts_are_errors():
    config = build_dataclass(
        MixtureConfig,
        {"enabled": True, "bucket_key": "quality_bucket", "targets": {"head": 1, "tail": 1}, "token_budget": 10},
        "mixture",
    )
    assert config.targets == {"head": 1.0, "tail": 1.0}
    with pytest.raises(ConfigError, match="either targets or alpha"):
        build_dataclass(MixtureConfig, {"targets": {"a": 1}, "alpha": 0.5}, "mixture")
    with pytest.raises(ConfigError, match="unknown keys"):
        build_dataclass(MixtureConfig, {"budget": 5}, "mixture")


# --- Beam ----------------------------------------------------------------------------------


def _run_beam(docs: list[dict], config: MixtureConfig, out_dir: Path, workers: int) -> dict:
    import apache_beam as beam
    from apache_beam.options.pipeline_options import PipelineOptions

    from pipeline.mixture import MixtureSample

    options = PipelineOptions(
        flags=[],
        runner="DirectRunner",
        direct_running_mode="multi_processing" if workers > 1 else "in_memory",
        direct_num_workers=workers,
    )
    with beam.Pipeline(options=options) as p:
        result = p | beam.Create(docs, reshuffle=True) | MixtureSample(config)
        for name in ("kept", "sampled_out", "table"):
            (
                result[name]
                | f"Json{name}" >> beam.Map(lambda d: json.dumps(d, sort_keys=True))
                | f"Write{name}" >> beam.io.WriteToText(str(out_dir / name), shard_name_template="-SS")
            )
    read = lambda name: sorted(  # noqa: E731
        line for f in sorted(out_dir.glob(f"{name}-*")) for line in f.read_text().splitlines()
    )
    return {name: read(name) for name in ("kept", "sampled_out", "table")}


@pytest.mark.slow
def test_beam_mixture_identical_with_one_and_two_workers_and_on_rerun(tmp_path, monkeypatch):
    monkeypatch.setenv("PYTHONPATH", str(Path(__file__).resolve().parents[1]) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    docs = _synthetic({"head": 300_000, "middle": 30_000, "tail": 3_000, "junk": 2_000}, mean_tokens=150)
    config = MixtureConfig(
        enabled=True, bucket_key="quality_bucket", targets=TARGETS, token_budget=60_000, seed=11
    )
    one = _run_beam(docs, config, tmp_path / "one", workers=1)
    two = _run_beam(docs, config, tmp_path / "two", workers=2)
    again = _run_beam(docs, config, tmp_path / "again", workers=2)
    assert one == two == again

    kept = [json.loads(line) for line in one["kept"]]
    out = [json.loads(line) for line in one["sampled_out"]]
    assert len(kept) + len(out) == len(docs)
    assert all(d["mixture_copies"] >= 1 for d in kept)
    assert all(d["mixture_copies"] == 0 and d["reject_reason"] == "mixture:sampled_out" for d in out)
    assert {d["mixture_bucket"] for d in out} >= {"junk", "head"}

    (table,) = [json.loads(line) for line in one["table"]]
    assert table["feasible"], table["message"]
    rows = _rows(table)
    for bucket, share in TARGETS.items():
        assert abs(rows[bucket]["realised_share"] - share) < 0.005, rows[bucket]
    assert rows["junk"]["copies"] == 0
    assert sum(r["documents"] for r in rows.values()) == len(docs)
    # the table agrees with the documents themselves
    assert rows["tail"]["copies"] == sum(d["mixture_copies"] for d in kept if d["mixture_bucket"] == "tail")
