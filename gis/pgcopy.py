"""PostgreSQL binary COPY rows built column by column with Arrow (二进制 COPY 编码).

A binary COPY tuple is a 16-bit field count followed, for each field, by a 32-bit byte
length (``-1`` for NULL) and the value's bytes (the server's ``*_recv`` formats:
big-endian integers, text as UTF-8, geometries as EWKB). Each column becomes a
:class:`CopyField`; :func:`encode_rows` packs neighbouring fixed-width columns into one
numpy record block and concatenates everything per row with Arrow's
``binary_join_element_wise``, so no Python code runs per row or per byte: about
30 ms for 300,000 rows of 350 bytes once Arrow's memory pool is warm. The result is
written to psycopg's ``copy.write`` between :data:`COPY_HEADER` and :data:`COPY_TRAILER`.
:func:`value_offsets` says where each row's value of a column starts in that buffer,
so that a value (a database id not known yet) can be patched in place afterwards.

Integers name their width (:func:`int16_field`, :func:`int32_field`, :func:`int64_field`):
a ``bigint`` column sent 4-byte values is refused by the server, a width given by a
default is how two encoders drifted apart. Dates are days and timestamps microseconds
since 1970 here (PostgreSQL counts from 2000-01-01; the fields convert).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import shapely
from numpy.typing import ArrayLike, NDArray

__all__ = [
    "COPY_HEADER",
    "COPY_TRAILER",
    "PG_EPOCH_DAY",
    "CopyField",
    "ascii_field",
    "bool_field",
    "bytea_field",
    "choice_field",
    "constant_field",
    "date_field",
    "decode_float8_rows",
    "encode_rows",
    "ewkb_field",
    "float8_field",
    "geometry_field",
    "int16_field",
    "int32_field",
    "int64_field",
    "int_field",
    "numeric2_field",
    "point_field",
    "text_array_field",
    "text_field",
    "timestamptz_field",
    "value_offsets",
    "vocabulary_field",
]

COPY_HEADER = b"PGCOPY\n\xff\r\n\x00" + b"\x00\x00\x00\x00" + b"\x00\x00\x00\x00"
COPY_TRAILER = b"\xff\xff"
_EMPTY = pa.scalar(b"", pa.binary())
_HAS_SRID = 0x2000_0000
_POINT = 1
#: 2000-01-01 as days since 1970-01-01 (PostgreSQL's date epoch).
PG_EPOCH_DAY = 10_957
_PG_EPOCH_US = PG_EPOCH_DAY * 86_400 * 1_000_000
_VARCHAR_OID = 1043
_INT_TYPES = {16: ">i2", 32: ">i4", 64: ">i8"}


@dataclass(frozen=True)
class CopyField:
    """One column for binary COPY: ``block`` (``(n, width)`` bytes, never NULL) or ``values``.

    ``values`` is an Arrow binary array whose nulls are SQL NULLs.
    """

    block: NDArray[np.uint8] | None = None
    values: pa.BinaryArray | None = None

    def __len__(self) -> int:
        return len(self.block) if self.block is not None else len(self.values or [])

    def lengths(self) -> NDArray[np.int64]:
        """Bytes of each row's value, ``-1`` for NULL (the length word of the tuple)."""
        if self.block is not None:
            return np.full(len(self.block), self.block.shape[1], dtype=np.int64)
        assert self.values is not None
        lengths = np.diff(_offsets(self.values)).astype(np.int64)
        if self.values.null_count:
            lengths[~self.values.is_valid().to_numpy(zero_copy_only=False)] = -1
        return lengths


def _offsets(values: pa.BinaryArray) -> NDArray[np.int32]:
    """The ``n + 1`` value offsets of a binary array (an Arrow slice keeps its offset)."""
    _, offsets, _ = values.buffers()
    return np.frombuffer(offsets, dtype=np.int32)[values.offset : values.offset + len(values) + 1]


def _big_endian(values: ArrayLike, dtype: str) -> NDArray[np.uint8]:
    array = np.ascontiguousarray(np.asarray(values).astype(dtype))
    return array.view(np.uint8).reshape(len(array), array.dtype.itemsize)


_MAX_ARROW_BYTES = 2**31 - 1  # Arrow binary arrays count their bytes in int32


