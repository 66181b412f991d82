"""Shared column conditions, evaluated by PostgreSQL."""

from __future__ import annotations

from sqlalchemy import text

from api.columns import digits

BUILDING_CODE = "4403040010010100001"


async def test_digits_holds_for_exactly_that_many_ascii_digits(session):
    values = [
        BUILDING_CODE,
        BUILDING_CODE[:-1],  # 18 digits
        BUILDING_CODE + "1",  # 20
        BUILDING_CODE[:-1] + "x",
        "４" + BUILDING_CODE[1:],  # a full-width digit: 19 characters, 21 bytes
        " " + BUILDING_CODE[1:],
        "",
    ]
    rows = await session.execute(
        text(f"SELECT v, {digits('v', 19)} FROM unnest(CAST(:values AS text[])) AS v"),
        {"values": values},
    )
    assert dict(rows.all()) == {value: value == BUILDING_CODE for value in values}
