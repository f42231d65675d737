"""NearDedup on the real DirectRunner with real fixtures (tests/data/near_dup, see its SOURCES.md)."""

from __future__ import annotations

import glob
import itertools
import json
import random
from collections import defaultdict
from pathlib import Path

import apache_beam as beam
import pytest
from apache_beam.options.pipeline_options import PipelineOptions

from filters.dedup import DedupConfig, jaccard, normalize_text, shingle_hashes
from pipeline.dedup import NearDedup, _large_star, _small_star
from schemas import empty_document

pytestmark = pytest.mark.slow

DATA = Path(__file__).parent / "data" / "near_dup"
TEXT_FILES = [
    "rails_mit_license.txt",
    "react_mit_license.txt",
    "pytorch_license.txt",
    "remember00palm.txt",
    "remembermeorholy00palm.txt",
    "ca1851-match.txt",
    "ny1850-match.txt",
    "ca1851-nomatch.txt",
    "CC-BY-NC-3.0.txt",
    "CC-BY-NC-4.0.txt",
]


# Default config except a smaller round cap: every round is unrolled in the graph and the
# DirectRunner pays per stage; these clusters converge in 2-3 rounds (checked below).
MAIN = DedupConfig(max_rounds=4)


def _articles() -> list[dict]:
    return [json.loads(line) for line in (DATA / "articles.jsonl").read_text(encoding="utf-8").splitlines()]


def _corpus() -> list[dict]:
    docs = []
    for i, r in enumerate(_articles()):
        # dates: copies are crawled later than their original
        day = 1 if r["role"] != "copy" else 2 + i % 5
        docs.append(
            empty_document(
                id=r["id"], url=r["url"], text=r["text"], n_chars=len(r["text"]),
                warc_date=f"2019-12-{day:02d}T10:00:00Z",
            )
        )
    for name in TEXT_FILES:
        text = (DATA / name).read_text(encoding="utf-8")
        docs.append(empty_document(id="file-" + name, url="file://" + name, text=text, n_chars=len(text),
                                   warc_date="2020-01-01T00:00:00Z"))
    # an exact duplicate (case + punctuation only) of a near_dup file, crawled earlier, same length
    rails = (DATA / "rails_mit_license.txt").read_text(encoding="utf-8")
    upper = rails.upper().replace(",", ";")
    docs.append(empty_document(id="exact-rails", url="u:exact", text=upper, n_chars=len(upper),
                               warc_date="2019-01-01T00:00:00Z"))
    docs.append(empty_document(id="empty-text", url="u:empty", text="", n_chars=0))
    docs.append(empty_document(id="none-text", url="u:none", text=None))
    return docs


def _run_many(jobs: dict[str, tuple[list[dict], DedupConfig]], tmp_path: Path, workers: int = 1) -> dict[str, tuple]:
    """Run several NearDedup branches in ONE DirectRunner pipeline with one sink (start-up and
    per-stage costs dominate at this size)."""
    mode = "multi_processing" if workers > 1 else "in_memory"
    opts = PipelineOptions([f"--direct_num_workers={workers}", f"--direct_running_mode={mode}"])
    with beam.Pipeline(runner="DirectRunner", options=opts) as p:
        lines = []
        for name, (docs, config) in jobs.items():
            res = p | f"{name}/Create" >> beam.Create(docs) | f"{name}/Dedup" >> NearDedup(config)
            for kind in ("documents", "stats"):
                lines.append(res[kind] | f"{name}/{kind}/Json" >> beam.Map(
                    lambda v, name=name, kind=kind: json.dumps([name, kind, v])))
        lines | beam.Flatten() | beam.io.WriteToText(str(tmp_path / "out"))
    results: dict[str, tuple] = {name: ({}, []) for name in jobs}
    rows = [json.loads(line) for f in glob.glob(str(tmp_path / "out*")) for line in open(f, encoding="utf-8")]
    for name, kind, value in rows:
        if kind == "documents":
            assert value["id"] not in results[name][0], "document duplicated"
            results[name][0][value["id"]] = value
        else:
            results[name][1].append(value)
    for name, (docs, _) in jobs.items():
        by_id, stats = results[name]
        assert len(stats) == 1
        assert len(by_id) == len(docs), "documents lost"
        results[name] = (by_id, stats[0])
    return results


def _small_corpus() -> list[dict]:
    keep = ("orig-9cb8224b660f", "copy1-9cb8224b660f", "orig-d605bdef2cde", "copy1-d605bdef2cde",
            "neg-ac1bfdd4c510", "orig-358cc4a08045", "copy1-358cc4a08045")
    return [d for d in _corpus() if d["id"] in keep]


@pytest.fixture(scope="module")
def corpus() -> list[dict]:
    return _corpus()


@pytest.fixture(scope="module")
def runs1(corpus, tmp_path_factory):
    chain = [d for d in corpus if d["id"].startswith("chain-")]
    return _run_many(
        {
            "main": (corpus, MAIN),
            "unverified": (_small_corpus(), DedupConfig(verify=False, num_perm=112, bands=14, rows=8, threshold=0.75,
                                                        max_rounds=3)),
            "capped": (_small_corpus(), DedupConfig(bucket_cap=1, max_rounds=2)),
            "one_round": (chain, DedupConfig(max_rounds=1)),
            "disabled": (_small_corpus(), DedupConfig(enabled=False)),
        },
        tmp_path_factory.mktemp("w1"),
        workers=1,
    )


