"""Table chunks: one community's rows of one table, encoded in the worker, patched by the parent.

A worker cannot know the database ids of its rows (they depend on every community
before it), but it can do all the encoding. :func:`pack_chunk` encodes a chunk's rows
as binary COPY tuples with placeholders where ids go and remembers where each
placeholder sits; :class:`ChunkWriter`, in the loading process, writes the ids into
those bytes (running offsets per table, so ids are dense and follow the community
order) and COPYs the result. The parent's work per row is a few byte writes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray
from psycopg import Connection, sql

from gis import pgcopy as pg
from grids.codes import digits

__all__ = ["ChunkWriter", "PackedChunk", "Patch", "TableChunk", "pack_chunk"]

#: digits of the serial at the end of an event code (E + YYYYMMDD + 7 digits)
CODE_SERIAL_DIGITS = 7
#: digits of the sequence at the end of a component id (district + class + 6 digits)
COMPONENT_SERIAL_DIGITS = 6


@dataclass
class TableChunk:
    """Rows of one table for one community: encoded columns plus local id references.

    ``refs`` maps a column to (referenced table, local row index or -1 for NULL);
    ``own_id`` asks for an ``id`` column from the table's running counter; ``id_code``
    is a text column made of a per-row ASCII prefix and the row's id (event codes);
    ``component_class`` numbers the rows' 17-digit ids per district and class.
    """

    table: str
    rows: int
    fields: dict[str, pg.CopyField]
    refs: dict[str, tuple[str, NDArray[np.int64]]] = field(default_factory=dict)
    own_id: bool = True
    id_code: tuple[str, NDArray[np.uint8]] | None = None
    component_class: NDArray[np.int64] | None = None  # with the id prefix in ``fields["id"]``


@dataclass(frozen=True)
class Patch:
    """Bytes to fill in the parent: ``kind`` says how, ``offsets`` where (value starts)."""

    kind: str  # "id" (bigint of base + local + 1), "serial" (digits), "component"
    table: str  # whose running count is the base
    offsets: NDArray[np.int64]
    local: NDArray[np.int64]  # local row index (or component class)


@dataclass(frozen=True)
class PackedChunk:
    """A chunk encoded for COPY, with the patches its ids still need."""

    table: str
    rows: int
    columns: tuple[str, ...]
    payload: NDArray[np.uint8]
    patches: tuple[Patch, ...]


def pack_chunk(chunk: TableChunk) -> PackedChunk:
    """Encode ``chunk`` with zero placeholders for its ids (runs in the worker)."""
    n = chunk.rows
    columns = dict(chunk.fields)
    # kind, column, base table, local index, bytes to skip inside the value
    plans: list[tuple[str, str, str, NDArray[np.int64], int]] = []
    if chunk.own_id:
        columns["id"] = pg.int64_field(np.zeros(n, dtype=np.int64))
        plans.append(("id", "id", chunk.table, np.arange(n, dtype=np.int64), 0))
    for column, (table, local) in chunk.refs.items():
        columns[column] = pg.int64_field(np.zeros(n, dtype=np.int64), null=local < 0)
        plans.append(("id", column, table, local, 0))
    if chunk.id_code is not None:
        name, prefix = chunk.id_code
        placeholder = np.zeros((n, CODE_SERIAL_DIGITS), dtype=np.uint8) + ord("0")
        columns[name] = pg.ascii_field(np.hstack([prefix, placeholder]))
        plans.append(("serial", name, chunk.table, np.arange(n, dtype=np.int64), prefix.shape[1]))
    if chunk.component_class is not None:
        plans.append(
            ("component", "id", chunk.table, chunk.component_class, 17 - COMPONENT_SERIAL_DIGITS)
        )
    names = tuple(columns)
    fields = [columns[c] for c in names]
    payload = np.frombuffer(pg.encode_rows(fields), dtype=np.uint8).copy()  # patched later
    wanted = [names.index(column) for _, column, _, _, _ in plans]
    offsets = pg.value_offsets(fields, wanted)
    patches = tuple(
        Patch(kind, table, where[where >= 0] + skip, local[where >= 0])
        for (kind, _, table, local, skip), where in zip(plans, offsets, strict=True)
    )
    return PackedChunk(chunk.table, n, names, payload, patches)


class ChunkWriter:
    """Fills in ids and COPYs packed chunks, community after community (in the parent)."""

    def __init__(
        self, connection: Connection, *, freeze_tables: frozenset[str] = frozenset()
    ) -> None:
        self.connection = connection
        self.freeze_tables = freeze_tables
        self.rows: dict[str, int] = {}
        self._components: dict[tuple[str, int], int] = {}

    def write(self, chunks: list[PackedChunk], *, district: str) -> None:
        """Write one community's chunks; ids continue from the rows written before."""
        base = dict(self.rows)
        for chunk in chunks:
            if chunk.rows == 0:
                continue
            data = chunk.payload  # patched in place: each chunk is written once
            for patch in chunk.patches:
                if patch.kind == "id":
                    values = base.get(patch.table, 0) + patch.local + 1
                    _write(data, patch.offsets, values.astype(">i8").view(np.uint8).reshape(-1, 8))
                elif patch.kind == "serial":
                    values = (base.get(patch.table, 0) + patch.local + 1) % 10**CODE_SERIAL_DIGITS
                    _write(data, patch.offsets, digits(values, CODE_SERIAL_DIGITS))
                else:
                    _write(
                        data,
                        patch.offsets,
                        digits(self._sequence(district, patch.local), COMPONENT_SERIAL_DIGITS),
                    )
            _copy(
                self.connection, chunk.table, chunk.columns, data, chunk.table in self.freeze_tables
            )
            self.rows[chunk.table] = self.rows.get(chunk.table, 0) + chunk.rows

    def _sequence(self, district: str, classes: NDArray[np.int64]) -> NDArray[np.int64]:
        """Component sequence numbers, counted per district and class across communities."""
        sequence = np.empty(len(classes), dtype=np.int64)
        for cls in np.unique(classes).tolist():
            at = np.flatnonzero(classes == cls)
            first = self._components.get((district, cls), 0)
            sequence[at] = first + np.arange(1, len(at) + 1)
            self._components[district, cls] = first + len(at)
        return sequence


def _write(data: NDArray[np.uint8], offsets: NDArray[np.int64], block: NDArray[np.uint8]) -> None:
    if len(offsets):
        data[offsets[:, None] + np.arange(block.shape[1])] = block


def _copy(
    connection: Connection,
    table: str,
    columns: Sequence[str],
    payload: NDArray[np.uint8],
    freeze: bool,
) -> None:
    """One binary COPY of already encoded tuples into ``table``."""
    options = sql.SQL("FORMAT BINARY, FREEZE") if freeze else sql.SQL("FORMAT BINARY")
    statement = sql.SQL("COPY {} ({}) FROM STDIN ({})").format(
        sql.Identifier(table), sql.SQL(", ").join(map(sql.Identifier, columns)), options
    )
    with connection.cursor() as cursor, cursor.copy(statement) as copy:
        copy.write(pg.COPY_HEADER)
        copy.write(payload.data)
        copy.write(pg.COPY_TRAILER)
