"""Bulk import of building footprints (楼栋轮廓入库): grids, codes, upsert, binary COPY.

One file is one transaction. A second thread reads, checks and repairs the file batch
by batch (:func:`gis.footprints.iter_footprints`) while this one places each batch in
the basic grid holding each point-on-surface; then the whole file is matched to
existing buildings by ``source_id``, in Python (:mod:`api.buildings.import_grids`,
:mod:`api.buildings.import_upsert`). Its new buildings get codes that continue the
highest 5-digit sequence already issued in their grid, numbered over the whole file
(SPEC §2.1; north→south, west→east, ties by source id), so that the codes depend on
the data only, never on the batch size; they go straight into a binary COPY
(:mod:`api.buildings.import_copy`). Existing buildings whose footprint or attributes
changed are updated in place after the COPY (a code is an identity and never
changes). Anything that fails rolls everything back.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

import numpy as np
import psycopg
import pyarrow as pa
from numpy.typing import NDArray
from psycopg.types.json import Jsonb

from api.areas.rollups import refresh_area_stats
from api.buildings.import_copy import BuildingsCopy, NewBuildings
from api.buildings.import_grids import CodeIssuer, Grids, GridsFull, assign_grids, load_grids
from api.buildings.import_indexes import (
    DeferredIndex,
    build_deferred_indexes,
    restore_foreign_keys,
    set_aside_indexes,
)
from api.buildings.import_upsert import Existing, SourceIds, update_existing
from api.errors import Unprocessable
from gis.crs import CrsLike
from gis.footprints import (
    BATCH_FEATURES,
    Footprints,
    Reject,
    concat_footprints,
    iter_footprints,
    layer_size,
)

__all__ = [
    "ImportAudit",
    "ImportRefused",
    "ImportResult",
    "import_batches",
    "import_buildings_file",
    "import_footprints",
]

#: ``progress(stage, done, total)``; stages: read, insert, update, stats, indexes (``total``
#: is 0 when the file does not tell how many features it has).
Progress = Callable[[str, int, int], None]

OUTSIDE_GRIDS = "outside every community and grid of the loaded city"
#: Settings of the import transaction (temp_buffers must precede the first temporary table).
_SETTINGS = (
    "SET LOCAL statement_timeout = 0; SET LOCAL temp_buffers = '512MB';"
    " SET LOCAL work_mem = '256MB'; SET LOCAL maintenance_work_mem = '1GB'"
)
_CODE_LOCK = 0x6267_636F_6465  # pg_advisory_xact_lock key serialising code issuance
_ANY_DEFERRED = "SELECT EXISTS (SELECT FROM deferred_indexes)"


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
    #: Wall seconds spent in each step: setup, read (waiting for the reader thread),
    #: assign, codes, copy, update, stats, commit, indexes.
    steps: dict[str, float] = field(default_factory=dict)

    @property
    def rejected(self) -> int:
        return len(self.rejects)


@dataclass(frozen=True)
class ImportAudit:
    """Who loaded which file (审计): one ``import.buildings`` record with the counts,
    written in the import's own transaction (so none for a refused or failed import);
    ``failure`` when every feature was rejected."""

    file_name: str
    details: dict[str, Any] = field(default_factory=dict)


_AUDIT = """
    INSERT INTO audit_log (action, result, object_type, object_id, details)
    VALUES ('import.buildings', %s, 'file', %s, %s)"""


def _record_import(
    connection: psycopg.Connection, audit: ImportAudit, result: ImportResult
) -> None:
    counts = {
        name: getattr(result, name)
        for name in ("read", "repaired", "rejected", "inserted", "updated", "unchanged")
    }
    outcome = "failure" if result.read and result.rejected == result.read else "success"
    connection.execute(_AUDIT, (outcome, audit.file_name[:40], Jsonb(audit.details | counts)))


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
    """Load ``footprints`` (already read) as :func:`import_batches` loads a file's batches."""
    return import_batches(
        url,
        [footprints],
        source=source,
        expected=footprints.read,
        strict=strict,
        refresh_stats=refresh_stats,
        bulk=bulk,
        progress=progress,
    )


