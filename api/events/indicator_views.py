"""Indicators API (综合评价): rates by area, department and period, and the league table."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from sqlalchemy import select

from api.departments.models import Department
from api.deps import CurrentUser, DbSession, require
from api.errors import BadRequest, Forbidden, error_responses
from api.events import indicators
from api.events.calendar import BEIJING
from api.events.indicators import EARLIEST, LATEST
from api.validation import AreaCode, Int32Id, IsoDate

router = APIRouter(
    prefix="/api/indicators",
    tags=["indicators"],
    dependencies=[Depends(require("indicators.read"))],
)

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def period_bounds(
    period: str | None, start: date | None, end: date | None
) -> tuple[datetime, datetime]:
    """[start, end) in Beijing time from ``YYYY-MM`` or from two dates (end inclusive)."""
    if period:
        match = _MONTH.match(period)
        if not match or not 1 <= int(match[2]) <= 12 or not 1990 <= int(match[1]) <= 2100:
            raise BadRequest(f"period must be YYYY-MM, got {period!r}", code="invalid_period")
        first = date(int(match[1]), int(match[2]), 1)
        following = date(first.year + first.month // 12, first.month % 12 + 1, 1)
        return (
            datetime.combine(first, time(), BEIJING),
            datetime.combine(following, time(), BEIJING),
        )
    # one end given: from it to today, or from the first of its month up to it;
    # neither: the current month so far
    end = end or datetime.now(BEIJING).date()
    start = start or end.replace(day=1)
    if end < start:
        raise BadRequest(f"to ({end}) is before from ({start})", code="invalid_period")
    if start < EARLIEST or end > LATEST:
        raise BadRequest(f"dates must lie between {EARLIEST} and {LATEST}", code="invalid_period")
    return (
        datetime.combine(start, time(), BEIJING),
        datetime.combine(end + timedelta(days=1), time(), BEIJING),
    )


@router.get(
    "",
    summary="结案率, 按期结案率, 返工率, 按时立案率, 准确派遣率 and counts",
    description="Anyone with indicators.read, for an area in their scope. The evaluation "
    "indicators (综合评价) of the area over a month (period=YYYY-MM) or from … to (dates, "
    "both inclusive), with the counts behind them and the league table of departments. "
    "400 invalid_period when neither is given or to is before from.",
    responses=error_responses(400),
)
async def read_indicators(
    principal: CurrentUser,
    session: DbSession,
    area: AreaCode | None = None,
    period: Annotated[
        str | None,
        Query(pattern=r"^(199[0-9]|20[0-9]{2}|2100)-(0[1-9]|1[0-2])$", description="YYYY-MM"),
    ] = None,
    from_: Annotated[IsoDate | None, Query(alias="from")] = None,
    to: IsoDate | None = None,
    department_id: Int32Id | None = None,
) -> dict:
    code = area or principal.scope_code
    if not code.startswith(principal.scope_code):
        raise Forbidden(f"area {code} is outside your area {principal.scope_code}")
    start, end = period_bounds(period, from_, to)
    total, by_department = await indicators.compute(
        session, area=code, start=start, end=end, department_id=department_id
    )
    names = dict((await session.execute(select(Department.id, Department.name))).all())
    league = sorted(
        (
            {
                "department_id": dept or None,
                "department": names.get(dept, "未派遣"),
                **values.as_dict(),
            }
            for dept, values in by_department.items()
            if dept
        ),
        key=lambda row: (-(row["rates"]["on_time_closure_rate"] or -1), -(row["counts"]["due"])),
    )
    return {
        "area": code,
        "department_id": department_id,
        "period": {"start": start.isoformat(), "end": end.isoformat()},
        **total.as_dict(),
        "departments": league,
    }
