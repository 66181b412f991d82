"""Column arrays for bulk loading: variable-length byte strings and fixed-width digit codes.

The demo city is generated as numpy columns, never as Python rows. Text columns are
:class:`VarBytes` — one flat ``uint8`` buffer plus a length per row (``-1`` = NULL) —
built from small vocabularies (surnames, road names...) and concatenated row-wise
without a Python loop. Codes of fixed width (19-digit building codes, 25-digit room
codes, ID numbers) are ``(n, width)`` arrays of ASCII bytes made by :func:`digits`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
from numpy.typing import ArrayLike, NDArray

from grids.codes import digits

__all__ = ["VarBytes", "ascii_rows", "digits", "scatter_runs"]

U8 = NDArray[np.uint8]
I64 = NDArray[np.int64]


def scatter_runs(out: U8, starts: I64, lengths: I64, data: U8) -> None:
    """Copy consecutive runs of ``data`` (``lengths[i]`` bytes each) to ``out[starts[i]:]``."""
    lengths = np.asarray(lengths, dtype=np.int64)
    total = int(lengths.sum())
    if total == 0:
        return
    if len(data) != total:
        raise ValueError(f"{len(data)} bytes of data for runs totalling {total}")
    keep = lengths > 0
    starts, lengths = np.asarray(starts, dtype=np.int64)[keep], lengths[keep]
    run_begin = np.cumsum(lengths) - lengths  # where each run starts inside ``data``
    index = np.repeat(starts - run_begin, lengths) + np.arange(total, dtype=np.int64)
    out[index] = data


def ascii_rows(*parts: U8 | bytes | str) -> U8:
    """Concatenate fixed-width ASCII parts column-wise (a constant part is repeated).

    Examples
    --------
    >>> ascii_rows("4403", digits([4, 5], 2)).view("S6").ravel().tolist()
    [b'440304', b'440305']
    """
    arrays = [p for p in parts if isinstance(p, np.ndarray)]
    if not arrays:
        raise ValueError("at least one part must be an array")
    n = arrays[0].shape[0]
    blocks = []
    for part in parts:
        if isinstance(part, np.ndarray):
            block = part[:, None] if part.ndim == 1 else part  # 1-D: one character per row
            blocks.append(block.astype(np.uint8, copy=False))
        else:
            raw = part.encode() if isinstance(part, str) else part
            blocks.append(np.broadcast_to(np.frombuffer(raw, dtype=np.uint8), (n, len(raw))))
    return np.ascontiguousarray(np.concatenate(blocks, axis=1))


@dataclass(frozen=True)
class VarBytes:
    """A column of byte strings: ``data`` holds the non-NULL values back to back.

    Attributes
    ----------
    lengths : numpy.ndarray of int64
        Bytes per row; ``-1`` marks NULL.
    data : numpy.ndarray of uint8
        The concatenated values of the non-NULL rows, in row order.
    """

    lengths: I64
    data: U8

    def __len__(self) -> int:
        return len(self.lengths)

    @property
    def offsets(self) -> I64:
        """Start of each row's value inside ``data``."""
        sizes = np.maximum(self.lengths, 0)
        return np.cumsum(sizes) - sizes

    # -- construction --------------------------------------------------------------------
    @classmethod
    def from_bytes(cls, values: Iterable[bytes | None]) -> VarBytes:
        """From Python byte strings (``None`` = NULL)."""
        items = list(values)
        lengths = np.fromiter(
            (-1 if v is None else len(v) for v in items), dtype=np.int64, count=len(items)
        )
        data = np.frombuffer(b"".join(v for v in items if v is not None), dtype=np.uint8)
        return cls(lengths, data.copy())

    @classmethod
    def from_strings(cls, values: Iterable[str | None]) -> VarBytes:
        """From Python strings, UTF-8 encoded (``None`` = NULL)."""
        return cls.from_bytes(None if v is None else v.encode() for v in values)

    @classmethod
    def from_fixed(cls, block: U8) -> VarBytes:
        """From an ``(n, width)`` byte array (every row ``width`` bytes)."""
        n, width = block.shape
        return cls(np.full(n, width, dtype=np.int64), np.ascontiguousarray(block).reshape(-1))

    @classmethod
    def constant(cls, value: str | bytes, n: int) -> VarBytes:
        """The same value in ``n`` rows."""
        raw = value.encode() if isinstance(value, str) else value
        return cls.from_vocab([raw], np.zeros(n, dtype=np.int64))

    @classmethod
    def from_vocab(cls, vocabulary: Sequence[str | bytes], index: ArrayLike) -> VarBytes:
        """Pick ``vocabulary[index[i]]`` for each row; a negative index gives NULL.

        Examples
        --------
        >>> VarBytes.from_vocab(["王", "欧阳"], [1, 0, -1]).to_strings()
        ['欧阳', '王', None]
        """
        words = [w.encode() if isinstance(w, str) else w for w in vocabulary]
        picks = np.asarray(index, dtype=np.int64).reshape(-1)
        word_lengths = np.fromiter(map(len, words), dtype=np.int64, count=len(words))
        word_starts = np.cumsum(word_lengths) - word_lengths
        pool = np.frombuffer(b"".join(words), dtype=np.uint8)
        valid = picks >= 0
        lengths = np.where(valid, word_lengths[np.where(valid, picks, 0)], -1)
        chosen = picks[valid]
        sizes = word_lengths[chosen]
        total = int(sizes.sum())
        source = np.repeat(word_starts[chosen] - (np.cumsum(sizes) - sizes), sizes)
        data = pool[source + np.arange(total, dtype=np.int64)] if total else pool[:0].copy()
        return cls(lengths, data)

    @classmethod
    def concat(cls, *parts: VarBytes | str) -> VarBytes:
        """Row-wise concatenation; a ``str`` part is the same in every row. NULL if any is.

        Examples
        --------
        >>> VarBytes.concat(VarBytes.from_strings(["上沙", None]), "村").to_strings()
        ['上沙村', None]
        """
        columns = [p for p in parts if isinstance(p, VarBytes)]
        if not columns:
            raise ValueError("at least one part must be a VarBytes column")
        n = len(columns[0])
        pieces = [p if isinstance(p, VarBytes) else cls.constant(p, n) for p in parts]
        null = np.zeros(n, dtype=bool)
        for piece in pieces:
            null |= piece.lengths < 0
        sizes = [np.where(null, 0, np.maximum(piece.lengths, 0)) for piece in pieces]
        lengths = np.sum(sizes, axis=0) if pieces else np.zeros(n, dtype=np.int64)
        out = np.empty(int(lengths.sum()), dtype=np.uint8)
        position = np.cumsum(lengths) - lengths
        for piece, size in zip(pieces, sizes, strict=True):
            scatter_runs(out, position, size, piece.select_data(~null))
            position = position + size
        return cls(np.where(null, -1, lengths).astype(np.int64), out)

    # -- operations ----------------------------------------------------------------------
    def select_data(self, rows: NDArray[np.bool_]) -> U8:
        """The data bytes of the rows where ``rows`` is true (NULL rows have none)."""
        sizes = np.maximum(self.lengths, 0)
        if rows.all():
            return self.data
        keep = np.repeat(rows, sizes)
        return self.data[keep]

    def take(self, index: ArrayLike) -> VarBytes:
        """Rows ``index`` (a gather), e.g. the building address of each event."""
        picks = np.asarray(index, dtype=np.int64).reshape(-1)
        sizes = np.maximum(self.lengths, 0)
        starts = self.offsets[picks]
        chosen = sizes[picks]
        total = int(chosen.sum())
        source = np.repeat(starts - (np.cumsum(chosen) - chosen), chosen)
        data = self.data[source + np.arange(total, dtype=np.int64)]
        return VarBytes(self.lengths[picks].copy(), data)

    @staticmethod
    def stack(columns: Sequence[VarBytes]) -> VarBytes:
        """Append columns one after the other (more rows)."""
        if not columns:
            return VarBytes(np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.uint8))
        return VarBytes(
            np.concatenate([c.lengths for c in columns]), np.concatenate([c.data for c in columns])
        )

    def to_arrow(self) -> pa.BinaryArray:
        """The column as an Arrow binary array (no copy of ``data``), e.g. for COPY.

        Examples
        --------
        >>> VarBytes.from_strings(["楼", None]).to_arrow().to_pylist()
        [b'\\xe6\\xa5\\xbc', None]
        """
        sizes = np.maximum(self.lengths, 0)
        offsets = np.zeros(len(sizes) + 1, dtype=np.int32)
        np.cumsum(sizes, out=offsets[1:])
        null = self.lengths < 0
        validity = (
            pa.py_buffer(np.packbits(~null, bitorder="little").tobytes()) if null.any() else None
        )
        return pa.BinaryArray.from_buffers(
            pa.binary(),
            len(sizes),
            [validity, pa.py_buffer(offsets), pa.py_buffer(np.ascontiguousarray(self.data))],
            null_count=int(null.sum()),
        )

    def to_strings(self) -> list[str | None]:
        """Decode to Python strings (for tests and small outputs)."""
        raw = self.data.tobytes()
        result: list[str | None] = []
        for start, length in zip(self.offsets.tolist(), self.lengths.tolist(), strict=True):
            result.append(None if length < 0 else raw[start : start + length].decode())
        return result