def import_batches(
    url: str,
    batches: Iterable[Footprints],
    *,
    source: str,
    expected: int | None = None,
    strict: bool = False,
    refresh_stats: bool = True,
    bulk: bool | None = None,
    progress: Progress | None = None,
    audit: ImportAudit | None = None,
) -> ImportResult:
    """Load the batches of one file into ``buildings`` in one transaction.

    ``url`` is the owner's DSN. Batch *k+1* is read in a second thread while batch *k*
    is placed in its grids; the file is then matched, coded and COPYed as a whole, so
    that its codes do not depend on how it was cut into batches. With
    ``strict``, any rejected feature (from reading or from the database checks)
    refuses the whole file: :class:`ImportRefused` with every reject of the file,
    nothing written. ``refresh_stats`` recomputes ``area_stats`` in the same
    transaction. ``bulk`` forces (or forbids) setting the indexes aside; by default a
    load is bulk when ``expected`` (the features in the file) is at least
    :data:`BULK_MIN_ROWS` and at least the rows already in the table. A bulk load
    rebuilds them after its commit, two at a time, before returning
    (:mod:`api.buildings.import_indexes`). ``audit`` writes its record in the same
    transaction.
    """
    started = time.perf_counter()
    report = progress or (lambda stage, done, total: None)
    result = ImportResult()
    clock = _Clock(result)
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="footprints") as reader:
        batch_iterator = iter(batches)
        pending = reader.submit(next, batch_iterator, None)  # read while setting up
        with psycopg.connect(url) as connection:
            if connection.execute(_ANY_DEFERRED).fetchone()[0]:
                build_deferred_indexes(url)  # what an interrupted bulk import left
            connection.execute(_SETTINGS)
            connection.execute("SELECT pg_advisory_xact_lock(%s)", (_CODE_LOCK,))
            grids = load_grids(connection)
            codes = CodeIssuer(connection, grids)
            bulk_load = _is_bulk(connection, expected, bulk)
            deferred: list[DeferredIndex] = []
            owners = SourceIds(connection, source, preload=bulk_load)
            if bulk_load:
                deferred = set_aside_indexes(connection, "buildings")
            clock.lap("setup")
            parts, grid_parts = [], []
            while (part := pending.result()) is not None:
                pending = reader.submit(next, batch_iterator, None)
                clock.lap("read")
                parts.append(part)
                grid_parts.append(assign_grids(part.anchor, grids))  # while the next is read
                report("read", sum(p.read for p in parts), expected or 0)
                clock.lap("assign")
            if not parts:
                raise ValueError("import_batches needs at least one batch (it may be empty)")
            footprints = concat_footprints(parts)
            _add_batch(result, footprints)
            _refuse_if_strict(strict, result)
            grid = np.concatenate(grid_parts)
            changes, rows = _place(footprints, grid, grids, codes, owners, result, clock)
            _refuse_if_strict(strict, result)
            with BuildingsCopy(connection, source=source, own_ids=bulk_load) as copy:
                copy.write(rows)
                report("insert", result.read, expected or 0)
            result.inserted = copy.rows
            clock.lap("copy")
            if len(changes):
                result.updated = update_existing(connection, **changes.columns())
                result.unchanged = len(changes) - result.updated
            restore_foreign_keys(connection, deferred)
            report("update", 1, 1)
            clock.lap("update")
            if refresh_stats:
                refresh_area_stats(connection)
                report("stats", 1, 1)
                clock.lap("stats")
            if audit is not None:
                _record_import(connection, audit, result)
    clock.lap("commit")
    if deferred:
        report("indexes", 0, len(deferred))
        build_deferred_indexes(url)
        report("indexes", len(deferred), len(deferred))
        clock.lap("indexes")
    result.rejects = _sorted(result.rejects)
    result.seconds = time.perf_counter() - started
    return result


def _add_batch(result: ImportResult, footprints: Footprints) -> None:
    result.read += footprints.read
    result.repaired += footprints.repaired
    result.rejects += footprints.rejects
    result.notes += [note for note in footprints.notes if note not in result.notes]