def _binary_rows(block: NDArray[np.uint8], null: NDArray[np.bool_] | None = None) -> pa.Array:
    """The rows of an ``(n, width)`` byte array as an Arrow binary array (``null``: NULLs)."""
    n, width = block.shape
    sizes = np.full(n, width, dtype=np.int32)
    validity = None
    if null is not None and null.any():
        sizes[null] = 0
        block = block[~null]
        validity = pa.py_buffer(np.packbits(~null, bitorder="little"))
    if int(sizes.sum(dtype=np.int64)) > _MAX_ARROW_BYTES:
        raise ValueError("more than 2 GiB in one column: encode fewer rows at a time")
    offsets = np.zeros(n + 1, dtype=np.int32)
    np.cumsum(sizes, out=offsets[1:])
    data = pa.py_buffer(np.ascontiguousarray(block, dtype=np.uint8))
    return pa.BinaryArray.from_buffers(pa.binary(), n, [validity, pa.py_buffer(offsets), data])


def _fixed_width(block: NDArray[np.uint8], null: ArrayLike | None) -> CopyField:
    """Values of one width given as ``(n, width)`` bytes; ``null`` marks SQL NULLs."""
    block = np.ascontiguousarray(block, dtype=np.uint8)
    if null is None:
        return CopyField(block=block)
    return CopyField(values=_binary_rows(block, np.asarray(null, dtype=bool)))


def _scalars(values: ArrayLike, dtype: str, null: ArrayLike | None) -> CopyField:
    return _fixed_width(_big_endian(values, dtype), null)


def int_field(values: ArrayLike, bits: int, *, null: ArrayLike | None = None) -> CopyField:
    """``smallint`` (``bits=16``), ``integer`` (32) or ``bigint`` (64); ``null`` marks NULLs.

    The width has no default; :func:`int16_field` and friends name it.
    """
    if bits not in _INT_TYPES:
        raise ValueError(f"bits must be 16, 32 or 64, got {bits}")
    return _scalars(values, _INT_TYPES[bits], null)


def int16_field(values: ArrayLike, *, null: ArrayLike | None = None) -> CopyField:
    """``smallint`` values."""
    return int_field(values, 16, null=null)


def int32_field(values: ArrayLike, *, null: ArrayLike | None = None) -> CopyField:
    """``integer`` values."""
    return int_field(values, 32, null=null)


def int64_field(values: ArrayLike, *, null: ArrayLike | None = None) -> CopyField:
    """``bigint`` values (ids)."""
    return int_field(values, 64, null=null)


def float8_field(values: ArrayLike, *, null: ArrayLike | None = None) -> CopyField:
    """``double precision`` values."""
    return _scalars(values, ">f8", null)


def bool_field(values: ArrayLike, *, null: ArrayLike | None = None) -> CopyField:
    """``boolean`` values."""
    return _scalars(np.asarray(values, dtype=bool), "u1", null)


def date_field(days: ArrayLike, *, null: ArrayLike | None = None) -> CopyField:
    """``date`` values as days since 1970-01-01 (numpy ``datetime64`` also accepted)."""
    values = np.asarray(days)
    if np.issubdtype(values.dtype, np.datetime64):
        values = values.astype("datetime64[D]").astype(np.int64)
    return _scalars(values.astype(np.int64) - PG_EPOCH_DAY, ">i4", null)


def timestamptz_field(micros: ArrayLike, *, null: ArrayLike | None = None) -> CopyField:
    """``timestamptz`` values as microseconds since 1970-01-01 UTC."""
    return _scalars(np.asarray(micros, dtype=np.int64) - _PG_EPOCH_US, ">i8", null)


def numeric2_field(cents: ArrayLike, *, null: ArrayLike | None = None) -> CopyField:
    """``numeric`` values with two decimals (e.g. ``area_m2``) given in hundredths (≥ 0).

    Sent as three base-10000 digits (``numeric_recv``): two of the whole part, one
    for the fraction, so values below 10⁸.
    """
    values = np.asarray(cents, dtype=np.int64)
    if len(values) and (values.min() < 0 or values.max() >= 10**10):
        raise ValueError("numeric2_field takes hundredths from 0 to 10**10 - 1")
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
    return _fixed_width(record.view(np.uint8).reshape(len(values), 14), null)


def ascii_field(block: NDArray[np.uint8], *, null: ArrayLike | None = None) -> CopyField:
    """Text values of one width given as an ``(n, width)`` byte array (digit codes)."""
    return _fixed_width(block, null)


def bytea_field(block: NDArray[np.uint8], *, null: ArrayLike | None = None) -> CopyField:
    """``bytea`` values of one width given as an ``(n, width)`` array (digests, ciphertexts)."""
    return _fixed_width(block, null)


