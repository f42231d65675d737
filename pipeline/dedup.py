"""Beam wiring of near-dedup: exact groups -> LSH buckets -> star edges -> connected components.

Only small records travel through the shuffles (id, rank key, band keys, optional
shingle hashes); document text stays put and is joined back by id at the end.

Stages (docs/dedup.md has the details and the S-curve):

1. Sketch: normalise, shingle, MinHash, band keys (``filters.dedup``).
2. Exact: group by hash of the normalised text; the best member (configured keep
   order) survives, the others become ``exact_duplicate``.
3. Buckets: survivors keyed by (band, band key); each bucket links its members to
   the bucket's smallest id (a star: n-1 edges, never n^2), plus, when verifying,
   a path through the members in id order (n-1 more) so a member rejected against
   the star centre can still join via a neighbour. Buckets above ``bucket_cap``
   emit nothing and are counted.
4. Verify (optional): each candidate edge is kept only if the exact Jaccard of the
   two shingle sets reaches ``verify_threshold``.
5. Connected components: alternating large-star / small-star rounds (Kiveris et al.,
   "Connected Components in MapReduce and Beyond", SoCC 2014). Each round is a
   bounded set of GroupByKeys keyed by node, so no worker holds all edges; rounds
   are unrolled up to ``max_rounds`` and each round's edge-set change is counted, so
   stats report when the edge set stopped changing (converged) or that it did not.
6. Clusters: members grouped by component root; size, smallest id and representative
   are computed, then results are joined back to documents by id.
"""

from __future__ import annotations

import heapq
from typing import Any, Iterable, Iterator, Optional

import apache_beam as beam
from apache_beam.metrics import Metrics
from apache_beam.pvalue import AsDict, TaggedOutput

from filters.dedup import DedupConfig, MinHasher, jaccard, rank_key, shingles_from_bytes, shingles_to_bytes, sketch_text

_NS = "dedup"
TOP_CLUSTERS = 10


# ---------------------------------------------------------------------------------
# 1. Sketch
# ---------------------------------------------------------------------------------


class _SketchFn(beam.DoFn):
    """Doc -> main: (id, doc); 'meta': (exact key, (id, rank, bands)); 'shingles': (id, bytes).

    Documents without usable text go to 'passthrough' untouched.
    """

    def __init__(self, config: DedupConfig) -> None:
        self.config = config
        self.hasher: Optional[MinHasher] = None

    def setup(self) -> None:
        self.hasher = MinHasher(self.config)

    def process(self, doc: dict[str, Any]) -> Iterator[Any]:
        text = doc.get("text")
        sk = sketch_text(text, self.hasher) if text else None
        if sk is None:
            yield TaggedOutput("passthrough", doc)
            return
        doc_id = doc["id"]
        n_chars = doc.get("n_chars")
        rank = rank_key(doc_id, n_chars if n_chars is not None else len(text), doc.get("warc_date"), self.config.keep)
        key = sk.exact if self.config.exact_dedup else doc_id
        yield (doc_id, doc)
        yield TaggedOutput("meta", (key, (doc_id, rank, sk.bands)))
        if self.config.verify:
            yield TaggedOutput("shingles", (doc_id, shingles_to_bytes(sk.shingles)))


# ---------------------------------------------------------------------------------
# 2. Exact duplicates
# ---------------------------------------------------------------------------------


def _exact_groups(kv: tuple[str, Iterable[tuple]]) -> Iterator[Any]:
    """One survivor per exact group -> main (id, bands); every member -> 'member'.

    'member' records are (survivor id, (id, rank, is_survivor)). The group iterable
    is read twice (Beam iterables are re-iterable) instead of being copied.
    """
    _, items = kv
    best = min(items, key=lambda it: it[1])
    best_id = best[0]
    yield (best_id, best[2])
    for doc_id, rank, _bands in items:
        yield TaggedOutput("member", (best_id, (doc_id, rank, doc_id == best_id)))


