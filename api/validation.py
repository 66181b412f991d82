"""Pydantic field types that validate codes and identifiers with precise messages."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator

from grids.codes import CodeError, Level, level_of, validate_area_code

_AREA_LEVELS = (Level.CITY, Level.DISTRICT, Level.STREET, Level.COMMUNITY, Level.GRID)


def _area_code(value: str) -> str:
    try:
        code = validate_area_code(value)
        level = level_of(code)
    except CodeError as exc:
        raise ValueError(str(exc)) from None
    if level not in _AREA_LEVELS:
        raise ValueError(f"{value!r} is a {level.value} code, not an area or grid code")
    return code


def _level_code(level: Level):
    def check(value: str) -> str:
        try:
            return validate_area_code(value, level)
        except CodeError as exc:
            raise ValueError(str(exc)) from None

    return check


AreaCode = Annotated[str, AfterValidator(_area_code)]
GridCode = Annotated[str, AfterValidator(_level_code(Level.GRID))]
BuildingCode = Annotated[str, AfterValidator(_level_code(Level.BUILDING))]
RoomCode = Annotated[str, AfterValidator(_level_code(Level.ROOM))]
