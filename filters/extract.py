"""HTML → Markdown with trafilatura, under a time and size guard.

Why a child process: trafilatura (lxml + many XPath passes) can take seconds or
minutes on pathological pages (tens of thousands of nested elements, multi-MB
tables), and a C extension stuck in a loop cannot be interrupted from Python.
Like datatrove, we run it in a worker process with a per-document deadline and
kill/restart the process when the deadline passes. The page then becomes a
counted rejection (``extract:timeout``) instead of stalling the whole run.
"""

from __future__ import annotations

import logging
import os
import pickle
import re
import select
import subprocess
import sys
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

# C0 controls other than tab/newline/carriage return, plus NUL: real HTML has
# almost none; binary files served as text/html are full of them.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f]")
_BLANK_RUNS = re.compile(r"\n{3,}")
# trafilatura's Markdown escapes punctuation that is harmless in prose (`image\_link`,
# `\[1\]`) and renders underline as <u>…</u>; both are noise for a language model and
# split words for any tokenizer, so they are undone outside code fences.
_ESCAPED = re.compile(r"\\([\\`*_{}\[\]()#+\-.!<>~|])")
_UNDERLINE = re.compile(r"</?u>")
_FENCE = re.compile(r"(```.*?```)", re.DOTALL)


def tidy_markdown(text: str) -> str:
    """Undo needless escapes and <u> tags outside fenced code; squeeze blank runs."""
    parts = _FENCE.split(text)
    for i in range(0, len(parts), 2):  # even indexes are outside fences
        parts[i] = _UNDERLINE.sub("", _ESCAPED.sub(r"\1", parts[i]))
    return _BLANK_RUNS.sub("\n\n", "".join(parts)).strip()


@dataclass(frozen=True)
class ExtractConfig:
    """trafilatura settings and the guards around it."""

    # Wall-clock deadline per page in the sandbox (datatrove uses 1 s; a loaded
    # 2-core machine needs headroom, real pages take 10-100 ms).
    timeout_seconds: float = 5.0
    # Run trafilatura in a child process (the only way to enforce the deadline).
    sandbox: bool = True
    # Decoded HTML longer than this is rejected before parsing (extract:too_large).
    max_html_chars: int = 5_000_000
    # Share of control characters above which a page is binary (extract:binary).
    max_control_char_ratio: float = 0.01
    # Extracted text shorter than this is extract:empty.
    min_text_chars: int = 1
    include_tables: bool = True
    include_comments: bool = False
    include_links: bool = False
    include_images: bool = False
    favor_precision: bool = False
    favor_recall: bool = False
    # trafilatura's "fast" mode skips its fallback extractors (justext, readability).
    fast: bool = False


@dataclass
class Extracted:
    """Outcome of one page: text and title, or a rejection reason."""

    title: str | None
    text: str | None
    reject: str | None = None  # e.g. "extract:empty"


# --- invisible (format) characters ----------------------------------------------
# trafilatura drops every non-printable character, which deletes meaningful ones
# (ZWNJ in Persian, ZWJ in emoji, soft hyphens) and hides planted triggers from the
# poisoning stage. Format characters (Unicode Cf) are swapped for printable stand-ins
# from the SignWriting block before parsing and swapped back afterwards.
_CF = [chr(c) for c in range(0x110000) if unicodedata.category(chr(c)) == "Cf"]
_STAND_INS = [chr(c) for c in range(0x1D800, 0x1DAB0) if unicodedata.category(chr(c)) == "So"]
assert len(_STAND_INS) >= len(_CF)
_STAND_INS = _STAND_INS[: len(_CF)]
_TO_STAND_IN = dict(zip(_CF, _STAND_INS))
_RESTORE = str.maketrans(dict(zip(_STAND_INS, _CF)))
_NAMED = {"shy": "\u00ad", "zwj": "\u200d", "zwnj": "\u200c", "lrm": "\u200e", "rlm": "\u200f"}


def _char_class(chars: list[str]) -> str:
    """A regex class of contiguous ranges (a long list of single astral characters
    makes the regex engine ~100x slower)."""
    codes = sorted(ord(c) for c in chars)
    parts, start, prev = [], codes[0], codes[0]
    for code in codes[1:] + [-1]:
        if code != prev + 1:
            parts.append(re.escape(chr(start)) + ("-" + re.escape(chr(prev)) if prev > start else ""))
            start = code
        prev = code
    return "[" + "".join(parts) + "]"


