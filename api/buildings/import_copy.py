"""New buildings COPYed straight into ``buildings`` (新楼栋直接入库), batch by batch.

Everything the table needs is computed in Python: the EWKB of the footprint, its Web
Mercator copy (the WKB's coordinates rewritten in place by pyproj, no geometry
objects), the code and the grid. Batches are encoded by this thread
while psycopg's writer thread sends the previous one, so that PostgreSQL parses and
stores rows while Python prepares the next ones. A bulk load sets the table's
secondary indexes aside first (:mod:`api.buildings.import_indexes`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache

import numpy as np
import psycopg
import pyarrow as pa
import pyarrow.compute as pc
import pyproj
import shapely
from numpy.typing import NDArray
from psycopg import sql
from psycopg.copy import QueuedLibpqWriter

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
from gis.wkb import reproject_multipolygon_wkb, wkb_array

__all__ = ["BATCH_ROWS", "NewBuildings", "copy_batches", "copy_new_buildings"]

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


@dataclass(frozen=True)
class NewBuildings:
    """The rows to insert, sorted by code; codes and grid codes as fixed-width ASCII."""

    code: NDArray[np.uint8]  # (n, 19)
    footprint: NDArray[np.object_]  # valid WGS 84 MultiPolygons
    use_type: NDArray[np.object_]
    floors: NDArray[np.int16]
    year_built: NDArray[np.int16]  # 0 = unknown
    name: NDArray[np.object_]
    address: NDArray[np.object_]
    source_id: NDArray[np.object_]
    #: The footprint's little-endian WKB where the file held exactly that, else null.
    wkb: pa.BinaryArray | None = None

    def __len__(self) -> int:
        return len(self.code)


@cache
def _to_web_mercator() -> Callable:
    return pyproj.Transformer.from_crs(4326, 3857, always_xy=True).transform


def _fields(rows: NewBuildings, source: str, part: slice) -> list[CopyField]:
    """The COPY columns (:data:`_COLUMNS`) of the rows ``part``."""
    wkb = _footprint_wkb(rows, part)
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


def _footprint_wkb(rows: NewBuildings, part: slice) -> pa.BinaryArray:
    """The footprints' WKB: the file's own bytes where they are exact, else written out."""
    known = rows.wkb[part] if rows.wkb is not None else None
    if known is not None and known.null_count == 0:
        return known
    footprint = rows.footprint[part]
    if known is None or known.null_count == len(known):
        return wkb_array(shapely.to_wkb(footprint, byte_order=1, output_dimension=2))
    missing = known.is_null().to_numpy(zero_copy_only=False)
    written = wkb_array(shapely.to_wkb(footprint[missing], byte_order=1, output_dimension=2))
    return pc.replace_with_mask(known, pa.array(missing), written)


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


def copy_new_buildings(
    connection: psycopg.Connection,
    rows: NewBuildings,
    *,
    source: str,
    done: Callable[[int], None] | None = None,
) -> int:
    """COPY ``rows`` into ``buildings``; return how many were inserted."""
    if len(rows):
        copy_batches(
            connection,
            "buildings",
            _COLUMNS,
            len(rows),
            lambda part: _fields(rows, source, part),
            done=done,
        )
    return len(rows)