# ---------------------------------------------------------------------------------
# 3. LSH buckets -> star edges
# ---------------------------------------------------------------------------------


def _band_items(kv: tuple[str, list[int]]) -> Iterator[tuple[tuple[int, int], str]]:
    doc_id, bands = kv
    for i, key in enumerate(bands):
        yield ((i, key), doc_id)


class _BucketEdgesFn(beam.DoFn):
    """Bucket -> edges (larger id, smaller id); oversized buckets -> 'cap_hit' only.

    Always a star to the bucket's smallest id (n-1 edges). With verification a
    path through the members in id order is added (another n-1 edges): if a member
    fails verification against the star centre it can still link to a neighbour,
    so chains A~B~C survive even when A and C are too far apart.
    """

    def __init__(self, cap: int, with_path: bool) -> None:
        self.cap = cap
        self.with_path = with_path
        self.cap_hits = Metrics.counter(_NS, "bucket_cap_hit")

    def process(self, kv: tuple[Any, Iterable[str]]) -> Iterator[Any]:
        _, ids = kv
        members: list[str] = []
        for doc_id in ids:  # at most cap+1 ids are ever held
            members.append(doc_id)
            if self.cap and len(members) > self.cap:
                self.cap_hits.inc()
                yield TaggedOutput("cap_hit", 1)
                return
        if len(members) < 2:
            return
        members = sorted(set(members))
        centre = members[0]
        for i in range(1, len(members)):
            yield (members[i], centre)
            if self.with_path and i > 1:
                yield (members[i], members[i - 1])


# ---------------------------------------------------------------------------------
# 4. Verification by exact Jaccard
# ---------------------------------------------------------------------------------


def _tag(tag: str):
    return lambda kv: (kv[0], (tag, kv[1]))


def _attach_left(kv: tuple[str, Iterable[tuple[str, Any]]]) -> Iterator[tuple[str, tuple[str, bytes]]]:
    """key a: ('s', shingles_a) + ('e', b)... -> (b, (a, shingles_a))."""
    a, vals = kv
    sh = next((v for t, v in vals if t == "s"), None)
    if sh is None:
        return
    for t, b in vals:
        if t == "e":
            yield (b, (a, sh))


class _VerifyFn(beam.DoFn):
    """key b: ('s', shingles_b) + ('e', (a, shingles_a))... -> (a, b) if Jaccard passes."""

    def __init__(self, threshold: float) -> None:
        self.threshold = threshold
        self.rejected = Metrics.counter(_NS, "verify_rejected")

    def process(self, kv: tuple[str, Iterable[tuple[str, Any]]]) -> Iterator[Any]:
        b, vals = kv
        sb = next((v for t, v in vals if t == "s"), None)
        if sb is None:
            return
        hb = shingles_from_bytes(sb)
        for t, v in vals:
            if t != "e":
                continue
            a, sa = v
            if jaccard(shingles_from_bytes(sa), hb) >= self.threshold:
                yield (a, b)
            else:
                self.rejected.inc()
                yield TaggedOutput("rejected", 1)


# ---------------------------------------------------------------------------------
# 5. Connected components: large-star / small-star
# ---------------------------------------------------------------------------------
# Edges are always oriented (larger id, smaller id).


def _both_directions(e: tuple[str, str]) -> Iterator[tuple[str, str]]:
    yield e
    yield (e[1], e[0])


def _large_star(kv: tuple[str, Iterable[str]]) -> Iterator[tuple[str, str]]:
    """Link every larger neighbour of u to the smallest node of u's closed neighbourhood."""
    u, nbrs = kv
    m = min(min(nbrs), u)
    for v in nbrs:
        if v > u:
            yield (v, m)


def _small_star(kv: tuple[str, Iterable[str]]) -> Iterator[tuple[str, str]]:
    """u and its smaller neighbours all link to the smallest of them."""
    u, nbrs = kv  # every neighbour here is smaller than u
    m = min(nbrs)
    yield (u, m)
    for v in nbrs:
        if v != m:
            yield (v, m)


