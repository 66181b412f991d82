"""New buildings COPYed straight into ``buildings`` (新楼栋直接入库), batch by batch.

Everything the table needs is computed in Python: the EWKB of the footprint, its Web
Mercator copy (the WKB's coordinates rewritten in place by pyproj, no geometry
objects), the code and the grid. Batches are encoded by this thread
while psycopg's writer thread sends the previous one, so that PostgreSQL parses and
stores rows while Python prepares the next ones. A bulk load sets the table's
secondary indexes aside first (:mod:`api.buildings.import_indexes`) and numbers the
rows itself: it holds the table's exclusive lock, so the ids that follow the sequence
are its own, and one ``setval`` at the end spares the server a ``nextval`` per row.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from functools import cache
from types import TracebackType

import numpy as np
import psycopg
import pyarrow as pa
import pyproj
from numpy.typing import NDArray
from psycopg import sql
from psycopg.copy import Copy, QueuedLibpqWriter

from gis.footprints import USE_TYPES
from gis.pgcopy import (
    COPY_HEADER,
    COPY_TRAILER,
    CopyField,
    ascii_field,
    choice_field,
    constant_field,
    encode_rows,
    ewkb_field,
    int_field,
    text_field,
)
from gis.wkb import reproject_multipolygon_wkb

__all__ = ["BATCH_ROWS", "BuildingsCopy", "NewBuildings", "copy_batches"]

#: Rows per COPY batch: large enough for vectorised work, small enough that the first
#: batch reaches the server early and Arrow reuses its memory (~6 MB per batch).
BATCH_ROWS = 16_384

_COLUMNS = (
    "code",
    "grid_code",
    "floors",
    "year_built",
    "use_type",
    "footprint",
    "footprint_3857",
    "name",
    "address",
    "source",
    "source_id",
)


_NEXT_ID = "SELECT nextval(pg_get_serial_sequence('buildings', 'id'))"
_LAST_ID = "SELECT setval(pg_get_serial_sequence('buildings', 'id'), %s)"


@dataclass(frozen=True)
class NewBuildings:
    """The rows to insert, sorted by code; codes and grid codes as fixed-width ASCII."""

    code: NDArray[np.uint8]  # (n, 19)
    wkb: pa.BinaryArray  # the footprints: valid WGS 84 MultiPolygons, little-endian WKB
    use_type: pa.StringArray  # one of USE_TYPES
    floors: NDArray[np.int16]
    year_built: NDArray[np.int16]  # 0 = unknown
    name: pa.StringArray
    address: pa.StringArray
    source_id: pa.StringArray

    def __len__(self) -> int:
        return len(self.code)


@cache
def _to_web_mercator() -> Callable:
    return pyproj.Transformer.from_crs(4326, 3857, always_xy=True).transform


def _fields(rows: NewBuildings, source: str, part: slice) -> list[CopyField]:
    """The COPY columns (:data:`_COLUMNS`) of the rows ``part``."""
    wkb = rows.wkb[part]
    years = rows.year_built[part]
    code = rows.code[part]
    return [
        ascii_field(code),
        ascii_field(code[:, :14]),
        int_field(rows.floors[part], 16),
        int_field(years, 16, null=years == 0),
        choice_field(USE_TYPES, rows.use_type[part]),
        ewkb_field(wkb, 4326),
        ewkb_field(reproject_multipolygon_wkb(wkb, _to_web_mercator()), 3857),
        text_field(rows.name[part]),
        text_field(rows.address[part]),
        constant_field(source, len(code)),
        text_field(rows.source_id[part]),
    ]


def copy_batches(
    connection: psycopg.Connection,
    table: str,
    columns: Sequence[str],
    n: int,
    fields: Callable[[slice], list[CopyField]],
    *,
    batch_rows: int = BATCH_ROWS,
    done: Callable[[int], None] | None = None,
) -> None:
    """Binary COPY of ``n`` rows into ``table``, encoding batch k+1 while batch k is sent."""
    statement = sql.SQL("COPY {} ({}) FROM STDIN (FORMAT BINARY)").format(
        sql.Identifier(table), sql.SQL(", ").join(map(sql.Identifier, columns))
    )
    with (
        connection.cursor() as cursor,
        cursor.copy(statement, writer=QueuedLibpqWriter(cursor)) as copy,
    ):
        copy.write(COPY_HEADER)
        for start in range(0, n, batch_rows):
            part = slice(start, min(n, start + batch_rows))
            copy.write(memoryview(encode_rows(fields(part))))
            if done:
                done(part.stop)
        copy.write(COPY_TRAILER)


class BuildingsCopy:
    """One binary COPY into ``buildings`` kept open across the batches of a file.

    Opened by the first :meth:`write` that has rows (an import that adds nothing runs no
    COPY), finished when the ``with`` block ends normally and failed when it ends with an
    exception, which rolls the whole transaction back. psycopg's writer thread sends
    each encoded slice while the next one is prepared. With ``own_ids`` (only while the
    transaction holds the table's exclusive lock, as a bulk load does) the rows get the
    ids after the sequence's current value, and the sequence is moved past them at the
    end.
    """

    def __init__(
        self, connection: psycopg.Connection, *, source: str, own_ids: bool = False
    ) -> None:
        self.connection, self.source = connection, source
        self.rows = 0
        self._stack = ExitStack()
        self._copy: Copy | None = None
        self._first_id: int | None = None
        if own_ids:
            self._first_id = connection.execute(_NEXT_ID).fetchone()[0]

    def __enter__(self) -> BuildingsCopy:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._stack.__exit__(kind, error, tb)
        if kind is None and self._first_id is not None and self.rows:
            self.connection.execute(_LAST_ID, (self._first_id + self.rows - 1,))

    def write(self, rows: NewBuildings) -> None:
        """Encode and send ``rows`` (sorted by code within the batch)."""
        if not len(rows):
            return
        if self._copy is None:
            cursor = self._stack.enter_context(self.connection.cursor())
            columns = _COLUMNS if self._first_id is None else ("id", *_COLUMNS)
            statement = sql.SQL("COPY buildings ({}) FROM STDIN (FORMAT BINARY)").format(
                sql.SQL(", ").join(map(sql.Identifier, columns))
            )
            self._copy = self._stack.enter_context(
                cursor.copy(statement, writer=QueuedLibpqWriter(cursor))
            )
            self._stack.push(self._finish)  # runs before the COPY ends
            self._copy.write(COPY_HEADER)
        n = len(rows)
        for start in range(0, n, BATCH_ROWS):
            part = slice(start, min(n, start + BATCH_ROWS))
            fields = _fields(rows, self.source, part)
            if self._first_id is not None:
                first = self._first_id + self.rows + start
                fields.insert(0, int_field(np.arange(first, first + part.stop - part.start), 64))
            self._copy.write(memoryview(encode_rows(fields)))
        self.rows += n

    def _finish(self, kind: type[BaseException] | None, *_: object) -> bool:
        """The trailer, when the block ended normally (an error fails the COPY instead)."""
        if kind is None and self._copy is not None:
            self._copy.write(COPY_TRAILER)
        return False
