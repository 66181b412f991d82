"""Bulk import of building footprints (楼栋轮廓入库): staging, grid assignment, codes, upsert.

One file is one transaction. The clean footprints of :func:`gis.footprints.read_footprints`
are COPYed (binary) into a temporary staging table; PostGIS then assigns each to the
basic grid holding its point-on-surface (one spatial join of ``areas`` level ``grid``
with the staged points), matches it to an existing building by ``source_id``, updates
the changed ones in place (a code is an identity and never changes) and inserts the new
ones with building codes that continue the highest 5-digit sequence already issued in
their grid (SPEC §2.1). Anything that fails rolls everything back.
"""

from __future__ import annotations

import struct
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import psycopg
import shapely
from numpy.typing import NDArray
from psycopg import sql
from psycopg.copy import QueuedLibpqWriter

from api.areas.rollups import refresh_area_stats
from api.demo.columns import VarBytes
from api.demo.copy import COPY_HEADER, COPY_TRAILER, Field, encode_rows, int_field, text_field
from api.errors import Unprocessable
from gis.crs import CrsLike
from gis.footprints import Footprints, Reject, read_footprints

__all__ = ["ImportRefused", "ImportResult", "import_buildings_file", "import_footprints"]

#: ``progress(stage, done, total)``; stages: read, copy, assign, update, insert, stats.
Progress = Callable[[str, int, int], None]

OUTSIDE_GRIDS = "outside every community and grid of the loaded city"
_COPY_CHUNK = 50_000
#: Session settings of the loader (temp_buffers must precede the first temporary table).
_SESSION = {"statement_timeout": "0", "temp_buffers": "512MB", "work_mem": "256MB",
            "maintenance_work_mem": "1GB"}
_CODE_LOCK = 0x6267_636F_6465  # pg_advisory_xact_lock key serialising code issuance


class ImportRefused(Unprocessable):
    """The file was not imported: rejects under ``--strict``, or a grid out of codes."""

    code, message_zh = "import_refused", "导入被拒绝，未写入任何数据"


@dataclass
class ImportResult:
    """What one import did; ``rejects`` lists every feature left out and why."""

    read: int = 0
    repaired: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    seconds: float = 0.0
    rejects: list[Reject] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def rejected(self) -> int:
        return len(self.rejects)


_STAGING = """
CREATE TEMP TABLE import_staging (
    ord integer NOT NULL,
    rank integer NOT NULL,
    source_id text NOT NULL,
    footprint geometry(MultiPolygon, 4326) NOT NULL,
    anchor geometry(Point, 4326) NOT NULL,
    use_type text NOT NULL,
    floors smallint NOT NULL,
    year_built smallint,
    name text,
    address text
) ON COMMIT DROP
"""

# The basic grid holding each footprint's point-on-surface (the lowest code where grids
# overlap) and the existing building with the same source id. The loop runs over the
# grids and probes a GiST index on the staged points: each grid polygon is then tested
# against its points one after the other, which PostGIS answers from its cache of the
# prepared polygon (a point-by-point probe of ``areas.geom`` is ~20× slower).
_MATCH = """
CREATE TEMP TABLE import_matched ON COMMIT DROP AS
WITH placed AS (
    SELECT DISTINCT ON (p.ord) p.ord, a.code AS grid_code
    FROM areas a
    CROSS JOIN LATERAL (SELECT s.ord FROM import_staging s
                        WHERE ST_Intersects(a.geom, s.anchor)) p
    WHERE a.level = 'grid' AND a.retired_at IS NULL
    ORDER BY p.ord, a.code
)
SELECT s.ord, s.rank, g.grid_code, b.id AS building_id, b.source AS owner,
       b.id IS NOT NULL AND b.footprint = s.footprint AND b.grid_code = g.grid_code
       AND b.use_type = s.use_type AND b.floors = s.floors
       AND b.year_built IS NOT DISTINCT FROM s.year_built
       AND b.name IS NOT DISTINCT FROM s.name
       AND b.address IS NOT DISTINCT FROM s.address AS unchanged
FROM import_staging s
LEFT JOIN placed g ON g.ord = s.ord
LEFT JOIN buildings b ON b.source_id = s.source_id
"""

_MATCH_REJECTS = """
SELECT ord, CASE WHEN grid_code IS NULL THEN %(outside)s
            ELSE 'source id already used by source ' || coalesce(quote_literal(owner), 'NULL')
            END
FROM import_matched
WHERE grid_code IS NULL OR (building_id IS NOT NULL AND owner IS DISTINCT FROM %(source)s)
ORDER BY ord
"""

