"""Beam adapters for the per-document stages in `filters/`.

One generic DoFn builds a stage's tagger once per worker (`setup`) and counts the
labels it returns as Beam counters ``<stage>:<label>`` in namespace ``crawlsift``.
"""

from __future__ import annotations

import hashlib
import logging
import time
from typing import Any, Iterable

import apache_beam as beam
from apache_beam.metrics import Metrics

from pipeline.config import load_object
from schemas.documents import empty_document
from pipeline.warc_reader import RawPage, decode_html, host_of

log = logging.getLogger(__name__)

NAMESPACE = "crawlsift"
REJECTED = "rejected"
# Transient key: the first stage that raised on a document (kept until the policy).
FAILED_STAGE = "_failed_stage"
# Stages whose failure would leave values in clear that should have been redacted.
REDACTING_STAGES = frozenset({"secrets", "pii"})


class _Counters:
    """Lazily created Beam counters (labels are only known at run time)."""

    def __init__(self, stage: str):
        self.stage = stage
        self._counters: dict[str, Any] = {}

    def inc(self, label: str, n: int = 1) -> None:
        c = self._counters.get(label)
        if c is None:
            c = self._counters[label] = Metrics.counter(NAMESPACE, f"{self.stage}:{label}")
        c.inc(n)


class TagDoFn(beam.DoFn):
    """Run a filters/ tagger over documents; nothing is dropped."""

    def __init__(self, stage: str, tagger_path: str, config: Any):
        self.stage = stage
        self.tagger_path = tagger_path
        self.config = config
        self._tagger: Any = None

    def setup(self) -> None:
        self._tagger = load_object(self.tagger_path)(self.config)
        self._counters = _Counters(self.stage)

    def process(self, doc: dict) -> Iterable[dict]:
        # Beam forbids mutating an input element: another consumer of the same
        # PCollection may see the same object. Shallow copy, then tag the copy.
        doc = dict(doc)
        self._tag_one(doc)
        yield doc

    def _tag_one(self, doc: dict) -> None:
        try:
            labels = list(self._tagger.tag(doc) or ())
        except Exception as exc:  # noqa: BLE001 - one bad document must not fail the run
            self._fail(doc, exc)
            return
        for label in labels:
            self._counters.inc(label)

    def _fail(self, doc: dict, exc: BaseException) -> None:
        """Count the failure and mark the document; the policy rejects it as
        `<stage>:failed`. Only the exception type is logged: messages may quote content."""
        self._counters.inc(f"failed:{type(exc).__name__}")
        log.warning("%s stage failed on document %s: %s", self.stage, doc.get("id"), type(exc).__name__)
        doc.setdefault(FAILED_STAGE, self.stage)
        if self.stage in REDACTING_STAGES:
            # Redaction did not happen: withhold text and title rather than keep
            # values that may be secrets or personal data in clear.
            doc["text"] = None
            doc["title"] = None

    def teardown(self) -> None:
        close = getattr(self._tagger, "close", None)
        if close is not None:
            close()


class BatchTagDoFn(TagDoFn):
    """Same, for taggers that batch (input: lists from BatchElements)."""

    def process(self, docs: list[dict]) -> Iterable[dict]:
        docs = [dict(d) for d in docs]
        try:
            labels = list(self._tagger.tag_batch(docs) or ())
        except Exception:  # noqa: BLE001 - isolate the bad document(s) one by one
            docs = [dict(d) for d in docs]
            for doc in docs:
                self._tag_one(doc)
            labels = []
        for label in labels:
            self._counters.inc(label)
        yield from docs


class TagDocuments(beam.PTransform):
    """``docs | TagDocuments("secrets", "filters.secrets:SecretsTagger", cfg)``."""

    def __init__(self, stage: str, tagger_path: str, config: Any, batch_size: int = 0):
        super().__init__(label=None)
        self.stage = stage
        self.tagger_path = tagger_path
        self.config = config
        self.batch_size = batch_size

    def expand(self, docs):
        if self.batch_size > 1:
            return (
                docs
                | f"Batch{self.stage}" >> beam.BatchElements(
                    min_batch_size=1, max_batch_size=self.batch_size
                )
                | f"Tag{self.stage}" >> beam.ParDo(
                    BatchTagDoFn(self.stage, self.tagger_path, self.config)
                )
            )
        return docs | f"Tag{self.stage}" >> beam.ParDo(
            TagDoFn(self.stage, self.tagger_path, self.config)
        )


def document_id(warc_filename: str, offset: int, warc_record_id: str, url: str) -> str:
    """Stable id derived from the record and where it is: identical on every run and
    runner, and distinct for copies of a record in different files (a re-packed or
    truncated copy of a WARC must not collide with the original)."""
    key = f"{warc_filename}\n{offset}\n{warc_record_id}\n{url}"
    return hashlib.sha1(key.encode("utf-8")).hexdigest()


def estimate_tokens(text: str | None) -> int | None:
    """~4 UTF-8 bytes per BPE token: cheap and language-neutral enough for budgets."""
    if text is None:
        return None
    return (len(text.encode("utf-8")) + 3) // 4


class ExtractDoFn(beam.DoFn):
    """RawPage → document dict (main output) or rejected document (tag 'rejected')."""

    def __init__(self, config: Any):
        self.config = config

    def setup(self) -> None:
        from filters.extract import Extractor

        self._extractor = Extractor(self.config)
        self._counters = _Counters("extract")
        self._n = 0
        self._t0 = time.monotonic()
        self._last = self._t0

    def process(self, page: RawPage):
        doc = empty_document(
            id=document_id(page.warc_filename, page.offset, page.warc_record_id, page.url),
            url=page.url,
            host=host_of(page.url),
            warc_filename=page.warc_filename,
            warc_record_id=page.warc_record_id,
            warc_date=page.warc_date,
            http_status=page.http_status,
            content_type=page.content_type,
        )
        if page.too_large:
            result_reason, title, text, html = "extract:too_large", None, None, None
        else:
            html, charset = decode_html(page.body, page.charset_header)
            doc["charset"] = charset
            result = self._extractor.extract(html, page.url.strip("<>"))
            result_reason, title, text = result.reject, result.title, result.text
        doc["title"] = title
        doc["text"] = text
        doc["n_chars"] = len(text) if text is not None else None
        doc["n_tokens"] = estimate_tokens(text)
        self._progress()
        if result_reason:
            self._counters.inc(result_reason.split(":", 1)[1])
            doc["reject_reason"] = result_reason
            yield beam.pvalue.TaggedOutput(REJECTED, doc)
            return
        self._counters.inc("ok")
        doc["_html"] = html
        yield doc

    def _progress(self) -> None:
        self._n += 1
        now = time.monotonic()
        if now - self._last >= 30:
            self._last = now
            log.info(
                "extract: %d pages on this worker, %.1f docs/s", self._n, self._n / (now - self._t0)
            )

    def teardown(self) -> None:
        self._extractor.close()


def drop_transient(doc: dict) -> dict:
    """Remove transient keys (raw HTML) before documents are shuffled or written."""
    return {k: v for k, v in doc.items() if not k.startswith("_") or k == FAILED_STAGE}


def recount(doc: dict) -> dict:
    """Redaction and sanitising change the text: lengths describe what is written."""
    text = doc.get("text")
    if text is not None:
        doc = dict(doc)
        doc["n_chars"] = len(text)
        doc["n_tokens"] = estimate_tokens(text)
    return doc
