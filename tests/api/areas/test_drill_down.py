"""Drill-down: one area with its breadcrumb, the next level down, and the caller's scope."""

from __future__ import annotations


async def test_city_lists_its_districts_for_the_city_admin(client, as_user):
    headers = await as_user("admin")
    body = (await client.get("/api/areas/4403/children", headers=headers)).json()
    assert body["area"]["name"] == "深圳市" and body["child_level"] == "district"
    assert [c["code"] for c in body["children"]] == ["440304", "440305"]
    futian = body["children"][0]
    assert [b["name"] for b in futian["breadcrumb"]] == ["深圳市", "福田区"]
    assert futian["bbox"] == [114.0, 22.52, 114.06, 22.58]


async def test_every_level_down_to_the_grid_and_its_buildings(client, as_user):
    headers = await as_user("admin")
    for code, level, child in [
        ("440304", "district", "street"),
        ("440304001", "street", "community"),
        ("440304001001", "community", "grid"),
    ]:
        body = (await client.get(f"/api/areas/{code}/children", headers=headers)).json()
        assert (body["area"]["level"], body["child_level"]) == (level, child)
    grid = (await client.get("/api/areas/44030400100101/children", headers=headers)).json()
    assert grid["child_level"] == "building"
    assert [b["code"] for b in grid["buildings"]] == ["4403040010010100001"]
    assert grid["area"]["workers"] == ["worker-a"]
    assert [b["name"] for b in grid["area"]["breadcrumb"]] == [
        "深圳市",
        "福田区",
        "南园街道",
        "滨江社区",
        "滨江社区第01网格",
    ]


async def test_a_worker_sees_its_grid_and_only_names_of_its_ancestors(client, as_user):
    headers = await as_user("worker-a")
    grid = await client.get("/api/areas/44030400100101", headers=headers)
    assert grid.status_code == 200 and grid.json()["in_scope"] is True
    district = (await client.get("/api/areas/440304", headers=headers)).json()
    assert district["in_scope"] is False and district["stats"] is None
    siblings = (await client.get("/api/areas/440304001001/children", headers=headers)).json()
    assert [c["code"] for c in siblings["children"]] == ["44030400100101"]
    other = await client.get("/api/areas/44030400100102", headers=headers)
    assert other.status_code == 404 and other.json()["code"] == "area_not_found"
    nanshan = await client.get("/api/areas/440305", headers=headers)
    assert nanshan.status_code == 404


async def test_malformed_area_codes_are_422_with_the_reason(client, as_user):
    headers = await as_user("admin")
    response = await client.get("/api/areas/44030", headers=headers)
    assert response.status_code == 422
    assert "has 5 digits" in response.json()["message"]
    room = await client.get("/api/areas/4403040010010100001", headers=headers)
    assert room.status_code == 422 and "not an area or grid code" in room.json()["message"]