_CF_OR_ENTITY = re.compile(
    _char_class(_CF)
    + r"|&(?:shy|zwj|zwnj|lrm|rlm);|&#(?:[xX][0-9a-fA-F]{1,6}|[0-9]{1,7});"
)
_ANY_STAND_IN = re.compile(_char_class(_STAND_INS))


def _stand_in(match: re.Match) -> str:
    token = match.group(0)
    if len(token) == 1:
        return _TO_STAND_IN[token]
    if token[1] != "#":
        return _TO_STAND_IN[_NAMED[token[1:-1]]]
    digits = token[2:-1]
    try:
        char = chr(int(digits[1:], 16) if digits[:1] in "xX" else int(digits))
    except (ValueError, OverflowError):
        return token
    return _TO_STAND_IN.get(char, token)


def protect_format_chars(html: str) -> tuple[str, bool]:
    """Swap format characters (and their entities) for printable stand-ins.

    Returns (html, protected). A page that already contains a stand-in character is
    left alone (restoring would corrupt it); its format characters are then lost.
    """
    if _ANY_STAND_IN.search(html):
        return html, False
    return _CF_OR_ENTITY.sub(_stand_in, html), True


def restore_format_chars(text: str | None) -> str | None:
    return text.translate(_RESTORE) if text else text


def precheck(html: str, config: ExtractConfig) -> str | None:
    """Cheap guards before parsing; returns a reject reason or None."""
    if not html or not html.strip():
        return "extract:empty_body"
    if len(html) > config.max_html_chars:
        return "extract:too_large"
    sample = html[:65536]
    if len(_CONTROL.findall(sample)) > config.max_control_char_ratio * len(sample):
        return "extract:binary"
    return None


def _options(config: ExtractConfig, url: str | None):
    from trafilatura.settings import DEFAULT_CONFIG, Extractor

    return Extractor(
        config=DEFAULT_CONFIG,
        output_format="markdown",
        fast=config.fast,
        precision=config.favor_precision,
        recall=config.favor_recall,
        comments=config.include_comments,
        formatting=True,
        links=config.include_links,
        images=config.include_images,
        tables=config.include_tables,
        url=url,
        with_metadata=False,
    )


def extract_markdown(html: str, url: str | None, config: ExtractConfig) -> Extracted:
    """Run trafilatura in this process (no deadline): title + Markdown body."""
    reason = precheck(html, config)
    if reason:
        return Extracted(None, None, reason)
    return _extract_checked(html, url, config)


_FRAGMENT_PROBE_CHARS = 2000


def _extract_checked(html: str, url: str | None, config: ExtractConfig) -> Extracted:
    """extract_markdown after `precheck` passed (the sandbox parent already ran it)."""
    from trafilatura.core import bare_extraction, determine_returnstring
    from trafilatura.metadata import extract_title
    from trafilatura.utils import load_html

    html, protected = protect_format_chars(html)
    tree = load_html(html)
    if tree is None and "<" in html[:_FRAGMENT_PROBE_CHARS]:
        # trafilatura takes markup without "html" in its first 50 characters and with one
        # top-level element for not-HTML; browsers render such a fragment (an AJAX partial, a
        # page that is one <div>), so it is read inside a document of its own.
        tree = load_html(f"<html><body>{html}</body></html>")
    if tree is None:
        return Extracted(None, None, "extract:unparseable")
    try:
        title = extract_title(tree)
    except Exception:  # noqa: BLE001 - a title is optional
        title = None
    options = _options(config, url)
    document = bare_extraction(tree, options=options, as_dict=False)
    if document is None:
        return Extracted(title, None, "extract:empty")
    text = determine_returnstring(document, options) or ""
    text = tidy_markdown(text)
    if protected:
        text, title = restore_format_chars(text), restore_format_chars(title)
    if len(text) < config.min_text_chars:
        return Extracted(title, None, "extract:empty")
    return Extracted(title or None, text, None)


def _read_frame(stream) -> Any:
    header = stream.read(8)
    if len(header) < 8:
        raise EOFError("sandbox pipe closed")
    size = int.from_bytes(header, "little")
    payload = stream.read(size)
    if len(payload) < size:
        raise EOFError("sandbox pipe closed mid-frame")
    return pickle.loads(payload)


def _write_frame(stream, obj: Any) -> None:
    payload = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(len(payload).to_bytes(8, "little") + payload)
    stream.flush()