def _diff_edges(kv: tuple[tuple[str, str], Iterable[str]]) -> Iterator[Any]:
    """Edge present before and/or after a round -> distinct 'after' edges + change count."""
    edge, tags = kv
    seen = set(tags)
    if "a" in seen:
        yield edge
    if len(seen) == 1:
        yield TaggedOutput("changed", 1)


class _Round(beam.PTransform):
    """One large-star + small-star round; returns (edges after, one 1 per changed edge)."""

    def expand(self, edges):
        ls = (
            edges
            | "LargeStarEmit" >> beam.FlatMap(_both_directions)
            | "LargeStarGroup" >> beam.GroupByKey()
            | "LargeStar" >> beam.FlatMap(_large_star)
        )
        ss = (
            ls
            | "SmallStarGroup" >> beam.GroupByKey()
            | "SmallStar" >> beam.FlatMap(_small_star)
        )
        diff = (
            (
                edges | "TagBefore" >> beam.Map(lambda e: (e, "b")),
                ss | "TagAfter" >> beam.Map(lambda e: (e, "a")),
            )
            | "Both" >> beam.Flatten()
            | "GroupEdge" >> beam.GroupByKey()
            | "Diff" >> beam.FlatMap(_diff_edges).with_outputs("changed", main="edges")
        )
        return diff.edges, diff.changed


def _labels(edges) -> Any:
    """node -> component root (smallest parent seen; the root itself maps to itself)."""
    return (
        edges
        | "EmitLabels" >> beam.FlatMap(lambda e: [(e[0], e[1]), (e[1], e[1])])
        | "MinLabel" >> beam.CombinePerKey(min)
    )


# ---------------------------------------------------------------------------------
# 6. Clusters and representatives
# ---------------------------------------------------------------------------------


def _to_root(kv: tuple[str, Iterable[tuple[str, Any]]]) -> Iterator[tuple[str, tuple]]:
    """key survivor id: ('l', root)? + ('m', member)... -> (root, member)."""
    survivor, vals = kv
    root = next((v for t, v in vals if t == "l"), survivor)
    for t, v in vals:
        if t == "m":
            yield (root, v)


class _ClusterFn(beam.DoFn):
    """root -> per member (id, (cluster id, size, status)); 'cluster' summaries for size > 1."""

    def __init__(self) -> None:
        self.counters = {s: Metrics.counter(_NS, s) for s in ("unique", "kept", "near_duplicate", "exact_duplicate")}

    def process(self, kv: tuple[str, Iterable[tuple]]) -> Iterator[Any]:
        _, members = kv
        size = 0
        smallest: Optional[str] = None
        best: Optional[tuple] = None
        for doc_id, rank, _is_survivor in members:
            size += 1
            if smallest is None or doc_id < smallest:
                smallest = doc_id
            if best is None or rank < best:
                best = rank
        n_near = n_exact = 0
        for doc_id, rank, is_survivor in members:
            if size == 1:
                status = "unique"
            elif rank == best:
                status = "kept"
            elif is_survivor:
                status = "near_duplicate"
                n_near += 1
            else:
                status = "exact_duplicate"
                n_exact += 1
            self.counters[status].inc()
            yield (doc_id, (smallest, size, status))
        if size > 1:
            yield TaggedOutput("cluster", (size, smallest, n_near, n_exact))


def _apply(kv: tuple[str, Iterable[tuple[str, Any]]]) -> Iterator[dict[str, Any]]:
    """key id: ('d', doc) + ('r', result) -> doc with dup columns set."""
    _, vals = kv
    result = next((v for t, v in vals if t == "r"), None)
    for t, doc in vals:
        if t != "d":
            continue
        out = dict(doc)
        if result is not None:
            out["dup_cluster_id"], out["dup_cluster_size"], out["dup_status"] = result
        yield out


