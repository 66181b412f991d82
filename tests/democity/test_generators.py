"""What the demo adds to the library's generators: serial credit codes, µs deadlines, columns."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from api.events.calendar import BEIJING, WorkCalendar
from democity.columns import VarBytes, digits
from democity.entities import credit_codes
from grids.identifiers import validate_credit_code

#: 2026's National Day holiday (国庆节): 1–7 October off, Saturday 10 October worked (调休).
NATIONAL_DAY = {dt.date(2026, 10, d): False for d in range(1, 8)} | {dt.date(2026, 10, 10): True}


def micros(moment: dt.datetime) -> int:
    return (moment - dt.datetime(1970, 1, 1, tzinfo=dt.UTC)) // dt.timedelta(microseconds=1)


def beijing(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=BEIJING)


def test_credit_codes_from_serials_are_valid_and_distinct():
    serial = np.arange(0, 887 * 10**6, 443_501, dtype=np.int64)  # 2,001 serials
    n = len(serial)
    codes = credit_codes(
        np.frombuffer(b"91" * n, np.uint8).reshape(n, 2),
        np.frombuffer(b"440304" * n, np.uint8).reshape(n, 6),
        serial,
    )
    text = [row.tobytes().decode() for row in codes]
    assert all(validate_credit_code(code) == code for code in text)
    assert all(code.startswith("91440304MA") for code in text)
    assert len(set(text)) == n  # the scramble is a bijection


@pytest.mark.parametrize(
    ("start", "minutes", "expected"),
    [
        (beijing(2026, 9, 30, 17, 0), 120, beijing(2026, 10, 8, 9, 30)),  # over the holiday
        (beijing(2026, 10, 9, 17, 30), 60, beijing(2026, 10, 10, 9, 0)),  # the worked Saturday
        (beijing(2026, 10, 12, 11, 30), 60, beijing(2026, 10, 12, 14, 0)),  # over lunch
        (beijing(2026, 10, 12, 7, 0), 480, beijing(2026, 10, 12, 18, 0)),  # one whole day
        (beijing(2026, 10, 12, 12, 15, 0, 7), 1, beijing(2026, 10, 12, 13, 31)),
    ],
)
def test_working_minutes_in_microseconds(start, minutes, expected):
    calendar = WorkCalendar(exceptions=NATIONAL_DAY)
    assert calendar.add_micros(micros(start), minutes, working_hours=True) == micros(expected)
    assert calendar.add(start, minutes, working_hours=True) == expected
    assert calendar.add_micros(micros(start), minutes, working_hours=False) == micros(
        start + dt.timedelta(minutes=minutes)
    )


def test_a_year_of_holidays_is_refused():
    never = WorkCalendar(
        exceptions={dt.date(2026, 1, 1) + dt.timedelta(d): False for d in range(400)}
    )
    with pytest.raises(ValueError, match="do not fit in a year"):
        never.add_micros(micros(beijing(2026, 1, 1, 9, 0)), 1, working_hours=True)


def test_var_bytes_build_text_columns_without_python_rows():
    names = VarBytes.concat(
        VarBytes.from_vocab(["陈", "欧阳"], [0, 1, 1]),
        "小",
        VarBytes.from_strings(["明", None, "红"]),
    )
    assert names.to_strings() == ["陈小明", None, "欧阳小红"]
    assert names.take([2, 0]).to_strings() == ["欧阳小红", "陈小明"]
    assert names.to_arrow().to_pylist() == ["陈小明".encode(), None, "欧阳小红".encode()]
    assert VarBytes.from_fixed(digits([7, 42], 3)).to_arrow().to_pylist() == [b"007", b"042"]
