"""The demo generator's vectorised twins agree with the reference implementations."""

from __future__ import annotations

import datetime as dt

import numpy as np
import shapely

from api.events.calendar import BEIJING, WorkCalendar
from democity.buildings import Rooms, room_codes
from democity.columns import VarBytes, ascii_rows, digits
from democity.entities import credit_codes
from democity.population import id_numbers
from democity.tables import to_web_mercator
from democity.workflow import WorkingTime
from gis.crs import from_wgs84
from grids.codes import make_room_code, room_segment
from grids.identifiers import make_credit_code, make_id_number, validate_credit_code

RNG = np.random.default_rng(20111)
EPOCH = dt.date(1970, 1, 1)


def _text(block: np.ndarray) -> list[str]:
    return [row.tobytes().decode() for row in block]


def test_id_numbers_match_make_id_number():
    n = 500
    regions = RNG.choice(["440304", "440301", "430524", "452601", "110105"], n)
    days = RNG.integers(-20_000, 20_000, n)
    sequence = RNG.integers(0, 1000, n)
    fast = _text(id_numbers(regions, days, sequence))
    slow = [
        make_id_number(r, EPOCH + dt.timedelta(days=int(d)), int(s))
        for r, d, s in zip(regions, days, sequence, strict=True)
    ]
    assert fast == slow
    assert any(number.endswith("X") for number in fast)


def test_credit_codes_match_make_credit_code_and_validate():
    n = 500
    serial = RNG.integers(0, 887 * 10**6, n)
    prefix = np.array(["91", "92", "51", "52", "12", "11"])[RNG.integers(0, 6, n)]
    division = np.array(["440300", "440304", "440306"])[RNG.integers(0, 3, n)]
    codes = _text(
        credit_codes(
            prefix.astype("S2").view(np.uint8).reshape(-1, 2),
            division.astype("S6").view(np.uint8).reshape(-1, 6),
            serial,
        )
    )
    for code in codes:
        assert validate_credit_code(code) == code
        assert make_credit_code(code[0], code[1], code[2:8], code[8:16]) == code
    # the scramble is a bijection: distinct serials, distinct codes
    distinct = np.unique(serial)
    assert len(
        set(
            _text(
                credit_codes(
                    np.tile(np.frombuffer(b"91", np.uint8), (len(distinct), 1)),
                    np.tile(np.frombuffer(b"440300", np.uint8), (len(distinct), 1)),
                    distinct,
                )
            )
        )
    ) == len(distinct)


def test_room_codes_match_make_room_code():
    building = ascii_rows("44030400100101", digits(np.arange(1, 4), 5))
    n = 300
    rooms = Rooms(
        building=RNG.integers(0, 3, n),
        unit=RNG.integers(0, 10, n),
        floor=np.where(RNG.random(n) < 0.2, -RNG.integers(1, 5, n), RNG.integers(1, 120, n)),
        door=RNG.integers(1, 100, n),
        use=np.zeros(n, dtype=np.int64),
        area_cents=np.ones(n, dtype=np.int64),
        rental=np.zeros(n, dtype=bool),
    )
    fast = _text(room_codes(building, rooms))
    slow = [
        make_room_code(_text(building[b : b + 1])[0], room_segment(int(u), int(f), int(d)))
        for b, u, f, d in zip(rooms.building, rooms.unit, rooms.floor, rooms.door, strict=True)
    ]
    assert fast == slow


def test_working_time_matches_the_work_calendar():
    holidays = {
        dt.date(2026, 10, 1): False,
        dt.date(2026, 10, 2): False,
        dt.date(2026, 10, 10): True,
    }
    slow = WorkCalendar(exceptions=holidays)
    fast = WorkingTime({(day - EPOCH).days: workday for day, workday in holidays.items()})
    start = dt.datetime(2026, 9, 25, tzinfo=BEIJING)
    for _ in range(400):
        at = start + dt.timedelta(
            minutes=int(RNG.integers(0, 30 * 24 * 60)), seconds=int(RNG.integers(0, 60))
        )
        minutes = int(RNG.choice([10, 30, 60, 120, 240, 480, 2400]))
        working = bool(RNG.random() < 0.8)
        expected = slow.add(at, minutes, working_hours=working)
        got = fast.add(int(at.timestamp() * 1e6), minutes, working)
        assert abs(got - expected.timestamp() * 1e6) < 1, (at, minutes, working)


def test_web_mercator_matches_pyproj():
    lonlat = np.column_stack([RNG.uniform(113.7, 114.7, 50), RNG.uniform(22.4, 22.9, 50)])
    ours = to_web_mercator(lonlat)
    reference = shapely.get_coordinates(from_wgs84(shapely.points(lonlat), 3857))
    assert np.allclose(ours, reference, atol=1e-6)


def test_var_bytes_build_text_columns_without_python_rows():
    names = VarBytes.concat(
        VarBytes.from_vocab(["陈", "欧阳"], [0, 1, 1]),
        "小",
        VarBytes.from_strings(["明", None, "红"]),
    )
    assert names.to_strings() == ["陈小明", None, "欧阳小红"]
    assert names.take([2, 0]).to_strings() == ["欧阳小红", "陈小明"]
    assert digits([7], 3).tobytes() == b"007"