class _ClusterStats(beam.CombineFn):
    """Cluster summaries -> counts + the TOP_CLUSTERS largest (size desc, id asc)."""

    def create_accumulator(self):
        return (0, 0, 0, 0, [])

    def add_input(self, acc, c):
        size, cid, near, exact = c
        top = acc[4] + [(-size, cid)]
        return (acc[0] + 1, acc[1] + size, acc[2] + near, acc[3] + exact, heapq.nsmallest(TOP_CLUSTERS, top))

    def merge_accumulators(self, accs):
        accs = list(accs)
        top = heapq.nsmallest(TOP_CLUSTERS, [t for a in accs for t in a[4]])
        return tuple(sum(a[i] for a in accs) for i in range(4)) + (top,)

    def extract_output(self, acc):
        return {
            "clusters": acc[0],
            "documents_in_clusters": acc[1],
            "near_duplicates": acc[2],
            "exact_duplicates": acc[3],
            "largest_clusters": [{"size": -s, "cluster_id": cid} for s, cid in sorted(acc[4])],
        }


def _counter(name: Any):
    return lambda _: (name, 1)


def _build_stats(_, counts: dict, clusters: dict, rounds: int) -> dict[str, Any]:
    """One stats dict from the keyed counts and the cluster summary (absent keys = 0)."""
    changes = [counts.get(("round", r), 0) for r in range(1, rounds + 1)]
    first_stable = next((i for i, c in enumerate(changes) if c == 0), None)
    stats = dict(clusters.get("clusters") or _ClusterStats().extract_output(_ClusterStats().create_accumulator()))
    stats.update(
        {
            "bucket_cap_hits": counts.get("cap_hit", 0),
            "candidate_edges": counts.get("candidate", 0),
            "verify_rejected_edges": counts.get("rejected", 0),
            "documents_without_text": counts.get("no_text", 0),
            # rounds that changed the edge set, plus the one that confirmed stability
            "rounds_run": first_stable + 1 if first_stable is not None else len(changes),
            "round_changes": changes,
            "converged": first_stable is not None,
        }
    )
    return stats


# ---------------------------------------------------------------------------------
# The transform
# ---------------------------------------------------------------------------------


