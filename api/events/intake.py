"""Unified intake (统一采集): locate a report, check for duplicates, file it with deadlines."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from api.areas.models import Area
from api.auth.schemas import Principal
from api.buildings.models import Building
from api.errors import Forbidden, Unprocessable
from api.events.calendar import BEIJING, WorkCalendar
from api.events.models import Event, EventAction, EventCategory
from gis.crs import CoordinateError, check_lonlat_in_china

NEAREST_BUILDING_METRES = 30
DUPLICATE_METRES = 50
DUPLICATE_WINDOW = timedelta(hours=24)


@dataclass(frozen=True)
class Location:
    """Where a report lands: the nearest building within 30 m, its grid (网格)."""

    lon: float
    lat: float
    building_id: int | None
    grid_code: str


def _point(lon: float, lat: float):
    return func.ST_SetSRID(func.ST_MakePoint(lon, lat), 4326)


def mercator_metres(metres: float, lat: float) -> float:
    """Web-Mercator units for ``metres`` on the ground at latitude ``lat``."""
    return metres / math.cos(math.radians(lat))


def box_around(lon: float, lat: float, metres: float):
    """A longitude/latitude box holding every point within ``metres`` of (lon, lat).

    For the GiST index on WGS 84 geometries; a degree of latitude is at least 110.5 km,
    one of longitude at least that times cos(latitude).
    """
    dlat = metres / 110_000.0
    dlon = dlat / math.cos(math.radians(abs(lat) + dlat))
    return func.ST_Expand(_point(lon, lat), dlon, dlat)


async def category_of(
    session: AsyncSession, *, category_id: int | None, major: str | None, minor: str | None
) -> EventCategory:
    query = select(EventCategory).where(EventCategory.active)
    query = (
        query.where(EventCategory.id == category_id)
        if category_id is not None
        else query.where(EventCategory.major == major, EventCategory.minor == minor)
    )
    category = await session.scalar(query)
    if category is None:
        wanted = category_id if category_id is not None else f"{major}{minor}"
        raise Unprocessable(
            f"unknown event category {wanted}",
            code="unknown_category",
            message_zh=f"未知事件分类 {wanted}",
        )
    return category


async def locate(session: AsyncSession, *, lon: float, lat: float) -> Location:
    """Find the nearest building within 30 m, else the basic grid holding the point.

    Raises
    ------
    Unprocessable
        Coordinates outside China or swapped (lat, lon).
    Forbidden
        The point lies outside every grid the caller may see.
    """
    try:
        check_lonlat_in_china([lon], [lat], crs_label="WGS 84")
    except CoordinateError as exc:
        raise Unprocessable(str(exc), code="invalid_location") from exc
    point_3857 = func.ST_Transform(_point(lon, lat), 3857)
    building = (
        await session.execute(
            select(Building.id, Building.grid_code)
            .where(
                Building.footprint.op("&&")(box_around(lon, lat, NEAREST_BUILDING_METRES)),
                func.ST_DWithin(
                    Building.footprint_3857,
                    point_3857,
                    mercator_metres(NEAREST_BUILDING_METRES, lat),
                ),
            )
            .order_by(func.ST_Distance(Building.footprint_3857, point_3857))
            .limit(1)
        )
    ).first()
    if building is not None:
        return Location(lon, lat, building.id, building.grid_code)
    grid = await session.scalar(
        select(Area.code)
        .where(
            Area.level == "grid",
            Area.retired_at.is_(None),
            func.ST_Intersects(Area.geom, _point(lon, lat)),
        )
        .limit(1)
    )
    if grid is None:
        raise Forbidden(
            f"({lon}, {lat}) is outside the grids of your area",
            code="location_outside_scope",
            message_zh="该位置不在您的管辖网格内",
        )
    return Location(lon, lat, None, grid)


async def possible_duplicates(
    session: AsyncSession,
    *,
    category_id: int,
    location: Location,
    at: datetime,
    exclude_id: int | None = None,
) -> list[int]:
    """Open events of the same category within 50 m reported in the last 24 h."""
    point_3857 = func.ST_Transform(_point(location.lon, location.lat), 3857)
    query = (
        select(Event.id)
        .where(
            Event.category_id == category_id,
            Event.status.not_in(("closed", "rejected")),
            Event.reported_at >= at - DUPLICATE_WINDOW,
            func.ST_DWithin(
                Event.geom_3857, point_3857, mercator_metres(DUPLICATE_METRES, location.lat)
            ),
        )
        .order_by(Event.reported_at.desc())
        .limit(10)
    )
    if exclude_id is not None:
        query = query.where(Event.id != exclude_id)
    return list(await session.scalars(query))


async def next_event_code(session: AsyncSession, at: datetime) -> str:
    """E + date (Beijing) + 7-digit sequence, e.g. E202611220000042."""
    number = await session.scalar(text("SELECT nextval('event_code_seq')"))
    return f"E{at.astimezone(BEIJING):%Y%m%d}{number % 10_000_000:07d}"


async def file_event(
    session: AsyncSession,
    *,
    principal: Principal | None,
    category: EventCategory,
    location: Location,
    title: str,
    description: str | None,
    address: str | None,
    priority: int | None,
    source: str,
    at: datetime,
    calendar: WorkCalendar,
    reporter_contact: str | None = None,
    external_id: str | None = None,
) -> Event:
    """Insert the event and its 'report' step, with the acceptance deadline."""
    accept_due = calendar.add(at, category.accept_minutes, working_hours=category.working_hours)
    event = Event(
        code=await next_event_code(session, at),
        category_id=category.id,
        source=source,
        title=title,
        description=description,
        address=address,
        geom=_point(location.lon, location.lat),
        geom_3857=func.ST_Transform(_point(location.lon, location.lat), 3857),
        building_id=location.building_id,
        grid_code=location.grid_code,
        status="reported",
        priority=priority or category.priority,
        reporter_id=principal.user_id if principal else None,
        reporter_contact=reporter_contact,
        reported_at=at,
        stage_due_at=accept_due,
        external_id=external_id,
        version=1,
    )
    session.add(event)
    await session.flush()
    session.add(
        EventAction(
            event_id=event.id,
            action="report",
            from_status=None,
            to_status="reported",
            actor_id=principal.user_id if principal else None,
            actor_role=principal.role if principal else source,
            note=description,
            at=at,
        )
    )
    await session.flush()
    return event
