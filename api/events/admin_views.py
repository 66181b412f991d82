"""Administration of dispatch routing (分拨规则) and the working calendar (工作日历)."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field
from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert

from api.departments.models import Department
from api.deps import CurrentUser, DbSession, require
from api.errors import Forbidden, NotFound, Unprocessable
from api.events.models import EventCategory, RoutingRule, WorkCalendarDay
from api.validation import AreaCode

router = APIRouter(tags=["routing"], dependencies=[Depends(require("routing.manage"))])


class RuleWrite(BaseModel):
    category_id: int
    area_prefix: AreaCode
    department_id: int


class CalendarDayWrite(BaseModel):
    is_workday: bool
    note: str | None = Field(None, max_length=50)


@router.get("/api/routing-rules", summary="Routing rules: category + area → department")
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


@router.put("/api/routing-rules", summary="Create or replace the rule of a category and area")
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


@router.delete("/api/routing-rules/{rule_id}", status_code=204, summary="Remove a rule")
async def delete_rule(rule_id: int, principal: CurrentUser, session: DbSession) -> None:
    result = await session.execute(
        delete(RoutingRule).where(
            RoutingRule.id == rule_id, RoutingRule.area_prefix.startswith(principal.scope_code)
        )
    )
    if result.rowcount == 0:
        raise NotFound(f"no routing rule {rule_id} in your area")


@router.get("/api/work-calendar", summary="Holidays and swapped working days")
async def list_calendar(_: CurrentUser, session: DbSession) -> list[dict]:
    rows = await session.scalars(select(WorkCalendarDay).order_by(WorkCalendarDay.day))
    return [{"day": d.day.isoformat(), "is_workday": d.is_workday, "note": d.note} for d in rows]


@router.put("/api/work-calendar/{day}", summary="Mark a day as holiday or working day")
async def put_calendar_day(
    day: date, body: CalendarDayWrite, _: CurrentUser, session: DbSession
) -> dict:
    await session.execute(
        insert(WorkCalendarDay)
        .values(day=day, **body.model_dump())
        .on_conflict_do_update(index_elements=["day"], set_=body.model_dump())
    )
    return {"day": day.isoformat(), **body.model_dump()}
