"""Load the demo city (演示城市): Shenzhen's real hierarchy with synthetic block data.

``load_demo_city(url, scale=..., seed=...)`` replaces whatever demo city the database
holds, in one transaction: the areas city → communities from
:func:`grids.hierarchy.build_shenzhen`, then community by community the basic grids,
buildings, rooms, households, people, entities, components, events and their
histories, bulk-loaded with binary COPY. Communities are generated in worker processes
(2 by default: layout, partition and encryption are CPU-bound) and written in code
order by the parent, which holds at most a few communities at a time. Keys and indexes
of the big tables are dropped for the load and rebuilt afterwards; then the sequences
are moved on, the area statistics refreshed and the tables analysed.

The same seed gives the same city (codes, counts, names, places, times relative to
``as_of``); only the ciphertexts differ, because every encryption draws a fresh nonce.
"""

from __future__ import annotations

import multiprocessing
import os
import resource
import time
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime

import psycopg
import shapely
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from api.areas.rollups import refresh_area_stats, refresh_building_stats
from api.settings import get_settings
from democity.chunks import ChunkWriter
from democity.community import CommunityBlock, GeneratorContext, generate_community
from democity.database import (
    BLOCK_TABLES,
    park_indexes,
    read_categories,
    read_departments,
    read_work_calendar,
    replace_hierarchy,
    reset_identities,
    restore_grid_assignments,
    restore_indexes,
    set_row_triggers,
)
from democity.plan import CommunityPlan, plan_city
from grids.hierarchy import build_shenzhen

__all__ = ["DemoSummary", "load_demo_city"]

#: Tables written by COPY, in foreign-key order.
LOADED_TABLES = (
    "areas",
    "buildings",
    "rooms",
    "households",
    "people",
    "entities",
    "components",
    "events",
    "event_actions",
)
_PARKED_TABLES = (
    "buildings",
    "building_stats",
    "rooms",
    "households",
    "people",
    "entities",
    "components",
    "events",
    "event_actions",
    "event_attachments",
)
_PARALLEL_FROM_SCALE = 0.01  # below this, worker start-up costs more than it saves
_REBUILD_FROM_SCALE = 0.01  # below this, keeping the indexes is as fast
_WORKER_NICENESS = 5
_MICROS = 1_000_000


@dataclass
class DemoSummary:
    """What a load produced: rows per table, seconds per stage, peak memory."""

    scale: float
    seed: int
    as_of: datetime
    rows: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    dropped_buildings: int = 0
    peak_rss_mb: float = 0.0
    workers: int = 0

    @property
    def total_seconds(self) -> float:
        return sum(self.seconds.values())

    def as_dict(self) -> dict[str, object]:
        """Plain values (for JSON benchmark records)."""
        return {
            "scale": self.scale,
            "seed": self.seed,
            "as_of": self.as_of.isoformat(),
            "rows": dict(self.rows),
            "seconds": {k: round(v, 2) for k, v in self.seconds.items()},
            "total_seconds": round(self.total_seconds, 2),
            "dropped_buildings": self.dropped_buildings,
            "peak_rss_mb": self.peak_rss_mb,
            "workers": self.workers,
        }

    def table(self) -> Table:
        """A rich table for the CLI."""
        table = Table(title=f"demo city — scale {self.scale:g}, seed {self.seed}")
        table.add_column("table")
        table.add_column("rows", justify="right")
        for name, count in self.rows.items():
            table.add_row(name, f"{count:,}")
        table.add_section()
        for stage, seconds in self.seconds.items():
            table.add_row(f"⏱ {stage}", f"{seconds:,.1f} s")
        table.add_row("⏱ total", f"{self.total_seconds:,.1f} s")
        table.add_row("peak RSS", f"{self.peak_rss_mb:,.0f} MB")
        return table


