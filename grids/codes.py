"""Hierarchical area, grid, building and room codes, and city-component ids.

One digit string identifies every level, each extending its parent (GB/T 2260 and the
statistics bureau's 12-digit scheme, then Shenzhen's 《社会管理要素统一地址规范》)::

    44 03 04 001 001 01 00012 100302
    |  |  |  |   |   |  |     room (房屋, 6)      -> 25 digits: standard address (标准地址)
    |  |  |  |   |   |  building (楼栋, 5)        -> 19 digits: building code
    |  |  |  |   |   basic grid (基础网格, 2)       -> 14 digits
    |  |  |  |   community (社区, 3)               -> 12 digits
    |  |  |  street (街道, 3)                       ->  9 digits
    |  |  district (区, 2)                          ->  6 digits, e.g. 440304 福田区
    |  city (市, 2)                                 ->  4 digits, e.g. 4403 深圳市
    province (省, 2)

Room segment layout (chosen here; the address standard fixes only its 6 digits):
unit (单元) 1 digit, ``0`` when the building has no units; floor (楼层) 3 digits,
``001``–``899`` above ground, ``9nn`` for basement level nn (``901`` = B1, 地下一层);
door (户号) 2 digits, ``01``–``99``. Three floor digits because Shenzhen towers exceed
99 storeys (平安金融中心: 118); one unit digit because buildings rarely have more than 9.

A city component (部件) id is district 6 + major class 2 + minor class 3 + sequence 6
= 17 digits, the classes following GB/T 30428.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = [
    "COMPONENT_MAJORS",
    "PROVINCE_CODES",
    "CodeError",
    "CodeParts",
    "ComponentId",
    "Level",
    "RoomNumber",
    "ancestors",
    "digits",
    "is_shenzhen",
    "is_within",
    "level_of",
    "make_building_code",
    "make_component_id",
    "make_grid_code",
    "make_room_code",
    "make_room_codes",
    "parent_code",
    "parse_code",
    "parse_component_id",
    "parse_room_segment",
    "room_segment",
    "room_segments",
    "validate_area_code",
    "validate_component_id",
]

SHENZHEN_CODE = "4403"

#: First two digits of GB/T 2260 codes (省级行政区).
PROVINCE_CODES = frozenset(
    {"11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36"}
    | {"37", "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62"}
    | {"63", "64", "65", "71", "81", "82"}
)

#: Component major classes (部件大类) of SPEC §2.3 / GB/T 30428.
COMPONENT_MAJORS = {
    "01": "市政公用设施",
    "02": "交通设施",
    "03": "市容环卫设施",
    "04": "园林绿化设施",
    "05": "其他",
}


class CodeError(ValueError):
    """A malformed area, grid, building, room or component code."""


class Level(StrEnum):
    """Levels of the hierarchy, from city (市) down to room (房屋, standard address)."""

    CITY = "city"
    DISTRICT = "district"
    STREET = "street"
    COMMUNITY = "community"
    GRID = "grid"
    BUILDING = "building"
    ROOM = "room"

    @property
    def length(self) -> int:
        """Number of digits of a code at this level."""
        return _LENGTHS[self]


_LENGTHS = {
    Level.CITY: 4,
    Level.DISTRICT: 6,
    Level.STREET: 9,
    Level.COMMUNITY: 12,
    Level.GRID: 14,
    Level.BUILDING: 19,
    Level.ROOM: 25,
}
_LEVEL_BY_LENGTH = {length: level for level, length in _LENGTHS.items()}
_LEVELS = list(_LENGTHS)
_LENGTHS_TEXT = ", ".join(f"{length} ({level.value})" for level, length in _LENGTHS.items())
#: (segment name, start, end) of each level's own segment; the city spans two.
_SEGMENTS = {
    Level.CITY: ("city", 2, 4),
    Level.DISTRICT: ("district", 4, 6),
    Level.STREET: ("street", 6, 9),
    Level.COMMUNITY: ("community", 9, 12),
    Level.GRID: ("grid", 12, 14),
    Level.BUILDING: ("building", 14, 19),
    Level.ROOM: ("room", 19, 25),
}


def _require_digits(code: str, what: str) -> None:
    if not code:
        raise CodeError(f"{what} is empty")
    for index, char in enumerate(code):
        if not ("0" <= char <= "9"):
            raise CodeError(f"{what} {code!r}: non-digit {char!r} at position {index + 1}")


def level_of(code: str) -> Level:
    """Return the level of a code from its length.

    Raises
    ------
    CodeError
        If the code has non-digits or a length that is no level.

    Examples
    --------
    >>> level_of("440304"), level_of("4403040010010100012")
    (<Level.DISTRICT: 'district'>, <Level.BUILDING: 'building'>)
    """
    _require_digits(code, "code")
    level = _LEVEL_BY_LENGTH.get(len(code))
    if level is None:
        raise CodeError(f"code {code!r} has {len(code)} digits; codes have {_LENGTHS_TEXT}")
    return level


def _validate_segments(code: str, level: Level) -> None:
    if code[:2] not in PROVINCE_CODES:
        raise CodeError(f"code {code}: {code[:2]} (positions 1–2) is not a GB/T 2260 province code")
    for current in _LEVELS[: _LEVELS.index(level) + 1]:
        name, start, end = _SEGMENTS[current]
        segment = code[start:end]
        if current is Level.ROOM:
            try:
                parse_room_segment(segment)
            except CodeError as exc:
                raise CodeError(f"code {code}, positions {start + 1}–{end}: {exc}") from None
        elif set(segment) == {"0"}:
            raise CodeError(
                f"code {code}: {name} segment (positions {start + 1}–{end}) is {segment}; "
                "sequence numbers start at 1"
            )


def validate_area_code(code: str, level: Level | str | None = None) -> str:
    """Validate a code of any level (or of ``level``) and return it stripped.

    Parameters
    ----------
    code : str
        A digit string of 4, 6, 9, 12, 14, 19 or 25 digits.
    level : Level or str, optional
        Require this level (``"community"``, ``Level.GRID``...).

    Raises
    ------
    CodeError
        Non-digit at position n, wrong length, wrong level, unknown province, or an
        all-zero segment (e.g. street ``000``), or an invalid room segment.

    Examples
    --------
    >>> validate_area_code("440304001001", "community")
    '440304001001'
    >>> try:
    ...     validate_area_code("440304001", "community")
    ... except CodeError as exc:
    ...     print(exc)
    expected a community code (12 digits), got a street code (9 digits): '440304001'
    """
    value = code.strip()
    found = level_of(value)
    if level is not None:
        wanted = Level(level)
        if found is not wanted:
            raise CodeError(
                f"expected a {wanted.value} code ({wanted.length} digits), "
                f"got a {found.value} code ({found.length} digits): {value!r}"
            )
    _validate_segments(value, found)
    return value


def parent_code(code: str) -> str | None:
    """Return the code one level up, or None for a city.

    Examples
    --------
    >>> parent_code("44030400100101"), parent_code("4403")
    ('440304001001', None)
    """
    level = level_of(code)
    index = _LEVELS.index(level)
    return code[: _LEVELS[index - 1].length] if index else None


def ancestors(code: str) -> list[str]:
    """Return the codes above ``code``, from the city down to its parent.

    Examples
    --------
    >>> ancestors("440304001001")
    ['4403', '440304', '440304001']
    """
    level = level_of(code)
    return [code[: upper.length] for upper in _LEVELS[: _LEVELS.index(level)]]


def is_shenzhen(code: str) -> bool:
    """Tell whether a code (area, grid, building, room or component) lies in Shenzhen (4403).

    Examples
    --------
    >>> is_shenzhen("440304001001"), is_shenzhen("110105"), is_shenzhen("44O3")
    (True, False, False)
    """
    return code.isascii() and code.isdigit() and code.startswith(SHENZHEN_CODE)


def is_within(code: str, area: str) -> bool:
    """Tell whether ``code`` is ``area`` or lies below it (the area-scope rule).

    Examples
    --------
    >>> is_within("44030400100101", "440304"), is_within("440305001", "440304")
    (True, False)
    """
    level_of(code)
    level_of(area)
    return code.startswith(area)


@dataclass(frozen=True)
class CodeParts:
    """The segments of a code; segments below its level are None."""

    code: str
    level: Level
    province: str
    city: str
    district: str | None = None
    street: str | None = None
    community: str | None = None
    grid: str | None = None
    building: str | None = None
    room: str | None = None

    def prefix(self, level: Level | str) -> str:
        """The code of the ancestor (or self) at ``level``, e.g. the district code."""
        wanted = Level(level)
        if wanted.length > self.level.length:
            raise CodeError(f"{self.code} is a {self.level.value} code; it has no {wanted} part")
        return self.code[: wanted.length]


def parse_code(code: str) -> CodeParts:
    """Validate a code and split it into its segments.

    Examples
    --------
    >>> parts = parse_code("4403040010010100012100302")
    >>> parts.level, parts.street, parts.building, parts.room
    (<Level.ROOM: 'room'>, '001', '00012', '100302')
    >>> parts.prefix("building")
    '4403040010010100012'
    """
    value = validate_area_code(code)
    level = level_of(value)
    segments: dict[str, str | None] = {}
    for current in _LEVELS[1:]:
        name, start, end = _SEGMENTS[current]
        segments[name] = value[start:end] if current.length <= level.length else None
    return CodeParts(value, level, value[:2], value[2:4], **segments)


def _sequence(value: int, digits: int, what: str) -> str:
    if isinstance(value, bool) or not isinstance(value, int):
        raise CodeError(f"{what} must be an integer, got {value!r}")
    upper = 10**digits - 1
    if not 1 <= value <= upper:
        raise CodeError(f"{what} must be 1–{upper}, got {value}")
    return f"{value:0{digits}d}"


def make_grid_code(community: str, seq: int) -> str:
    """Build a basic-grid code (基础网格编码): community code + 2-digit sequence.

    Examples
    --------
    >>> make_grid_code("440304001001", 3)
    '44030400100103'
    """
    return validate_area_code(community, Level.COMMUNITY) + _sequence(seq, 2, "grid sequence")


def make_building_code(grid: str, seq: int) -> str:
    """Build a building code (楼栋编码, 19 digits): grid code + 5-digit sequence.

    Examples
    --------
    >>> make_building_code("44030400100103", 12)
    '4403040010010300012'
    """
    return validate_area_code(grid, Level.GRID) + _sequence(seq, 5, "building sequence")


@dataclass(frozen=True)
class RoomNumber:
    """The room segment: unit (0 = none), floor (negative below ground), door."""

    unit: int
    floor: int
    door: int

    @property
    def segment(self) -> str:
        """The 6-digit room segment."""
        return room_segment(self.unit, self.floor, self.door)

    @property
    def floor_label(self) -> str:
        """Floor as people say it: ``"12"``, or ``"B2"`` for 地下二层."""
        return f"B{-self.floor}" if self.floor < 0 else str(self.floor)


def room_segment(unit: int, floor: int, door: int) -> str:
    """Encode unit, floor and door as the 6-digit room segment.

    Parameters
    ----------
    unit : int
        单元 0–9, 0 when the building has no units.
    floor : int
        楼层 1–899 above ground, -1 to -99 below ground (B1 = -1); no floor 0.
    door : int
        户号 1–99.

    Examples
    --------
    >>> room_segment(1, 3, 2), room_segment(0, -2, 5), room_segment(2, 118, 1)
    ('100302', '090205', '211801')
    """
    return room_segments([unit], [floor], [door]).tobytes().decode()


def _first_bad(values: NDArray[np.int64], bad: NDArray[np.bool_]) -> int:
    return int(values[np.argmax(bad)])


def room_segments(unit: ArrayLike, floor: ArrayLike, door: ArrayLike) -> NDArray[np.uint8]:
    """Encode many (unit, floor, door) as 6-digit room segments, an ``(n, 6)`` ASCII array.

    Same rules as :func:`room_segment`; an out-of-range value raises :class:`CodeError`
    naming the first one.

    Examples
    --------
    >>> room_segments([1, 0], [3, -2], [2, 5]).view("S6").ravel().tolist()
    [b'100302', b'090205']
    """
    units, floors, doors = (np.asarray(v, dtype=np.int64).reshape(-1) for v in (unit, floor, door))
    bad_unit = (units < 0) | (units > 9)
    if bad_unit.any():
        raise CodeError(f"unit must be 0–9 (0 = no units), got {_first_bad(units, bad_unit)}")
    bad_floor = (floors == 0) | (floors < -99) | (floors > 899)
    if bad_floor.any():
        raise CodeError(
            f"floor must be 1–899 or -1 to -99 (basement), got {_first_bad(floors, bad_floor)}"
        )
    bad_door = (doors < 1) | (doors > 99)
    if bad_door.any():
        raise CodeError(f"door must be 1–99, got {_first_bad(doors, bad_door)}")
    floor_digits = np.where(floors < 0, 900 - floors, floors)  # B1 = 901
    return np.hstack([digits(units, 1), digits(floor_digits, 3), digits(doors, 2)])


def make_room_codes(
    building_codes: NDArray[np.uint8], unit: ArrayLike, floor: ArrayLike, door: ArrayLike
) -> NDArray[np.uint8]:
    """Many 25-digit room codes: ``(n, 19)`` ASCII building codes + :func:`room_segments`.

    Examples
    --------
    >>> building = np.frombuffer(b"4403040010010300012", np.uint8)[None, :]
    >>> make_room_codes(building, [1], [3], [2]).view("S25").ravel().tolist()
    [b'4403040010010300012100302']
    """
    codes = np.asarray(building_codes, dtype=np.uint8)
    if codes.ndim != 2 or codes.shape[1] != Level.BUILDING.length:
        raise CodeError(f"building codes must be an (n, 19) ASCII array, got {codes.shape}")
    return np.hstack([codes, room_segments(unit, floor, door)])


def parse_room_segment(segment: str) -> RoomNumber:
    """Decode a 6-digit room segment.

    Examples
    --------
    >>> parse_room_segment("090205")
    RoomNumber(unit=0, floor=-2, door=5)
    """
    _require_digits(segment, "room segment")
    if len(segment) != 6:
        raise CodeError(f"room segment must be 6 digits, got {len(segment)}: {segment!r}")
    floor_digits = int(segment[1:4])
    if floor_digits in (0, 900):
        raise CodeError(
            f"room segment {segment}: floor {segment[1:4]} (positions 2–4) is not a floor; "
            "use 001–899 above ground, 901–999 below"
        )
    floor = floor_digits if floor_digits < 900 else 900 - floor_digits
    if segment[4:] == "00":
        raise CodeError(f"room segment {segment}: door 00 (positions 5–6); doors start at 01")
    return RoomNumber(int(segment[0]), floor, int(segment[4:]))


def make_room_code(building: str, room: str | RoomNumber) -> str:
    """Build a standard-address room code (25 digits): building code + room segment.

    Examples
    --------
    >>> make_room_code("4403040010010300012", RoomNumber(1, 3, 2))
    '4403040010010300012100302'
    """
    segment = room.segment if isinstance(room, RoomNumber) else room
    parse_room_segment(segment)
    return validate_area_code(building, Level.BUILDING) + segment


@dataclass(frozen=True)
class ComponentId:
    """The segments of a city-component id (部件编码)."""

    district: str  #: 6-digit district code
    major: str  #: 2-digit major class (大类)
    minor: str  #: 3-digit minor class (小类)
    sequence: str  #: 6-digit sequence (流水号)

    @property
    def code(self) -> str:
        """The 17-digit id."""
        return self.district + self.major + self.minor + self.sequence


def parse_component_id(code: str) -> ComponentId:
    """Validate a 17-digit component id and split it.

    Examples
    --------
    >>> parse_component_id("44030401001000123")
    ComponentId(district='440304', major='01', minor='001', sequence='000123')
    """
    value = code.strip()
    _require_digits(value, "component id")
    if len(value) != 17:
        raise CodeError(f"component id must be 17 digits, got {len(value)}: {value!r}")
    validate_area_code(value[:6], Level.DISTRICT)
    if value[6:8] not in COMPONENT_MAJORS:
        raise CodeError(
            f"component id {value}: unknown major class {value[6:8]} (positions 7–8); "
            f"expected one of {', '.join(COMPONENT_MAJORS)}"
        )
    if value[8:11] == "000":
        raise CodeError(f"component id {value}: minor class 000 (positions 9–11)")
    if value[11:] == "000000":
        raise CodeError(f"component id {value}: sequence 000000 (positions 12–17)")
    return ComponentId(value[:6], value[6:8], value[8:11], value[11:])


def validate_component_id(code: str) -> str:
    """Validate a component id and return it stripped."""
    return parse_component_id(code).code


def make_component_id(district: str, major: str, minor: str, sequence: int) -> str:
    """Build a component id from district, major (2 digits), minor (3 digits), sequence.

    Examples
    --------
    >>> make_component_id("440304", "01", "001", 123)
    '44030401001000123'
    """
    if len(major) != 2 or len(minor) != 3:
        raise CodeError(f"major class has 2 digits and minor 3, got {major!r} and {minor!r}")
    return validate_component_id(district + major + minor + _sequence(sequence, 6, "sequence"))


def digits(values: ArrayLike, width: int) -> NDArray[np.uint8]:
    """Zero-padded decimal digits of non-negative integers as an ``(n, width)`` ASCII array.

    Examples
    --------
    >>> digits([7, 1234], 5).view("S5").ravel().tolist()
    [b'00007', b'01234']
    """
    numbers = np.asarray(values, dtype=np.int64).reshape(-1)
    if len(numbers) and (numbers.min() < 0 or numbers.max() >= 10**width):
        raise ValueError(f"values must be 0..{10**width - 1} for {width} digits")
    powers = 10 ** np.arange(width - 1, -1, -1, dtype=np.int64)
    return ((numbers[:, None] // powers) % 10 + ord("0")).astype(np.uint8)