_UPDATE = """
UPDATE buildings b
SET footprint = s.footprint, footprint_3857 = ST_Transform(s.footprint, 3857),
    centroid = ST_Centroid(s.footprint), grid_code = m.grid_code, use_type = s.use_type,
    floors = s.floors, year_built = s.year_built, name = s.name, address = s.address,
    updated_at = now()
FROM import_matched m JOIN import_staging s ON s.ord = m.ord
WHERE b.id = m.building_id AND m.owner = %(source)s AND m.grid_code IS NOT NULL
  AND NOT m.unchanged
"""

_UNCHANGED = """
SELECT count(*) FROM import_matched
WHERE owner = %(source)s AND grid_code IS NOT NULL AND unchanged
"""

# New buildings per grid, and the highest sequence already used by codes of that grid.
_LAST_USED = """
CREATE TEMP TABLE import_grids ON COMMIT DROP AS
SELECT g.grid_code, g.fresh,
       coalesce((SELECT right(max(b.code), 5)::integer FROM buildings b
                 WHERE b.code BETWEEN g.grid_code || '00000' AND g.grid_code || '99999'),
                0) AS last
FROM (SELECT grid_code, count(*) AS fresh FROM import_matched
      WHERE building_id IS NULL AND grid_code IS NOT NULL GROUP BY grid_code) g
"""

_FULL_GRID = "SELECT grid_code, last + fresh FROM import_grids WHERE last + fresh > 99999"

# Codes continue each grid's sequence in ``rank`` order (north→south in ~55 m rows,
# west→east within a row). Rows go in staging order, which is already spatially sorted.
_INSERT = """
INSERT INTO buildings (code, grid_code, footprint, footprint_3857, centroid, use_type,
                       floors, year_built, name, address, source, source_id)
SELECT n.grid_code || lpad(n.seq::text, 5, '0'), n.grid_code, s.footprint,
       ST_Transform(s.footprint, 3857), ST_Centroid(s.footprint), s.use_type, s.floors,
       s.year_built, s.name, s.address, %(source)s, s.source_id
FROM import_staging s
JOIN (
    SELECT m.ord, m.grid_code,
           g.last + row_number() OVER (PARTITION BY m.grid_code ORDER BY m.rank) AS seq
    FROM import_matched m JOIN import_grids g ON g.grid_code = m.grid_code
    WHERE m.building_id IS NULL
) n ON n.ord = s.ord
"""

# What a bulk load drops and rebuilds: the unique and foreign-key constraints and the
# other indexes of ``buildings``, all but the primary key that other tables reference,
# as (constraint, index, statement that recreates it). A sorted index build and one
# validating join are several times faster than row-by-row upkeep of three GiST and
# three B-tree indexes and a foreign-key trigger per row.
_REBUILDABLE = """
SELECT con.conname, NULL, 'ALTER TABLE buildings ADD CONSTRAINT ' || quote_ident(con.conname)
                          || ' ' || pg_get_constraintdef(con.oid)
FROM pg_constraint con
WHERE con.conrelid = 'buildings'::regclass AND con.contype IN ('u', 'f')
UNION ALL
SELECT NULL, c.relname, pg_get_indexdef(i.indexrelid)
FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
WHERE i.indrelid = 'buildings'::regclass AND NOT i.indisprimary
  AND NOT EXISTS (SELECT FROM pg_constraint con WHERE con.conindid = i.indexrelid
                                                 AND con.conrelid = i.indrelid)
"""

#: A load is bulk when it adds at least this many rows and at least doubles the table.
BULK_MIN_ROWS = 10_000


def _text(values: NDArray[np.object_]) -> Field:
    """A ``text`` column from Python strings (None = NULL), through Arrow when available."""
    try:
        import pyarrow
    except ImportError:
        return text_field(VarBytes.from_strings(values.tolist()))
    array = pyarrow.array(values.tolist(), type=pyarrow.string())
    _, offsets, data = array.buffers()
    ends = np.frombuffer(offsets, dtype=np.int32)[array.offset:array.offset + len(array) + 1]
    lengths = np.diff(ends).astype(np.int64)
    if array.null_count:
        lengths[array.is_null().to_numpy(zero_copy_only=False)] = -1
    body = np.frombuffer(data, dtype=np.uint8)[ends[0]:ends[-1]] if data else np.zeros(0, np.uint8)
    return Field(lengths, body.copy())


