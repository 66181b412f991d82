"""Hierarchical area / grid / building / room codes and component ids."""

from __future__ import annotations

import csv
import doctest
from pathlib import Path

import numpy as np
import pytest

from grids import codes
from grids.codes import (
    CodeError,
    ComponentId,
    Level,
    RoomNumber,
    ancestors,
    is_shenzhen,
    is_within,
    level_of,
    make_building_code,
    make_component_id,
    make_grid_code,
    make_room_code,
    make_room_codes,
    parent_code,
    parse_code,
    parse_component_id,
    parse_room_segment,
    room_segment,
    room_segments,
    validate_area_code,
    validate_component_id,
)

SHENZHEN_DATA = Path(codes.__file__).parent / "data" / "shenzhen"
COMMUNITY = "440304001001"
GRID = "44030400100101"
BUILDING = "4403040010010100012"
ROOM = "4403040010010100012100302"


@pytest.mark.parametrize(
    ("code", "level"),
    [
        ("4403", Level.CITY),
        ("440304", Level.DISTRICT),
        ("440304001", Level.STREET),
        (COMMUNITY, Level.COMMUNITY),
        (GRID, Level.GRID),
        (BUILDING, Level.BUILDING),
        (ROOM, Level.ROOM),
    ],
)
def test_level_of(code: str, level: Level) -> None:
    assert level_of(code) is level
    assert level.length == len(code)
    assert validate_area_code(code, level) == code
    assert validate_area_code(code, level.value) == code


def test_level_of_refuses_other_lengths() -> None:
    with pytest.raises(CodeError, match=r"has 13 digits; codes have 4 \(city\), 6 \(district\)"):
        level_of("4403040010010")
    with pytest.raises(CodeError, match="code is empty"):
        level_of("")


def test_parent_and_ancestors() -> None:
    assert parent_code(ROOM) == BUILDING
    assert parent_code(BUILDING) == GRID
    assert parent_code(GRID) == COMMUNITY
    assert parent_code("440304") == "4403"
    assert parent_code("4403") is None
    assert ancestors(ROOM) == ["4403", "440304", "440304001", COMMUNITY, GRID, BUILDING]
    assert ancestors("4403") == []


@pytest.mark.parametrize(
    ("code", "level", "message"),
    [
        ("44030a", None, "non-digit 'a' at position 6"),
        ("440304001", "community", r"expected a community code \(12 digits\), got a street"),
        ("9903", None, r"99 \(positions 1–2\) is not a GB/T 2260 province code"),
        ("4400", None, r"city segment \(positions 3–4\) is 00"),
        ("440300", None, r"district segment \(positions 5–6\) is 00"),
        ("440304000", None, r"street segment \(positions 7–9\) is 000"),
        ("440304001000", None, r"community segment \(positions 10–12\) is 000"),
        ("44030400100100", None, r"grid segment \(positions 13–14\) is 00"),
        ("4403040010010100000", None, r"building segment \(positions 15–19\) is 00000"),
        (BUILDING + "100300", None, r"positions 20–25: .*door 00"),
        (BUILDING + "100002", None, r"positions 20–25: .*floor 000"),
        (BUILDING + "190002", None, r"positions 20–25: .*floor 900"),
    ],
)
def test_invalid_codes_are_refused_precisely(code: str, level: str | None, message: str) -> None:
    with pytest.raises(CodeError, match=message):
        validate_area_code(code, level)


def test_real_shenzhen_codes_validate() -> None:
    count = 0
    for name, level in (
        ("districts", Level.DISTRICT),
        ("streets", Level.STREET),
        ("communities", Level.COMMUNITY),
    ):
        with (SHENZHEN_DATA / f"{name}.csv").open(encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                assert validate_area_code(row["code"], level) == row["code"]
                assert is_shenzhen(row["code"])
                if "areaCode" in row:
                    assert ancestors(row["code"])[1] == row["areaCode"]
                count += 1
    assert count == 9 + 79 + 788


def test_make_grid_building_and_room_codes() -> None:
    assert make_grid_code(COMMUNITY, 1) == GRID
    assert make_building_code(GRID, 12) == BUILDING
    assert make_room_code(BUILDING, "100302") == ROOM
    assert make_room_code(BUILDING, RoomNumber(unit=1, floor=3, door=2)) == ROOM
    assert make_grid_code(COMMUNITY, 99).endswith("99")
    assert make_building_code(GRID, 99999).endswith("99999")


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: make_grid_code(COMMUNITY, 0), "grid sequence must be 1–99, got 0"),
        (lambda: make_grid_code(COMMUNITY, 100), "grid sequence must be 1–99, got 100"),
        (lambda: make_grid_code("440304001", 1), "expected a community code"),
        (lambda: make_building_code(GRID, 100000), "building sequence must be 1–99999"),
        (lambda: make_building_code(COMMUNITY, 1), "expected a grid code"),
        (lambda: make_room_code(GRID, "100302"), "expected a building code"),
        (lambda: make_room_code(BUILDING, "10030"), "room segment must be 6 digits, got 5"),
        (lambda: make_grid_code(COMMUNITY, True), "must be an integer, got True"),
    ],
)
def test_make_functions_refuse_bad_parts(call: object, message: str) -> None:
    with pytest.raises(CodeError, match=message):
        call()  # type: ignore[operator]


