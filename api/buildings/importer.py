"""Bulk import of building footprints (楼栋轮廓入库): grids, codes, upsert, binary COPY.

One file is one transaction. The clean footprints of :func:`gis.footprints.read_footprints`
are placed in the basic grid holding their point-on-surface and matched to existing
buildings by ``source_id``, in Python (:mod:`api.buildings.import_grids`,
:mod:`api.buildings.import_upsert`); changed existing buildings are updated in place
(a code is an identity and never changes) and new ones get building codes that
continue the highest 5-digit sequence already issued in their grid (SPEC §2.1) and
are COPYed straight into ``buildings`` (:mod:`api.buildings.import_copy`). Anything
that fails rolls everything back.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import psycopg
import pyarrow as pa
import shapely
from numpy.typing import NDArray

from api.areas.rollups import refresh_area_stats
from api.buildings.import_copy import NewBuildings, copy_new_buildings
from api.buildings.import_grids import (
    GridsFull,
    assign_grids,
    issue_codes,
    load_grids,
    reading_rank,
)
from api.buildings.import_indexes import (
    build_deferred_indexes,
    restore_foreign_keys,
    set_aside_indexes,
)
from api.buildings.import_upsert import Existing, find_existing, update_existing
from api.errors import Unprocessable
from gis.crs import CrsLike
from gis.footprints import Footprints, Reject, read_footprints

__all__ = ["ImportRefused", "ImportResult", "import_buildings_file", "import_footprints"]

#: ``progress(stage, done, total)``; stages: read, assign, update, insert, stats, indexes.
Progress = Callable[[str, int, int], None]

OUTSIDE_GRIDS = "outside every community and grid of the loaded city"
#: Settings of the import transaction (temp_buffers must precede the first temporary table).
_SETTINGS = (
    "SET LOCAL statement_timeout = 0; SET LOCAL temp_buffers = '512MB';"
    " SET LOCAL work_mem = '256MB'; SET LOCAL maintenance_work_mem = '1GB'"
)
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
    #: Wall seconds of each step: read, assign, update, codes, copy, stats, commit, indexes.
    steps: dict[str, float] = field(default_factory=dict)

    def lap(self, step: str, since: float) -> float:
        """Record the seconds of ``step`` (begun at ``since``); return the time now."""
        now = time.perf_counter()
        self.steps[step] = round(now - since, 3)
        return now

    @property
    def rejected(self) -> int:
        return len(self.rejects)


#: A load is bulk when it adds at least this many rows and at least doubles the table.
BULK_MIN_ROWS = 10_000


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
    ``bulk`` forces (or forbids) dropping and rebuilding the indexes; by default a load
    is bulk when it adds at least :data:`BULK_MIN_ROWS` rows and doubles the table. A
    bulk load rebuilds them after its commit, two at a time, before returning
    (:mod:`api.buildings.import_indexes`).
    """
    started = time.perf_counter()
    report = progress or (lambda stage, done, total: None)
    result = ImportResult(
        read=footprints.read,
        repaired=footprints.repaired,
        rejects=list(footprints.rejects),
        notes=list(footprints.notes),
    )
    if strict and result.rejects:
        raise ImportRefused(_refusal(result.rejects), details=result.rejects)
    total = len(footprints)
    build_deferred_indexes(url)  # what an interrupted bulk import left to rebuild
    lap = time.perf_counter()
    with (
        ThreadPoolExecutor(max_workers=1, thread_name_prefix="anchors") as pool,
        psycopg.connect(url) as connection,
    ):
        # Points-on-surface are computed while the database answers the first queries.
        anchoring = pool.submit(shapely.point_on_surface, footprints.geometry)
        connection.execute(_SETTINGS)
        connection.execute("SELECT pg_advisory_xact_lock(%s)", (_CODE_LOCK,))
        report("assign", 0, total)
        grids = load_grids(connection)
        existing = find_existing(connection, footprints.source_id, source)
        anchors = anchoring.result()
        grid = assign_grids(anchors, grids)
        report("assign", total, total)
        dropped = _database_rejects(footprints, grid, existing)
        result.rejects += dropped
        if strict and dropped:
            raise ImportRefused(_refusal(result.rejects), details=result.rejects)
        lap = result.lap("assign", lap)
        placed = grid >= 0
        mine = placed & existing.same_source
        result.updated = update_existing(
            connection,
            building_id=existing.building_id[mine],
            footprint=footprints.geometry[mine],
            grid_code=grids.codes[grid[mine]],
            use_type=footprints.use_type[mine],
            floors=footprints.floors[mine],
            year_built=footprints.year_built[mine],
            name=footprints.name[mine],
            address=footprints.address[mine],
        )
        result.unchanged = int(mine.sum()) - result.updated
        report("update", total, total)
        lap = result.lap("update", lap)
        new = np.flatnonzero(placed & (existing.building_id < 0))
        try:
            order, codes = issue_codes(connection, grids, grid[new], reading_rank(anchors[new]))
        except GridsFull as exc:
            raise ImportRefused(str(exc)) from exc
        rows = _new_buildings(footprints, new[order], codes)
        lap = result.lap("codes", lap)
        deferred = (
            set_aside_indexes(connection, "buildings")
            if _is_bulk(connection, len(rows), bulk)
            else []
        )
        result.inserted = copy_new_buildings(
            connection,
            rows,
            source=source,
            done=lambda count: report("insert", count, len(rows)),
        )
        restore_foreign_keys(connection, deferred)
        lap = result.lap("copy", lap)
        report("insert", len(rows), len(rows))
        if refresh_stats:
            refresh_area_stats(connection)
            report("stats", 1, 1)
            lap = result.lap("stats", lap)
    lap = result.lap("commit", lap)
    if deferred:
        report("indexes", 0, len(deferred))
        build_deferred_indexes(url)
        report("indexes", len(deferred), len(deferred))
        result.lap("indexes", lap)
    result.rejects.sort(key=lambda reject: reject.index)
    result.seconds = time.perf_counter() - started
    return result


