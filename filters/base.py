"""What every per-document stage looks like to the Beam wiring."""

from __future__ import annotations

from typing import Any, Iterable, Protocol, runtime_checkable

Document = dict[str, Any]


@runtime_checkable
class Tagger(Protocol):
    """A per-document stage.

    Built once per worker from its config dataclass (models and compiled regexes
    are loaded in ``__init__``), then ``tag`` is called for every document. It
    mutates the document's columns in place and returns labels to count
    (e.g. ``["aws_access_key_id"]``); the Beam wiring turns each label into a
    counter ``<stage>:<label>``. Labels must never contain document content
    (no secret or PII values).
    """

    def tag(self, doc: Document) -> Iterable[str]: ...


@runtime_checkable
class BatchTagger(Tagger, Protocol):
    """A tagger that is faster on several documents at once (e.g. presidio batches)."""

    def tag_batch(self, docs: list[Document]) -> Iterable[str]: ...
