"""Hotspot analysis (热点分析) of events in the caller's area, cached per parameters.

Units are basic grids, communities or H3 hexagons. Counts in the window are tested with
Getis-Ord Gi* (binary weights: Queen contiguity for grids and communities, the k = 1
ring for hexagons; 999 conditional permutations are run and reported, the class comes
from the z-score p-value with a Benjamini–Hochberg false-discovery-rate correction, see
docs/hotspots.md). Weekly counts over the preceding weeks give the emerging pattern
(new, intensifying, persistent, diminishing...). A run is cached for ``MAX_AGE``: the
supervisor's list then answers from the database without recomputing, and the map's
tiles draw the stored run by its id (:func:`api.maps.service.tile` never computes one).
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC, date, datetime, time, timedelta
from importlib import resources

import numpy as np
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from api.auth.schemas import Principal
from api.errors import BadRequest, Forbidden, Unprocessable
from api.events.calendar import BEIJING
from api.events.indicators import EARLIEST, LATEST
from api.hotspots import inputs
from api.hotspots.models import HotspotRun
from api.hotspots.schemas import GROUPS, HotspotQuery, Measure, Unit
from gis.hotspots import (
    EmergingPattern,
    count_events,
    count_per_step,
    emerging_hotspots,
    gi_star,
    rate_per,
)

MAX_AGE = timedelta(minutes=10)
PERMUTATIONS = 999
CLASS_NAMES = {
    3: "hot_99",
    2: "hot_95",
    1: "hot_90",
    0: "not_significant",
    -1: "cold_90",
    -2: "cold_95",
    -3: "cold_99",
}
_STORE_SQL = resources.files("api.hotspots").joinpath("store_results.sql").read_text("utf-8")


def hotspot_query(
    *,
    principal: Principal,
    area: str | None,
    unit: Unit,
    resolution: int,
    window: int,
    start: date | None,
    end: date | None,
    major: str | None,
    group: str | None,
    measure: Measure,
    weeks: int,
    repeat_min: int,
    today: date,
) -> HotspotQuery:
    """The analysis asked for, checked: an area inside the caller's scope, a known group,
    a custom window (``start`` … ``end``, days in Beijing) of at most 366 days."""
    code = area or principal.scope_code
    if not code.startswith(principal.scope_code):
        raise Forbidden(f"area {code} is outside your area {principal.scope_code}")
    if group is not None and group not in GROUPS:
        raise BadRequest(f"unknown category group {group!r}; groups: {', '.join(GROUPS)}")
    window_end = None
    if start or end:
        # one end given: the window runs from it to today, or `window` days up to it
        end = end or today
        start = start or end - timedelta(days=window - 1)
        if end < start or (end - start).days >= 366 or start < EARLIEST or end > LATEST:
            raise BadRequest(
                f"a custom window needs from ≤ to, at most 366 days, within {EARLIEST} … {LATEST}",
                code="invalid_window",
            )
        window = (end - start).days + 1
        window_end = datetime.combine(end + timedelta(days=1), time(), BEIJING)
    return HotspotQuery(
        area=code,
        unit=unit,
        resolution=resolution,
        window_days=window,
        end=window_end,
        major=major,
        group=group,
        measure=measure,
        weeks=weeks,
        repeat_min=repeat_min,
    )


async def latest_run(session: AsyncSession, fingerprint: str, now: datetime) -> HotspotRun | None:
    return await session.scalar(
        select(HotspotRun)
        .where(HotspotRun.params_hash == fingerprint, HotspotRun.computed_at > now - MAX_AGE)
        .order_by(HotspotRun.computed_at.desc())
        .limit(1)
    )


def window_end(query: HotspotQuery, now: datetime) -> datetime:
    """The window's end, rounded down to the cache period so that runs can be shared."""
    if query.end is not None:
        return query.end
    step = int(MAX_AGE.total_seconds())
    return datetime.fromtimestamp(int(now.timestamp()) // step * step, UTC)


async def analyse(session: AsyncSession, *, query: HotspotQuery, now: datetime) -> HotspotRun:
    """The cached run for ``query``, computing (and storing) it when missing or stale."""
    end = window_end(query, now)
    fingerprint = query.fingerprint(end)
    cached = await latest_run(session, fingerprint, now)
    if cached is not None:
        return cached
    window_start = end - timedelta(days=query.window_days)
    since = min(window_start, end - timedelta(weeks=query.weeks))
    sample = await inputs.events_of(session, query, since, end)
    lonlat, times = sample.lonlat, sample.times
    if query.unit == "h3":
        units, positions = await inputs.hexagon_units(session, query, lonlat)
    else:
        units = await inputs.area_units(session, query)
        length = 14 if query.unit == "grid" else 12
        index = {code: i for i, code in enumerate(units.ids)}
        positions = np.array(
            [index.get(code[:length], -1) for code in sample.grid_codes], dtype=np.int64
        )
    in_window = times >= np.datetime64(window_start.replace(tzinfo=None), "s")
    counts = count_events(positions, len(units.ids), where=in_window)
    values = counts.astype(float)
    rates = None
    if query.measure == "rate":
        if units.residents is None:
            raise Unprocessable(
                "rates need residents: use unit=grid or community", code="rate_needs_population"
            )
        rates = rate_per(counts, units.residents, per=1000.0, empty=0.0)
        values = rates
    result = gi_star(
        values, units.weights, p_value="normal", fdr=True, permutations=PERMUTATIONS, seed=0
    )
    weekly = count_per_step(
        positions,
        times,
        len(units.ids),
        end=np.datetime64(end.replace(tzinfo=None), "s"),
        steps=query.weeks,
    )
    emerging = emerging_hotspots(weekly, units.weights, confidence=0.95)
    labels = emerging.labels("zh")
    repeats = await _repeat_locations(session, sample.building_ids, in_window, query.repeat_min)
    return await _store(
        session,
        query=query,
        fingerprint=fingerprint,
        end=end,
        now=now,
        units=units,
        counts=counts,
        rates=rates,
        result=result,
        emerging=emerging,
        labels=labels,
        weekly=weekly,
        repeats=repeats,
        window_start=window_start,
    )


async def _repeat_locations(
    session: AsyncSession, building_ids: np.ndarray, in_window: np.ndarray, minimum: int
) -> list[dict]:
    buildings = building_ids[in_window & (building_ids >= 0)]
    ids, numbers = np.unique(buildings, return_counts=True)
    chosen = {int(i): int(n) for i, n in zip(ids, numbers, strict=True) if n >= minimum}
    if not chosen:
        return []
    found = await session.execute(
        text("SELECT id, code, name, address, grid_code FROM buildings WHERE id = ANY(:ids)"),
        {"ids": list(chosen)},
    )
    repeats = [
        {
            "building_code": code,
            "name": name,
            "address": address,
            "grid_code": grid,
            "events": chosen[bid],
        }
        for bid, code, name, address, grid in found
    ]
    return sorted(repeats, key=lambda r: (-r["events"], r["building_code"]))


def list_ranks(z: np.ndarray, bins: np.ndarray) -> np.ndarray:
    """Each unit's place in the supervisor's list: significant units first, each part by
    descending z (hot 99 % at the top, cold spots at the end of the significant part).

    Returns
    -------
    numpy.ndarray
        ``rank[i]`` is unit ``i``'s 0-based position.
    """
    order = np.lexsort((np.arange(len(z)), -z, bins == 0))
    rank = np.empty(len(z), dtype=np.int64)
    rank[order] = np.arange(len(z))
    return rank


async def _store(
    session: AsyncSession,
    *,
    query: HotspotQuery,
    fingerprint: str,
    end: datetime,
    now: datetime,
    units: inputs.Units,
    counts: np.ndarray,
    rates: np.ndarray | None,
    result,
    emerging,
    labels: list[str],
    weekly: np.ndarray,
    repeats: list[dict],
    window_start: datetime,
) -> HotspotRun:
    patterns = [
        ("cold_" if side < 0 else "") + EmergingPattern(p).name.lower()
        for p, side in zip(emerging.pattern.tolist(), emerging.side.tolist(), strict=True)
    ]
    rank = list_ranks(result.z, result.bins)
    summary = {name: int((result.bins == b).sum()) for b, name in CLASS_NAMES.items()}
    run = HotspotRun(
        area_code=query.area,
        params_hash=fingerprint,
        params=asdict(query)
        | {
            "end": end.isoformat(),
            "window_start": window_start.isoformat(),
            "permutations": PERMUTATIONS,
            "weights": "H3 k-ring 1" if query.unit == "h3" else "Queen contiguity (0.5 m)",
        },
        results={
            "summary": summary,
            "repeat_locations": repeats,
            "units_total": len(units.ids),
        },
        data_version=0,
        computed_at=now,
    )
    session.add(run)
    await session.flush()
    values = {
        "run": run.id,
        "ids": units.ids,
        "names": units.names or [None] * len(units.ids),
        "events": counts.astype(int).tolist(),
        "rates": [None] * len(units.ids) if rates is None else rates.tolist(),
        "z": result.z.tolist(),
        "p": result.p.tolist(),
        "q": result.q.tolist(),
        "bins": result.bins.astype(int).tolist(),
        "patterns": [p if emerging.pattern[i] else None for i, p in enumerate(patterns)],
        "labels": [label if emerging.pattern[i] else None for i, label in enumerate(labels)],
        "p_perm": (
            [None] * len(units.ids)
            if result.p_permutation is None
            else result.p_permutation.tolist()
        ),
        "ranks": rank.tolist(),
        "weekly": [",".join(map(str, w)) for w in weekly.astype(int).tolist()],
    }
    wkb = units.hexagon_wkb or [None] * len(units.ids)  # None: the shape of the area
    await session.execute(text(_STORE_SQL), values | {"wkb": wkb})
    return run


async def ranked_units(
    session: AsyncSession, run: HotspotRun, *, limit: int, offset: int = 0
) -> list[dict]:
    """One page of a run's list, in ``rank`` order (significant units first)."""
    rows = await session.execute(
        text("""
        SELECT unit_id, name, events, rate, z, p, q, p_permutation, gi_bin, pattern,
               pattern_label, weekly
        FROM hotspot_results WHERE run_id = :run AND rank >= :offset
        ORDER BY rank LIMIT :limit"""),
        {"run": run.id, "offset": offset, "limit": limit},
    )
    return [
        {
            "unit_id": unit_id,
            "name": name,
            "events": events,
            "rate": None if rate is None else round(rate, 3),
            "z": round(z, 3),
            "p": p,
            "q": q,
            "p_permutation": p_permutation,
            "gi_bin": gi_bin,
            "class": CLASS_NAMES[gi_bin],
            "pattern": pattern,
            "pattern_label": pattern_label,
            "weekly": weekly,
        }
        for (
            unit_id,
            name,
            events,
            rate,
            z,
            p,
            q,
            p_permutation,
            gi_bin,
            pattern,
            pattern_label,
            weekly,
        ) in rows
    ]


async def weekly_series(
    session: AsyncSession, *, principal: Principal, area: str, weeks: int, major: str | None
) -> list[dict]:
    """Events reported in each of the last ``weeks`` weeks (Monday first) in ``area``."""
    if not area.startswith(principal.scope_code):
        raise Forbidden(f"area {area} is outside your area {principal.scope_code}")
    rows = await session.execute(
        text("""
        WITH weeks AS (
          SELECT generate_series(date_trunc('week', now() - make_interval(weeks => :weeks - 1)),
                                 date_trunc('week', now()), interval '1 week') AS week)
        SELECT w.week, count(e.id) FROM weeks w
        LEFT JOIN events e ON date_trunc('week', e.reported_at) = w.week
          AND e.grid_code >= :area AND e.grid_code < :area || ':' AND e.status <> 'rejected'
          AND (CAST(:major AS text) IS NULL OR e.category_id IN (
                SELECT id FROM event_categories WHERE major = :major))
        GROUP BY w.week ORDER BY w.week"""),
        {"weeks": weeks, "area": area, "major": major},
    )
    return [{"week": w.date().isoformat(), "events": n} for w, n in rows]
