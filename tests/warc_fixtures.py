"""Build broken and hostile WARC files from the real fixtures (at test time, in tmp dirs)."""

from __future__ import annotations

import gzip
import io
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

DATA = Path(__file__).parent / "data"
WARC_DIR = DATA / "warc"
CC_SAMPLE = WARC_DIR / "resiliparse-CC-MAIN-2020-34-sample-part1.warc.gz"


def real_warcs() -> list[Path]:
    return sorted(p for p in WARC_DIR.iterdir() if p.name.endswith((".warc", ".warc.gz", ".arc.gz")))


def truncated_gzip(tmp: Path) -> Path:
    """The real CC sample cut in the middle of a gzip member."""
    data = CC_SAMPLE.read_bytes()
    out = tmp / "truncated.warc.gz"
    out.write_bytes(data[: len(data) // 2])
    return out


def corrupt_middle(tmp: Path) -> Path:
    """The real CC sample with 200 zero bytes overwriting the middle of one member."""
    data = bytearray(CC_SAMPLE.read_bytes())
    at = len(data) // 3
    data[at : at + 200] = b"\0" * 200
    out = tmp / "corrupt-middle.warc.gz"
    out.write_bytes(bytes(data))
    return out


def malformed_header(tmp: Path) -> Path:
    """Uncompressed CC sample whose first response has its WARC-Type line garbled."""
    plain = bytearray(gzip.decompress(CC_SAMPLE.read_bytes()))
    i = plain.find(b"WARC-Type: response")
    plain[i : i + 19] = b"XXXX garbage\x00\x01\x02ab"
    out = tmp / "malformed-header.warc"
    out.write_bytes(bytes(plain))
    return out


def _response(writer: WARCWriter, url: str, body: bytes, content_type: str = "text/html; charset=utf-8") -> None:
    http = StatusAndHeaders("200 OK", [("Content-Type", content_type)], protocol="HTTP/1.1")
    record = writer.create_warc_record(url, "response", payload=io.BytesIO(body), http_headers=http)
    writer.write_record(record)


def hostile(tmp: Path, giant_bytes: int = 6_000_000) -> Path:
    """Pathological pages next to one normal page, in one gzip'd WARC."""
    normal = (
        b"<html><head><title>Normal page</title></head><body><article><h1>Normal page</h1>"
        + b"<p>This paragraph is ordinary prose about rivers, bridges and the towns along them. " * 8
        + b"</p></article></body></html>"
    )
    nested = b"<html><body>" + b"<div>" * 60000 + b"deep" + b"</div>" * 60000 + b"</body></html>"
    giant = b"<html><body><p>" + b"big words " * (giant_bytes // 10) + b"</p></body></html>"
    binary = bytes(range(256)) * 400
    out = tmp / "hostile.warc.gz"
    with out.open("wb") as fh:
        writer = WARCWriter(fh, gzip=True)
        _response(writer, "http://hostile.test/nested", nested)
        _response(writer, "http://hostile.test/giant", giant)
        _response(writer, "http://hostile.test/binary", binary)
        _response(writer, "http://hostile.test/empty", b"")
        _response(writer, "http://hostile.test/normal", normal)
        _response(writer, "http://hostile.test/zero-width-trigger", normal.replace(
            b"rivers, bridges", "riv\u200ber\u200bs, bri\u200bdg\u200bes".encode("utf-8")))
        _response(writer, "http://hostile.test/latin1", "<html><body><p>Caf\u00e9 cr\u00e8me br\u00fbl\u00e9e, "
                  "a dessert served in caf\u00e9s all over the country since long ago.</p></body></html>".encode("cp1252"),
                  content_type="text/html; charset=windows-1252")
    return out
