"""PostgreSQL binary COPY rows built column by column with Arrow (二进制 COPY 编码).

A binary COPY tuple is a 16-bit field count followed, for each field, by a 32-bit byte
length (``-1`` for NULL) and the value's bytes (the server's ``*_recv`` formats:
big-endian integers, text as UTF-8, geometries as EWKB). Each column becomes a
:class:`CopyField`; :func:`encode_rows` packs neighbouring fixed-width columns into one
numpy record block and concatenates everything per row with Arrow's
``binary_join_element_wise``, so no Python code runs per row or per byte: about
30 ms for 300,000 rows of 350 bytes once Arrow's memory pool is warm. The result is
written to psycopg's ``copy.write`` between :data:`COPY_HEADER` and :data:`COPY_TRAILER`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from numpy.typing import ArrayLike, NDArray

__all__ = [
    "COPY_HEADER",
    "COPY_TRAILER",
    "CopyField",
    "ascii_field",
    "choice_field",
    "constant_field",
    "decode_float8_rows",
    "encode_rows",
    "ewkb_field",
    "int_field",
    "point_field",
    "text_field",
]

COPY_HEADER = b"PGCOPY\n\xff\r\n\x00" + b"\x00\x00\x00\x00" + b"\x00\x00\x00\x00"
COPY_TRAILER = b"\xff\xff"
_EMPTY = pa.scalar(b"", pa.binary())
_HAS_SRID = 0x2000_0000
_POINT = 1


@dataclass(frozen=True)
class CopyField:
    """One column for binary COPY: ``block`` (``(n, width)`` bytes, never NULL) or ``values``.

    ``values`` is an Arrow binary array whose nulls are SQL NULLs.
    """

    block: NDArray[np.uint8] | None = None
    values: pa.BinaryArray | None = None

    def __len__(self) -> int:
        return len(self.block) if self.block is not None else len(self.values or [])


def _big_endian(values: ArrayLike, dtype: str) -> NDArray[np.uint8]:
    array = np.ascontiguousarray(np.asarray(values).astype(dtype))
    return array.view(np.uint8).reshape(len(array), array.dtype.itemsize)


def int_field(values: ArrayLike, bits: int = 32, *, null: ArrayLike | None = None) -> CopyField:
    """``smallint`` (16), ``integer`` (32) or ``bigint`` (64) values; ``null`` marks NULLs."""
    block = _big_endian(values, {16: ">i2", 32: ">i4", 64: ">i8"}[bits])
    if null is None:
        return CopyField(block=block)
    width = block.shape[1]
    values_array = pa.FixedSizeBinaryArray.from_buffers(
        pa.binary(width), len(block), [None, pa.py_buffer(block.tobytes())]
    )
    mask = pa.array(np.asarray(null, dtype=bool))
    return CopyField(
        values=pc.if_else(mask, pa.scalar(None, pa.binary()), values_array.cast(pa.binary()))
    )


def ascii_field(block: NDArray[np.uint8]) -> CopyField:
    """Text values of one width given as an ``(n, width)`` byte array (digit codes)."""
    return CopyField(block=np.ascontiguousarray(block, dtype=np.uint8))


def text_field(values: ArrayLike | pa.Array) -> CopyField:
    """``text``/``varchar`` values from Python strings or an Arrow string array (None = NULL)."""
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    if not isinstance(values, pa.Array):
        values = pa.array(np.asarray(values, dtype=object), pa.string())
    return CopyField(values=values.cast(pa.binary()))


def constant_field(value: str, n: int) -> CopyField:
    """The same text in ``n`` rows (e.g. the import's source name)."""
    raw = np.frombuffer(value.encode(), dtype=np.uint8)
    return CopyField(block=np.broadcast_to(raw, (n, len(raw))))


def choice_field(vocabulary: Sequence[str], values: ArrayLike | pa.Array) -> CopyField:
    """Text drawn from a small ``vocabulary`` (every value must be in it), e.g. a use type."""
    if not isinstance(values, pa.Array):
        values = pa.array(np.asarray(values, dtype=object), pa.string())
    words = pa.array(list(vocabulary), pa.string())
    codes = pc.index_in(values, value_set=words)
    if codes.null_count:
        raise ValueError(f"values outside the vocabulary {list(vocabulary)}")
    return CopyField(values=words.cast(pa.binary()).take(codes))


def ewkb_field(wkb: pa.BinaryArray, srid: int) -> CopyField:
    """PostGIS ``geometry`` values from little-endian WKB (shapely ``byte_order=1``).

    The SRID is spliced into each header (EWKB), which is cheaper than giving every
    geometry an SRID before writing it.
    """
    _, offsets, data = wkb.buffers()
    ends = np.frombuffer(offsets, dtype=np.int32)[wkb.offset : wkb.offset + len(wkb) + 1]
    raw = np.frombuffer(data, dtype=np.uint8) if data is not None else np.zeros(0, np.uint8)
    if len(wkb) and np.any(raw[ends[:-1]] != 1):
        raise ValueError("ewkb_field needs little-endian WKB")
    kinds = raw[ends[:-1, None] + 1 + np.arange(4)].view("<u4").reshape(-1) if len(wkb) else []
    parts = []
    for kind in np.unique(kinds):
        header = (
            b"\x01" + (int(kind) | _HAS_SRID).to_bytes(4, "little") + srid.to_bytes(4, "little")
        )
        parts.append((kinds == kind, pa.scalar(header, pa.binary())))
    body = pc.binary_slice(wkb, 5, 1 << 30)
    if len(parts) == 1:
        return CopyField(values=pc.binary_join_element_wise(parts[0][1], body, _EMPTY))
    headers = pa.array([None] * len(wkb), pa.binary())
    for mask, header in parts:
        headers = pc.if_else(pa.array(mask), header, headers)
    return CopyField(values=pc.binary_join_element_wise(headers, body, _EMPTY))


def point_field(x: ArrayLike, y: ArrayLike, srid: int) -> CopyField:
    """PostGIS ``geometry(Point)`` values (EWKB, 25 bytes each) from coordinate arrays."""
    xs = np.asarray(x, dtype="<f8")
    record = np.zeros(
        len(xs),
        dtype=[("order", "u1"), ("kind", "<u4"), ("srid", "<u4"), ("x", "<f8"), ("y", "<f8")],
    )
    record["order"], record["kind"], record["srid"] = 1, _POINT | _HAS_SRID, srid
    record["x"], record["y"] = xs, np.asarray(y, dtype="<f8")
    return CopyField(block=record.view(np.uint8).reshape(len(xs), 25))


def _lengths(values: pa.BinaryArray) -> pa.Array:
    """The 4-byte big-endian length of each value (``-1`` for NULL) as an Arrow array."""
    _, offsets, _ = values.buffers()
    ends = np.frombuffer(offsets, dtype=np.int32)[values.offset : values.offset + len(values) + 1]
    lengths = np.diff(ends)
    if values.null_count:
        lengths[~values.is_valid().to_numpy(zero_copy_only=False)] = -1
    block = _big_endian(lengths, ">i4")
    return pa.FixedSizeBinaryArray.from_buffers(
        pa.binary(4), len(block), [None, pa.py_buffer(block.tobytes())]
    ).cast(pa.binary())


def _pack(blocks: Sequence[NDArray[np.uint8]], lead: bytes = b"") -> pa.BinaryArray:
    """Fixed-width fields, each preceded by its length, as one value per row."""
    n = len(blocks[0])
    widths = [b.shape[1] for b in blocks]
    out = np.empty((n, len(lead) + sum(widths) + 4 * len(widths)), dtype=np.uint8)
    out[:, : len(lead)] = np.frombuffer(lead, dtype=np.uint8)
    at = len(lead)
    for block, width in zip(blocks, widths, strict=True):
        out[:, at : at + 4] = np.frombuffer(width.to_bytes(4, "big"), dtype=np.uint8)
        out[:, at + 4 : at + 4 + width] = block
        at += 4 + width
    return pa.FixedSizeBinaryArray.from_buffers(
        pa.binary(out.shape[1]), n, [None, pa.py_buffer(out.tobytes())]
    ).cast(pa.binary())


def encode_rows(fields: Sequence[CopyField]) -> pa.Buffer:
    """Binary COPY tuples (no header or trailer) of the columns ``fields``, as one buffer.

    Examples
    --------
    >>> data = encode_rows([int_field([7], 16), text_field(["楼"])])
    >>> data.to_pybytes().hex(" ")
    '00 02 00 00 00 02 00 07 00 00 00 03 e6 a5 bc'
    """
    if not fields:
        raise ValueError("no columns")
    n = len(fields[0])
    if any(len(f) != n for f in fields):
        raise ValueError(f"columns of unequal length: {[len(f) for f in fields]}")
    if n == 0:
        return pa.py_buffer(b"")
    pieces: list[pa.Array | pa.Scalar] = []
    pending: list[NDArray[np.uint8]] = []
    lead = len(fields).to_bytes(2, "big")
    for field in fields:
        if field.block is not None:
            pending.append(field.block)
            continue
        if pending or lead:
            pieces.append(_pack(pending, lead) if pending else pa.scalar(lead, pa.binary()))
            pending, lead = [], b""
        assert field.values is not None
        pieces += [_lengths(field.values), pc.fill_null(field.values, _EMPTY)]
    if pending:
        pieces.append(_pack(pending, lead))
    if len(pieces) == 1:
        pieces.append(_EMPTY)
    rows = pc.binary_join_element_wise(*pieces, _EMPTY)
    _, offsets, data = rows.buffers()
    ends = np.frombuffer(offsets, dtype=np.int32)[rows.offset : rows.offset + n + 1]
    return data.slice(int(ends[0]), int(ends[-1] - ends[0]))


def decode_float8_rows(data: bytes, columns: int) -> NDArray[np.float64]:
    """The rows of a binary COPY of ``columns`` non-null ``float8`` columns, as an
    ``(n, columns)`` array (the reverse of the encoders above, for reading points fast).

    Raises
    ------
    ValueError
        The data is not such a COPY (bad header, a NULL or another width).
    """
    if not data.startswith(COPY_HEADER[:11]):
        raise ValueError("not a binary COPY")
    extension = int.from_bytes(data[15:19], "big")
    body = data[19 + extension :]
    if body.endswith(COPY_TRAILER):
        body = body[: -len(COPY_TRAILER)]
    row = np.dtype(
        [("count", ">i2")]
        + [item for i in range(columns) for item in ((f"length{i}", ">i4"), (f"value{i}", ">f8"))]
    )
    if len(body) % row.itemsize:
        raise ValueError(
            f"binary COPY body of {len(body)} bytes is not rows of {columns} non-null float8"
        )
    records = np.frombuffer(body, dtype=row)
    lengths = np.stack([records[f"length{i}"] for i in range(columns)], axis=1)
    if len(records) and ((records["count"] != columns).any() or (lengths != 8).any()):
        raise ValueError(f"expected {columns} non-null float8 columns in every row")
    return np.stack([records[f"value{i}"] for i in range(columns)], axis=1).astype(np.float64)
