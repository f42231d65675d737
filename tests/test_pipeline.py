"""End to end on the real Beam runners: accounting, determinism, portability, re-filtering."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from pipeline.cli import main
from pipeline.config import load_config
from pipeline.run import run
from tests import warc_fixtures as fx

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def inputs(tmp_path_factory) -> list[str]:
    """Every real WARC plus broken and hostile files built from them."""
    tmp = tmp_path_factory.mktemp("warcs")
    for path in fx.real_warcs():
        shutil.copy(path, tmp / path.name)
    fx.truncated_gzip(tmp)
    fx.malformed_header(tmp)
    fx.hostile(tmp)
    return [str(tmp / "*")]


def _run(inputs, out: Path, *beam_args: str, config=None) -> dict:
    return run(inputs, str(out), load_config(config), ["--runner=DirectRunner", *beam_args])


def _table(out: Path, sub: str):
    return pq.read_table(out / sub).sort_by("id")


@pytest.fixture(scope="module")
def direct_run(inputs, tmp_path_factory):
    out = tmp_path_factory.mktemp("direct")
    return out, _run(inputs, out)


def test_every_record_is_kept_rejected_skipped_or_an_error(direct_run):
    out, report = direct_run
    assert report["identity_holds"] is True
    assert report["records_read"] == report["kept"] + report["rejected"] + report["skipped"] + report["errors"]
    assert report["kept"] == pq.read_table(out / "documents").num_rows
    assert report["rejected"] == pq.read_table(out / "rejected").num_rows
    assert report["kept"] > 20
    on_disk = json.loads((out / "report.json").read_text())
    assert on_disk["records_read"] == report["records_read"]
    assert (out / "report.html").read_text().startswith("<!DOCTYPE html") or "<html" in (out / "report.html").read_text()[:500]


def test_broken_files_are_counted_errors_not_crashes(direct_run):
    _, report = direct_run
    errors = report["errors_by_reason"]
    # clipped record + truncated copy of the CC sample + garbled header
    assert errors.get("truncated_record", 0) >= 2
    assert errors.get("malformed_header", 0) == 1
    assert report["skipped_by_reason"]["request_record"] > 0
    assert report["skipped_by_reason"]["revisit_record"] > 0


def test_hostile_pages_become_rejections_with_reasons(direct_run):
    out, _ = direct_run
    rejected = _table(out, "rejected").to_pylist()
    by_url = {r["url"]: r["reject_reason"] for r in rejected}
    assert by_url["http://hostile.test/nested"] in ("extract:empty", "extract:timeout")
    assert by_url["http://hostile.test/giant"] == "extract:too_large"
    assert by_url["http://hostile.test/binary"] == "extract:binary"
    assert by_url["http://hostile.test/empty"] == "extract:empty_body"
    kept = {r["url"]: r for r in _table(out, "documents").to_pylist()}
    assert "Café crème brûlée" in kept["http://hostile.test/latin1"]["text"]


def test_zero_width_trigger_in_html_reaches_the_poisoning_stage(direct_run):
    out, _ = direct_run
    rows = _table(out, "documents").to_pylist() + _table(out, "rejected").to_pylist()
    (doc,) = [r for r in rows if r["url"] == "http://hostile.test/zero-width-trigger"]
    assert "invisible_chars" in doc["poison_flags"]
    assert doc["poison_score"] > 0


def test_documents_carry_the_contract_columns(direct_run):
    out, _ = direct_run
    docs = {r["url"]: r for r in _table(out, "documents").to_pylist()}
    wiki = docs["https://an.wikipedia.org/wiki/Escopete"]
    assert wiki["host"] == "an.wikipedia.org"
    assert wiki["warc_filename"] == "whirlwind-CC-MAIN-2024-22-an.wikipedia-Escopete.warc.gz"
    assert wiki["warc_record_id"].startswith("<urn:uuid:")
    assert wiki["http_status"] == 200 and wiki["content_type"] == "text/html"
    assert wiki["n_chars"] == len(wiki["text"]) and wiki["n_tokens"] > 0
    assert wiki["title"] and "Escopete" in wiki["title"]
    assert len(wiki["id"]) == 40


def test_rerun_with_two_worker_processes_gives_identical_parquet(inputs, direct_run, tmp_path):
    out1, report1 = direct_run
    out2 = tmp_path / "mp"
    report2 = _run(inputs, out2, "--direct_running_mode=multi_processing", "--direct_num_workers=2")
    for sub in ("documents", "rejected"):
        assert _table(out1, sub).equals(_table(out2, sub)), sub
    assert sorted(p.name for p in (out1 / "documents").glob("*.parquet")) == sorted(
        p.name for p in (out2 / "documents").glob("*.parquet")
    )
    for key in ("records_read", "kept", "rejected", "skipped", "errors", "rejected_by_reason"):
        assert report1[key] == report2[key]


def test_portable_runner_with_loopback_workers_runs_the_same_pipeline(inputs, direct_run, tmp_path):
    out1, _ = direct_run
    out2 = tmp_path / "portable"
    report = run(inputs, str(out2), load_config(None),
                 ["--runner=PortableRunner", "--job_endpoint=embed", "--environment_type=LOOPBACK"])
    assert report["identity_holds"] is True
    assert _table(out1, "documents").equals(_table(out2, "documents"))


def test_filter_command_reapplies_a_changed_policy_without_warcs(direct_run, tmp_path):
    out, report = direct_run
    strict = tmp_path / "strict.yaml"
    strict.write_text("policy:\n  min_chars: 2000\n")
    new_out = tmp_path / "refiltered"
    assert main(["filter", "--input", str(out), "--output", str(new_out), "--config", str(strict), "-q"]) == 0
    new = json.loads((new_out / "report.json").read_text())
    assert new["records_read"] == report["records_read"]
    assert new["identity_holds"] is True
    assert new["kept"] < report["kept"]
    kept = pq.read_table(new_out / "documents").to_pylist()
    assert all(r["n_chars"] >= 2000 for r in kept)
    reasons = new["rejected_by_reason"]
    assert any(k.startswith("extract:") for k in reasons)