def _place(
    footprints: Footprints,
    grid: NDArray[np.int64],
    grids: Grids,
    codes: CodeIssuer,
    owners: SourceIds,
    result: ImportResult,
    clock: _Clock,
) -> tuple[_Changes, NewBuildings]:
    """Matches and codes of a file whose footprints are in grids ``grid``: the changes to
    existing buildings and the new buildings; rejects go to ``result``."""
    anchors = footprints.anchor
    existing = owners.find(footprints.source_id)
    result.rejects += _database_rejects(footprints, grid, existing)
    clock.lap("assign")
    placed = grid >= 0
    mine = np.flatnonzero(placed & existing.same_source)
    met = pa.array(mine)
    changes = _Changes(
        building_id=existing.building_id[mine],
        footprint=footprints.wkb.take(met),
        grid_code=grids.codes[grid[mine]],
        use_type=footprints.use_type.take(met),
        floors=footprints.floors[mine],
        year_built=footprints.year_built[mine],
        name=footprints.name.take(met),
        address=footprints.address.take(met),
    )
    new = np.flatnonzero(placed & (existing.building_id < 0))
    try:
        order, issued = codes.issue(
            grid[new], anchors[new], footprints.source_id.take(pa.array(new))
        )
    except GridsFull as exc:
        raise ImportRefused(str(exc)) from exc
    rows = _new_buildings(footprints, new[order], issued)
    clock.lap("codes")
    return changes, rows


@dataclass(frozen=True)
class _Changes:
    """Existing buildings of this source met again in the file (updated if changed)."""

    building_id: NDArray[np.int64]
    footprint: pa.BinaryArray  # MultiPolygon WKB, WGS 84
    grid_code: NDArray[np.str_]
    use_type: pa.StringArray
    floors: NDArray[np.int16]
    year_built: NDArray[np.int16]
    name: pa.StringArray
    address: pa.StringArray

    def __len__(self) -> int:
        return len(self.building_id)

    def columns(self) -> dict[str, NDArray]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


class _Clock:
    """Adds the wall seconds since the last lap to a step of ``result.steps``."""

    def __init__(self, result: ImportResult) -> None:
        self.result, self.last = result, time.perf_counter()

    def lap(self, step: str) -> None:
        now = time.perf_counter()
        steps = self.result.steps
        steps[step] = round(steps.get(step, 0.0) + now - self.last, 3)
        self.last = now


def _sorted(rejects: list[Reject]) -> list[Reject]:
    return sorted(rejects, key=lambda reject: reject.index)


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
                footprints.source_id[int(i)].as_py(),
                reason,
                footprints.geometries(np.array([i]))[0],
            )
        )
    return rejects


def _new_buildings(
    footprints: Footprints, take: NDArray[np.int64], codes: NDArray[np.uint8]
) -> NewBuildings:
    rows = pa.array(take)
    return NewBuildings(
        code=codes,
        wkb=footprints.wkb.take(rows),
        use_type=footprints.use_type.take(rows),
        floors=footprints.floors[take],
        year_built=footprints.year_built[take],
        name=footprints.name.take(rows),
        address=footprints.address.take(rows),
        source_id=footprints.source_id.take(rows),
    )


def _is_bulk(connection: psycopg.Connection, fresh: int | None, bulk: bool | None) -> bool:
    """``bulk`` as asked, else whether ``fresh`` features are many and at least the table."""
    if bulk is not None:
        return bulk
    if fresh is None or fresh < BULK_MIN_ROWS:
        return False
    return bool(
        connection.execute(
            "SELECT count(*) <= %s FROM (SELECT FROM buildings LIMIT %s + 1) t", (fresh, fresh)
        ).fetchone()[0]
    )


def _refuse_if_strict(strict: bool, result: ImportResult) -> None:
    if strict and result.rejects:
        raise ImportRefused(_refusal(result.rejects), details=_sorted(result.rejects))


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
    audit: ImportAudit | None = None,
    batch_features: int = BATCH_FEATURES,
) -> ImportResult:
    """Read ``path`` batch by batch (:func:`gis.footprints.iter_footprints`, ``batch_features``
    at a time) and import it (:func:`import_batches`). ``source`` defaults to the file name
    without its extension; the batch size changes neither the result nor the codes.
    """
    started = time.perf_counter()
    path = Path(path)
    with _collector_paused():
        batches = iter_footprints(
            path, layer=layer, crs=crs, id_field=id_field, batch_features=batch_features
        )
        try:
            result = import_batches(
                url,
                batches,
                source=source or path.stem,
                expected=layer_size(path, layer),
                strict=strict,
                refresh_stats=refresh_stats,
                bulk=bulk,
                progress=progress,
                audit=audit,
            )
        finally:
            batches.close()
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
