"""Working-hours arithmetic (工作时间) for time limits counted in working hours.

The working day is 08:30–12:00 and 13:30–18:00 Beijing time (8 hours), Monday to Friday, except
the exceptions in ``work_calendar`` (public holidays off, swapped weekend days 调休 on).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

BEIJING = ZoneInfo("Asia/Shanghai")
PERIODS = ((time(8, 30), time(12, 0)), (time(13, 30), time(18, 0)))
MAX_DAYS = 366


@dataclass(frozen=True)
class WorkCalendar:
    """Working periods of each day; ``exceptions`` maps a date to workday yes/no."""

    exceptions: Mapping[date, bool] = field(default_factory=dict)

    def is_workday(self, day: date) -> bool:
        if day in self.exceptions:
            return self.exceptions[day]
        return day.weekday() < 5

    def add(self, start: datetime, minutes: int, *, working_hours: bool) -> datetime:
        """The moment ``minutes`` after ``start``, counting only working time if asked.

        Examples
        --------
        >>> friday_5pm = datetime(2026, 11, 20, 17, 0, tzinfo=BEIJING)
        >>> WorkCalendar().add(friday_5pm, 120, working_hours=True).isoformat()
        '2026-11-23T09:30:00+08:00'
        >>> WorkCalendar().add(friday_5pm, 120, working_hours=False).isoformat()
        '2026-11-20T19:00:00+08:00'
        """
        if start.tzinfo is None:
            raise ValueError("start must be timezone-aware")
        if not working_hours:
            return start + timedelta(minutes=minutes)
        local = start.astimezone(BEIJING)
        remaining = timedelta(minutes=minutes)
        day = local.date()
        for _ in range(MAX_DAYS):
            if self.is_workday(day):
                for opens, closes in PERIODS:
                    begin = max(datetime.combine(day, opens, BEIJING), local)
                    end = datetime.combine(day, closes, BEIJING)
                    if begin >= end:
                        continue
                    if begin + remaining <= end:
                        return begin + remaining
                    remaining -= end - begin
            day += timedelta(days=1)
        raise ValueError(f"{minutes} working minutes do not fit in a year from {start}")


def now() -> datetime:
    return datetime.now(UTC)
