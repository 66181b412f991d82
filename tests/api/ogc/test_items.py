"""Items: GeoJSON shape, paging with next/prev links, bbox filtering, single features, scope."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from grids.identifiers import make_credit_code

FUTIAN_GRIDS = ["44030400100101", "44030400100102", "44030400100201"]
ALL_GRIDS = [*FUTIAN_GRIDS, "44030500100101"]
WORKER_A_BUILDING = "4403040010010100001"


def codes(body: dict) -> list[str]:
    return [feature["properties"]["code"] for feature in body["features"]]


def link(body: dict, rel: str) -> str | None:
    return next((item["href"] for item in body["links"] if item["rel"] == rel), None)


async def get_items(client, headers, collection="grids", **query):
    return await client.get(f"/ogc/collections/{collection}/items", headers=headers, params=query)


async def test_items_are_a_geojson_feature_collection(client, as_user):
    response = await get_items(client, await as_user("admin"))
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/geo+json"
    body = response.json()
    assert body["type"] == "FeatureCollection"
    assert (body["numberMatched"], body["numberReturned"]) == (4, 4)
    assert body["timeStamp"].endswith("Z")
    assert codes(body) == ALL_GRIDS  # ordered by the id column
    first = body["features"][0]
    assert first["type"] == "Feature" and first["id"] == "44030400100101"
    assert first["properties"]["name"] == "滨江社区第01网格"
    assert first["properties"]["level"] == "grid"
    assert first["geometry"]["type"] == "MultiPolygon"
    ring = first["geometry"]["coordinates"][0][0]
    assert ring[0] == pytest.approx([114.0, 22.53]) and ring[2] == pytest.approx([114.01, 22.54])
    assert link(body, "self") == "http://testserver/ogc/collections/grids/items?limit=100&offset=0"
    assert link(body, "collection") == "http://testserver/ogc/collections/grids"
    assert link(body, "next") is None and link(body, "prev") is None


async def test_paging_follows_next_links_to_the_end(client, as_user):
    headers = await as_user("admin")
    first = (await get_items(client, headers, limit=3)).json()
    assert (first["numberMatched"], first["numberReturned"]) == (4, 3)
    assert codes(first) == ALL_GRIDS[:3]
    assert link(first, "prev") is None
    next_href = link(first, "next")
    # the next page is a full one (1,000): bulk clients such as GDAL < 3.8 ask for 10 first
    assert next_href == "http://testserver/ogc/collections/grids/items?limit=1000&offset=3"
    second = (await client.get(next_href, headers=headers)).json()
    assert codes(second) == ALL_GRIDS[3:]
    assert second["numberReturned"] == 1
    assert link(second, "next") is None
    assert (
        link(second, "prev") == "http://testserver/ogc/collections/grids/items?limit=1000&offset=0"
    )


async def test_paging_one_by_one_visits_every_feature_once(client, as_user):
    headers = await as_user("admin")
    href, seen = "/ogc/collections/grids/items?limit=1", []
    while href:
        body = (await client.get(href, headers=headers)).json()
        seen += codes(body)
        href = link(body, "next")
    assert seen == ALL_GRIDS


async def test_an_offset_past_the_end_is_an_empty_page(client, as_user):
    body = (await get_items(client, await as_user("admin"), offset=10)).json()
    assert (body["numberMatched"], body["numberReturned"], body["features"]) == (4, 0, [])
    assert link(body, "next") is None
    assert link(body, "prev").endswith("limit=100&offset=0")


@pytest.mark.parametrize(
    ("bbox", "expected"),
    [
        ("114.001,22.531,114.009,22.539", ["44030400100101"]),
        ("114.025,22.525,114.03,22.53", ["44030400100201"]),
        ("113.99,22.51,114.005,22.535", ["44030400100101", "44030500100101"]),
        ("114.0,22.5,114.05,22.55", ALL_GRIDS),  # edges touch: 南山's grid ends at 114.00
        ("-180,-90,180,90", ALL_GRIDS),
        ("100,30,101,31", []),
    ],
)
async def test_bbox_keeps_the_features_that_intersect_it(client, as_user, bbox, expected):
    body = (await get_items(client, await as_user("admin"), bbox=bbox)).json()
    assert codes(body) == expected
    assert body["numberMatched"] == len(expected)


async def test_bbox_is_kept_in_the_paging_links(client, as_user):
    body = (
        await get_items(client, await as_user("admin"), bbox="113.9,22.4,114.1,22.6", limit=2)
    ).json()
    assert link(body, "next") == (
        "http://testserver/ogc/collections/grids/items"
        "?limit=1000&offset=2&bbox=113.9%2C22.4%2C114.1%2C22.6"
    )


async def test_buildings_with_bbox(client, as_user):
    body = (
        await get_items(
            client, await as_user("admin"), "buildings", bbox="114.0,22.53,114.005,22.535"
        )
    ).json()
    assert codes(body) == [WORKER_A_BUILDING]
    assert body["features"][0]["properties"]["floors"] == 8


async def test_one_feature_by_id(client, as_user):
    response = await client.get(
        "/ogc/collections/buildings/items/" + WORKER_A_BUILDING, headers=await as_user("futian")
    )
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/geo+json"
    feature = response.json()
    assert feature["type"] == "Feature" and feature["id"] == WORKER_A_BUILDING
    assert feature["properties"]["use_type"] == "residential"
    assert feature["geometry"]["type"] == "MultiPolygon"
    assert {item["rel"]: item["href"] for item in feature["links"]} == {
        "self": f"http://testserver/ogc/collections/buildings/items/{WORKER_A_BUILDING}",
        "collection": "http://testserver/ogc/collections/buildings",
    }


async def test_an_unknown_feature_is_404(client, as_user):
    response = await client.get(
        "/ogc/collections/grids/items/44030400199999", headers=await as_user("admin")
    )
    assert response.status_code == 404
    assert response.json()["code"] == "feature_not_found"


async def test_a_worker_sees_only_their_grid_and_its_building(client, as_user):
    headers = await as_user("worker-a")
    assert codes((await get_items(client, headers)).json()) == ["44030400100101"]
    buildings = (await get_items(client, headers, "buildings")).json()
    assert codes(buildings) == [WORKER_A_BUILDING]
    assert buildings["numberMatched"] == 1
    wide = (await get_items(client, headers, "buildings", bbox="113.9,22.4,114.1,22.6")).json()
    assert codes(wide) == [WORKER_A_BUILDING]
    other = await client.get(
        "/ogc/collections/buildings/items/4403040010010200001", headers=headers
    )
    assert other.status_code == 404


async def test_nanshan_does_not_see_futian(client, as_user):
    headers = await as_user("nanshan")
    assert codes((await get_items(client, headers)).json()) == ["44030500100101"]
    assert codes((await get_items(client, headers, "districts")).json()) == ["440305"]
    for fid in FUTIAN_GRIDS:
        response = await client.get(f"/ogc/collections/grids/items/{fid}", headers=headers)
        assert response.status_code == 404
        assert response.json()["message_zh"] == "要素不存在或不在您的管辖范围内"
    inside_futian = await get_items(client, headers, bbox="114.001,22.521,114.06,22.58")
    assert inside_futian.json()["features"] == []


async def add_entity(session, building: str, name: str, status: str, sequence: int) -> int:
    return await session.scalar(
        text(
            "INSERT INTO entities (credit_code, name, entity_type, building_id, grid_code,"
            " status) SELECT :credit, :name, 'enterprise', id, grid_code, :status"
            " FROM buildings WHERE code = :building RETURNING id"
        ),
        {
            "credit": make_credit_code("9", "1", "440304", f"{sequence:08d}"),
            "name": name,
            "status": status,
            "building": building,
        },
    )


async def test_entities_use_their_own_filter_and_integer_ids(client, as_user, session):
    active = await add_entity(session, WORKER_A_BUILDING, "深圳示例科技有限公司", "active", 1)
    await add_entity(session, WORKER_A_BUILDING, "已注销的公司", "deregistered", 2)
    other = await add_entity(session, "4403040010010200001", "隔壁网格商店", "active", 3)
    await session.commit()
    headers = await as_user("worker-a")
    body = (await get_items(client, headers, "entities")).json()
    assert [f["id"] for f in body["features"]] == [active]
    assert body["features"][0]["geometry"]["type"] == "Point"
    one = await client.get(f"/ogc/collections/entities/items/{active}", headers=headers)
    assert one.status_code == 200 and one.json()["properties"]["name"] == "深圳示例科技有限公司"
    for fid in (str(other), "not-a-number", "99999999999999999999"):
        response = await client.get(f"/ogc/collections/entities/items/{fid}", headers=headers)
        assert response.status_code == 404, fid
    city = (
        await get_items(
            client, await as_user("admin"), "entities", bbox="114.0,22.53,114.005,22.535"
        )
    ).json()
    assert [f["id"] for f in city["features"]] == [active]


@pytest.mark.parametrize(
    ("query", "accept", "media_type"),
    [
        ({"f": "json"}, None, "application/geo+json"),
        ({"f": "geojson"}, None, "application/geo+json"),
        ({}, "application/geo+json", "application/geo+json"),
        ({}, "application/json", "application/json"),
        ({}, "text/html,application/xhtml+xml,*/*;q=0.8", "application/geo+json"),
    ],
)
async def test_format_negotiation(client, as_user, query, accept, media_type):
    headers = await as_user("admin") | ({"Accept": accept} if accept else {})
    response = await get_items(client, headers, limit=1, **query)
    assert response.status_code == 200
    assert response.headers["content-type"] == media_type
    assert response.json()["type"] == "FeatureCollection"


@pytest.mark.parametrize(
    "collection",
    [
        "districts",
        "streets",
        "communities",
        "grids",
        "buildings",
        "entities",
        "components",
        "events",
    ],
)
async def test_every_collection_serves_items(client, as_user, collection):
    headers = await as_user("admin")
    response = await get_items(client, headers, collection, limit=1, bbox="113,22,115,23")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["numberReturned"] == len(body["features"]) <= 1
    assert (await client.get(f"/ogc/collections/{collection}", headers=headers)).status_code == 200
