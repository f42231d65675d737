"""Beam IO choices that decide cost at scale."""

from __future__ import annotations

import pytest

from pipeline.io import ReadWarcs, shard_of
from pipeline.warc_reader import ReadConfig


def test_pages_are_spread_over_workers_only_for_few_input_files():
    assert ReadWarcs(["a"], ReadConfig(), n_files=3).spread_pages is True
    # a crawl of thousands of files is already spread by file: no shuffle of raw pages
    assert ReadWarcs(["a"], ReadConfig(), n_files=90_000).spread_pages is False
    assert ReadWarcs(["a"], ReadConfig(spread_pages="always"), n_files=90_000).spread_pages is True
    assert ReadWarcs(["a"], ReadConfig(spread_pages="never"), n_files=1).spread_pages is False
    # one Common Crawl file (~1 GB): the local runners would hold every raw page in memory
    assert ReadWarcs(["a"], ReadConfig(), n_files=1, n_bytes=1_100_000_000).spread_pages is False
    with pytest.raises(ValueError):
        ReadConfig(spread_pages="sometimes")


def test_shard_assignment_is_stable_and_balanced():
    ids = [f"{i:040x}" for i in range(20_000)]
    counts = [0] * 8
    for doc_id in ids:
        counts[shard_of(doc_id, 8)] += 1
    assert shard_of(ids[0], 8) == shard_of(ids[0], 8)
    assert max(counts) - min(counts) < 0.1 * (len(ids) / 8)
