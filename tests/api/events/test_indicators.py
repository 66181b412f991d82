"""Indicators against a hand-computed fixture (October 2026, Beijing time, 福田 440304).

Events (category 暴露垃圾, grid 44030400100101 unless noted):

    E1  due 10-05, closed 10-04 (on time), dispatched 10-03 → 24 h   city management (D1)
    E2  due 10-10, closed 10-12 (late),    dispatched 10-09 → 72 h   D1
    E3  due 10-15, handling                                          water (D2)
    E4  due 10-20, postponed                                         D2
    E5  due 10-25, rejected (never counts)
    E6  due 11-02 (outside), closed 10-30, dispatched 10-29 → 24 h   D1
    E7  南山 (440305), due 10-05, closed: outside the area

Steps in October: accept E1 (on time), E2 (late), E3 (on time); dispatch E1, E2 (D1),
E3, E4 (D2); return E3 (D2); verify_fail E2 (D1).

By hand: 应结案 4, 缓办 1, 结案 2, 按期结案 1 → 结案率 2/3, 按期结案率 1/3;
立案 3, 按时立案 2 → 2/3; 派遣 4, 退回 1 → 准确派遣率 3/4; 返工 1 → 返工率 1/4;
mean handling (E1, E2, E6 closed in October) = (24 + 72 + 24) / 3 = 40 h.
"""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import text

from api.events.calendar import BEIJING

EVENTS = [
    # name, grid, status, due, closed, dispatched, department code
    ("E1", "44030400100101", "closed", "10-05", "10-04", "10-03", "city-management"),
    ("E2", "44030400100101", "closed", "10-10", "10-12", "10-09", "city-management"),
    ("E3", "44030400100101", "handling", "10-15", None, "10-14", "water"),
    ("E4", "44030400100101", "postponed", "10-20", None, "10-19", "water"),
    ("E5", "44030400100101", "rejected", "10-25", None, None, None),
    ("E6", "44030400100101", "closed", "11-02", "10-30", "10-29", "city-management"),
    ("E7", "44030500100101", "closed", "10-05", "10-04", "10-03", "city-management"),
]
STEPS = [
    # event, action, at, stage due, department code
    ("E1", "accept", "10-02 10:00", "10-02 10:30", None),
    ("E2", "accept", "10-08 11:00", "10-08 10:30", None),
    ("E3", "accept", "10-14 09:00", "10-14 09:30", None),
    ("E1", "dispatch", "10-02 10:10", None, "city-management"),
    ("E2", "dispatch", "10-08 11:10", None, "city-management"),
    ("E3", "dispatch", "10-14 09:10", None, "water"),
    ("E4", "dispatch", "10-19 09:10", None, "water"),
    ("E3", "return", "10-14 10:00", None, "water"),
    ("E2", "verify_fail", "10-11 10:00", None, "city-management"),
]


def at(day: str | None) -> datetime | None:
    """'10-02 10:30' (Beijing time, 2026) as an aware datetime."""
    if day is None:
        return None
    return datetime.strptime(
        f"2026-{day}" + ("" if ":" in day else " 00:00"), "%Y-%m-%d %H:%M"
    ).replace(tzinfo=BEIJING)


@pytest.fixture
async def october(session):
    departments = dict((await session.execute(text("SELECT code, id FROM departments"))).all())
    ids = {}
    for n, (name, grid, status, due, closed, dispatched, dept) in enumerate(EVENTS):
        ids[name] = await session.scalar(
            text("""
            INSERT INTO events (code, category_id, source, title, geom, geom_3857, grid_code,
                                status, reported_at, due_at, closed_at, dispatched_at,
                                department_id)
            SELECT :code, c.id, 'patrol', :code, ST_SetSRID(ST_MakePoint(114.0, 22.5), 4326),
                   ST_Transform(ST_SetSRID(ST_MakePoint(114.0, 22.5), 4326), 3857), :grid,
                   :status, :reported, :due, :closed, :dispatched, :dept
            FROM event_categories c WHERE c.major = '06' AND c.minor = '001'
            RETURNING id"""),
            {
                "code": f"IND{n}",
                "grid": grid,
                "status": status,
                "reported": at("10-01"),
                "due": at(due),
                "closed": at(closed),
                "dispatched": at(dispatched),
                "dept": departments.get(dept),
            },
        )
    for event, action, moment, stage_due, dept in STEPS:
        await session.execute(
            text("""
            INSERT INTO event_actions (event_id, action, from_status, to_status, at,
                                       stage_due_at, department_id)
            VALUES (:event, :action, 'x', 'y', :at, :due, :dept)"""),
            {
                "event": ids[event],
                "action": action,
                "at": at(moment),
                "due": at(stage_due),
                "dept": departments.get(dept),
            },
        )
    await session.commit()
    return departments


async def test_indicators_match_the_hand_computed_values(client, as_user, october):
    body = (
        await client.get(
            "/api/indicators",
            params={"area": "440304", "period": "2026-10"},
            headers=await as_user("futian"),
        )
    ).json()
    assert body["counts"] == {
        "filed": 3,
        "filed_on_time": 2,
        "dispatched": 4,
        "returned": 1,
        "reworked": 1,
        "due": 4,
        "closed": 2,
        "closed_on_time": 1,
        "postponed": 1,
        "closed_in_period": 3,
    }
    assert body["rates"] == {
        "closure_rate": 0.6667,
        "on_time_closure_rate": 0.3333,
        "rework_rate": 0.25,
        "on_time_filing_rate": 0.6667,
        "accurate_dispatch_rate": 0.75,
    }
    assert body["mean_handling_hours"] == 40.0


async def test_the_league_table_ranks_departments(client, as_user, october):
    body = (
        await client.get(
            "/api/indicators",
            params={"area": "440304", "period": "2026-10"},
            headers=await as_user("futian"),
        )
    ).json()
    league = [
        (
            row["department"],
            row["rates"]["on_time_closure_rate"],
            row["rates"]["closure_rate"],
            row["rates"]["rework_rate"],
            row["rates"]["accurate_dispatch_rate"],
        )
        for row in body["departments"]
    ]
    assert league == [
        ("深圳市城市管理和综合执法局", 0.5, 1.0, 0.5, 1.0),
        ("深圳市水务局", 0.0, 0.0, 0.0, 0.5),
    ]


async def test_one_department_and_another_period(client, as_user, october):
    headers = await as_user("admin")
    water = (
        await client.get(
            "/api/indicators",
            headers=headers,
            params={"area": "4403", "period": "2026-10", "department_id": october["water"]},
        )
    ).json()
    assert (water["counts"]["due"], water["counts"]["postponed"], water["counts"]["returned"]) == (
        2,
        1,
        1,
    )
    november = (
        await client.get(
            "/api/indicators",
            headers=headers,
            params={"area": "440304", "from": "2026-11-01", "to": "2026-11-30"},
        )
    ).json()
    assert november["counts"]["due"] == 1 and november["rates"]["closure_rate"] == 1.0


async def test_bad_periods_and_areas_outside_the_scope(client, as_user, october):
    headers = await as_user("futian")
    bad = await client.get("/api/indicators", params={"period": "2026-13"}, headers=headers)
    # the pattern is declared in the OpenAPI document, so a bad month is a 422 like any field
    assert bad.status_code == 422 and bad.json()["details"][0]["field"] == "query.period"
    outside = await client.get(
        "/api/indicators", params={"area": "440305", "period": "2026-10"}, headers=headers
    )
    assert outside.status_code == 403