def _geometry(geometries: NDArray[np.object_], srid: int = 4326) -> Field:
    """A ``geometry`` column as EWKB: shapely's little-endian 2D WKB with the SRID spliced in
    (faster than giving every geometry an SRID first)."""
    blobs = shapely.to_wkb(geometries, byte_order=1, output_dimension=2).tolist()
    lengths = np.fromiter(map(len, blobs), dtype=np.int64, count=len(blobs))
    data = np.frombuffer(b"".join(blobs), dtype=np.uint8)
    starts = np.cumsum(lengths) - lengths
    srid_bytes = np.frombuffer(struct.pack("<I", srid), dtype=np.uint8)
    out = np.insert(data, np.repeat(starts + 5, 4), np.tile(srid_bytes, len(blobs)))
    out[starts + 4 * np.arange(len(blobs)) + 4] |= 0x20  # type |= 0x20000000: has SRID
    return Field(lengths + 4, out)


def _staging_columns(footprints: Footprints, anchors: NDArray[np.object_],
                     rank: NDArray[np.int64], rows: slice) -> dict[str, Field]:
    years = footprints.year_built[rows]
    return {
        "ord": int_field(np.arange(len(footprints))[rows], 32),
        "rank": int_field(rank[rows], 32),
        "source_id": _text(footprints.source_id[rows]),
        "footprint": _geometry(footprints.geometry[rows]),
        "anchor": _geometry(anchors[rows]),
        "use_type": _text(footprints.use_type[rows]),
        "floors": int_field(footprints.floors[rows], 16),
        "year_built": int_field(years, 16, null=years == 0),
        "name": _text(footprints.name[rows]),
        "address": _text(footprints.address[rows]),
    }


def _copy_staging(connection: psycopg.Connection, footprints: Footprints,
                  anchors: NDArray[np.object_], rank: NDArray[np.int64], report: Progress) -> None:
    """Binary COPY into the staging table, chunk by chunk; a writer thread sends each chunk
    while the next one is encoded, so the server ingests while Python works."""
    total = len(footprints)
    names = list(_staging_columns(footprints, anchors, rank, slice(0, 0)))
    statement = sql.SQL("COPY import_staging ({}) FROM STDIN (FORMAT BINARY)").format(
        sql.SQL(", ").join(map(sql.Identifier, names)))
    with connection.cursor() as cursor, cursor.copy(
        statement, writer=QueuedLibpqWriter(cursor)
    ) as copy:
        copy.write(COPY_HEADER)
        for start in range(0, total, _COPY_CHUNK):
            rows = slice(start, min(total, start + _COPY_CHUNK))
            columns = _staging_columns(footprints, anchors, rank, rows)
            copy.write(encode_rows(list(columns.values())))
            report("copy", rows.stop, total)
        copy.write(COPY_TRAILER)


def _reading_rank(anchors: NDArray[np.object_]) -> NDArray[np.int64]:
    """Rank of each point read north→south in ~55 m rows, west→east within a row."""
    x, y = shapely.get_x(anchors), shapely.get_y(anchors)
    rank = np.empty(len(anchors), dtype=np.int64)
    rank[np.lexsort((x, np.floor(-y / 0.0005)))] = np.arange(len(anchors))
    return rank


def _spatial_order(geometry: NDArray[np.object_]) -> NDArray[np.int64]:
    """An order that keeps neighbours together (Morton curve of the bounding-box centres):
    the staged points index faster and new buildings are stored next to their neighbours,
    so a map tile reads few pages."""
    if len(geometry) == 0:
        return np.zeros(0, dtype=np.int64)
    bounds = shapely.bounds(geometry)
    x, y = (bounds[:, 0] + bounds[:, 2]) / 2, (bounds[:, 1] + bounds[:, 3]) / 2
    key = np.zeros(len(geometry), dtype=np.uint64)
    for values, shift in ((x, 0), (y, 1)):
        span = max(float(values.max() - values.min()), 1e-9)
        cells = ((values - values.min()) / span * 65535).astype(np.uint64)
        for bit in range(16):
            key |= ((cells >> np.uint64(bit)) & np.uint64(1)) << np.uint64(2 * bit + shift)
    return np.argsort(key, kind="stable")