@pytest.mark.parametrize(
    ("unit", "floor", "door", "segment", "label"),
    [
        (1, 3, 2, "100302", "3"),
        (0, 1, 1, "000101", "1"),
        (2, 118, 1, "211801", "118"),  # 平安金融中心 has 118 storeys
        (0, -1, 5, "090105", "B1"),
        (9, -99, 99, "999999", "B99"),
        (3, 899, 10, "389910", "899"),
    ],
)
def test_room_segment_layout(unit: int, floor: int, door: int, segment: str, label: str) -> None:
    assert room_segment(unit, floor, door) == segment
    room = parse_room_segment(segment)
    assert room == RoomNumber(unit, floor, door)
    assert room.segment == segment
    assert room.floor_label == label


@pytest.mark.parametrize(
    ("unit", "floor", "door", "message"),
    [
        (10, 1, 1, "unit must be 0–9"),
        (1, 0, 1, "floor must be 1–899 or -1 to -99"),
        (1, 900, 1, "floor must be 1–899 or -1 to -99"),
        (1, -100, 1, "floor must be 1–899 or -1 to -99"),
        (1, 1, 0, "door must be 1–99, got 0"),
        (1, 1, 100, "door must be 1–99, got 100"),
    ],
)
def test_room_segment_refuses_bad_parts(unit: int, floor: int, door: int, message: str) -> None:
    with pytest.raises(CodeError, match=message):
        room_segment(unit, floor, door)


def test_parse_code_segments() -> None:
    parts = parse_code(ROOM)
    assert parts.level is Level.ROOM
    assert (parts.province, parts.city, parts.district) == ("44", "03", "04")
    assert (parts.street, parts.community, parts.grid) == ("001", "001", "01")
    assert (parts.building, parts.room) == ("00012", "100302")
    assert parts.prefix(Level.DISTRICT) == "440304"
    assert parts.prefix("building") == BUILDING
    street = parse_code("440304001")
    assert street.community is None and street.room is None
    with pytest.raises(CodeError, match="it has no grid part"):
        street.prefix("grid")


def test_is_shenzhen_and_is_within() -> None:
    assert is_shenzhen(ROOM) and is_shenzhen("4403")
    assert not is_shenzhen("110105") and not is_shenzhen("440") and not is_shenzhen("44O304")
    assert is_shenzhen(make_component_id("440304", "01", "001", 1))
    assert is_within(ROOM, "440304") and is_within("440304", "440304")
    assert not is_within("440305001", "440304")
    with pytest.raises(CodeError):
        is_within("44030", "4403")


def test_component_ids() -> None:
    code = make_component_id("440304", "01", "001", 123)
    assert code == "44030401001000123"
    assert len(code) == 17
    assert parse_component_id(code) == ComponentId("440304", "01", "001", "000123")
    assert parse_component_id(code).code == code
    assert validate_component_id(f" {code} ") == code


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("4403040100100012", "component id must be 17 digits, got 16"),
        ("44030401001O00123", "non-digit 'O' at position 12"),
        ("44030006001000123", r"district segment \(positions 5–6\) is 00"),
        ("44030406001000123", r"unknown major class 06 \(positions 7–8\)"),
        ("44030401000000123", r"minor class 000 \(positions 9–11\)"),
        ("44030401001000000", r"sequence 000000 \(positions 12–17\)"),
    ],
)
def test_bad_component_ids(code: str, message: str) -> None:
    with pytest.raises(CodeError, match=message):
        validate_component_id(code)


def test_make_component_id_refuses_bad_parts() -> None:
    with pytest.raises(CodeError, match="major class has 2 digits and minor 3"):
        make_component_id("440304", "1", "001", 1)
    with pytest.raises(CodeError, match="sequence must be 1–999999"):
        make_component_id("440304", "01", "001", 1_000_000)


def test_docstring_examples() -> None:
    assert doctest.testmod(codes).failed == 0


def test_room_segments_and_codes_for_many_rooms_at_once() -> None:
    layouts = [
        (1, 3, 2, "100302"),
        (0, 1, 1, "000101"),
        (2, 118, 1, "211801"),
        (0, -1, 5, "090105"),
        (9, -99, 99, "999999"),
        (3, 899, 10, "389910"),
    ]
    unit, floor, door, expected = (list(column) for column in zip(*layouts, strict=True))
    segments = room_segments(unit, floor, door)
    assert segments.shape == (6, 6) and segments.dtype == np.uint8
    assert [row.tobytes().decode() for row in segments] == expected
    building = np.frombuffer(b"4403040010010300012" * 6, np.uint8).reshape(6, 19)
    codes = make_room_codes(building, unit, floor, door)
    assert [row.tobytes().decode() for row in codes] == [
        "4403040010010300012" + segment for segment in expected
    ]
    assert codes[0].tobytes().decode() == make_room_code("4403040010010300012", "100302")
    with pytest.raises(CodeError, match=r"\(n, 19\)"):
        make_room_codes(building[:, :14], unit, floor, door)


def test_room_segments_name_the_first_bad_value() -> None:
    with pytest.raises(CodeError, match=r"floor must be 1–899 or -1 to -99 .*got 900"):
        room_segments([1, 1, 1], [3, 900, -100], [1, 1, 1])
    with pytest.raises(CodeError, match="door must be 1–99, got 100"):
        room_segments([1, 1], [3, 3], [1, 100])
    with pytest.raises(CodeError, match=r"unit must be 0–9 .*got -1"):
        room_segments([-1], [3], [1])