@pytest.fixture(scope="module")
def run1(runs1):
    return runs1["main"]


@pytest.fixture(scope="module")
def run2(corpus, tmp_path_factory):
    return _run_many({"main": (corpus, MAIN)}, tmp_path_factory.mktemp("w2"), workers=2)["main"]


def _clusters(out: dict[str, dict]) -> dict[str, set[str]]:
    cl = defaultdict(set)
    for d in out.values():
        if d["dup_cluster_id"] is not None:
            cl[d["dup_cluster_id"]].add(d["id"])
    return cl


# --- correctness on real republished articles ---------------------------------------------


def test_republished_copies_found_with_high_f1_and_no_distinct_page_removed(run1):
    out, _ = run1
    arts = _articles()
    group = {r["id"]: r["group"] for r in arts}
    truth = {frozenset(p) for p in itertools.combinations(group, 2) if group[p[0]] == group[p[1]]}
    found = {
        frozenset(p)
        for p in itertools.combinations(group, 2)
        if out[p[0]]["dup_cluster_id"] == out[p[1]]["dup_cluster_id"]
    }
    tp = len(truth & found)
    precision, recall = tp / len(found), tp / len(truth)
    f1 = 2 * precision * recall / (precision + recall)
    assert precision == 1.0
    assert f1 >= 0.95, (precision, recall)
    for r in arts:
        if r["role"] == "distinct":
            assert out[r["id"]]["dup_status"] == "unique", r["id"]


def test_each_article_group_keeps_exactly_one_document(run1):
    out, _ = run1
    by_group = defaultdict(list)
    for r in _articles():
        by_group[out[r["id"]]["dup_cluster_id"]].append(out[r["id"]]["dup_status"])
    for statuses in by_group.values():
        assert statuses.count("kept") + statuses.count("unique") == 1, statuses


def test_chain_merges_although_its_ends_are_not_similar(run1):
    out, _ = run1
    a, b, c = (f"chain-{x}-2f42ef1d3ea0" for x in "abc")
    texts = {r["id"]: r["text"] for r in _articles()}
    sh = {k: shingle_hashes(normalize_text(texts[k]), 5) for k in (a, b, c)}
    thr = DedupConfig().verify_threshold
    assert jaccard(sh[a], sh[c]) < thr <= min(jaccard(sh[a], sh[b]), jaccard(sh[b], sh[c]))
    assert {out[k]["dup_cluster_id"] for k in (a, b, c)} == {a}
    assert out[a]["dup_cluster_size"] == 3
    assert out[a]["dup_status"] == "kept"  # the full article is the longest
    assert out[b]["dup_status"] == out[c]["dup_status"] == "near_duplicate"


def test_representative_is_longest_and_cluster_id_is_smallest_id(run1):
    out, _ = run1
    for cid, members in _clusters(out).items():
        assert cid == min(members)
        assert all(out[m]["dup_cluster_size"] == len(members) for m in members)
        if len(members) > 1:
            kept = [m for m in members if out[m]["dup_status"] == "kept"]
            assert len(kept) == 1
            longest = max(out[m]["n_chars"] for m in members)
            assert out[kept[0]]["n_chars"] == longest


def test_header_footer_copy_is_kept_over_shorter_original(run1):
    out, _ = run1
    assert out["copy1-aade2ec8d1e7"]["dup_status"] == "kept"
    assert out["orig-aade2ec8d1e7"]["dup_status"] == "near_duplicate"
    assert out["orig-aade2ec8d1e7"]["dup_cluster_id"] == "copy1-aade2ec8d1e7"


def test_known_real_pairs_merge_and_related_but_distinct_texts_stay(run1):
    out, _ = run1
    f = {n: out["file-" + n] for n in TEXT_FILES}
    assert f["rails_mit_license.txt"]["dup_cluster_id"] == f["react_mit_license.txt"]["dup_cluster_id"]
    assert f["remember00palm.txt"]["dup_cluster_id"] == f["remembermeorholy00palm.txt"]["dup_cluster_id"]
    for name in ("pytorch_license.txt", "ca1851-match.txt", "ny1850-match.txt", "ca1851-nomatch.txt",
                 "CC-BY-NC-3.0.txt", "CC-BY-NC-4.0.txt"):
        assert f[name]["dup_status"] == "unique", name


def test_exact_duplicate_is_marked_exact_and_near_copy_near(run1):
    out, _ = run1
    rails, react, exact = out["file-rails_mit_license.txt"], out["file-react_mit_license.txt"], out["exact-rails"]
    assert rails["dup_cluster_id"] == react["dup_cluster_id"] == exact["dup_cluster_id"] == "exact-rails"
    assert rails["dup_cluster_size"] == 3
    # react is longer than both rails variants -> kept; rails vs its upper-cased twin: same length,
    # the earlier crawl (exact-rails) survives the exact stage
    assert react["dup_status"] == "kept"
    assert exact["dup_status"] == "near_duplicate"
    assert rails["dup_status"] == "exact_duplicate"


