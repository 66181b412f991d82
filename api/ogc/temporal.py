"""The ``datetime`` parameter of OGC API – Features Part 1 and the collections it filters.

A value is an RFC 3339 date-time (an instant) or an interval ``start/end`` whose open end
is ``..`` or empty. Bad values answer 400 (``invalid_datetime``) with the reason.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import NamedTuple

from api.errors import BadRequest


class TemporalProperty(NamedTuple):
    """Where a collection keeps its time: the SQL column (of the layer's ``t``), the
    feature property it appears as, and the table alone (``t``) for its extent, which
    needs none of the layer's joins and so reads the column's index."""

    column: str
    name: str
    table: str


TEMPORAL_PROPERTIES: dict[str, TemporalProperty] = {
    "events": TemporalProperty("t.reported_at", "reported_at", "events t"),
}
EXAMPLE = "2026-03-01T08:00:00+08:00"
# RFC 3339 §5.6; "T" and "Z" may be lower case. A space before the offset is a "+" that the
# query string decoded (a client that did not percent-encode "+08:00").
_DATE_TIME = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?"
    r"(?:(?P<utc>[Zz])|(?P<sign>[+\- ])(?P<hours>\d{2}):(?P<minutes>\d{2}))"
)


@dataclass(frozen=True)
class Interval:
    """An instant (``start == end``) or a closed or half-bounded interval (``None`` = open)."""

    text: str
    start: dt.datetime | None
    end: dt.datetime | None
    is_instant: bool = False

    def as_param(self) -> str:
        return self.text


def _bad(message: str, message_zh: str) -> BadRequest:
    return BadRequest(message, code="invalid_datetime", message_zh=message_zh)


def parse_date_time(text: str) -> dt.datetime:
    """One RFC 3339 date-time with its offset, e.g. ``2026-03-01T08:00:00+08:00``."""
    match = _DATE_TIME.fullmatch(text)
    if match is None:
        raise _bad(
            f"datetime {text!r} is not an RFC 3339 date-time (with a time and an offset,"
            f" e.g. {EXAMPLE} or 2026-03-01T00:00:00Z)",
            f"datetime {text!r} 不是 RFC 3339 时间（需含时刻和时区，如 {EXAMPLE}）",
        )
    year, month, day, hour, minute, second = (int(match.group(i)) for i in range(1, 7))
    fraction = match.group(7) or ""
    micro = int((fraction[1:] + "000000")[:6]) if fraction else 0
    offset = dt.timedelta(0)
    if not match.group("utc"):
        hours, minutes = int(match.group("hours")), int(match.group("minutes"))
        if hours > 23 or minutes > 59:
            raise _bad(
                f"datetime {text!r} has an impossible offset", f"datetime {text!r} 时区偏移无效"
            )
        offset = dt.timedelta(hours=hours, minutes=minutes)
        if match.group("sign") == "-":
            offset = -offset
    leap = second == 60  # RFC 3339 allows a leap second; count it as the next second
    try:
        value = dt.datetime(
            year, month, day, hour, minute, 59 if leap else second, micro, dt.timezone(offset)
        )
    except ValueError as exc:
        raise _bad(
            f"datetime {text!r} is not a real date and time ({exc})",
            f"datetime {text!r} 不是有效的日期时间",
        ) from None
    return value + dt.timedelta(seconds=1) if leap else value


def _bound(text: str) -> dt.datetime | None:
    return None if text in ("", "..") else parse_date_time(text)


def parse_datetime(raw: str | None) -> Interval | None:
    """Parse ``datetime``: an instant, ``start/end``, ``../end``, ``start/..`` (or empty ends)."""
    if raw is None:
        return None
    text = raw.strip()
    parts = text.split("/")
    if len(parts) == 1:
        instant = parse_date_time(text)
        return Interval(text=text, start=instant, end=instant, is_instant=True)
    if len(parts) > 2:
        raise _bad(
            f"datetime {text!r} has {len(parts) - 1} '/'; an interval is start/end",
            "datetime 时间段应为 开始/结束",
        )
    start, end = _bound(parts[0]), _bound(parts[1])
    if start is None and end is None:
        raise _bad(
            f"datetime {text!r} is open at both ends; give a start, an end or both"
            f" (e.g. {EXAMPLE}/..)",
            "datetime 时间段至少需要开始或结束时间之一",
        )
    if start is not None and end is not None and start > end:
        raise _bad(f"datetime {text!r} ends before it starts", "datetime 时间段的结束早于开始")
    return Interval(text=text, start=start, end=end)
