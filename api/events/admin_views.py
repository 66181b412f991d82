"""Administration of dispatch routing (分拨规则) and the working calendar (工作日历)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path

from api.deps import CurrentUser, DbSession, require
from api.events import routing
from api.events.schemas import CalendarDayRead, CalendarDayWrite, RuleRead, RuleWrite
from api.validation import Int32Id, IsoDate

router = APIRouter(tags=["routing"], dependencies=[Depends(require("routing.manage"))])


@router.get(
    "/api/routing-rules",
    response_model=list[RuleRead],
    summary="Routing rules: category + area → department",
    description="Administrators who manage routing (routing.manage). Every dispatch rule: "
    "an event category and an area prefix mapped to the department that handles it.",
)
async def list_rules(_: CurrentUser, session: DbSession) -> list[RuleRead]:
    return await routing.list_rules(session)


@router.put(
    "/api/routing-rules",
    response_model=RuleRead,
    summary="Create or replace the rule of a category and area",
    description="Administrators who manage routing (routing.manage), for an area inside "
    "their own. Returns the rule as stored.",
)
async def put_rule(body: RuleWrite, principal: CurrentUser, session: DbSession) -> RuleRead:
    return await routing.put_rule(session, body=body, principal=principal)


@router.delete(
    "/api/routing-rules/{rule_id}",
    status_code=204,
    summary="Remove a rule",
    description="Administrators who manage routing (routing.manage), for a rule in their "
    "area. Events then follow the next less specific rule or the category's default.",
)
async def delete_rule(rule_id: Int32Id, principal: CurrentUser, session: DbSession) -> None:
    await routing.delete_rule(session, rule_id=rule_id, principal=principal)


@router.get(
    "/api/work-calendar",
    response_model=list[CalendarDayRead],
    summary="Holidays and swapped working days",
    description="Administrators who manage routing (routing.manage). The exceptions to the "
    "Monday–Friday week (节假日, 调休) that deadlines in working hours follow.",
)
async def list_calendar(_: CurrentUser, session: DbSession) -> list[CalendarDayRead]:
    return await routing.list_calendar_days(session)


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
) -> CalendarDayRead:
    return await routing.put_calendar_day(session, day=day, body=body)
