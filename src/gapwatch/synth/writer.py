"""Turn generated columns into Arrow tables in contract order and write them to the bundle.

Columns arrive as NumPy arrays (converted by the contract column's kind: grade codes to
labels, day numbers to dates, cents to decimals, NaN or a null mask to empty cells), Python
lists, or Arrow arrays. CSV is written without quotes unless some value of the table needs
them (then Arrow's "needed" style quotes every text cell of that table); Parquet is written
with fixed settings (zstd, dictionary encoding, 1,000,000-row groups) so the same seed gives
the same bytes.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from gapwatch.contract import Kind, Table
from gapwatch.synth.params import GRADE_LABELS

_GRADES = pa.array(GRADE_LABELS)
_NEEDS_QUOTES = r'[,"\r\n]'
ROW_GROUP = 1_000_000


def labels(names: tuple[str, ...] | list[str], codes: np.ndarray,
           null: np.ndarray | None = None) -> pa.Array:
    """Text labels of integer ``codes`` (empty where ``null``)."""
    idx = pa.array(np.asarray(codes, dtype=np.int32), mask=null)
    return pa.array(list(names), pa.string()).take(idx)


def _values(value: Any) -> tuple[Any, np.ndarray | None]:
    if isinstance(value, tuple):
        return value[0], np.asarray(value[1], dtype=bool)
    return value, None


def column(kind: Kind, value: Any) -> pa.Array:
    """One contract column as an Arrow array."""
    value, null = _values(value)
    if isinstance(value, pa.ChunkedArray):
        value = value.combine_chunks()
    if isinstance(value, pa.Array):
        return value
    if isinstance(value, list):
        return pa.array(value, pa.string())
    arr = np.asarray(value)
    if kind is Kind.GRADE:
        return _GRADES.take(pa.array(arr.astype(np.int32) + 1, mask=null))
    if kind is Kind.DATE:
        return pa.array(arr.astype(np.int32), pa.int32(), mask=null).cast(pa.date32())
    if kind is Kind.MONEY:
        cents = arr.astype(np.int64)
        words = np.stack([cents, cents >> 63], axis=1)
        return pa.Array.from_buffers(pa.decimal128(18, 2), cents.size,
                                     [None, pa.py_buffer(words.tobytes())])
    if kind is Kind.BOOL:
        return pa.array(arr.astype(bool), pa.bool_(), mask=null)
    if kind is Kind.DECIMAL and arr.dtype.kind == "f":
        return pa.array(arr, pa.float64(), mask=np.isnan(arr) if null is None else null)
    if kind in (Kind.YEAR, Kind.INT, Kind.DECIMAL) and arr.dtype.kind in "iub":
        return pa.array(arr.astype(np.int32), pa.int32(), mask=null)
    if kind is Kind.ID and arr.dtype.kind in "iu":
        return pa.array(arr.astype(np.int64), mask=null).cast(pa.string())
    return pa.array(arr.astype(str), pa.string(), mask=null)


def to_arrow(table: Table, columns: dict[str, Any]) -> pa.Table:
    """The contract table ``table`` from ``columns`` (every contract column, nothing else)."""
    missing = [c for c in table.column_names if c not in columns]
    extra = [c for c in columns if c not in table.column_names]
    if missing or extra:
        raise ValueError(f"{table.name}: missing columns {missing}, unknown columns {extra}")
    arrays = [column(c.kind, columns[c.name]) for c in table.columns]
    return pa.Table.from_arrays(arrays, names=list(table.column_names))


def _needs_quotes(t: pa.Table) -> bool:
    for col in t.columns:
        typ = col.type
        if pa.types.is_dictionary(typ):
            col = col.combine_chunks().dictionary
            typ = col.type
        if pa.types.is_string(typ) or pa.types.is_large_string(typ):
            hit = pc.any(pc.match_substring_regex(col, _NEEDS_QUOTES)).as_py()
            if hit:
                return True
    return False


class BundleWriter:
    """Writes tables as ``<table>.csv`` or ``<table>.parquet`` into one folder."""

    def __init__(self, folder: Path, file_format: str) -> None:
        if file_format not in ("csv", "parquet"):
            raise ValueError(f"file_format must be 'csv' or 'parquet', not {file_format!r}")
        self.folder = folder
        self.file_format = file_format
        folder.mkdir(parents=True, exist_ok=True)

    def path(self, name: str) -> Path:
        return self.folder / f"{name}.{self.file_format}"

    def write(self, name: str, table: pa.Table) -> int:
        """Write one whole table; return its row count."""
        return self.write_batches(name, table.schema, [table], check_quotes=True)

    def write_batches(self, name: str, schema: pa.Schema, batches: Iterable[pa.Table], *,
                      check_quotes: bool = False) -> int:
        """Write a table given in batches (all with ``schema``); return its row count."""
        path = self.path(name)
        for other in ("csv", "parquet"):
            stale = self.folder / f"{name}.{other}"
            if other != self.file_format and stale.exists():
                stale.unlink()
        rows = 0
        if self.file_format == "parquet":
            with pq.ParquetWriter(path, schema, compression="zstd", compression_level=3,
                                  use_dictionary=True, write_statistics=True,
                                  version="2.6") as out:
                for batch in batches:
                    out.write_table(batch, row_group_size=ROW_GROUP)
                    rows += batch.num_rows
            return rows
        batches = iter(batches)
        first = next(batches, None)
        quoting = "needed" if (check_quotes and first is not None
                               and _needs_quotes(first)) else "none"
        options = pacsv.WriteOptions(include_header=True, quoting_style=quoting)
        with pacsv.CSVWriter(path, schema, write_options=options) as out:
            for batch in ([first] if first is not None else []):
                out.write_table(batch)
                rows += batch.num_rows
            for batch in batches:
                out.write_table(batch)
                rows += batch.num_rows
        return rows