class ClusterSketches(beam.PTransform):
    """Sketch records -> per-document dup results + stats (steps 2-6, no document text).

    Input: a dict of PCollections
      ``"meta"``: (exact key, (id, rank key, band keys)) — see ``_SketchFn``;
      ``"shingles"``: (id, shingle bytes), required when ``config.verify``;
      ``"counts"`` (optional): extra (stat name, 1) records to count into the stats.
    Output: ``{"results": (id, (cluster id, cluster size, status)), "stats": one dict}``.
    Public so benchmarks (and callers with precomputed signatures) can feed band keys directly.
    """

    def __init__(self, config: DedupConfig) -> None:
        super().__init__()
        self.config = config

    def expand(self, inputs):
        c = self.config
        meta = inputs["meta"]
        p = meta.pipeline

        # 2. exact groups
        ex = (
            meta
            | "GroupExact" >> beam.GroupByKey()
            | "ExactGroups" >> beam.FlatMap(_exact_groups).with_outputs("member", main="survivors")
        )

        # 3. buckets -> star edges
        buckets = (
            ex.survivors
            | "BandKeys" >> beam.FlatMap(_band_items)
            | "GroupBucket" >> beam.GroupByKey()
            | "StarEdges" >> beam.ParDo(_BucketEdgesFn(c.bucket_cap, c.verify)).with_outputs("cap_hit", main="edges")
        )
        edges = buckets.edges | "DistinctCandidates" >> beam.Distinct()
        counts = [
            edges | "OneCandidate" >> beam.Map(_counter("candidate")),
            buckets.cap_hit | "OneCapHit" >> beam.Map(_counter("cap_hit")),
        ]
        if "counts" in inputs:
            counts.append(inputs["counts"])

        # 4. verification
        if c.verify:
            shingles = inputs["shingles"]
            left = (
                (shingles | "TagShinglesA" >> beam.Map(_tag("s")), edges | "TagEdgeA" >> beam.Map(_tag("e")))
                | "FlattenA" >> beam.Flatten()
                | "GroupA" >> beam.GroupByKey()
                | "AttachA" >> beam.FlatMap(_attach_left)
            )
            ver = (
                (shingles | "TagShinglesB" >> beam.Map(_tag("s")), left | "TagEdgeB" >> beam.Map(_tag("e")))
                | "FlattenB" >> beam.Flatten()
                | "GroupB" >> beam.GroupByKey()
                | "Verify" >> beam.ParDo(_VerifyFn(c.verify_threshold)).with_outputs("rejected", main="edges")
            )
            edges = ver.edges
            counts.append(ver.rejected | "OneRejected" >> beam.Map(_counter("rejected")))

        # 5. connected components
        for r in range(1, c.max_rounds + 1):
            edges, changed = edges | f"CC{r}" >> _Round()
            counts.append(changed | f"CC{r}/OneChange" >> beam.Map(_counter(("round", r))))
        labels = _labels(edges)

        # 6. clusters
        rooted = (
            (ex.member | "TagMembers" >> beam.Map(_tag("m")), labels | "TagLabels" >> beam.Map(_tag("l")))
            | "FlattenRoots" >> beam.Flatten()
            | "GroupSurvivor" >> beam.GroupByKey()
            | "ToRoot" >> beam.FlatMap(_to_root)
        )
        clusters = (
            rooted
            | "GroupCluster" >> beam.GroupByKey()
            | "Clusters" >> beam.ParDo(_ClusterFn()).with_outputs("cluster", main="results")
        )

        counts = counts | "FlattenCounts" >> beam.Flatten() | "Count" >> beam.CombinePerKey(sum)
        cluster_stats = (
            clusters.cluster
            | "KeyClusters" >> beam.Map(lambda v: ("clusters", v))
            | "ClusterStats" >> beam.CombinePerKey(_ClusterStats())
        )
        stats = (
            p
            | "StatsSeed" >> beam.Create([None])
            | "Stats" >> beam.Map(_build_stats, AsDict(counts), AsDict(cluster_stats), c.max_rounds)
        )
        return {"results": clusters.results, "stats": stats}


class NearDedup(beam.PTransform):
    """Mark exact and near duplicates; drops nothing.

    Input: PCollection of document dicts (``id``, ``text``, ``n_chars``, ``warc_date``).
    Output: ``{"documents": PCollection[dict], "stats": PCollection[dict] (one element)}``.
    Documents get ``dup_cluster_id`` (smallest id of the cluster), ``dup_cluster_size``
    and ``dup_status`` (unique | kept | near_duplicate | exact_duplicate); documents
    with empty text pass through with those columns untouched (null). Ids must be unique.
    """

    def __init__(self, config: DedupConfig) -> None:
        super().__init__()
        self.config = config

    def expand(self, docs):
        c = self.config
        if not c.enabled:
            stats = docs.pipeline | "DisabledStats" >> beam.Create([{"enabled": False}])
            return {"documents": docs, "stats": stats}

        sk = docs | "Sketch" >> beam.ParDo(_SketchFn(c)).with_outputs("meta", "shingles", "passthrough", main="keyed")
        inputs = {"meta": sk.meta, "counts": sk.passthrough | "OneNoText" >> beam.Map(_counter("no_text"))}
        if c.verify:
            inputs["shingles"] = sk.shingles
        clustered = inputs | "Cluster" >> ClusterSketches(c)

        marked = (
            (
                sk.keyed | "TagDocs" >> beam.Map(_tag("d")),
                clustered["results"] | "TagResults" >> beam.Map(_tag("r")),
            )
            | "FlattenDocs" >> beam.Flatten()
            | "GroupDoc" >> beam.GroupByKey()
            | "Apply" >> beam.FlatMap(_apply)
        )
        documents = (marked, sk.passthrough) | "AllDocuments" >> beam.Flatten()
        return {"documents": documents, "stats": clustered["stats"]}