def import_footprints(
    url: str,
    footprints: Footprints,
    *,
    source: str,
    strict: bool = False,
    refresh_stats: bool = True,
    bulk: bool | None = None,
    progress: Progress | None = None,
) -> ImportResult:
    """Load ``footprints`` into ``buildings`` in one transaction; return what happened.

    ``url`` is the owner's DSN. With ``strict``, any rejected feature (from reading or
    from the database checks) refuses the whole file: :class:`ImportRefused`, nothing
    written. ``refresh_stats`` recomputes ``area_stats`` in the same transaction.
    """
    started = time.perf_counter()
    report = progress or (lambda stage, done, total: None)
    result = ImportResult(read=footprints.read, repaired=footprints.repaired,
                          rejects=list(footprints.rejects), notes=list(footprints.notes))
    if strict and result.rejects:
        raise ImportRefused(_refusal(result.rejects), details=result.rejects)
    order = _spatial_order(footprints.geometry)
    ordered = _reordered(footprints, order)
    params = {"source": source, "outside": OUTSIDE_GRIDS}
    with psycopg.connect(url) as connection:
        for setting, value in _SESSION.items():
            connection.execute(f"SET {setting} = '{value}'")
        connection.execute("SELECT pg_advisory_xact_lock(%s)", (_CODE_LOCK,))
        connection.execute(_STAGING)
        total = len(ordered)
        anchors = shapely.point_on_surface(ordered.geometry)
        rank = _reading_rank(anchors)
        _copy_staging(connection, ordered, anchors, rank, report)
        connection.execute("CREATE INDEX ON import_staging USING gist (anchor)")
        connection.execute("ANALYZE import_staging")
        report("assign", 0, total)
        connection.execute(_MATCH, params)
        connection.execute("ANALYZE import_matched")
        dropped = connection.execute(_MATCH_REJECTS, params).fetchall()
        report("assign", total, total)
        for ord_, reason in dropped:
            index = int(ordered.index[ord_])
            result.rejects.append(Reject(index, str(ordered.source_id[ord_]), str(reason),
                                         ordered.geometry[ord_]))
        if strict and dropped:
            raise ImportRefused(_refusal(result.rejects), details=result.rejects)
        result.updated = connection.execute(_UPDATE, params).rowcount
        result.unchanged = int(connection.execute(_UNCHANGED, params).fetchone()[0])
        report("update", total, total)
        connection.execute(_LAST_USED)
        full = connection.execute(_FULL_GRID).fetchone()
        if full is not None:
            raise ImportRefused(f"grid {full[0]} would need building sequence {full[1]}; "
                                "a grid holds at most 99999 building codes")
        result.inserted = _insert(connection, params, bulk)
        report("insert", total, total)
        if refresh_stats:
            refresh_area_stats(connection)
            report("stats", 1, 1)
    result.rejects.sort(key=lambda reject: reject.index)
    result.seconds = time.perf_counter() - started
    return result


def _insert(connection: psycopg.Connection, params: dict, bulk: bool | None) -> int:
    """Insert the new buildings; a bulk load drops and then rebuilds indexes and constraints."""
    if bulk is None:
        fresh = connection.execute("SELECT coalesce(sum(fresh), 0) FROM import_grids").fetchone()
        bulk = fresh[0] >= BULK_MIN_ROWS and connection.execute(
            "SELECT count(*) <= %s FROM (SELECT FROM buildings LIMIT %s + 1) t",
            (fresh[0], fresh[0])).fetchone()[0]
    rebuilt = connection.execute(_REBUILDABLE).fetchall() if bulk else []
    for constraint, index, _ in rebuilt:
        connection.execute(
            sql.SQL("ALTER TABLE buildings DROP CONSTRAINT {}").format(sql.Identifier(constraint))
            if constraint else sql.SQL("DROP INDEX {}").format(sql.Identifier(index)))
    inserted = connection.execute(_INSERT, params).rowcount
    for _, _, definition in rebuilt:
        connection.execute(definition)
    return inserted


def _reordered(footprints: Footprints, order: NDArray[np.int64]) -> Footprints:
    columns = ("geometry", "index", "source_id", "use_type", "floors", "year_built", "name",
               "address")
    taken = {name: getattr(footprints, name)[order] for name in columns}
    return Footprints(**taken, crs=footprints.crs, read=footprints.read,
                      repaired=footprints.repaired)


def _refusal(rejects: list[Reject]) -> str:
    first = min(rejects, key=lambda reject: reject.index)
    return (f"--strict: {len(rejects)} feature(s) rejected (first: feature {first.index}, "
            f"{first.reason}); nothing was imported")


def import_buildings_file(
    url: str,
    path: str | Path,
    *,
    source: str | None = None,
    layer: str | None = None,
    crs: CrsLike | None = None,
    id_field: str | None = None,
    strict: bool = False,
    refresh_stats: bool = True,
    bulk: bool | None = None,
    progress: Progress | None = None,
) -> ImportResult:
    """Read ``path`` with :func:`gis.footprints.read_footprints` and import it.

    ``source`` defaults to the file name without its extension.
    """
    started = time.perf_counter()
    path = Path(path)
    if progress:
        progress("read", 0, 1)
    footprints = read_footprints(path, layer=layer, crs=crs, id_field=id_field)
    if progress:
        progress("read", 1, 1)
    result = import_footprints(url, footprints, source=source or path.stem, strict=strict,
                               refresh_stats=refresh_stats, bulk=bulk,
                               progress=progress)
    result.seconds = time.perf_counter() - started
    return result
