"""Document and rejected-document schemas.

Every column of `documents/*.parquet` and `rejected/*.parquet` is declared here and
nowhere else. A row travels through the pipeline as a plain ``dict`` keyed by these
names; `empty_document()` gives one with every column present (nulls where no stage
has written yet) so stages can rely on the keys existing.
"""

from __future__ import annotations

from typing import Any, Iterable

import pyarrow as pa

_STR = pa.string()
_I32 = pa.int32()
_I64 = pa.int64()
_F64 = pa.float64()
_BOOL = pa.bool_()
_STR_LIST = pa.list_(pa.string())

# Heuristic quality signals (Gopher quality / repetition, C4 line rules, FineWeb rules).
# Thresholds live in the policy config; these are only measurements.
HEURISTIC_COLUMNS: list[tuple[str, pa.DataType, str]] = [
    ("gopher_word_count", _I64, "words (whitespace tokens that contain an alphanumeric)"),
    ("gopher_mean_word_length", _F64, "mean characters per word"),
    ("gopher_symbol_word_ratio", _F64, "('#' + '...' + '…') per word"),
    ("gopher_bullet_lines_ratio", _F64, "lines starting with a bullet"),
    ("gopher_ellipsis_lines_ratio", _F64, "lines ending with an ellipsis"),
    ("gopher_stop_word_count", _I64, "occurrences of Gopher's English stop words"),
    ("gopher_alpha_words_ratio", _F64, "words with at least one alphabetic character"),
    ("rep_dup_line_frac", _F64, "fraction of lines that repeat an earlier line"),
    ("rep_dup_para_frac", _F64, "fraction of paragraphs that repeat an earlier one"),
    ("rep_dup_line_char_frac", _F64, "characters in repeated lines / all characters"),
    ("rep_dup_para_char_frac", _F64, "characters in repeated paragraphs / all characters"),
    ("rep_top_2gram_char_frac", _F64, "characters covered by the most frequent word 2-gram"),
    ("rep_top_3gram_char_frac", _F64, "characters covered by the most frequent word 3-gram"),
    ("rep_top_4gram_char_frac", _F64, "characters covered by the most frequent word 4-gram"),
    ("rep_dup_5gram_char_frac", _F64, "characters covered by repeated word 5-grams"),
    ("rep_dup_6gram_char_frac", _F64, "characters covered by repeated word 6-grams"),
    ("rep_dup_7gram_char_frac", _F64, "characters covered by repeated word 7-grams"),
    ("rep_dup_8gram_char_frac", _F64, "characters covered by repeated word 8-grams"),
    ("rep_dup_9gram_char_frac", _F64, "characters covered by repeated word 9-grams"),
    ("rep_dup_10gram_char_frac", _F64, "characters covered by repeated word 10-grams"),
    ("c4_terminal_punct_line_ratio", _F64, "lines ending in terminal punctuation"),
    ("c4_short_line_ratio", _F64, "lines with fewer than 3 words"),
    ("c4_sentence_count", _I64, "sentences (terminal punctuation runs)"),
    ("c4_has_lorem_ipsum", _BOOL, "text contains 'lorem ipsum'"),
    ("c4_has_curly_bracket", _BOOL, "text contains '{'"),
    ("c4_javascript_line_count", _I64, "lines mentioning 'javascript'"),
    ("c4_policy_line_count", _I64, "lines with cookie/terms-of-use/privacy-policy boilerplate"),
    ("fineweb_line_punct_ratio", _F64, "lines ending in punctuation"),
    ("fineweb_short_line_ratio", _F64, "lines of at most 30 characters"),
    ("fineweb_dup_line_char_ratio", _F64, "characters in duplicated lines / all characters"),
    ("fineweb_newline_word_ratio", _F64, "newlines per word (list-like pages score high)"),
]

