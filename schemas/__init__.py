"""The pyarrow schemas: the one place every output column is declared.

Stages fill columns; they never invent new ones. A column a stage has not filled
(because the stage is disabled or did not apply) is null.
"""

from schemas.documents import (
    DOCUMENT_SCHEMA,
    HEURISTIC_COLUMNS,
    REJECTED_SCHEMA,
    column_names,
    empty_document,
    rows_to_table,
)

__all__ = [
    "DOCUMENT_SCHEMA",
    "HEURISTIC_COLUMNS",
    "REJECTED_SCHEMA",
    "column_names",
    "empty_document",
    "rows_to_table",
]