def load_demo_city(
    url: str,
    *,
    scale: float,
    seed: int,
    progress: bool = True,
    workers: int | None = None,
    as_of: datetime | None = None,
    months: int = 24,
    rebuild_indexes: bool | None = None,
) -> DemoSummary:
    """Generate the demo city at ``scale`` (1.0 ≈ Shenzhen) and load it into ``url``.

    Parameters
    ----------
    url : str
        libpq DSN of a migrated database; the loader must own the tables.
    scale : float
        1.0 ≈ 600k buildings, 11M rooms, 17.6M residents, 3M events; ``make demo`` uses
        about 0.02, the tests 0.002.
    seed : int
        Same seed, same city.
    progress : bool
        Show rich progress bars (on stderr).
    workers : int, optional
        Generator processes; default 2 (0 below scale 0.01: generate in-process).
    as_of : datetime, optional
        "Now" for ages and the event history (default: the current minute, UTC).
    months : int
        Length of the event history.
    rebuild_indexes : bool, optional
        Drop keys and indexes of the big tables during the load and rebuild them after
        (default: from scale 0.01 up).
    """
    settings = get_settings()
    now = (as_of or datetime.now(UTC)).astimezone(UTC).replace(second=0, microsecond=0)
    workers = (2 if scale >= _PARALLEL_FROM_SCALE else 0) if workers is None else workers
    rebuild = scale >= _REBUILD_FROM_SCALE if rebuild_indexes is None else rebuild_indexes
    summary = DemoSummary(scale=scale, seed=seed, as_of=now, workers=workers)

    @contextmanager
    def clock(stage: str) -> Iterator[None]:
        started = time.perf_counter()
        yield
        summary.seconds[stage] = time.perf_counter() - started

    console = Console(stderr=True)
    with clock("plan"):
        areas = build_shenzhen()
        plans = plan_city(areas, scale=scale, seed=seed)
        geometry = {a.code: shapely.to_wkb(a.geometry) for a in areas}
    with psycopg.connect(url) as connection, _Progress(progress, console) as bars:
        connection.execute("SET statement_timeout = 0")
        connection.execute("SET maintenance_work_mem = '1GB'")
        with clock("prepare"):
            context = GeneratorContext(
                scale=scale,
                seed=seed,
                as_of_us=int(now.timestamp() * _MICROS),
                start_us=int(now.timestamp() * _MICROS) - int(months * 30.44 * 86_400 * _MICROS),
                data_key=settings.data_key_bytes,
                categories=read_categories(connection),
                department_ids=read_departments(connection),
                household_target=(settings.household_target_min, settings.household_target_max),
                residents_total=sum(p.residents_expected for p in plans),
                work_calendar=read_work_calendar(connection),
            )
            replace_hierarchy(connection, [a for a in areas if a.level != "grid"])
            set_row_triggers(connection, _PARKED_TABLES, enabled=False)
            parked = park_indexes(connection, _PARKED_TABLES) if rebuild else None
        writer = ChunkWriter(connection, freeze_tables=frozenset(BLOCK_TABLES))
        with clock("generate and load"):
            task = bars.add("communities", len(plans))
            for block in _generate(plans, geometry, context, workers):
                writer.write(block.chunks, district=block.code[:6])
                summary.dropped_buildings += block.dropped_buildings
                bars.advance(task, f"communities · {writer.rows.get('people', 0):,} people")
        if parked is not None:
            with clock("keys and indexes"):
                task = bars.add("keys and indexes", parked.count)
                restore_indexes(connection, parked, lambda name: bars.advance(task, name))
        with clock("rollups"):
            set_row_triggers(connection, _PARKED_TABLES, enabled=True)
            reset_identities(connection)
            restore_grid_assignments(connection)
            refresh_area_stats(connection)
            refresh_building_stats(connection)
            # row triggers (the events' data version among them) were off: cached tiles of
            # every table are stale now
            connection.execute("UPDATE data_versions SET version = version + 1, changed_at = now()")
        connection.commit()
        with clock("analyze"):
            connection.execute("ANALYZE areas, area_stats, building_stats")
            for table in LOADED_TABLES[1:]:
                connection.execute(
                    psycopg.sql.SQL("ANALYZE {}").format(psycopg.sql.Identifier(table))
                )
            connection.commit()
    summary.rows = {
        "grids": writer.rows.get("areas", 0),
        **{t: writer.rows.get(t, 0) for t in LOADED_TABLES[1:]},
    }
    usage = max(
        resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
        resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
    )
    summary.peak_rss_mb = usage / 1024
    return summary


_WORKER_CONTEXT: GeneratorContext | None = None


def _init_worker(context: GeneratorContext) -> None:
    global _WORKER_CONTEXT  # one context per worker process
    _WORKER_CONTEXT = context
    # the database backend and the writer are the critical path: generators yield to them
    os.nice(_WORKER_NICENESS)


def _generate_in_worker(plan: CommunityPlan, geometry: bytes) -> CommunityBlock:
    assert _WORKER_CONTEXT is not None
    return generate_community(plan, geometry, _WORKER_CONTEXT)


def _generate(
    plans: list[CommunityPlan], geometry: dict[str, bytes], context: GeneratorContext, workers: int
) -> Iterator[CommunityBlock]:
    """Communities in plan order, generated by ``workers`` processes (0: in this one)."""
    if workers <= 0:
        for plan in plans:
            yield generate_community(plan, geometry[plan.code], context)
        return
    spawn = multiprocessing.get_context("spawn")
    with spawn.Pool(workers, initializer=_init_worker, initargs=(context,)) as pool:
        pending: deque = deque()
        queue = iter(plans)
        for plan in queue:  # keep a few communities in flight, never the whole city
            pending.append(pool.apply_async(_generate_in_worker, (plan, geometry[plan.code])))
            if len(pending) >= 2 * workers + 1:
                yield pending.popleft().get()
        while pending:
            yield pending.popleft().get()
        pool.close()
        pool.join()


class _Progress:
    """rich progress bars, or nothing when ``enabled`` is false."""

    def __init__(self, enabled: bool, console: Console) -> None:
        self.bars = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
            disable=not enabled,
        )

    def __enter__(self) -> _Progress:
        self.bars.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self.bars.__exit__(*exc)

    def add(self, description: str, total: int) -> int:
        return int(self.bars.add_task(description, total=total))

    def advance(self, task: int, description: str | None = None) -> None:
        if description is None:
            self.bars.advance(task)
        else:
            self.bars.update(task, advance=1, description=description)
