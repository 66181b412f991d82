"""Landing page, conformance and collections: content, links, extents and who may read them."""

from __future__ import annotations

import pytest

CORE = "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core"
LAYER_IDS = [
    "districts",
    "streets",
    "communities",
    "grids",
    "buildings",
    "entities",
    "components",
    "events",
]


def links_by_rel(document: dict) -> dict[str, dict]:
    return {link["rel"]: link for link in document["links"]}


async def test_landing_page_is_public_and_links_everything(client):
    response = await client.get("/ogc")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    links = links_by_rel(response.json())
    assert links["self"]["href"] == "http://testserver/ogc"
    assert links["service-desc"] == {
        "href": "http://testserver/ogc/api",
        "rel": "service-desc",
        "type": "application/vnd.oai.openapi+json;version=3.0",
        "title": "The API definition (OpenAPI 3.0)",
    }
    assert links["service-doc"]["href"] == "http://testserver/docs"
    assert links["conformance"]["href"] == "http://testserver/ogc/conformance"
    assert links["data"]["href"] == "http://testserver/ogc/collections"
    assert (await client.get("/openapi.json")).status_code == 200


async def test_conformance_lists_core_geojson_and_oas30(client):
    body = (await client.get("/ogc/conformance", params={"f": "json"})).json()
    assert body == {
        "conformsTo": [
            CORE,
            "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
            "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
        ]
    }


async def test_collections_are_the_map_layers_with_the_callers_area_as_extent(client, as_user):
    body = (await client.get("/ogc/collections", headers=await as_user("futian"))).json()
    assert links_by_rel(body)["self"]["href"] == "http://testserver/ogc/collections"
    assert [c["id"] for c in body["collections"]] == LAYER_IDS
    grids = body["collections"][3]
    assert grids["title"] == "基础网格"
    assert grids["itemType"] == "feature"
    assert grids["crs"] == ["http://www.opengis.net/def/crs/OGC/1.3/CRS84"]
    assert grids["extent"]["spatial"] == {
        "bbox": [[114.0, 22.52, 114.06, 22.58]],  # 福田区 in the mini city
        "crs": "http://www.opengis.net/def/crs/OGC/1.3/CRS84",
    }
    items = links_by_rel(grids)["items"]
    assert items == {
        "href": "http://testserver/ogc/collections/grids/items",
        "rel": "items",
        "type": "application/geo+json",
        "title": "Basic grids as GeoJSON",
    }


@pytest.mark.parametrize(
    ("username", "bbox"),
    [
        ("admin", [113.98, 22.5, 114.04, 22.54]),
        ("futian", [114.0, 22.52, 114.04, 22.54]),
        ("worker-a", [114.0, 22.53, 114.01, 22.54]),
    ],
)
async def test_one_collections_extent_is_the_bbox_of_the_visible_features(
    client, as_user, username, bbox
):
    response = await client.get("/ogc/collections/grids", headers=await as_user(username))
    assert response.status_code == 200
    body = response.json()
    assert body["id"] == "grids"
    assert body["extent"]["spatial"]["bbox"] == [bbox]
    assert links_by_rel(body)["self"]["href"] == "http://testserver/ogc/collections/grids"


async def test_a_collection_without_visible_features_has_no_spatial_extent(client, as_user):
    body = (await client.get("/ogc/collections/components", headers=await as_user("admin"))).json()
    assert "extent" not in body
    assert body["id"] == "components"


@pytest.mark.parametrize(
    "path",
    [
        "/ogc/collections",
        "/ogc/collections/grids",
        "/ogc/collections/grids/items",
        "/ogc/collections/grids/items/44030400100101",
        "/ogc/collections/nothing/items",
    ],
)
async def test_collections_and_items_need_a_token(client, path):
    response = await client.get(path)
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"
    assert response.headers["www-authenticate"] == "Bearer"


async def test_a_role_without_map_access_is_refused(client, as_user):
    response = await client.get("/ogc/collections", headers=await as_user("auditor"))
    assert response.status_code == 403
    assert "areas.read" in response.json()["message"]


async def test_an_unknown_collection_is_404_with_the_known_ones(client, as_user):
    headers = await as_user("admin")
    for path in (
        "/ogc/collections/people",
        "/ogc/collections/people/items",
        "/ogc/collections/people/items/1",
    ):
        response = await client.get(path, headers=headers)
        assert response.status_code == 404, path
        body = response.json()
        assert body["code"] == "unknown_collection"
        assert body["message"].startswith("unknown collection 'people'; collections: districts")


async def test_the_openapi_document_describes_the_items_parameters(client):
    spec = (await client.get("/openapi.json")).json()
    items = spec["paths"]["/ogc/collections/{collection_id}/items"]["get"]
    parameters = {p["name"]: p for p in items["parameters"]}
    assert {"bbox", "limit", "offset", "f"} <= parameters.keys()
    assert {"datetime", "bbox-crs", "crs"} <= parameters.keys()
    limit = parameters["limit"]["schema"]
    # larger values are capped, not refused: /openapi.json states no maximum (/ogc/api does)
    assert (limit["minimum"], limit["default"]) == (1, 100) and "maximum" not in limit
    assert "capped at 1000" in parameters["limit"]["description"]