def test_documents_without_text_pass_through_untouched(run1, corpus):
    out, _ = run1
    for doc_id in ("empty-text", "none-text"):
        d = out[doc_id]
        assert (d["dup_cluster_id"], d["dup_cluster_size"], d["dup_status"]) == (None, None, None)
    original = next(d for d in corpus if d["id"] == "orig-aade2ec8d1e7")
    got = out["orig-aade2ec8d1e7"]
    assert {k: v for k, v in got.items() if not k.startswith("dup_")} == {
        k: v for k, v in original.items() if not k.startswith("dup_")
    }


def test_stats_summarise_clusters_and_convergence(run1):
    out, stats = run1
    cl = {k: v for k, v in _clusters(out).items() if len(v) > 1}
    statuses = [d["dup_status"] for d in out.values()]
    assert stats["clusters"] == len(cl)
    assert stats["documents_in_clusters"] == sum(len(v) for v in cl.values())
    assert stats["near_duplicates"] == statuses.count("near_duplicate")
    assert stats["exact_duplicates"] == statuses.count("exact_duplicate") >= 1
    sizes = [c["size"] for c in stats["largest_clusters"]]
    assert sizes == sorted(sizes, reverse=True) and len(sizes) == min(10, len(cl))
    assert stats["largest_clusters"][0]["size"] == max(len(v) for v in cl.values())
    assert stats["converged"] is True
    assert 1 <= stats["rounds_run"] < MAIN.max_rounds
    assert stats["round_changes"][stats["rounds_run"] - 1] == 0
    assert stats["bucket_cap_hits"] == 0
    assert stats["documents_without_text"] == 2
    assert stats["candidate_edges"] >= stats["verify_rejected_edges"] >= 1  # chain ends are rejected


def test_results_identical_with_one_and_two_workers(run1, run2):
    assert run1 == run2


# --- configuration variants ----------------------------------------------------------------


def test_unverified_fineweb_layout_still_finds_close_copies(runs1):
    out, stats = runs1["unverified"]
    assert out["copy1-9cb8224b660f"]["dup_cluster_id"] == out["orig-9cb8224b660f"]["dup_cluster_id"]
    assert out["copy1-d605bdef2cde"]["dup_cluster_id"] == out["orig-d605bdef2cde"]["dup_cluster_id"]
    assert out["neg-ac1bfdd4c510"]["dup_status"] == "unique"
    # the date edit found no date in this article: an identical later copy -> exact duplicate
    assert out["copy1-358cc4a08045"]["dup_status"] == "exact_duplicate"
    assert stats["verify_rejected_edges"] == 0 and stats["converged"]


def test_bucket_cap_suppresses_oversized_buckets_and_counts_them(runs1):
    out, stats = runs1["capped"]
    assert stats["bucket_cap_hits"] > 0
    assert stats["candidate_edges"] == 0
    assert out["copy1-9cb8224b660f"]["dup_status"] == "unique"
    assert out["copy1-358cc4a08045"]["dup_status"] == "exact_duplicate"  # exact stage is not capped


def test_unconverged_components_are_reported(runs1):
    _, stats = runs1["one_round"]
    assert stats["converged"] is False
    assert stats["rounds_run"] == 1 and stats["round_changes"][0] > 0


def test_disabled_stage_passes_documents_through(runs1):
    out, stats = runs1["disabled"]
    assert stats == {"enabled": False}
    assert all(d["dup_status"] is None for d in out.values())


# --- connected components algorithm (pure functions, many graphs) ----------------------------


def _star_rounds(edges: set[tuple[str, str]], max_rounds: int) -> tuple[set[tuple[str, str]], int]:
    def grouped(pairs):
        g = defaultdict(list)
        for k, v in pairs:
            g[k].append(v)
        return g.items()

    for r in range(1, max_rounds + 1):
        both = [e for (u, v) in edges for e in ((u, v), (v, u))]
        ls = {e for kv in grouped(both) for e in _large_star(kv)}
        ss = {e for kv in grouped((max(e), min(e)) for e in ls) for e in _small_star(kv)}
        if ss == edges:
            return ss, r
        edges = ss
    return edges, -1


@pytest.mark.parametrize("seed", range(5))
def test_large_small_star_converges_to_component_minimum_on_long_chains(seed):
    rng = random.Random(seed)
    ids = [f"{rng.getrandbits(40):010x}" for _ in range(200)]
    # four components: long random-order paths plus random extra edges
    comps = [ids[i::4] for i in range(4)]
    edges = set()
    for comp in comps:
        for a, b in zip(comp, comp[1:]):
            edges.add((max(a, b), min(a, b)))
        for _ in range(10):
            a, b = rng.sample(comp, 2)
            edges.add((max(a, b), min(a, b)))
    final, rounds = _star_rounds(edges, 30)
    assert rounds > 0
    root = {}
    for child, parent in final:
        root[child] = parent
    for comp in comps:
        assert {root.get(n, n) for n in comp} == {min(comp)}
