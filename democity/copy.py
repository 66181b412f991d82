"""PostgreSQL binary COPY (``COPY ... FROM STDIN (FORMAT BINARY)``) built with numpy.

Each column is turned into a :class:`Field` (a length per row and the bytes of the
values) by one of the ``*_field`` functions; :func:`encode_rows` interleaves the fields
into binary COPY tuples without a Python loop over rows, and :func:`copy_rows` sends
them through psycopg 3's ``cursor.copy``. Formats follow the server's ``*_recv``
functions: big-endian integers, dates as days and timestamps as microseconds since
2000-01-01, ``numeric`` as base-10000 digits, geometries as EWKB.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np
import shapely
from numpy.typing import ArrayLike, NDArray
from psycopg import Connection, Copy, sql

from democity.columns import VarBytes, scatter_runs

__all__ = [
    "COPY_HEADER",
    "COPY_TRAILER",
    "PG_EPOCH_DAY",
    "Field",
    "bool_field",
    "bytea_field",
    "copy_payload",
    "copy_rows",
    "date_field",
    "encode_rows",
    "encode_rows_with_offsets",
    "encode_table",
    "float8_field",
    "geometry_field",
    "int_field",
    "numeric2_field",
    "text_array_field",
    "text_field",
    "timestamptz_field",
]

COPY_HEADER = b"PGCOPY\n\xff\r\n\x00" + b"\x00\x00\x00\x00" + b"\x00\x00\x00\x00"
COPY_TRAILER = b"\xff\xff"
#: 2000-01-01 as days since 1970-01-01 (PostgreSQL's date epoch).
PG_EPOCH_DAY = 10_957
_PG_EPOCH_US = PG_EPOCH_DAY * 86_400 * 1_000_000
_VARCHAR_OID = 1043
_ROWS_PER_BATCH = 50_000

U8 = NDArray[np.uint8]


@dataclass(frozen=True)
class Field:
    """One column ready for binary COPY: bytes per row (``-1`` NULL) and the values' bytes."""

    lengths: NDArray[np.int64]
    data: U8
    width: int | None = None  # every non-NULL value has this many bytes

    def __len__(self) -> int:
        return len(self.lengths)

    def rows(self, start: int, stop: int) -> Field:
        """The rows ``start:stop`` of the column."""
        lengths = self.lengths[start:stop]
        sizes = np.maximum(self.lengths, 0)
        begin = int(sizes[:start].sum())
        end = begin + int(np.maximum(lengths, 0).sum())
        return Field(lengths, self.data[begin:end], self.width)


def _fixed(values: NDArray, dtype: str, null: ArrayLike | None) -> Field:
    array = np.ascontiguousarray(np.asarray(values).astype(dtype, copy=False))
    width = array.dtype.itemsize
    raw = array.view(np.uint8).reshape(len(array), width)
    lengths = np.full(len(array), width, dtype=np.int64)
    if null is not None:
        mask = np.asarray(null, dtype=bool)
        lengths[mask] = -1
        raw = raw[~mask]
    return Field(lengths, raw.reshape(-1), width)


def int_field(values: ArrayLike, bits: int = 64, *, null: ArrayLike | None = None) -> Field:
    """``smallint`` (16), ``integer`` (32) or ``bigint`` (64) values."""
    return _fixed(np.asarray(values), {16: ">i2", 32: ">i4", 64: ">i8"}[bits], null)


def float8_field(values: ArrayLike, *, null: ArrayLike | None = None) -> Field:
    """``double precision`` values."""
    return _fixed(np.asarray(values), ">f8", null)


def bool_field(values: ArrayLike, *, null: ArrayLike | None = None) -> Field:
    """``boolean`` values."""
    return _fixed(np.asarray(values, dtype=bool).astype(np.uint8), "u1", null)


def date_field(days: ArrayLike, *, null: ArrayLike | None = None) -> Field:
    """``date`` values given as days since 1970-01-01 (numpy ``datetime64[D]`` also works)."""
    values = np.asarray(days)
    if np.issubdtype(values.dtype, np.datetime64):
        values = values.astype("datetime64[D]").astype(np.int64)
    return _fixed(values.astype(np.int64) - PG_EPOCH_DAY, ">i4", null)


