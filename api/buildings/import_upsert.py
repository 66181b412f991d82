"""Footprints already in ``buildings`` (已入库楼栋): match by source id, update in place.

A re-imported feature keeps its building and its code (an identity); when its
footprint or attributes changed, the row is updated in place and its ``grid_code``
follows the footprint. Only these rows take the staging round trip (binary COPY into
a temporary table, then one ``UPDATE … FROM``); new buildings never do.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import psycopg
import pyarrow as pa
import pyarrow.compute as pc
from numpy.typing import NDArray

from api.buildings.import_copy import copy_batches
from gis.pgcopy import CopyField, ewkb_field, int_field, text_field

__all__ = ["Existing", "SourceIds", "find_existing", "update_existing"]

# The file's source ids go to a temporary table by binary COPY (cheaper on both sides
# than a 300,000-element array parameter), then one join finds the buildings holding
# them (``source_id`` is unique in the table).
_IDS = """
CREATE TEMP TABLE import_ids (ord integer NOT NULL, source_id text NOT NULL) ON COMMIT DROP
"""

_ANY_IDS = "SELECT EXISTS (SELECT FROM buildings WHERE source_id IS NOT NULL)"

_ALL_IDS = """
SELECT source_id, id, source IS NOT DISTINCT FROM %(source)s,
       coalesce(quote_literal(source), 'NULL')
FROM buildings WHERE source_id IS NOT NULL
"""

_FIND = """
SELECT f.ord, b.id, b.source IS NOT DISTINCT FROM %(source)s,
       coalesce(quote_literal(b.source), 'NULL')
FROM import_ids f JOIN buildings b ON b.source_id = f.source_id
"""

_STAGING = """
CREATE TEMP TABLE import_existing (
    building_id bigint NOT NULL,
    footprint geometry(MultiPolygon, 4326) NOT NULL,
    grid_code text NOT NULL,
    use_type text NOT NULL,
    floors smallint NOT NULL,
    year_built smallint,
    name text,
    address text
) ON COMMIT DROP
"""

_COLUMNS = (
    "building_id",
    "footprint",
    "grid_code",
    "use_type",
    "floors",
    "year_built",
    "name",
    "address",
)

_UPDATE = """
UPDATE buildings b
SET footprint = s.footprint, footprint_3857 = ST_Transform(s.footprint, 3857),
    grid_code = s.grid_code, use_type = s.use_type,
    floors = s.floors, year_built = s.year_built, name = s.name, address = s.address,
    updated_at = now()
FROM import_existing s
WHERE b.id = s.building_id
  AND NOT (b.footprint = s.footprint AND b.grid_code = s.grid_code
           AND b.use_type = s.use_type AND b.floors = s.floors
           AND b.year_built IS NOT DISTINCT FROM s.year_built
           AND b.name IS NOT DISTINCT FROM s.name
           AND b.address IS NOT DISTINCT FROM s.address)
"""


@dataclass(frozen=True)
class Existing:
    """For each footprint: the building holding its source id (-1: none) and whether that
    building came from the same source; ``owner`` quotes the other source for rejects."""

    building_id: NDArray[np.int64]
    same_source: NDArray[np.bool_]
    owner: NDArray[np.object_]

    @staticmethod
    def nothing(n: int) -> Existing:
        """No building holds any of ``n`` source ids."""
        return Existing(
            np.full(n, -1, dtype=np.int64), np.zeros(n, dtype=bool), np.full(n, None, dtype=object)
        )


def find_existing(
    connection: psycopg.Connection, source_ids: pa.StringArray, source: str
) -> Existing:
    """Look up the buildings that already hold ``source_ids`` (one join)."""
    n = len(source_ids)
    found = Existing.nothing(n)
    if n == 0:
        return found
    connection.execute(_IDS)
    copy_batches(
        connection,
        "import_ids",
        ("ord", "source_id"),
        n,
        lambda part: [
            int_field(np.arange(part.start, part.stop), 32),
            text_field(source_ids[part]),
        ],
        batch_rows=100_000,
    )
    rows = connection.execute(_FIND, {"source": source}).fetchall()
    if rows:
        where = np.array([row[0] for row in rows], dtype=np.int64)
        found.building_id[where] = [row[1] for row in rows]
        found.same_source[where] = [row[2] for row in rows]
        found.owner[where] = [row[3] for row in rows]
    return found


class SourceIds:
    """Finds the buildings that hold the source ids of a file.

    With ``preload`` (a bulk load), every source id in the table is read once into
    memory, before the indexes are set aside; otherwise the file's ids are looked up
    with one join (:func:`find_existing`). Nothing is read when no building has a
    source id yet.
    """

    def __init__(self, connection: psycopg.Connection, source: str, *, preload: bool) -> None:
        self.connection, self.source = connection, source
        self.known: pa.StringArray | None = None
        self.any = bool(connection.execute(_ANY_IDS).fetchone()[0])
        if self.any and preload:
            rows = connection.execute(_ALL_IDS, {"source": source}).fetchall()
            self.known = pa.array([row[0] for row in rows], pa.string())
            self._ids = np.array([row[1] for row in rows], dtype=np.int64)
            self._same = np.array([row[2] for row in rows], dtype=bool)
            self._owner = np.array([row[3] for row in rows], dtype=object)

    def find(self, source_ids: pa.StringArray) -> Existing:
        """The buildings holding ``source_ids`` (see :class:`Existing`); called once per
        import (its temporary table lives until the commit)."""
        if self.known is not None:
            found = pc.index_in(source_ids, value_set=self.known)
            at = pc.fill_null(found, -1).to_numpy(zero_copy_only=False)
            hit = at >= 0
            return Existing(
                np.where(hit, self._ids[at], -1),
                hit & self._same[at],
                np.where(hit, self._owner[at], None),
            )
        if not self.any:
            return Existing.nothing(len(source_ids))
        return find_existing(self.connection, source_ids, self.source)


def update_existing(
    connection: psycopg.Connection,
    *,
    building_id: NDArray[np.int64],
    footprint: pa.BinaryArray,
    grid_code: NDArray[np.str_],
    use_type: pa.StringArray,
    floors: NDArray[np.int16],
    year_built: NDArray[np.int16],
    name: pa.StringArray,
    address: pa.StringArray,
) -> int:
    """Update the buildings whose footprint (MultiPolygon WKB, WGS 84) or attributes
    changed; return how many did."""
    if len(building_id) == 0:
        return 0
    connection.execute(_STAGING)

    def fields(part: slice) -> list[CopyField]:
        years = year_built[part]
        return [
            int_field(building_id[part], 64),
            ewkb_field(footprint[part], 4326),
            text_field(grid_code[part]),
            text_field(use_type[part]),
            int_field(floors[part], 16),
            int_field(years, 16, null=years == 0),
            text_field(name[part]),
            text_field(address[part]),
        ]

    copy_batches(connection, "import_existing", _COLUMNS, len(building_id), fields)
    connection.execute("ANALYZE import_existing")
    return connection.execute(_UPDATE).rowcount
