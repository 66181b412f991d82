"""Routing rules decide the department; the calendar decides working-hour deadlines."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import text

from api.events.calendar import BEIJING, WorkCalendar
from tests.api.events.helpers import act, report


async def test_the_most_specific_routing_rule_wins(client, session, as_user):
    admin, street = await as_user("admin"), await as_user("street")
    ids = dict(
        (
            await session.execute(
                text(
                    "SELECT code, id FROM departments"
                    " WHERE code IN ('water', 'city-management-440304')"
                )
            )
        ).all()
    )
    category = await session.scalar(
        text("SELECT id FROM event_categories WHERE major = '06' AND minor = '001'")
    )
    for prefix, dept in (("440304", "city-management-440304"), ("44030400100101", "water")):
        response = await client.put(
            "/api/routing-rules",
            headers=admin,
            json={"category_id": category, "area_prefix": prefix, "department_id": ids[dept]},
        )
        assert response.status_code == 200, response.text
    event_id = (await report(client, await as_user("worker-a"))).json()["id"]
    await act(client, street, event_id, "accept")
    dispatched = (await act(client, street, event_id, "dispatch")).json()
    assert dispatched["department"] == "深圳市水务局"
    other = (await report(client, await as_user("worker-b"), lon=114.0132, lat=22.5332)).json()[
        "id"
    ]
    await act(client, street, other, "accept")
    assert (await act(client, street, other, "dispatch")).json()["department"] == (
        "福田区城市管理和综合执法局"
    )


async def test_rules_need_the_permission_and_valid_codes(client, as_user):
    refused = await client.put(
        "/api/routing-rules",
        headers=await as_user("futian"),
        json={"category_id": 1, "area_prefix": "440304", "department_id": 1},
    )
    assert refused.status_code == 403
    bad = await client.put(
        "/api/routing-rules",
        headers=await as_user("admin"),
        json={"category_id": 1, "area_prefix": "44030", "department_id": 1},
    )
    assert bad.status_code == 422 and "5 digits" in bad.json()["message"]


def test_working_hours_skip_lunch_nights_weekends_and_holidays():
    calendar = WorkCalendar(exceptions={date(2026, 10, 1): False, date(2026, 10, 10): True})
    # 11:00 + 2 working hours → 12:00, then 13:30–14:30 after lunch
    start = datetime(2026, 9, 30, 11, 0, tzinfo=BEIJING)
    assert calendar.add(start, 120, working_hours=True) == datetime(
        2026, 9, 30, 14, 30, tzinfo=BEIJING
    )
    # 17:30 on 9-30 + 1 working hour: 30 min that day; 10-01 is a holiday → 10-02 09:00
    late = datetime(2026, 9, 30, 17, 30, tzinfo=BEIJING)
    assert calendar.add(late, 60, working_hours=True) == datetime(2026, 10, 2, 9, 0, tzinfo=BEIJING)
    # Saturday 10-10 is a swapped working day (调休)
    friday = datetime(2026, 10, 9, 17, 0, tzinfo=BEIJING)
    assert calendar.add(friday, 120, working_hours=True) == datetime(
        2026, 10, 10, 9, 30, tzinfo=BEIJING
    )
    # one working day (8 h) from Friday 08:30 ends Friday 18:00; at night nothing counts
    assert calendar.add(
        datetime(2026, 11, 20, 8, 30, tzinfo=BEIJING), 480, working_hours=True
    ) == datetime(2026, 11, 20, 18, tzinfo=BEIJING)
    assert calendar.add(
        datetime(2026, 11, 20, 22, 0, tzinfo=BEIJING), 30, working_hours=True
    ) == datetime(2026, 11, 23, 9, 0, tzinfo=BEIJING)


async def test_the_calendar_api_stores_exceptions(client, as_user):
    admin = await as_user("admin")
    put = await client.put(
        "/api/work-calendar/2027-01-01", headers=admin, json={"is_workday": False, "note": "元旦"}
    )
    assert put.status_code == 200
    days = (await client.get("/api/work-calendar", headers=admin)).json()
    assert {"day": "2027-01-01", "is_workday": False, "note": "元旦"} in days


async def test_departments_are_listed_for_the_dispatch_picker(client, as_user):
    rows = (await client.get("/api/departments", headers=await as_user("street"))).json()
    codes = {row["code"] for row in rows}
    assert {"city-management", "water", "city-management-440304"} <= codes
    assert len(rows) == 27
