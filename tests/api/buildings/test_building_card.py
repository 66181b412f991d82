"""The building card and standard-address lookup."""

from __future__ import annotations

from sqlalchemy import select, text

from api.audit.models import AuditRecord

CODE = "4403040010010100001"


async def test_card_shows_rooms_with_masked_residents_and_is_audited(client, session, as_user):
    headers = await as_user("worker-a")
    response = await client.get(f"/api/buildings/{CODE}", headers=headers)
    assert response.status_code == 200
    card = response.json()
    assert [a["name"] for a in card["location"]] == [
        "深圳市",
        "福田区",
        "南园街道",
        "滨江社区",
        "滨江社区第01网格",
    ]
    assert [r["code"][-6:] for r in card["rooms"]] == ["101201", "100301"]
    residents = {r["code"][-6:]: [p["name"] for p in r["residents"]] for r in card["rooms"]}
    assert residents == {"101201": ["李**"], "100301": ["张**"]}
    person = card["rooms"][1]["residents"][0]
    assert person["id_number"][6:17] == "*" * 11 and person["phone"] == "138****1234"
    assert card["residents"] == 2 and card["rooms"][0]["is_rental"] is True
    assert 1500 < card["footprint_m2"] < 2200  # 0.0004° square at 22.5°N
    record = await session.scalar(select(AuditRecord).where(AuditRecord.action == "building.read"))
    assert record.object_id == CODE and record.details == {"residents_shown": 2}


async def test_a_department_handler_sees_the_building_but_no_residents(client, session, as_user):
    """Finding 3 of issue 14: demo-dept read residents city-wide without people.read."""
    response = await client.get(f"/api/buildings/{CODE}", headers=await as_user("dept"))
    assert response.status_code == 200
    card = response.json()
    assert [r["residents"] for r in card["rooms"]] == [[], []]
    assert (card["residents"], card["households"]) == (None, None)
    # The database hides people from handlers too, whatever a query asks.
    await session.execute(
        text(
            "SELECT set_config('role', 'blockgrid_api', true),"
            " set_config('blockgrid.scope', '4403', true),"
            " set_config('blockgrid.department', '1', true)"
        )
    )
    assert await session.scalar(text("SELECT count(*) FROM people")) == 0
    await session.execute(text("SELECT set_config('blockgrid.department', '', true)"))
    assert await session.scalar(text("SELECT count(*) FROM people")) == 4
    await session.execute(text("RESET ROLE"))


async def test_components_within_50_metres_and_events_appear(client, session, as_user):
    await session.execute(
        text("""
        INSERT INTO components (id, major, minor, geom, geom_3857, state, grid_code)
        SELECT id, '01', '007', g, ST_Transform(g, 3857), 'damaged', '44030400100101'
        FROM (VALUES ('44030401007000001', 114.0037, 22.5333),
                     ('44030401007000002', 114.0050, 22.5333)) v(id, lon, lat),
             LATERAL (SELECT ST_SetSRID(ST_MakePoint(v.lon, v.lat), 4326) g) p""")
    )
    await session.commit()
    card = (await client.get(f"/api/buildings/{CODE}", headers=await as_user("worker-a"))).json()
    nearby = card["components_nearby"]
    # The first lamp stands ~30 m east of the footprint; the second ~165 m east.
    assert [c["id"] for c in nearby] == ["44030401007000001"]
    assert nearby[0]["name"] == "路灯" and 0 < nearby[0]["distance_m"] < 50


async def test_a_building_outside_the_scope_is_not_found(client, as_user):
    response = await client.get(f"/api/buildings/{CODE}", headers=await as_user("worker-b"))
    assert response.status_code == 404 and response.json()["code"] == "building_not_found"


async def test_bad_building_codes_say_what_is_wrong(client, as_user):
    headers = await as_user("admin")
    short = await client.get("/api/buildings/44030400100101", headers=headers)
    assert short.status_code == 422 and "expected a building code (19 digits)" in short.text


async def test_address_of_a_room_and_of_a_building(client, as_user):
    headers = await as_user("futian")
    room = (await client.get(f"/api/addresses/{CODE}101201", headers=headers)).json()
    assert room["level"] == "room" and room["address"].endswith("1单元 1201")
    assert room["address"].startswith("福田区 南园街道 滨江社区")
    building = (await client.get(f"/api/addresses/{CODE}", headers=headers)).json()
    assert building["level"] == "building" and building["grid_code"] == "44030400100101"
    bad = await client.get("/api/addresses/123", headers=headers)
    assert bad.status_code == 422 and "19 (building) or 25 (room)" in bad.json()["message"]


async def test_text_search_finds_buildings_in_scope_only(client, as_user):
    found = (
        await client.get("/api/addresses", params={"q": "测试楼"}, headers=await as_user("futian"))
    ).json()
    assert sorted(a["grid_code"] for a in found) == [
        "44030400100101",
        "44030400100102",
        "44030400100201",
    ]
    by_code = (
        await client.get(
            "/api/addresses", params={"q": "44030500"}, headers=await as_user("nanshan")
        )
    ).json()
    assert [a["code"] for a in by_code] == ["4403050010010100001"]
