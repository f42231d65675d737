"""A stage that raises on one document rejects that document; the run goes on."""

from __future__ import annotations

import apache_beam as beam
from apache_beam.options.pipeline_options import PipelineOptions
from apache_beam.testing.util import assert_that

from pipeline.config import load_config
from pipeline.run import ApplyPolicy
from pipeline.stages import REJECTED, TagDocuments, drop_transient
from schemas.documents import empty_document


class FailsOnMarker:
    """A tagger that raises on documents containing a marker (stands in for a library bug)."""

    def __init__(self, config):
        self.config = config

    def tag(self, doc):
        if "EXPLODE" in (doc.get("text") or ""):
            raise RuntimeError(f"parser choked on {doc['text']!r}")  # message quotes content
        doc["secret_count"] = 0
        return ["ok"]


def _docs():
    return [
        empty_document(id="a", url="http://a.test/", warc_filename="f", warc_record_id="r1",
                       text="Contact alice, key sk_live_secret EXPLODE", title="EXPLODE title", n_chars=40),
        empty_document(id="b", url="http://b.test/", warc_filename="f", warc_record_id="r2",
                       text="An ordinary page about bridges.", title="Bridges", n_chars=31),
    ]


def test_failing_redaction_stage_rejects_the_document_and_withholds_its_text():
    policy_cfg = load_config(None).policy
    with beam.Pipeline(runner="DirectRunner", options=PipelineOptions([])) as p:
        docs = (
            p
            | beam.Create(_docs())
            | TagDocuments("secrets", "tests.test_stage_failures:FailsOnMarker", None)
            | beam.Map(drop_transient)
        )
        decided = docs | beam.ParDo(ApplyPolicy(policy_cfg)).with_outputs(REJECTED, main="kept")

        def check_rejected(rows):
            assert len(rows) == 1
            (row,) = rows
            assert row["id"] == "a" and row["reject_reason"] == "secrets:failed"
            assert row["text"] is None and row["title"] is None  # never in clear

        def check_kept(rows):
            assert [r["id"] for r in rows] == ["b"]
            assert rows[0]["secret_count"] == 0

        assert_that(decided[REJECTED], check_rejected, label="rejected")
        assert_that(decided["kept"], check_kept, label="kept")