def text_field(values: ArrayLike | pa.Array) -> CopyField:
    """``text``/``varchar`` values from Python strings or an Arrow string array (None = NULL)."""
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    if not isinstance(values, pa.Array):
        values = pa.array(np.asarray(values, dtype=object), pa.string())
    return CopyField(values=values if values.type == pa.binary() else values.cast(pa.binary()))


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


def vocabulary_field(vocabulary: Sequence[str | bytes], index: ArrayLike) -> CopyField:
    """Text (or bytes) ``vocabulary[index]`` per row; a negative index is NULL."""
    picks = np.asarray(index, dtype=np.int64).reshape(-1)
    words = pa.array([w.encode() if isinstance(w, str) else w for w in vocabulary], pa.binary())
    return CopyField(values=words.take(pa.array(picks, mask=picks < 0)))


def text_array_field(vocabulary: Sequence[Sequence[str]], index: ArrayLike) -> CopyField:
    """``varchar[]`` values, each row one of a few distinct arrays: ``vocabulary[index]``."""
    encoded = []
    for items in vocabulary:
        if not items:
            encoded.append(np.array([0, 0, _VARCHAR_OID], dtype=">i4").tobytes())
            continue
        head = np.array([1, 0, _VARCHAR_OID, len(items), 1], dtype=">i4").tobytes()
        body = b"".join(len(t.encode()).to_bytes(4, "big") + t.encode() for t in items)
        encoded.append(head + body)
    return vocabulary_field(encoded, index)


def geometry_field(geometries: ArrayLike, srid: int) -> CopyField:
    """PostGIS ``geometry`` values (EWKB, 2-D) from shapely geometries."""
    wkb = shapely.to_wkb(np.asarray(geometries, dtype=object), byte_order=1, output_dimension=2)
    return ewkb_field(pa.array(wkb, pa.binary()), srid)


def ewkb_field(wkb: pa.BinaryArray, srid: int) -> CopyField:
    """PostGIS ``geometry`` values from little-endian WKB (shapely ``byte_order=1``).

    The SRID is spliced into each header (EWKB), which is cheaper than giving every
    geometry an SRID before writing it.
    """
    _, offsets, data = wkb.buffers()
    ends = np.frombuffer(offsets, dtype=np.int32)[wkb.offset : wkb.offset + len(wkb) + 1]
    raw = np.frombuffer(data, dtype=np.uint8) if data is not None else np.zeros(0, np.uint8)
    valid = wkb.is_valid().to_numpy(zero_copy_only=False)  # NULL geometries have no header
    starts = ends[:-1][valid]
    if np.any(raw[starts] != 1):
        raise ValueError("ewkb_field needs little-endian WKB")
    kinds = np.zeros(len(wkb), np.uint32)
    kinds[valid] = raw[starts[:, None] + 1 + np.arange(4)].view("<u4").reshape(-1)
    parts = []
    for kind in np.unique(kinds[valid]):
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
    return _binary_rows(_big_endian(CopyField(values=values).lengths(), ">i4"))


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
    return _binary_rows(out)


def encode_rows(fields: Sequence[CopyField]) -> pa.Buffer:
    """Binary COPY tuples (no header or trailer) of the columns ``fields``, as one buffer.

    Examples
    --------
    >>> data = encode_rows([int16_field([7]), text_field(["楼"])])
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


def value_offsets(fields: Sequence[CopyField], columns: Sequence[int]) -> list[NDArray[np.int64]]:
    """Where each row's value of ``fields[c]`` starts in :func:`encode_rows`'s output.

    One array per column index ``c`` in ``columns``, ``-1`` for NULL values. Used to
    fill in values known only later (database ids) over placeholders of the same width.

    Examples
    --------
    >>> fields = [text_field(["a", "bcd"]), int64_field([0, 0])]
    >>> [offsets.tolist() for offsets in value_offsets(fields, [1])]
    [[11, 32]]
    """
    n = len(fields[0]) if fields else 0
    lengths = [field.lengths() for field in fields]
    ends = np.cumsum([np.maximum(length, 0) + 4 for length in lengths], axis=0)  # after field
    row_sizes = 2 + (ends[-1] if len(lengths) else np.zeros(n, dtype=np.int64))
    row_starts = np.cumsum(row_sizes) - row_sizes
    found = []
    for column in columns:
        before = ends[column - 1] if column else np.zeros(n, dtype=np.int64)
        starts = row_starts + 2 + before + 4
        found.append(np.where(lengths[column] >= 0, starts, -1))
    return found


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
