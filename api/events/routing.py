"""Routing (分拨): category + area → responsible department, most specific prefix first;
the rules and the working calendar (工作日历) as administrators edit them."""

from __future__ import annotations

from datetime import date

from sqlalchemy import delete, func, literal, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from api.auth.schemas import Principal
from api.departments.models import Department
from api.errors import Forbidden, NotFound, Unprocessable
from api.events.calendar import WorkCalendar
from api.events.models import EventCategory, RoutingRule, WorkCalendarDay
from api.events.schemas import CalendarDayRead, CalendarDayWrite, RuleRead, RuleWrite


async def department_for(
    session: AsyncSession,
    *,
    category: EventCategory,
    grid_code: str,
    requested: int | None = None,
) -> int:
    """The department to dispatch to: the one asked for, else the rules, else the default."""
    if requested is not None:
        if await session.get(Department, requested) is None:
            raise Unprocessable(f"unknown department {requested}", code="unknown_department")
        return requested
    ruled = await session.scalar(
        select(RoutingRule.department_id)
        .where(
            RoutingRule.category_id == category.id,
            literal(grid_code).startswith(RoutingRule.area_prefix),
        )
        .order_by(func.length(RoutingRule.area_prefix).desc())
        .limit(1)
    )
    department = ruled or category.default_department_id
    if department is None:
        raise Unprocessable(
            f"no department handles category {category.major}{category.minor}"
            " here: give department_id",
            code="no_department",
        )
    return department


async def load_calendar(session: AsyncSession, *, around: date | None = None) -> WorkCalendar:
    """The working calendar with its holiday and swapped-day exceptions."""
    rows = await session.execute(select(WorkCalendarDay.day, WorkCalendarDay.is_workday))
    return WorkCalendar(exceptions=dict(rows.all()))


async def list_rules(session: AsyncSession) -> list[RuleRead]:
    rows = await session.scalars(
        select(RoutingRule).order_by(RoutingRule.category_id, RoutingRule.area_prefix)
    )
    return [
        RuleRead(
            id=r.id,
            category_id=r.category_id,
            area_prefix=r.area_prefix,
            department_id=r.department_id,
        )
        for r in rows
    ]


async def put_rule(session: AsyncSession, *, body: RuleWrite, principal: Principal) -> RuleRead:
    """Create or replace the rule of a category and an area inside the caller's."""
    if not body.area_prefix.startswith(principal.scope_code):
        raise Forbidden(f"area {body.area_prefix} is outside your area {principal.scope_code}")
    if await session.get(EventCategory, body.category_id) is None:
        raise Unprocessable(f"unknown event category {body.category_id}", code="unknown_category")
    if await session.get(Department, body.department_id) is None:
        raise Unprocessable(f"unknown department {body.department_id}", code="unknown_department")
    rule_id = await session.scalar(
        insert(RoutingRule)
        .values(**body.model_dump())
        .on_conflict_do_update(
            index_elements=["category_id", "area_prefix"],
            set_={"department_id": body.department_id},
        )
        .returning(RoutingRule.id)
    )
    return RuleRead(id=rule_id, **body.model_dump())


async def delete_rule(session: AsyncSession, *, rule_id: int, principal: Principal) -> None:
    result = await session.execute(
        delete(RoutingRule).where(
            RoutingRule.id == rule_id, RoutingRule.area_prefix.startswith(principal.scope_code)
        )
    )
    if result.rowcount == 0:
        raise NotFound(f"no routing rule {rule_id} in your area")


async def list_calendar_days(session: AsyncSession) -> list[CalendarDayRead]:
    rows = await session.scalars(select(WorkCalendarDay).order_by(WorkCalendarDay.day))
    return [
        CalendarDayRead(day=d.day.isoformat(), is_workday=d.is_workday, note=d.note) for d in rows
    ]


async def put_calendar_day(
    session: AsyncSession, *, day: date, body: CalendarDayWrite
) -> CalendarDayRead:
    await session.execute(
        insert(WorkCalendarDay)
        .values(day=day, **body.model_dump())
        .on_conflict_do_update(index_elements=["day"], set_=body.model_dump())
    )
    return CalendarDayRead(day=day.isoformat(), **body.model_dump())
