"""Routing (分拨): category + area → responsible department, most specific prefix first."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, literal, select
from sqlalchemy.ext.asyncio import AsyncSession

from api.departments.models import Department
from api.errors import Unprocessable
from api.events.calendar import WorkCalendar
from api.events.models import EventCategory, RoutingRule, WorkCalendarDay


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
