"""Pydantic field types that validate codes and identifiers with precise messages."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Any

from annotated_types import Ge, Le
from pydantic import AfterValidator, BeforeValidator, StringConstraints, WithJsonSchema

from grids.codes import PROVINCE_CODES, CodeError, Level, level_of, validate_area_code

_AREA_LEVELS = (Level.CITY, Level.DISTRICT, Level.STREET, Level.COMMUNITY, Level.GRID)


def _exact(value: str) -> str:
    if value != value.strip():
        raise ValueError("a code has no spaces around it")
    return value


def _area_code(value: str) -> str:
    _exact(value)
    try:
        code = validate_area_code(value)
        level = level_of(code)
    except CodeError as exc:
        raise ValueError(str(exc)) from None
    if level not in _AREA_LEVELS:
        raise ValueError(f"{value!r} is a {level.value} code, not an area or grid code")
    return code


def _address_code(value: str) -> str:
    if not value.isdigit() or len(value) not in (19, 25):
        raise ValueError(
            "a standard-address code has 19 (building) or 25 (room) digits; "
            f"got {len(value)} characters"
        )
    try:
        return validate_area_code(value)
    except CodeError as exc:
        raise ValueError(str(exc)) from None


def _level_code(level: Level):
    def check(value: str) -> str:
        _exact(value)
        try:
            return validate_area_code(value, level)
        except CodeError as exc:
            raise ValueError(str(exc)) from None

    return check


def _nonzero(width: int) -> str:
    """A regex for ``width`` digits other than all zeros (sequence numbers start at 1)."""
    options = [f"{'0' * i}[1-9][0-9]{{{width - i - 1}}}" for i in range(width)]
    return "(?:" + "|".join(options) + ")"


# The code grammar as regular expressions, so that the OpenAPI document declares exactly
# what the validators accept (generated clients and fuzzers then send valid codes).
_PROVINCE = "(?:" + "|".join(sorted(PROVINCE_CODES)) + ")"
_ROOM = "[0-9](?:00[1-9]|0[1-9][0-9]|[1-8][0-9]{2}|90[1-9]|9[1-9][0-9])" + _nonzero(2)
_LEVEL_SEGMENTS = {
    Level.CITY: _PROVINCE + _nonzero(2),
    Level.DISTRICT: _nonzero(2),
    Level.STREET: _nonzero(3),
    Level.COMMUNITY: _nonzero(3),
    Level.GRID: _nonzero(2),
    Level.BUILDING: _nonzero(5),
    Level.ROOM: _ROOM,
}


def code_pattern(*levels: Level) -> str:
    """The regex of the codes of ``levels`` (consecutive levels, shortest first)."""
    order = list(_LEVEL_SEGMENTS)
    first, last = order.index(levels[0]), order.index(levels[-1])
    tail = ""
    for level in reversed(order[first + 1 : last + 1]):
        tail = f"(?:{_LEVEL_SEGMENTS[level]}{tail})?"
    return "^" + "".join(_LEVEL_SEGMENTS[x] for x in order[: first + 1]) + tail + "$"


def _code_type(check, *levels: Level) -> Any:
    """A code checked by ``check`` (precise messages), its grammar declared as a pattern."""
    return Annotated[
        str,
        AfterValidator(check),
        WithJsonSchema({"type": "string", "pattern": code_pattern(*levels)}),
    ]


AreaCode = _code_type(_area_code, *_AREA_LEVELS)
GridCode = _code_type(_level_code(Level.GRID), Level.GRID)
BuildingCode = _code_type(_level_code(Level.BUILDING), Level.BUILDING)
RoomCode = _code_type(_level_code(Level.ROOM), Level.ROOM)
AddressCode = _code_type(_address_code, Level.BUILDING, Level.ROOM)
"""A standard address: a 19-digit building or a 25-digit room code."""


# Integers and text at the edge (every route uses these, so that no value the database
# cannot hold reaches it: an id past its column's type, an offset past int32, a NUL byte).
INT32_MAX = 2**31 - 1
INT64_MAX = 2**63 - 1


def _integral(value: object) -> object:
    """JSON Schema counts 42.0 as an integer; pass it on as 42 (strict bodies too)."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def whole_number(ge: int, le: int) -> Any:
    """An integer in [ge, le], also when written 42.0 (as JSON Schema allows)."""
    return Annotated[int, Ge(ge), Le(le), BeforeValidator(_integral)]


Int32Id = Annotated[
    int,
    Ge(1),
    Le(INT32_MAX),
    BeforeValidator(_integral),
    WithJsonSchema({"type": "integer", "minimum": 1, "maximum": INT32_MAX}),  # exact, not float
]
"""The id of a row whose key is an ``integer`` column (departments, categories, rules…)."""

Int64Id = Annotated[
    int,
    Ge(1),
    Le(INT64_MAX),
    BeforeValidator(_integral),
    WithJsonSchema({"type": "integer", "minimum": 1, "maximum": INT64_MAX}),  # exact, not float
]
"""The id of a row whose key is a ``bigint`` column (events, actions, attachments…)."""

Offset = Annotated[
    int,
    Ge(0),
    Le(INT32_MAX),
    BeforeValidator(_integral),
    WithJsonSchema({"type": "integer", "minimum": 0, "maximum": INT32_MAX}),  # exact, not float
]
"""How many rows to skip in a page."""

NUL_FREE = r"^[^\x00]*$"

SafeText = Annotated[str, StringConstraints(pattern=NUL_FREE)]
"""Text without NUL bytes (PostgreSQL text cannot hold 0x00)."""


def contains_nul(value: object) -> bool:
    """Tell whether a decoded JSON value holds a NUL character in any string or key."""
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(contains_nul(k) or contains_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(contains_nul(v) for v in value)
    return False


EVENT_CODE = r"^E[0-9]{15}$"
_DIGITS = re.compile(r"^[0-9]{1,19}$")


def _event_ref(value: object) -> int | str:
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if isinstance(value, str):
        if _DIGITS.match(value) and 1 <= int(value) <= INT64_MAX:
            return int(value)
        if re.match(EVENT_CODE, value):
            return value
    raise ValueError(
        "give an event id (1 … 9223372036854775807) or its public code (E + 15 digits, "
        "e.g. E202612070000042)"
    )


EventRef = Annotated[
    int | str,
    BeforeValidator(_event_ref),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "integer", "minimum": 1, "maximum": INT64_MAX},
                {"type": "string", "pattern": EVENT_CODE},
            ],
            "description": "the event's numeric id, or its public case code (案件编号) "
            "E + date + sequence, e.g. E202612070000042",
        }
    ),
]
"""An event named by its numeric id or by its public code; resolved by the route."""


_ISO_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
_ISO_DATETIME = re.compile(
    r"^[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]+)?)?"
    r"([Zz]|[+-][0-9]{2}:?[0-9]{2})?$"
)


def _iso(pattern: re.Pattern[str], what: str):
    def check(value: object) -> object:
        if isinstance(value, str) and not pattern.match(value):
            raise ValueError(f"expected an ISO 8601 {what}, got {value[:40]!r}")
        return value

    return check


IsoDate = Annotated[date, BeforeValidator(_iso(_ISO_DATE, "date (YYYY-MM-DD)"))]
"""A calendar date written YYYY-MM-DD (not a Unix timestamp, which pydantic would take)."""

IsoDateTime = Annotated[datetime, BeforeValidator(_iso(_ISO_DATETIME, "date and time (RFC 3339)"))]
"""A moment written as RFC 3339 (``2026-12-07T08:00:00+08:00``)."""