def sandbox_main() -> None:
    """Entry point of the sandbox process: frames of (html, url) in, Extracted out."""
    import warnings

    warnings.simplefilter("ignore")
    logging.disable(logging.CRITICAL)
    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    # Nothing else may write to the protocol stream.
    sys.stdout = sys.stderr
    config = _read_frame(stdin)
    while True:
        try:
            msg = _read_frame(stdin)
        except EOFError:
            return
        if msg is None:
            return
        html, url = msg
        try:
            result = _extract_checked(html, url, config)
        except Exception as exc:  # noqa: BLE001 - reported as a rejection reason
            result = Extracted(None, None, f"extract:failed_{type(exc).__name__}")
        _write_frame(stdout, result)


class SandboxedExtractor:
    """trafilatura in a long-lived child process with a per-page deadline.

    The child is a fresh interpreter (`python -m filters.extract`), not a fork:
    forking a multi-threaded Beam worker is unsafe, and multiprocessing's spawn
    re-imports the parent's __main__, which Beam workers and REPLs cannot offer.
    """

    def __init__(self, config: ExtractConfig):
        self.config = config
        self._proc: subprocess.Popen | None = None
        self.restarts = 0

    def _start(self) -> None:
        env = dict(os.environ)
        root = str(Path(__file__).resolve().parent.parent)
        env["PYTHONPATH"] = root + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
        self._proc = subprocess.Popen(
            [sys.executable, "-m", "filters.extract"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=env,
        )
        _write_frame(self._proc.stdin, self.config)
        # Pay the child's import time (trafilatura, lxml) outside any page's deadline.
        result = self._call(("<html><body><p>warm up</p></body></html>", None), 120.0)
        if result is None:
            self._stop()
            raise RuntimeError("extraction sandbox did not start within 120 s")

    def _call(self, msg: Any, timeout: float) -> Extracted | None:
        """Send one request; None when the deadline passes. Raises EOFError if the child died."""
        assert self._proc is not None and self._proc.stdin and self._proc.stdout
        _write_frame(self._proc.stdin, msg)
        ready, _, _ = select.select([self._proc.stdout], [], [], timeout)
        if not ready:
            return None
        return _read_frame(self._proc.stdout)

    def _stop(self) -> None:
        if self._proc is not None:
            try:
                self._proc.kill()
                self._proc.wait(timeout=5)
            except Exception:  # noqa: BLE001
                pass
            for pipe in (self._proc.stdin, self._proc.stdout):
                try:
                    if pipe:
                        pipe.close()
                except Exception:  # noqa: BLE001
                    pass
        self._proc = None

    def extract(self, html: str, url: str | None) -> Extracted:
        reason = precheck(html, self.config)
        if reason:
            return Extracted(None, None, reason)
        if self._proc is None or self._proc.poll() is not None:
            self._start()
        try:
            result = self._call((html, url), self.config.timeout_seconds)
            if result is not None:
                return result
            outcome = "extract:timeout"
        except (EOFError, OSError, pickle.UnpicklingError):
            outcome = "extract:crashed"
        log.warning("extraction %s for a %d-char page; restarting the sandbox", outcome, len(html))
        self._stop()
        self.restarts += 1
        return Extracted(None, None, outcome)

    def close(self) -> None:
        if self._proc is not None and self._proc.poll() is None:
            try:
                _write_frame(self._proc.stdin, None)
                self._proc.wait(timeout=5)
            except Exception:  # noqa: BLE001
                pass
        self._stop()

    def __del__(self) -> None:  # a DoFn may be discarded without teardown
        try:
            self._stop()
        except Exception:  # noqa: BLE001
            pass


class Extractor:
    """Sandboxed or in-process extraction, chosen by config."""

    def __init__(self, config: ExtractConfig):
        self.config = config
        self._sandbox = SandboxedExtractor(config) if config.sandbox else None

    def extract(self, html: str, url: str | None) -> Extracted:
        if self._sandbox is not None:
            return self._sandbox.extract(html, url)
        try:
            return extract_markdown(html, url, self.config)
        except Exception as exc:  # noqa: BLE001
            return Extracted(None, None, f"extract:failed_{type(exc).__name__}")

    def close(self) -> None:
        if self._sandbox is not None:
            self._sandbox.close()


if __name__ == "__main__":
    # Run from the real module, not __main__, so pickled classes resolve in the parent.
    from filters.extract import sandbox_main as _main

    _main()
