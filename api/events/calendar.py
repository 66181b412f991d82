"""Working-hours arithmetic (工作时间) for time limits counted in working hours.

The working day is 08:30–12:00 and 13:30–18:00 Beijing time (8 hours), Monday to Friday, except
the exceptions in ``work_calendar`` (public holidays off, swapped weekend days 调休 on).

The arithmetic is done once, in integer microseconds since 1970 (:meth:`WorkCalendar.add_micros`,
which the demo city calls for hundreds of thousands of deadlines); :meth:`WorkCalendar.add`
converts datetimes to and from it. Beijing time is taken as UTC+8, as it has been all year since
1992 (China observed daylight saving time in 1986–1991 only).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import cached_property
from zoneinfo import ZoneInfo

BEIJING = ZoneInfo("Asia/Shanghai")
PERIODS = ((time(8, 30), time(12, 0)), (time(13, 30), time(18, 0)))
MAX_DAYS = 366
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_EPOCH_DAY = _EPOCH.date()  # a Thursday
_US = timedelta(microseconds=1)
_US_PER_MINUTE = 60_000_000
_US_PER_DAY = 86_400_000_000
_BEIJING_OFFSET_US = 8 * 3_600_000_000


def _micros_of_day(moment: time) -> int:
    return (moment.hour * 60 + moment.minute) * _US_PER_MINUTE


_PERIODS_US = tuple((_micros_of_day(opens), _micros_of_day(closes)) for opens, closes in PERIODS)


@dataclass(frozen=True)
class WorkCalendar:
    """Working periods of each day; ``exceptions`` maps a date to workday yes/no."""

    exceptions: Mapping[date, bool] = field(default_factory=dict)

    def is_workday(self, day: date) -> bool:
        return self.is_workday_number((day - _EPOCH_DAY).days)

    def is_workday_number(self, day: int) -> bool:
        """Whether the day ``day`` days after 1970-01-01 (a Thursday) is a workday."""
        exception = self._exceptions_by_number.get(day)
        return (day + 3) % 7 < 5 if exception is None else exception

    @cached_property
    def _exceptions_by_number(self) -> dict[int, bool]:
        return {(day - _EPOCH_DAY).days: workday for day, workday in self.exceptions.items()}

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
        try:
            end = self.add_micros((start - _EPOCH) // _US, minutes, working_hours=True)
        except ValueError as exc:
            raise ValueError(f"{exc} from {start}") from None
        return (_EPOCH + end * _US).astimezone(BEIJING)

    def add_micros(self, start_us: int, minutes: int, *, working_hours: bool) -> int:
        """:meth:`add` on microseconds since 1970-01-01 UTC (exact integer arithmetic).

        Examples
        --------
        >>> friday_5pm = 1_795_165_200_000_000  # 2026-11-20 17:00 Beijing
        >>> (WorkCalendar().add_micros(friday_5pm, 120, working_hours=True) - friday_5pm) / 3.6e9
        64.5
        """
        if not working_hours:
            return start_us + minutes * _US_PER_MINUTE
        day, now = divmod(start_us + _BEIJING_OFFSET_US, _US_PER_DAY)
        left = minutes * _US_PER_MINUTE
        for _ in range(MAX_DAYS):
            if self.is_workday_number(day):
                for opens, closes in _PERIODS_US:
                    begin = max(now, opens)
                    if begin >= closes:
                        continue
                    if begin + left <= closes:
                        return day * _US_PER_DAY + begin + left - _BEIJING_OFFSET_US
                    left -= closes - begin
            day, now = day + 1, 0
        raise ValueError(f"{minutes} working minutes do not fit in a year")


def now() -> datetime:
    return datetime.now(UTC)
