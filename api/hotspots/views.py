"""Hotspots API (热点): ranked units with Gi* classes, emerging patterns, repeat locations."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query

from api.deps import CurrentUser, DbSession, require
from api.errors import error_responses
from api.events.calendar import BEIJING, now
from api.hotspots import service
from api.hotspots.schemas import GROUPS
from api.validation import AreaCode, IsoDate, Offset

router = APIRouter(
    prefix="/api/hotspots", tags=["hotspots"], dependencies=[Depends(require("hotspots.read"))]
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
    at = now()
    query = service.hotspot_query(
        principal=principal,
        area=area,
        unit=unit,
        resolution=resolution,
        window=window,
        start=from_,
        end=to,
        major=major,
        group=group,
        measure=measure,
        weeks=weeks,
        repeat_min=repeat_min,
        today=at.astimezone(BEIJING).date(),
    )
    run = await service.analyse(session, query=query, now=at)
    summary = run.results["summary"]
    return {
        "run_id": run.id,
        "computed_at": run.computed_at.isoformat(),
        "params": run.params,
        "summary": summary,
        "units_total": run.results["units_total"],
        "units_significant": run.results["units_total"] - summary["not_significant"],
        "offset": offset,
        "units": await service.ranked_units(session, run, limit=limit, offset=offset),
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
    weekly = await service.weekly_series(
        session, principal=principal, area=area, weeks=weeks, major=major
    )
    return {"area": area, "weeks": weekly}
