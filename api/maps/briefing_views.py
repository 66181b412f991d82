"""``GET /maps/grids/{code}.html``: one grid's printable briefing map (folium, offline)."""

from __future__ import annotations

import json

from fastapi import APIRouter, Depends
from fastapi.responses import HTMLResponse
from sqlalchemy import func, select

from api.areas.models import Area
from api.buildings.models import Building
from api.components.models import Component, ComponentClass
from api.deps import CurrentUser, DbSession, require
from api.errors import NotFound
from api.events.models import Event, EventCategory
from api.events.workflow import FINAL_STATUSES, OPEN_STATUSES
from api.security_headers import page_policy
from api.validation import GridCode
from gis.briefing import render_grid_briefing

router = APIRouter(prefix="/maps", tags=["maps"], dependencies=[Depends(require("areas.read"))])

LEAFLET = "/vendor/leaflet"


@router.get(
    "/grids/{code}.html",
    response_class=HTMLResponse,
    summary="Briefing map of one basic grid: boundary, buildings, open events, components",
    description="Anyone with areas.read, for a grid in their area. A printable single-file "
    "HTML map (folium, with locally served Leaflet) for the grid worker's briefing.",
    responses={200: {"description": "The map", "content": {"text/html": {}}}},
)
async def grid_briefing(code: GridCode, _: CurrentUser, session: DbSession) -> HTMLResponse:
    grid = (
        await session.execute(
            select(
                Area.short_name,
                func.ST_AsGeoJSON(Area.geom, 6),
                func.ST_XMin(Area.geom),
                func.ST_YMin(Area.geom),
                func.ST_XMax(Area.geom),
                func.ST_YMax(Area.geom),
            ).where(Area.code == code, Area.level == "grid", Area.code.startswith(code))
        )
    ).first()
    if grid is None:
        raise NotFound(f"no basic grid {code} in your area", code="area_not_found")
    name, boundary, *bbox = grid
    buildings = [
        {
            "geometry": json.loads(geometry),
            "code": b_code,
            "name": b_name,
            "use_type": use,
            "floors": floors,
        }
        for geometry, b_code, b_name, use, floors in await session.execute(
            select(
                func.ST_AsGeoJSON(Building.footprint, 6),
                Building.code,
                Building.name,
                Building.use_type,
                Building.floors,
            ).where(Building.grid_code == code)
        )
    ]
    events = [
        {
            "lon": lon,
            "lat": lat,
            "code": e_code,
            "category": category,
            "status": status,
            "overdue": status in OPEN_STATUSES and due is not None and due < now,
        }
        for lon, lat, e_code, category, status, due, now in await session.execute(
            select(
                func.ST_X(Event.geom),
                func.ST_Y(Event.geom),
                Event.code,
                EventCategory.name,
                Event.status,
                Event.stage_due_at,
                func.now(),
            )
            .join(EventCategory, EventCategory.id == Event.category_id)
            .where(Event.grid_code == code, Event.status.not_in(FINAL_STATUSES))
        )
    ]
    components = [
        {"lon": lon, "lat": lat, "id": c_id, "name": c_name, "state": state}
        for lon, lat, c_id, c_name, state in await session.execute(
            select(
                func.ST_X(Component.geom),
                func.ST_Y(Component.geom),
                Component.id,
                ComponentClass.name,
                Component.state,
            )
            .join(
                ComponentClass,
                (ComponentClass.major == Component.major)
                & (ComponentClass.minor == Component.minor),
            )
            .where(Component.grid_code == code)
        )
    ]
    page = render_grid_briefing(
        title=f"{name}（{code}）工作图",
        boundary=json.loads(boundary),
        buildings=buildings,
        events=events,
        components=components,
        bbox=bbox,
        leaflet_base=LEAFLET,
    )
    # folium's page: its inline scripts by hash; inline styles, which its markup carries
    policy = page_policy(page, styles=("'self'", "'unsafe-inline'"))
    return HTMLResponse(
        page, headers={"Cache-Control": "private, no-store", "Content-Security-Policy": policy}
    )
