"""Read WARC/ARC files into raw pages, accounting for every record.

Plain Python (no Beam) so it can be tested on real files directly; `pipeline/io.py`
wraps it in a DoFn. Each record produces exactly one event:

* ``("page", RawPage)``   an HTML response that becomes a document,
* ``("skipped", reason)`` a record that is not a document (request, revisit, image...),
* ``("error", reason)``   a record that could not be read (malformed, truncated).

A corrupt or truncated record does not end the file: the reader re-synchronises on
the next gzip member (or the next ``WARC/1.x`` header in an uncompressed file) and
keeps every record it can read after it.
"""

from __future__ import annotations

import codecs
import io
import logging
import re
import zlib
from dataclasses import dataclass, field
from typing import IO, Iterator, Union
from urllib.parse import urlsplit

from warcio.archiveiterator import ArchiveIterator

log = logging.getLogger(__name__)

GZIP_MAGIC = b"\x1f\x8b\x08"
_WARC_LINE = re.compile(rb"(?:^|\r?\n)WARC/1\.[01]\r?\n")
_META_CHARSET = re.compile(
    rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([a-zA-Z0-9_\-:.]{1,40})""", re.IGNORECASE
)
_SCAN_CHUNK = 1 << 20


@dataclass(frozen=True)
class ReadConfig:
    """What counts as a document, and the size guard on payloads."""

    html_mime_types: list[str] = field(
        default_factory=lambda: ["text/html", "application/xhtml+xml"]
    )
    # Payloads above this are not read whole; the page is kept as a rejection
    # (extract:too_large) so it is accounted for without loading it.
    max_payload_bytes: int = 10_000_000
    # Only 2xx responses are documents (redirects and error pages are skipped).
    accept_status: list[int] = field(default_factory=lambda: list(range(200, 300)))
    # Reshuffle pages after reading so extraction spreads over workers even with one
    # file. That shuffles every raw page: worth it for a few small local files, wasteful
    # for a crawl of thousands of files (already spread by file), and on the local
    # runners it holds every raw page in memory (~4x the compressed size). "auto": only
    # below `spread_pages_below_files` files and `spread_pages_below_mb` MB of input.
    # Or "always" / "never".
    spread_pages: str = "auto"
    spread_pages_below_files: int = 64
    spread_pages_below_mb: int = 128

    def __post_init__(self) -> None:
        if self.spread_pages not in ("auto", "always", "never"):
            raise ValueError("read.spread_pages must be auto, always or never")


@dataclass
class RawPage:
    url: str
    warc_filename: str
    warc_record_id: str
    warc_date: str | None
    http_status: int | None
    content_type: str | None
    charset_header: str | None
    body: bytes
    too_large: bool = False
    offset: int = 0


Event = tuple[str, Union[RawPage, str]]


def _mime_and_charset(value: str | None) -> tuple[str | None, str | None]:
    if not value:
        return None, None
    parts = [p.strip() for p in value.split(";")]
    mime = parts[0].lower() or None
    charset = None
    for p in parts[1:]:
        k, _, v = p.partition("=")
        if k.strip().lower() == "charset":
            charset = v.strip().strip("\"'") or None
    return mime, charset


def host_of(url: str) -> str | None:
    """Lower-cased host of a URL (tolerates wget's ``<...>`` quirk)."""
    try:
        host = urlsplit(url.strip().strip("<>")).hostname
    except ValueError:
        return None
    return host.lower() if host else None


def _looks_like_html(body: bytes) -> bool:
    head = body[:1024].lstrip().lower()
    return head.startswith((b"<!doctype html", b"<html", b"<head", b"<body"))


# Labels browsers read (WHATWG Encoding Standard) that Python's codec registry lacks.
_LABEL_ALIASES = {
    "x-sjis": "cp932", "windows-31j": "cp932", "ms_kanji": "cp932", "csshiftjis": "cp932",
    "x-euc-jp": "euc_jp", "windows-874": "cp874", "dos-874": "cp874", "x-gbk": "gb18030",
    "x-mac-cyrillic": "mac-cyrillic", "x-mac-roman": "mac-roman", "x-cp1251": "cp1251", "x-cp1252": "cp1252",
}
# What browsers decode a legacy label with: the vendor superset the pages were really
# written in (WHATWG). Python's strict codecs turn the extra characters into U+FFFD:
# NEC and IBM extensions of Shift_JIS ("①", "髙"), Korean outside EUC-KR, curly quotes
# on "latin-1" pages.
_SUPERSETS = {
    "latin-1": "cp1252", "iso8859-1": "cp1252", "ascii": "cp1252", "iso8859-9": "cp1254",
    "shift_jis": "cp932", "euc_kr": "cp949", "gb2312": "gb18030", "gbk": "gb18030",
    "big5": "big5hkscs", "tis-620": "cp874", "iso8859-11": "cp874",
}


def _known_codec(name: str | None) -> str | None:
    if not name:
        return None
    name = _LABEL_ALIASES.get(name.strip().lower(), name)
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


_UNICODE_CODECS = frozenset({"utf-8", "utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-le", "utf-32-be"})


def decode_html(body: bytes, charset_header: str | None) -> tuple[str, str]:
    """Decode HTML bytes: HTTP charset, then <meta> charset, then detection.

    Returns (text, "codec:source"). Undecodable bytes become U+FFFD rather than
    failing, so a mislabelled page still yields text.
    """
    codec = _known_codec(charset_header)
    source = "http"
    if codec is None:
        m = _META_CHARSET.search(body[:8192])
        codec = _known_codec(m.group(1).decode("ascii", "ignore")) if m else None
        source = "meta"
    if codec is None:
        try:
            return body.decode("utf-8"), "utf-8:detected"
        except UnicodeDecodeError:
            pass
        from charset_normalizer import from_bytes

        best = from_bytes(body[:65536]).best()
        codec = _known_codec(best.encoding) if best is not None else None
        source = "detected"
        if codec is None:
            codec = "utf-8"
    if source != "detected" and codec not in _UNICODE_CODECS and not body.isascii():
        # A page labelled with a legacy charset whose bytes are valid UTF-8 (and not plain
        # ASCII) is UTF-8: servers and templates keep old labels after a move to UTF-8, and
        # legacy text almost never forms valid multi-byte sequences ("Ã³" for "ó", "Ã\xad"
        # for "í" - a soft hyphen the poisoning stage would see - is what the label gives).
        try:
            return body.decode("utf-8"), f"utf-8:{source}-mislabelled"
        except UnicodeDecodeError:
            pass
    codec = _SUPERSETS.get(codec, codec)
    return body.decode(codec, errors="replace"), f"{codec}:{source}"


class _Stream(io.RawIOBase):
    """A read-only view of a seekable file starting at `base`, tracking position."""

    def __init__(self, raw: IO[bytes], base: int):
        self._raw = raw
        self._raw.seek(base)
        self.pos = base

    def readable(self) -> bool:
        return True

    def readinto(self, b) -> int:  # type: ignore[override]
        data = self._raw.read(len(b))
        n = len(data)
        b[:n] = data
        self.pos += n
        return n


def _is_gzip(raw: IO[bytes]) -> bool:
    raw.seek(0)
    head = raw.read(3)
    raw.seek(0)
    return head == GZIP_MAGIC


def _next_member(raw: IO[bytes], start: int, gzipped: bool) -> int | None:
    """Offset of the next plausible record at or after `start`, or None at EOF."""
    pos = start
    while True:
        raw.seek(pos)
        chunk = raw.read(_SCAN_CHUNK + 16)
        if not chunk:
            return None
        if gzipped:
            i = chunk.find(GZIP_MAGIC)
            while i != -1 and i < _SCAN_CHUNK:
                cand = pos + i
                if _gzip_member_starts_warc(raw, cand):
                    return cand
                i = chunk.find(GZIP_MAGIC, i + 1)
        else:
            m = _WARC_LINE.search(chunk, 0)
            while m is not None and m.start() < _SCAN_CHUNK:
                cand = pos + m.start() + (len(m.group(0)) - len(m.group(0).lstrip(b"\r\n")))
                if cand >= start:
                    return cand
                m = _WARC_LINE.search(chunk, m.end())
        if len(chunk) <= _SCAN_CHUNK:
            return None
        pos += _SCAN_CHUNK


def _head(raw: IO[bytes], offset: int, gzipped: bool) -> bytes:
    """First bytes of the record at `offset` (decompressed)."""
    raw.seek(offset)
    data = raw.read(4096)
    if not gzipped:
        return data.lstrip()[:64]
    try:
        return zlib.decompressobj(31).decompress(data, 64)
    except zlib.error:
        return b""


def _gzip_member_starts_warc(raw: IO[bytes], offset: int) -> bool:
    return _head(raw, offset, True).startswith((b"WARC/", b"filedesc://"))


class _RecordError(Exception):
    """A record that was parsed but cannot be used; the message is the reason."""


def _classify(exc: BaseException) -> str:
    if isinstance(exc, _RecordError):
        return str(exc)
    name = type(exc).__name__
    text = str(exc).lower()
    if isinstance(exc, (EOFError,)) or "truncated" in text or "end of stream" in text:
        return "truncated"
    if isinstance(exc, zlib.error) or "decompress" in text or "gzip" in text:
        return "corrupt_gzip"
    if "header" in text or "unknown archive format" in text or "warc" in text:
        return "malformed_header"
    return f"read_failed_{name}"


def _record_event(record, filename: str, offset: int, config: ReadConfig, is_arc: bool = False) -> Event:
    rtype = record.rec_type
    if not rtype:
        raise _RecordError("malformed_header")
    if rtype != "response":
        return "skipped", f"{rtype or 'unknown'}_record"
    headers = record.rec_headers
    url = headers.get_header("WARC-Target-URI") or ""
    http = record.http_headers
    status = None
    if http is not None:
        try:
            status = int(http.get_statuscode())
        except (TypeError, ValueError):
            status = None
    if http is None:
        return "skipped", "no_http_headers"
    if status is None or status not in config.accept_status:
        if status is None:
            return "skipped", "http_status_unknown"
        return "skipped", f"http_{status // 100}xx"
    mime, charset = _mime_and_charset(http.get_header("Content-Type"))
    if mime is not None and mime not in config.html_mime_types:
        return "skipped", "non_html"
    stream = record.content_stream()
    body = stream.read(config.max_payload_bytes + 1)
    too_large = len(body) > config.max_payload_bytes
    if too_large:
        body = b""
    elif getattr(record.raw_stream, "limit", 0) > 0 and not record.raw_stream.read(1):
        # The stream ended before WARC Content-Length: a clipped/truncated record.
        raise _RecordError("truncated_record")
    elif mime is None and not _looks_like_html(body):
        return "skipped", "non_html"
    record_id = headers.get_header("WARC-Record-ID")
    if not record_id or is_arc:
        # ARC records have no id (warcio's arc2warc invents a random one): derive
        # a stable one from where the record is.
        record_id = f"<arc:{filename}@{offset}>"
    return "page", RawPage(
        url=url,
        warc_filename=filename,
        warc_record_id=record_id,
        warc_date=headers.get_header("WARC-Date"),
        http_status=status,
        content_type=mime or "text/html",
        charset_header=charset,
        body=body,
        too_large=too_large,
        offset=offset,
    )


def iter_warc(raw: IO[bytes], filename: str, config: ReadConfig | None = None) -> Iterator[Event]:
    """Yield one event per record of a seekable WARC/ARC stream (gzip or plain)."""
    config = config or ReadConfig()
    try:
        gzipped = _is_gzip(raw)
    except OSError as exc:
        yield "error", f"unreadable_file_{type(exc).__name__}"
        return
    raw.seek(0, io.SEEK_END)
    size = raw.tell()
    raw.seek(0)
    if size == 0:
        return
    head = _head(raw, 0, gzipped)
    raw.seek(0)
    # ARC files have no record ids; warcio's arc2warc invents random ones.
    is_arc = head.startswith(b"filedesc://")
    if not head.startswith((b"WARC/", b"filedesc://")):
        yield "error", "not_a_warc"
        return
    base = 0
    # After an error in the record *following* a yielded one, the resync lands on
    # that same record; its second failure must not be counted twice.
    suppress_at_base = False
    yielded = 0
    while True:
        stream = _Stream(raw, base)
        it = ArchiveIterator(stream, arc2warc=True)
        current = base
        yielded_current = False
        try:
            for record in it:
                current = base + it.offset
                yielded_current = False
                event = _record_event(record, filename, current, config, is_arc)
                yielded_current = True
                suppress_at_base = False
                yielded += 1
                yield event
            if stream.pos >= size or not raw.read(1):
                return
            # warcio stopped early (it swallows some zlib errors): more bytes remain.
            raise _RecordError("corrupt_gzip" if gzipped else "malformed_header")
        except Exception as exc:  # noqa: BLE001 - any parse failure is a counted error
            if "non-chunked" in str(exc) and base == 0:
                # Whole-file gzip (not one member per record): valid, just not
                # seekable per record. Re-read it as one stream, skipping what we yielded.
                yield from _iter_whole_gzip(raw, filename, config, skip=yielded, is_arc=is_arc)
                return
            reason = _classify(exc)
            at_base_again = not yielded_current and current == base
            if not (suppress_at_base and at_base_again):
                log.warning("%s: record near offset %d unreadable (%s)", filename, current, reason)
                yield "error", reason
            suppress_at_base = yielded_current
            nxt = _next_member(raw, current + 1, gzipped)
            if nxt is None or nxt <= current:
                return
            base = nxt


def _iter_whole_gzip(
    raw: IO[bytes], filename: str, config: ReadConfig, skip: int, is_arc: bool
) -> Iterator[Event]:
    import gzip

    raw.seek(0)
    n = 0
    try:
        with gzip.GzipFile(fileobj=raw) as gz:
            it = ArchiveIterator(gz, arc2warc=True)
            for record in it:
                n += 1
                if n <= skip:
                    continue
                yield _record_event(record, filename, it.offset, config, is_arc)
    except Exception as exc:  # noqa: BLE001
        yield "error", _classify(exc)
