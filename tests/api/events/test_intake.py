"""Unified intake: location to building and grid, duplicates, idempotency, bad input."""

from __future__ import annotations

from sqlalchemy import func, select

from api.events.models import Event
from tests.api.events.helpers import AT_BUILDING_A, IN_GRID_B, report


async def test_a_worker_reports_at_a_building_and_it_is_located(client, as_user):
    response = await report(client, await as_user("worker-a"))
    assert response.status_code == 201, response.text
    event = response.json()
    assert event["building_code"] == "4403040010010100001"
    assert event["grid_code"] == "44030400100101"
    assert (event["status"], event["status_label"], event["source"]) == (
        "reported",
        "待受理",
        "patrol",
    )
    assert event["category"] == "暴露垃圾" and event["priority"] == 2
    assert event["code"].startswith("E") and len(event["code"]) == 16
    assert response.headers["etag"] == f'"e{event["id"]}v1"'
    assert [a["action"] for a in event["actions"]] == ["report"]
    assert event["stage_due_at"] > event["reported_at"]


async def test_a_point_away_from_buildings_lands_in_its_grid(client, as_user):
    response = await report(client, await as_user("futian"), **IN_GRID_B)
    assert response.status_code == 201
    assert (response.json()["building_code"], response.json()["grid_code"]) == (
        None,
        "44030400100102",
    )
    assert response.json()["source"] == "supervisor"


async def test_a_worker_cannot_report_outside_their_grid(client, as_user):
    response = await report(client, await as_user("worker-a"), **IN_GRID_B)
    assert response.status_code == 403
    assert response.json()["code"] == "location_outside_scope"


async def test_swapped_or_foreign_coordinates_are_refused_with_the_reason(client, as_user):
    headers = await as_user("worker-a")
    swapped = await report(client, headers, lon=22.5332, lat=114.0032)
    assert swapped.status_code == 422 and "look swapped" in swapped.json()["message"]
    abroad = await report(client, headers, lon=2.35, lat=48.85)
    assert abroad.status_code == 422 and "outside China" in abroad.json()["message"]


async def test_unknown_category_and_missing_fields(client, as_user):
    headers = await as_user("worker-a")
    unknown = await report(client, headers, major="06", minor="999")
    assert unknown.status_code == 422 and unknown.json()["code"] == "unknown_category"
    missing = await client.post(
        "/api/events", json={"title": "无分类", **AT_BUILDING_A}, headers=headers
    )
    assert missing.status_code == 422 and "category" in missing.json()["message"]


async def test_duplicates_within_50_m_and_24_h_are_proposed(client, as_user):
    headers = await as_user("worker-a")
    first = (await report(client, headers)).json()
    nearby = {"lon": AT_BUILDING_A["lon"] + 0.0002, "lat": AT_BUILDING_A["lat"]}  # ~20 m east
    second = (await report(client, headers, **nearby)).json()
    assert [d["id"] for d in second["possible_duplicates"]] == [first["id"]]
    other = (await report(client, headers, major="09", minor="001")).json()
    assert other["possible_duplicates"] == []


async def test_an_idempotency_key_replay_creates_one_event(client, session, as_user):
    headers = await as_user("worker-a") | {"Idempotency-Key": "patrol-42"}
    before = await session.scalar(select(func.count()).select_from(Event))
    first = await report(client, headers)
    again = await report(client, headers)
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.headers["idempotent-replay"] == "true"
    assert again.json()["id"] == first.json()["id"]
    assert await session.scalar(select(func.count()).select_from(Event)) == before + 1
    different = await report(client, headers, title="另一个事件")
    assert different.status_code == 409 and different.json()["code"] == "idempotency_key_reused"


async def test_rollups_count_the_new_open_event(client, session, as_user):
    from sqlalchemy import text

    await session.execute(
        text("""
        INSERT INTO area_stats (area_code) SELECT code FROM areas
        ON CONFLICT (area_code) DO UPDATE SET events_open = 0""")
    )
    await session.commit()
    await report(client, await as_user("worker-a"))
    counts = dict(
        (
            await session.execute(
                text("SELECT area_code, events_open FROM area_stats WHERE events_open > 0")
            )
        ).all()
    )
    assert counts == {
        "4403": 1,
        "440304": 1,
        "440304001": 1,
        "440304001001": 1,
        "44030400100101": 1,
    }