# (name, type, nullable, description)
_CORE_COLUMNS: list[tuple[str, pa.DataType, bool, str]] = [
    # --- spine: WARC + extraction -------------------------------------------------
    ("id", _STR, False, "stable id: sha1 of WARC file name, record offset, WARC-Record-ID and URL (40 hex chars)"),
    ("url", _STR, False, "exactly the WARC-Target-URI"),
    ("host", _STR, True, "lower-cased host of url"),
    ("warc_filename", _STR, False, "basename of the WARC file the record came from"),
    ("warc_record_id", _STR, False, "WARC-Record-ID"),
    ("warc_date", _STR, True, "WARC-Date as written in the record"),
    ("http_status", _I32, True, "HTTP status code of the response"),
    ("content_type", _STR, True, "HTTP Content-Type mime type (no parameters)"),
    ("charset", _STR, True, "charset used to decode the HTML and where it came from"),
    ("title", _STR, True, "page title"),
    ("text", _STR, True, "main content as Markdown (after redaction stages)"),
    ("n_chars", _I64, True, "characters in text"),
    ("n_tokens", _I64, True, "token estimate: ceil(bytes/4) of UTF-8 text, the usual BPE rule of thumb"),
    ("language", _STR, True, "ISO 639-1 language guessed from text"),
    ("language_score", _F64, True, "confidence of the language guess (0-1)"),
    # --- licences -----------------------------------------------------------------
    ("license", _STR, True, "SPDX id of the page's licence, null if none"),
    ("license_source", _STR, True, "meta | link | json-ld | anchor | text"),
    # --- dedup --------------------------------------------------------------------
    ("dup_cluster_id", _STR, True, "id of the cluster's representative (smallest id)"),
    ("dup_cluster_size", _I64, True, "documents in the cluster"),
    ("dup_status", _STR, True, "unique | kept | exact_duplicate | near_duplicate"),
    # --- secrets ------------------------------------------------------------------
    ("secret_types", _STR_LIST, True, "types of secrets found (sorted, with repeats)"),
    ("secret_count", _I32, True, "secrets redacted in text"),
    # --- PII ----------------------------------------------------------------------
    ("pii_entities", _STR_LIST, True, "entity types anonymized (sorted, with repeats)"),
    ("pii_count", _I32, True, "PII spans anonymized"),
    # --- quality ------------------------------------------------------------------
    ("perplexity", _F64, True, "KenLM perplexity (cc_net recipe); null when not scored"),
    ("quality_bucket", _STR, True, "head | middle | tail from configured cut-offs"),
    ("quality_note", _STR, True, "why perplexity is null (e.g. 'language:de', 'too_short')"),
]

_LATE_COLUMNS: list[tuple[str, pa.DataType, bool, str]] = [
    # --- poisoning ----------------------------------------------------------------
    ("poison_score", _F64, True, "0-1 likelihood that the document carries a planted trigger"),
    ("poison_flags", _STR_LIST, True, "signals that fired (e.g. invisible_chars, campaign:<hash>)"),
    # --- mixture ------------------------------------------------------------------
    ("mixture_bucket", _STR, True, "value of the configured bucket key"),
    ("mixture_copies", _I32, True, "times this document is used in the mixture"),
]

_ALL = (
    _CORE_COLUMNS
    + [(n, t, True, d) for n, t, d in HEURISTIC_COLUMNS]
    + _LATE_COLUMNS
)

DOCUMENT_SCHEMA: pa.Schema = pa.schema(
    [pa.field(n, t, nullable=nb, metadata={"description": d}) for n, t, nb, d in _ALL]
)

REJECTED_SCHEMA: pa.Schema = DOCUMENT_SCHEMA.append(
    pa.field(
        "reject_reason",
        _STR,
        nullable=False,
        metadata={"description": "'<stage>:<reason>' of the rule that dropped the document"},
    )
)

_LIST_COLUMNS = frozenset(f.name for f in DOCUMENT_SCHEMA if pa.types.is_list(f.type))


def column_names(schema: pa.Schema = DOCUMENT_SCHEMA) -> list[str]:
    return list(schema.names)


def empty_document(**values: Any) -> dict[str, Any]:
    """A row with every document column present (null unless given)."""
    unknown = set(values) - set(DOCUMENT_SCHEMA.names)
    if unknown:
        raise KeyError(f"not document columns: {sorted(unknown)}")
    row = dict.fromkeys(DOCUMENT_SCHEMA.names)
    row.update(values)
    return row


def rows_to_table(rows: Iterable[dict[str, Any]], schema: pa.Schema = DOCUMENT_SCHEMA) -> pa.Table:
    """Build a table with exactly `schema`'s columns; transient keys (leading '_') are dropped."""
    rows = list(rows)
    columns = {name: [r.get(name) for r in rows] for name in schema.names}
    return pa.Table.from_pydict(columns, schema=schema)
