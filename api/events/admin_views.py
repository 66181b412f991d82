"""Administration of dispatch routing (分拨规则) and the working calendar (工作日历)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert

from api.departments.models import Department
from api.deps import CurrentUser, DbSession, require
from api.errors import Forbidden, NotFound, Unprocessable
from api.events.models import EventCategory, RoutingRule, WorkCalendarDay
from api.validation import AreaCode, Int32Id, IsoDate, SafeText

router = APIRouter(tags=["routing"], dependencies=[Depends(require("routing.manage"))])


class RuleWrite(BaseModel):
    """A dispatch rule (分拨规则): events of the category in the area go to the department."""

    model_config = ConfigDict(strict=True, extra="forbid")  # as declared: no "1" for 1

    category_id: Int32Id
    area_prefix: AreaCode = Field(description="an area code; the most specific rule wins")
    department_id: Int32Id


class RuleRead(RuleWrite):
    id: int


class CalendarDayWrite(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid")
    is_workday: bool
    note: SafeText | None = Field(None, max_length=50)


class CalendarDayRead(CalendarDayWrite):
    day: str = Field(description="YYYY-MM-DD")


@router.get(
    "/api/routing-rules",
    response_model=list[RuleRead],
    summary="Routing rules: category + area → department",
    description="Administrators who manage routing (routing.manage). Every dispatch rule: "
    "an event category and an area prefix mapped to the department that handles it.",
)
async def list_rules(_: CurrentUser, session: DbSession) -> list[dict]:
    rows = await session.scalars(
        select(RoutingRule).order_by(RoutingRule.category_id, RoutingRule.area_prefix)
    )
    return [
        {
            "id": r.id,
            "category_id": r.category_id,
            "area_prefix": r.area_prefix,
            "department_id": r.department_id,
        }
        for r in rows
    ]


@router.put(
    "/api/routing-rules",
    response_model=RuleRead,
    summary="Create or replace the rule of a category and area",
    description="Administrators who manage routing (routing.manage), for an area inside "
    "their own. Returns the rule as stored.",
)
async def put_rule(body: RuleWrite, principal: CurrentUser, session: DbSession) -> dict:
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
    return {"id": rule_id, **body.model_dump()}


@router.delete(
    "/api/routing-rules/{rule_id}",
    status_code=204,
    summary="Remove a rule",
    description="Administrators who manage routing (routing.manage), for a rule in their "
    "area. Events then follow the next less specific rule or the category's default.",
)
async def delete_rule(rule_id: Int32Id, principal: CurrentUser, session: DbSession) -> None:
    result = await session.execute(
        delete(RoutingRule).where(
            RoutingRule.id == rule_id, RoutingRule.area_prefix.startswith(principal.scope_code)
        )
    )
    if result.rowcount == 0:
        raise NotFound(f"no routing rule {rule_id} in your area")


@router.get(
    "/api/work-calendar",
    response_model=list[CalendarDayRead],
    summary="Holidays and swapped working days",
    description="Administrators who manage routing (routing.manage). The exceptions to the "
    "Monday–Friday week (节假日, 调休) that deadlines in working hours follow.",
)
async def list_calendar(_: CurrentUser, session: DbSession) -> list[dict]:
    rows = await session.scalars(select(WorkCalendarDay).order_by(WorkCalendarDay.day))
    return [{"day": d.day.isoformat(), "is_workday": d.is_workday, "note": d.note} for d in rows]


@router.put(
    "/api/work-calendar/{day}",
    response_model=CalendarDayRead,
    summary="Mark a day as holiday or working day",
    description="Administrators who manage routing (routing.manage). Creates or replaces "
    "the day's entry; later deadlines use it.",
)
async def put_calendar_day(
    day: Annotated[IsoDate, Path(description="YYYY-MM-DD")],
    body: CalendarDayWrite,
    _: CurrentUser,
    session: DbSession,
) -> dict:
    await session.execute(
        insert(WorkCalendarDay)
        .values(day=day, **body.model_dump())
        .on_conflict_do_update(index_elements=["day"], set_=body.model_dump())
    )
    return {"day": day.isoformat(), **body.model_dump()}
