"""Near-dedup throughput.

1. Signatures per second on one core, on the real article texts of tests/data/near_dup:
   our path (normalise + word hashes + vectorised affine64 permutations) versus
   datasketch's MinHash.update called once per shingle, and MinHash.update_batch,
   all in this process and on the same shingles.
2. Beam clustering (ClusterSketches: exact groups, band buckets, star edges,
   large/small-star connected components, representatives) on synthetic signatures
   with planted clusters, fed as band keys (no text, no verification): wall time,
   peak RSS of this process (in_memory DirectRunner) and whether every planted
   cluster was recovered.

Usage: python benchmarks/bench_dedup.py [--docs 200000] [--workers 1] [--skip-beam]
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from filters.dedup import MINHASH_SCHEME, DedupConfig, MinHasher, normalize_text, rank_key, shingle_hashes  # noqa: E402


def _texts() -> list[str]:
    path = ROOT / "tests" / "data" / "near_dup" / "articles.jsonl"
    return [json.loads(line)["text"] for line in path.read_text(encoding="utf-8").splitlines()]


def bench_signatures(repeat: int) -> None:
    from datasketch import MinHash

    cfg = DedupConfig()
    hasher = MinHasher(cfg)
    texts = _texts() * repeat
    mb = sum(len(t.encode("utf-8")) for t in texts) / 1e6

    t0 = time.process_time()
    shingles = [shingle_hashes(normalize_text(t), cfg.ngram) for t in texts]
    t_shingle = time.process_time() - t0
    n_sh = sum(s.size for s in shingles)

    t0 = time.process_time()
    ours = [hasher.signature(s) for s in shingles]
    t_ours = time.process_time() - t0

    def ds(s):
        return MinHash(num_perm=cfg.num_perm, seed=cfg.seed, scheme=MINHASH_SCHEME, hashfunc=int,
                       permutations=(hasher.a, hasher.b))

    sub = shingles[: max(1, len(shingles) // repeat)]  # the loop is slow: one copy of the texts
    t0 = time.process_time()
    for s in sub:
        m = ds(s)
        for x in s:
            m.update(x)
    t_loop = (time.process_time() - t0) * len(shingles) / len(sub)
    assert np.array_equal(m.hashvalues, ours[len(sub) - 1])

    t0 = time.process_time()
    for s in shingles:
        m = ds(s)
        m.update_batch(s.tolist())
    t_batch = time.process_time() - t0

    n = len(texts)
    print(f"signatures: {n} docs, {mb:.2f} MB, {n_sh} shingles, num_perm={cfg.num_perm} ({MINHASH_SCHEME}), CPU time")
    print(f"  normalise+shingle          {n / t_shingle:10.0f} docs/s  {mb / t_shingle:7.2f} MB/s")
    print(f"  ours: numpy signature      {n / t_ours:10.0f} docs/s  {n_sh / t_ours / 1e6:7.2f} M shingles/s")
    print(f"  ours: shingle+signature    {n / (t_shingle + t_ours):10.0f} docs/s  {mb / (t_shingle + t_ours):7.2f} MB/s")
    print(f"  datasketch update loop     {n / t_loop:10.0f} docs/s  {n_sh / t_loop / 1e6:7.2f} M shingles/s"
          f"  (x{t_loop / t_ours:.0f} slower than ours)")
    print(f"  datasketch update_batch    {n / t_batch:10.0f} docs/s  {n_sh / t_batch / 1e6:7.2f} M shingles/s")


def synthetic_meta(n_docs: int, cfg: DedupConfig, seed: int = 7) -> tuple[list, list[set[str]]]:
    """Random signatures; ~3% of clusters planted, of 2-6 members (~9% of documents).

    Half of the planted clusters are stars (every copy ~85% equal to the original), half are
    chains (each copy ~85% equal to the previous one, so the ends are far apart); member ids are
    shuffled within the cluster so bucket centres are not always the original, which makes the
    connected-components rounds do real work.
    """
    rng = np.random.default_rng(seed)
    hasher = MinHasher(cfg)
    meta, planted = [], []
    i = 0
    while i < n_docs:
        prev = rng.integers(0, 2**63, size=cfg.num_perm, dtype=np.uint64)
        base = prev
        size = min(int(rng.integers(2, 7)) if rng.random() < 0.03 else 1, n_docs - i)
        chain = rng.random() < 0.5
        ids = [f"{j:012d}" for j in rng.permutation(np.arange(i, i + size))]
        for k, doc_id in enumerate(ids):
            sig = (prev if chain else base).copy()
            if k:
                flip = rng.random(cfg.num_perm) < 0.15  # ~85% equal minhash values
                sig[flip] = rng.integers(0, 2**63, size=int(flip.sum()), dtype=np.uint64)
            prev = sig
            meta.append((doc_id, (doc_id, rank_key(doc_id, 1000 + k, None, cfg.keep), hasher.band_keys(sig))))
        i += size
        if size > 1:
            planted.append(set(ids))
    return meta, planted


def bench_beam(n_docs: int, workers: int) -> None:
    import apache_beam as beam
    from apache_beam.options.pipeline_options import PipelineOptions

    from pipeline.dedup import ClusterSketches

    cfg = DedupConfig(verify=False, max_rounds=4)
    t0 = time.perf_counter()
    meta, planted = synthetic_meta(n_docs, cfg)
    t_gen = time.perf_counter() - t0
    out = Path(tempfile.mkdtemp()) / "res"
    mode = "multi_processing" if workers > 1 else "in_memory"
    opts = PipelineOptions([f"--direct_num_workers={workers}", f"--direct_running_mode={mode}"])
    t0 = time.perf_counter()
    with beam.Pipeline(runner="DirectRunner", options=opts) as p:
        res = {"meta": p | beam.Create(meta, reshuffle=False)} | ClusterSketches(cfg)
        (res["results"] | "Clustered" >> beam.Filter(lambda kv: kv[1][1] > 1)
         | "J1" >> beam.Map(json.dumps) | "W1" >> beam.io.WriteToText(str(out) + "-clusters"))
        res["stats"] | "J2" >> beam.Map(json.dumps) | "W2" >> beam.io.WriteToText(str(out) + "-stats")
    t_beam = time.perf_counter() - t0
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    stats = json.loads(Path(str(out) + "-stats-00000-of-00001").read_text())
    cluster_of: dict[str, str] = {}
    for f in out.parent.glob("res-clusters*"):
        for line in f.open():
            doc_id, (cid, _size, _status) = json.loads(line)
            cluster_of[doc_id] = cid
    recovered = sum(1 for m in planted if len({cluster_of.get(d) for d in m}) == 1 and None not in {cluster_of.get(d) for d in m})
    print(f"beam clustering: {n_docs} signatures ({cfg.bands}x{cfg.rows} bands -> {n_docs * cfg.bands} band keys), "
          f"DirectRunner {mode} x{workers}, max_rounds={cfg.max_rounds}")
    print(f"  synthetic generation {t_gen:.1f} s; pipeline {t_beam:.1f} s = {n_docs / t_beam:.0f} docs/s; "
          f"peak RSS {rss_mb:.0f} MB (driver process)")
    print(f"  planted clusters {len(planted)}, recovered exactly {recovered}; found clusters {stats['clusters']}, "
          f"in clusters {stats['documents_in_clusters']}, rounds_run {stats['rounds_run']}, "
          f"converged {stats['converged']}, candidate edges {stats['candidate_edges']}, cap hits {stats['bucket_cap_hits']}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--docs", type=int, default=200_000)
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--repeat", type=int, default=20, help="copies of the 44 fixture texts for the signature bench")
    ap.add_argument("--skip-beam", action="store_true")
    args = ap.parse_args()
    bench_signatures(args.repeat)
    if not args.skip_beam:
        bench_beam(args.docs, args.workers)


if __name__ == "__main__":
    main()