def timestamptz_field(micros: ArrayLike, *, null: ArrayLike | None = None) -> Field:
    """``timestamptz`` values given as microseconds since 1970-01-01 UTC."""
    return _fixed(np.asarray(micros, dtype=np.int64) - _PG_EPOCH_US, ">i8", null)


def text_field(column: VarBytes) -> Field:
    """``text``/``varchar`` values (UTF-8 bytes) or ``bytea`` values."""
    return Field(column.lengths, column.data)


def bytea_field(block: U8, *, null: ArrayLike | None = None) -> Field:
    """``bytea`` values of one width, given as an ``(n, width)`` array."""
    n, width = block.shape
    lengths = np.full(n, width, dtype=np.int64)
    if null is not None:
        mask = np.asarray(null, dtype=bool)
        lengths[mask] = -1
        block = block[~mask]
    return Field(lengths, np.ascontiguousarray(block, dtype=np.uint8).reshape(-1), width)


def numeric2_field(cents: ArrayLike, *, null: ArrayLike | None = None) -> Field:
    """``numeric`` values with two decimals (e.g. ``area_m2``), given in hundredths (≥ 0)."""
    values = np.asarray(cents, dtype=np.int64)
    if len(values) and values.min() < 0:
        raise ValueError("numeric2_field takes non-negative hundredths")
    whole, fraction = values // 100, values % 100
    record = np.zeros(
        len(values),
        dtype=[
            ("ndigits", ">i2"),
            ("weight", ">i2"),
            ("sign", ">u2"),
            ("dscale", ">i2"),
            ("digits", ">i2", 3),
        ],
    )
    record["ndigits"], record["weight"], record["dscale"] = 3, 1, 2
    record["digits"] = np.column_stack([whole // 10_000, whole % 10_000, fraction * 100])
    return _fixed(record.view("V14"), "V14", null)


def geometry_field(geometries: ArrayLike, srid: int) -> Field:
    """PostGIS ``geometry`` values (EWKB with ``srid``) from shapely geometries."""
    geoms = shapely.set_srid(np.asarray(geometries, dtype=object), srid)
    blobs = shapely.to_wkb(geoms, include_srid=True, flavor="extended")
    column = VarBytes.from_bytes(blobs.tolist())
    return Field(column.lengths, column.data)


def text_array_field(vocabulary: Sequence[Sequence[str]], index: ArrayLike) -> Field:
    """``varchar[]`` values, each row one of a few distinct arrays (``vocabulary[index]``)."""
    encoded = []
    for items in vocabulary:
        if not items:
            encoded.append(np.array([0, 0, _VARCHAR_OID], dtype=">i4").tobytes())
            continue
        head = np.array([1, 0, _VARCHAR_OID, len(items), 1], dtype=">i4").tobytes()
        body = b"".join(len(t.encode()).to_bytes(4, "big") + t.encode() for t in items)
        encoded.append(head + body)
    column = VarBytes.from_vocab(encoded, index)
    return Field(column.lengths, column.data)


def encode_rows(fields: Sequence[Field]) -> bytes:
    """Binary COPY tuples (without header and trailer) of the columns ``fields``."""
    data, _ = encode_rows_with_offsets(fields)
    return data.tobytes()


def encode_rows_with_offsets(
    fields: Sequence[Field], *, offsets_of: Sequence[int] = ()
) -> tuple[U8, list[NDArray[np.int64]]]:
    """Like :func:`encode_rows`, as an array, with where values of some columns start.

    For each column index in ``offsets_of``, the offset of each row's value in the
    returned bytes (-1 for NULL), so that the value can be patched in place later.
    """
    if not fields:
        raise ValueError("no columns")
    n = len(fields[0])
    if any(len(f) != n for f in fields):
        raise ValueError(f"columns of unequal length: {[len(f) for f in fields]}")
    sizes = np.full(n, 2 + 4 * len(fields), dtype=np.int64)
    for f in fields:
        sizes += np.maximum(f.lengths, 0)
    starts = np.cumsum(sizes) - sizes
    out = np.empty(int(sizes.sum()), dtype=np.uint8)
    _put(out, starts, np.full(n, len(fields), dtype=">i2"))
    position = starts + 2
    offsets: dict[int, NDArray[np.int64]] = {}
    for index, f in enumerate(fields):
        _put(out, position, f.lengths.astype(">i4"))
        position += 4
        if index in offsets_of:
            offsets[index] = np.where(f.lengths >= 0, position, -1)
        if f.width is not None:
            present = f.lengths >= 0
            _put_block(out, position[present], f.data.reshape(-1, f.width))
        else:
            scatter_runs(out, position, np.maximum(f.lengths, 0), f.data)
        position += np.maximum(f.lengths, 0)
    return out, [offsets[i] for i in offsets_of]


def encode_table(
    fields: Sequence[Field], *, offsets_of: Sequence[int] = ()
) -> tuple[U8, list[NDArray[np.int64]]]:
    """:func:`encode_rows_with_offsets` in batches of 50,000 rows (bounded temporary memory)."""
    n = len(fields[0]) if fields else 0
    parts: list[U8] = []
    found: list[list[NDArray[np.int64]]] = [[] for _ in offsets_of]
    size = 0
    for start in range(0, n, _ROWS_PER_BATCH):
        stop = min(n, start + _ROWS_PER_BATCH)
        data, offsets = encode_rows_with_offsets(
            [f.rows(start, stop) for f in fields], offsets_of=offsets_of
        )
        for bucket, where in zip(found, offsets, strict=True):
            bucket.append(np.where(where >= 0, where + size, -1))
        parts.append(data)
        size += len(data)
    payload = np.concatenate(parts) if parts else np.zeros(0, dtype=np.uint8)
    return payload, [np.concatenate(b) if b else np.zeros(0, dtype=np.int64) for b in found]


def _put(out: U8, starts: NDArray[np.int64], values: NDArray) -> None:
    width = values.dtype.itemsize
    _put_block(out, starts, values.view(np.uint8).reshape(len(values), width))


def _put_block(out: U8, starts: NDArray[np.int64], block: U8) -> None:
    if len(starts) == 0:
        return
    out[starts[:, None] + np.arange(block.shape[1])] = block


def copy_payload(
    connection: Connection,
    table: str,
    columns: Sequence[str],
    payload: bytes | U8,
    *,
    freeze: bool = False,
) -> None:
    """COPY already encoded tuples (``payload``) of ``columns`` into ``table``."""
    with _copy(connection, table, columns, freeze) as copy:
        copy.write(payload if isinstance(payload, bytes) else memoryview(payload))


def copy_rows(
    connection: Connection,
    table: str,
    columns: Mapping[str, Field],
    *,
    freeze: bool = False,
) -> int:
    """COPY the rows given as ``columns`` (name → Field) into ``table``; return the count.

    Rows are encoded and sent 50,000 at a time.
    """
    names = list(columns)
    fields = [columns[name] for name in names]
    n = len(fields[0]) if fields else 0
    if n == 0:
        return 0
    with _copy(connection, table, names, freeze) as copy:
        for start in range(0, n, _ROWS_PER_BATCH):
            stop = min(n, start + _ROWS_PER_BATCH)
            copy.write(encode_rows([f.rows(start, stop) for f in fields]))
    return n


@contextmanager
def _copy(
    connection: Connection, table: str, columns: Sequence[str], freeze: bool
) -> Iterator[Copy]:
    """A binary COPY into ``table``: header written on entry, trailer on exit."""
    options = sql.SQL("FORMAT BINARY, FREEZE") if freeze else sql.SQL("FORMAT BINARY")
    statement = sql.SQL("COPY {} ({}) FROM STDIN ({})").format(
        sql.Identifier(table), sql.SQL(", ").join(map(sql.Identifier, columns)), options
    )
    with connection.cursor() as cursor, cursor.copy(statement) as copy:
        copy.write(COPY_HEADER)
        yield copy
        copy.write(COPY_TRAILER)
