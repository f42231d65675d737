"""Beam IO: WARC files in (any Beam filesystem), balanced Parquet shards out."""

from __future__ import annotations

import hashlib
import logging
import math
import posixpath
import time
from typing import Any, Iterable

import apache_beam as beam
import pyarrow as pa
import pyarrow.parquet as pq
from apache_beam.io import fileio
from apache_beam.io.filesystem import CompressionTypes
from apache_beam.io.filesystems import FileSystems

from pipeline.stages import _Counters
from pipeline.warc_reader import ReadConfig, iter_warc
from schemas.documents import rows_to_table

log = logging.getLogger(__name__)

PAGES = "pages"
OUTCOMES = "outcomes"


class ReadWarcDoFn(beam.DoFn):
    """One WARC file → RawPages (main output) and outcome keys (tag 'outcomes').

    Outcome keys are ``skipped:<reason>`` / ``error:<reason>``; they are counted
    from the PCollection (not only from metrics) so the run report's identity is
    exact whatever the runner's metric semantics are.
    """

    def __init__(self, config: ReadConfig):
        self.config = config

    def setup(self) -> None:
        self._counters = _Counters("read")

    def process(self, readable: fileio.ReadableFile) -> Iterable[Any]:
        path = readable.metadata.path
        name = posixpath.basename(path)
        started = time.monotonic()
        n = 0
        try:
            fh = readable.open(compression_type=CompressionTypes.UNCOMPRESSED)
        except Exception as exc:  # noqa: BLE001 - an unreadable file is one counted error
            log.warning("cannot open %s: %s", path, exc)
            self._counters.inc("error:unreadable_file")
            yield beam.pvalue.TaggedOutput(OUTCOMES, "error:unreadable_file")
            return
        with fh:
            for kind, value in iter_warc(fh, name, self.config):
                n += 1
                if kind == "page":
                    self._counters.inc("page")
                    yield value
                else:
                    key = f"{kind}:{value}"
                    self._counters.inc(key)
                    yield beam.pvalue.TaggedOutput(OUTCOMES, key)
        log.info("read %s: %d records in %.1f s", name, n, time.monotonic() - started)


class ReadWarcs(beam.PTransform):
    """Globs → RawPages + outcome keys. Files are reshuffled over workers; pages too
    when there are few files (see ReadConfig.spread_pages)."""

    def __init__(
        self, patterns: list[str], config: ReadConfig, n_files: int | None = None, n_bytes: int | None = None
    ):
        super().__init__()
        self.patterns = list(patterns)
        self.config = config
        if config.spread_pages == "auto":
            self.spread_pages = (n_files is None or n_files < config.spread_pages_below_files) and (
                n_bytes is None or n_bytes < config.spread_pages_below_mb * 1_000_000
            )
        else:
            self.spread_pages = config.spread_pages == "always"

    def expand(self, pbegin):
        files = (
            pbegin
            | "Patterns" >> beam.Create(self.patterns)
            | "Match" >> fileio.MatchAll()
            | "Paths" >> beam.Map(lambda m: m.path)
            | "Dedupe paths" >> beam.Distinct()
            | "Open" >> fileio.ReadMatches()
            | "Spread files" >> beam.Reshuffle()
        )
        results = files | "Read records" >> beam.ParDo(ReadWarcDoFn(self.config)).with_outputs(
            OUTCOMES, main=PAGES
        )
        pages = results[PAGES]
        if self.spread_pages:
            pages = pages | "Spread pages" >> beam.Reshuffle()
        return {"pages": pages, "outcomes": results[OUTCOMES]}


def shard_of(doc_id: str, num_shards: int, seed: int = 0) -> int:
    digest = hashlib.blake2b(f"{seed}:{doc_id}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "little") % num_shards


def _order_key(doc: dict, shuffle: bool, seed: int) -> Any:
    if shuffle:
        return hashlib.blake2b(f"order:{seed}:{doc['id']}".encode(), digest_size=8).digest()
    return doc["id"]


class _WriteShardDoFn(beam.DoFn):
    def __init__(self, directory: str, schema: pa.Schema, compression: str, shuffle: bool, seed: int):
        self.directory = directory
        self.schema = schema
        self.compression = compression
        self.shuffle = shuffle
        self.seed = seed

    def process(self, item, num_shards: int):
        shard, docs = item
        rows = sorted((d for d in docs if d is not None), key=lambda d: _order_key(d, self.shuffle, self.seed))
        table = rows_to_table(rows, self.schema)
        name = f"part-{shard:05d}-of-{num_shards:05d}.parquet"
        final = FileSystems.join(self.directory, name)
        # Write then rename: a retried bundle rewrites the same name with the same bytes.
        tmp = FileSystems.join(self.directory, f".tmp-{name}-{hashlib.sha1(str(time.time_ns()).encode()).hexdigest()[:8]}")
        with FileSystems.create(tmp) as out:
            pq.write_table(table, out, compression=self.compression)
        if FileSystems.exists(final):
            FileSystems.delete([final])
        FileSystems.rename([tmp], [final])
        yield {"shard": name, "rows": table.num_rows}


class WriteParquetShards(beam.PTransform):
    """Documents → `directory/part-NNNNN-of-MMMMM.parquet`, balanced by hash of id.

    The shard count comes from the row count (rows_per_shard) unless fixed, every
    shard file exists even if empty, rows inside a shard are sorted by id (or by a
    seeded hash when shuffling), and names are stable across retries and runners.
    """

    def __init__(self, directory: str, schema: pa.Schema, output_config: Any):
        super().__init__()
        self.directory = directory
        self.schema = schema
        self.cfg = output_config

    def expand(self, docs):
        cfg = self.cfg
        count = docs | "Count" >> beam.combiners.Count.Globally()
        num_shards = count | "Shards" >> beam.Map(
            lambda n: cfg.num_shards if cfg.num_shards > 0 else max(1, math.ceil(n / cfg.rows_per_shard))
        )
        n_side = beam.pvalue.AsSingleton(num_shards)
        keyed = docs | "Key by shard" >> beam.Map(
            lambda d, n: (shard_of(d["id"], n), d), n_side
        )
        empties = num_shards | "All shards" >> beam.FlatMap(lambda n: [(i, None) for i in range(n)])
        return (
            (keyed, empties)
            | "Merge" >> beam.Flatten()
            | "Group shard" >> beam.GroupByKey()
            | "Write shard" >> beam.ParDo(
                _WriteShardDoFn(self.directory, self.schema, cfg.compression, cfg.shuffle, cfg.shuffle_seed),
                n_side,
            )
        )
