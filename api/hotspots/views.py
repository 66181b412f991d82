"""Hotspots API (热点): ranked units with Gi* classes, emerging patterns, repeat locations."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query
from sqlalchemy import text

from api.deps import CurrentUser, DbSession, require
from api.errors import BadRequest, Forbidden, error_responses
from api.events.calendar import BEIJING, now
from api.events.indicator_views import EARLIEST, LATEST
from api.hotspots.service import GROUPS, HotspotQuery, analyse, ranked_units
from api.validation import AreaCode, IsoDate, Offset

router = APIRouter(
    prefix="/api/hotspots", tags=["hotspots"], dependencies=[Depends(require("hotspots.read"))]
)


def build_query(
    principal,
    area: str | None,
    unit: str,
    resolution: int,
    window: int,
    start: date | None,
    end: date | None,
    major: str | None,
    group: str | None,
    measure: str,
    weeks: int,
    repeat_min: int,
) -> HotspotQuery:
    code = area or principal.scope_code
    if not code.startswith(principal.scope_code):
        raise Forbidden(f"area {code} is outside your area {principal.scope_code}")
    if group is not None and group not in GROUPS:
        raise BadRequest(f"unknown category group {group!r}; groups: {', '.join(GROUPS)}")
    window_end = None
    if start or end:
        # one end given: the window runs from it to today, or `window` days up to it
        end = end or now().astimezone(BEIJING).date()
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


@router.get(
    "",
    summary="Hot and cold spots of events in an area (Gi*, FDR, emerging trend)",
    description="Anyone with hotspots.read, for an area in their scope. Ranks the grids, "
    "communities or H3 cells of the area by Getis-Ord Gi* over the window (FDR-corrected), "
    "with each unit's emerging-hotspot pattern and the repeat locations. A custom window "
    "(from … to, at most 366 days) answers 400 invalid_window when to is before from.",
    responses=error_responses(400),
)
async def hotspots(
    principal: CurrentUser,
    session: DbSession,
    area: AreaCode | None = None,
    unit: Literal["grid", "community", "h3"] = "grid",
    resolution: Annotated[int, Query(ge=7, le=10)] = 9,
    window: Annotated[int, Query(ge=1, le=366, description="days: 7, 30, 90…")] = 30,
    from_: Annotated[IsoDate | None, Query(alias="from")] = None,
    to: IsoDate | None = None,
    major: Annotated[str | None, Query(pattern=r"^[0-9]{2}$")] = None,
    group: Literal[GROUPS] | None = None,  # type: ignore[valid-type]
    measure: Literal["count", "rate"] = "count",
    weeks: Annotated[int, Query(ge=4, le=104)] = 12,
    repeat_min: Annotated[int, Query(ge=2, le=1000)] = 5,
    limit: Annotated[int, Query(ge=1, le=5000)] = 200,
    offset: Offset = 0,
) -> dict:
    query = build_query(
        principal,
        area,
        unit,
        resolution,
        window,
        from_,
        to,
        major,
        group,
        measure,
        weeks,
        repeat_min,
    )
    run = await analyse(session, query=query, now=now())
    summary = run.results["summary"]
    return {
        "run_id": run.id,
        "computed_at": run.computed_at.isoformat(),
        "params": run.params,
        "summary": summary,
        "units_total": run.results["units_total"],
        "units_significant": run.results["units_total"] - summary["not_significant"],
        "offset": offset,
        "units": await ranked_units(session, run, limit=limit, offset=offset),
        "repeat_locations": run.results["repeat_locations"],
    }


@router.get(
    "/series",
    summary="Weekly event counts of one unit (for the chart)",
    description="Anyone with hotspots.read, for an area in their scope: the number of events "
    "reported in each of the last `weeks` weeks (Monday first), optionally of one major class.",
)
async def series(
    principal: CurrentUser,
    session: DbSession,
    area: AreaCode,
    weeks: Annotated[int, Query(ge=4, le=104)] = 26,
    major: Annotated[str | None, Query(pattern=r"^[0-9]{2}$")] = None,
) -> dict:
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
    return {"area": area, "weeks": [{"week": w.date().isoformat(), "events": n} for w, n in rows]}
