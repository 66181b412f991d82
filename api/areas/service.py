"""Areas and their statistics for the drill-down, read inside the caller's scope."""

from __future__ import annotations

from sqlalchemy import Row, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from api.areas.models import Area, AreaStats, GridWorker
from api.areas.schemas import AreaChildren, AreaRead, AreaRef, AreaStatsRead, BuildingSummary
from api.auth.models import User
from api.buildings.models import Building, BuildingStats
from api.errors import NotFound
from grids.codes import ancestors

CHILD_LEVEL = {
    "city": "district",
    "district": "street",
    "street": "community",
    "community": "grid",
    "grid": "building",
}


def _ratio(numerator: int, denominator: int) -> float | None:
    return round(numerator / denominator, 4) if denominator > 0 else None


def stats_read(stats: AreaStats) -> AreaStatsRead:
    details = stats.details or {}
    month = details.get("events_month", {})
    due = month.get("due", 0) - month.get("postponed", 0)
    return AreaStatsRead(
        residents=stats.residents,
        residents_hukou=stats.residents_hukou,
        residents_non_hukou=stats.residents - stats.residents_hukou,
        households=stats.households,
        age_0_6=stats.age_0_6,
        age_7_17=stats.age_7_17,
        age_60_plus=stats.age_60_plus,
        age_80_plus=stats.age_80_plus,
        elderly_alone=stats.elderly_alone,
        disabled=stats.disabled,
        special_care=stats.special_care,
        care_tags=details.get("care_tags", {}),
        buildings=stats.buildings,
        rooms=stats.rooms,
        rooms_rented=stats.rooms_rented,
        entities=stats.entities,
        entities_by_type=details.get("entities_by_type", {}),
        components=stats.components,
        components_damaged=stats.components_damaged,
        components_by_state=details.get("components_by_state", {}),
        events_open=stats.events_open,
        events_overdue=stats.events_overdue,
        events_closed_this_month=details.get("events_closed_this_month", 0),
        closure_rate=_ratio(month.get("closed", 0), due),
        on_time_closure_rate=_ratio(month.get("closed_on_time", 0), due),
        grids=stats.grids,
        refreshed_at=stats.refreshed_at.isoformat(),
    )


_AREA_COLUMNS = (
    Area,
    func.ST_XMin(Area.geom),
    func.ST_YMin(Area.geom),
    func.ST_XMax(Area.geom),
    func.ST_YMax(Area.geom),
    func.ST_X(func.ST_PointOnSurface(Area.geom)),
    func.ST_Y(func.ST_PointOnSurface(Area.geom)),
    AreaStats,
)


def _area_read(
    row: Row, breadcrumb: list[AreaRef], workers: list[str], scope_code: str
) -> AreaRead:
    area, minx, miny, maxx, maxy, cx, cy, stats = row
    return AreaRead(
        code=area.code,
        level=area.level,
        name=area.name,
        short_name=area.short_name,
        parent_code=area.parent_code,
        breadcrumb=breadcrumb,
        bbox=[round(v, 6) for v in (minx, miny, maxx, maxy)],
        centroid=[round(cx, 6), round(cy, 6)],
        household_target=area.household_target,
        workers=workers,
        in_scope=area.code.startswith(scope_code),
        stats=stats_read(stats) if stats is not None else None,
    )


async def breadcrumb(session: AsyncSession, code: str) -> list[AreaRef]:
    """The area and its ancestors, city first (深圳市 › 区 › 街道 › 社区 › 网格)."""
    codes = [*ancestors(code), code]
    rows = await session.execute(
        select(Area.code, Area.level, Area.short_name)
        .where(Area.code.in_(codes))
        .order_by(func.length(Area.code))
    )
    return [AreaRef(code=c, level=level, name=name) for c, level, name in rows]


async def _workers(session: AsyncSession, codes: list[str]) -> dict[str, list[str]]:
    rows = await session.execute(
        select(GridWorker.grid_code, User.display_name)
        .join(User, User.id == GridWorker.user_id)
        .where(GridWorker.grid_code.in_(codes))
        .order_by(GridWorker.grid_code, User.display_name)
    )
    found: dict[str, list[str]] = {}
    for grid, name in rows:
        found.setdefault(grid, []).append(name)
    return found


async def read_area(session: AsyncSession, *, code: str, scope_code: str) -> AreaRead:
    """One area with its breadcrumb and statistics (None for a breadcrumb-only ancestor)."""
    row = (
        await session.execute(
            select(*_AREA_COLUMNS)
            .outerjoin(AreaStats, AreaStats.area_code == Area.code)
            .where(Area.code == code)
        )
    ).first()
    if row is None:
        raise NotFound(
            f"no area {code} in your area",
            code="area_not_found",
            message_zh=f"无权访问或不存在的区划 {code}",
        )
    workers = await _workers(session, [code]) if row[0].level == "grid" else {}
    return _area_read(row, await breadcrumb(session, code), workers.get(code, []), scope_code)


async def read_children(session: AsyncSession, *, code: str, scope_code: str) -> AreaChildren:
    """The next level down with its statistics; a basic grid lists its buildings."""
    area = await read_area(session, code=code, scope_code=scope_code)
    child_level = CHILD_LEVEL[area.level]
    if child_level == "building":
        rows = await session.execute(
            select(Building, BuildingStats)
            .outerjoin(BuildingStats, BuildingStats.building_id == Building.id)
            .where(Building.grid_code == code)
            .order_by(Building.code)
        )
        buildings = [
            BuildingSummary(
                code=b.code,
                name=b.name,
                address=b.address,
                use_type=b.use_type,
                floors=b.floors,
                residents=s.residents if s else 0,
                households=s.households if s else 0,
                events_open=s.events_open if s else 0,
            )
            for b, s in rows
        ]
        return AreaChildren(area=area, child_level=child_level, buildings=buildings)
    rows = (
        await session.execute(
            select(*_AREA_COLUMNS)
            .outerjoin(AreaStats, AreaStats.area_code == Area.code)
            .where(Area.parent_code == code, Area.retired_at.is_(None))
            .order_by(Area.code)
        )
    ).all()
    workers = await _workers(session, [r[0].code for r in rows]) if child_level == "grid" else {}
    crumbs = [*area.breadcrumb]
    children = [
        _area_read(
            row,
            [*crumbs, AreaRef(code=row[0].code, level=row[0].level, name=row[0].short_name)],
            workers.get(row[0].code, []),
            scope_code,
        )
        for row in rows
    ]
    return AreaChildren(area=area, child_level=child_level, children=children)