def _database_rejects(
    footprints: Footprints, grid: NDArray[np.int64], existing: Existing
) -> list[Reject]:
    """Footprints outside every grid, or whose source id belongs to another source."""
    rejects = []
    foreign = (existing.building_id >= 0) & ~existing.same_source
    for i in np.flatnonzero((grid < 0) | foreign):
        reason = (
            OUTSIDE_GRIDS
            if grid[i] < 0
            else f"source id already used by source {existing.owner[i]}"
        )
        rejects.append(
            Reject(
                int(footprints.index[i]),
                str(footprints.source_id[i]),
                reason,
                footprints.geometry[i],
            )
        )
    return rejects


def _new_buildings(
    footprints: Footprints, take: NDArray[np.int64], codes: NDArray[np.uint8]
) -> NewBuildings:
    return NewBuildings(
        code=codes,
        footprint=footprints.geometry[take],
        use_type=footprints.use_type[take],
        floors=footprints.floors[take],
        year_built=footprints.year_built[take],
        name=footprints.name[take],
        address=footprints.address[take],
        source_id=footprints.source_id[take],
        wkb=footprints.wkb.take(pa.array(take)) if footprints.wkb is not None else None,
    )


def _is_bulk(connection: psycopg.Connection, fresh: int, bulk: bool | None) -> bool:
    """``bulk`` as asked, else whether ``fresh`` new rows are many and double the table."""
    if bulk is not None:
        return bulk
    if fresh < BULK_MIN_ROWS:
        return False
    return bool(
        connection.execute(
            "SELECT count(*) <= %s FROM (SELECT FROM buildings LIMIT %s + 1) t", (fresh, fresh)
        ).fetchone()[0]
    )


def _refusal(rejects: list[Reject]) -> str:
    first = min(rejects, key=lambda reject: reject.index)
    return (
        f"--strict: {len(rejects)} feature(s) rejected (first: feature {first.index}, "
        f"{first.reason}); nothing was imported"
    )


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
    with _collector_paused():
        if progress:
            progress("read", 0, 1)
        footprints = read_footprints(path, layer=layer, crs=crs, id_field=id_field)
        if progress:
            progress("read", 1, 1)
        read = time.perf_counter() - started
        result = import_footprints(
            url,
            footprints,
            source=source or path.stem,
            strict=strict,
            refresh_stats=refresh_stats,
            bulk=bulk,
            progress=progress,
        )
    result.steps = {"read": round(read, 3), **result.steps}
    result.seconds = time.perf_counter() - started
    return result


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector during a load: it allocates about a million
    geometry objects and arrays, none in reference cycles, and the collections triggered
    on the way cost ~0.5 s for 300,000 footprints. Memory is freed as usual."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
