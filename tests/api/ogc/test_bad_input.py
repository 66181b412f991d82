"""Bad query values answer 400 in the project's error format, each with a precise reason."""

from __future__ import annotations

import pytest

ITEMS = "/ogc/collections/grids/items"


@pytest.mark.parametrize(
    ("query", "code", "message"),
    [
        (
            {"bbox": "114.0,22.5,114.04"},
            "invalid_bbox",
            "bbox needs 4 numbers min_lon,min_lat,max_lon,max_lat (CRS84), got 3",
        ),
        (
            {"bbox": "114.0,22.5,0,114.04,22.54,100"},
            "invalid_bbox",
            "bbox needs 4 numbers min_lon,min_lat,max_lon,max_lat (CRS84), got 6: "
            "3D boxes are not supported",
        ),
        (
            {"bbox": ""},
            "invalid_bbox",
            "bbox needs 4 numbers min_lon,min_lat,max_lon,max_lat (CRS84), got 1",
        ),
        (
            {"bbox": "114.0,north,114.04,22.54"},
            "invalid_bbox",
            "bbox value 'north' is not a number",
        ),
        ({"bbox": "114.0,22.5,,22.54"}, "invalid_bbox", "bbox value '' is not a number"),
        (
            {"bbox": "114.0,22.5,inf,22.54"},
            "invalid_bbox",
            "bbox value 'inf' is not a finite number",
        ),
        (
            {"bbox": "22.5,114.0,22.54,114.04"},
            "bbox_axes_swapped",
            "bbox 22.5,114.0,22.54,114.04 looks like latitude,longitude (axes swapped); CRS84 takes"
            " longitude first: bbox=114,22.5,114.04,22.54",
        ),
        (
            {"bbox": "40,80,41,81"},
            "bbox_axes_swapped",
            "bbox 40,80,41,81 looks like latitude,longitude (axes swapped); CRS84 takes"
            " longitude first: bbox=80,40,81,41",
        ),
        (
            {"bbox": "-200,22.5,114.04,22.54"},
            "invalid_bbox",
            "bbox min_lon -200 is outside -180..180",
        ),
        ({"bbox": "114.0,22.5,181,22.54"}, "invalid_bbox", "bbox max_lon 181 is outside -180..180"),
        ({"bbox": "114.0,-91,114.04,22.54"}, "invalid_bbox", "bbox min_lat -91 is outside -90..90"),
        ({"bbox": "114.0,22.5,114.04,95"}, "invalid_bbox", "bbox max_lat 95 is outside -90..90"),
        (
            {"bbox": "114.04,22.5,114.0,22.54"},
            "invalid_bbox",
            "bbox min_lon 114.04 is greater than max_lon 114",
        ),
        (
            {"bbox": "114.0,22.54,114.04,22.5"},
            "invalid_bbox",
            "bbox min_lat 22.54 is greater than max_lat 22.5",
        ),
        (
            {"limit": "0"},
            "invalid_limit",
            "limit must be a positive integer (at most 1000 are returned), got '0'",
        ),
        (
            {"limit": "-5"},
            "invalid_limit",
            "limit must be a positive integer (at most 1000 are returned), got '-5'",
        ),
        (
            {"limit": "ten"},
            "invalid_limit",
            "limit must be a positive integer (at most 1000 are returned), got 'ten'",
        ),
        (
            {"limit": "2.5"},
            "invalid_limit",
            "limit must be a positive integer (at most 1000 are returned), got '2.5'",
        ),
        (
            {"limit": "-99999999999999999999"},
            "invalid_limit",
            "limit must be a positive integer (at most 1000 are returned),"
            " got '-99999999999999999999'",
        ),
        ({"offset": "-1"}, "invalid_offset", "offset must be an integer of 0 or more, got '-1'"),
        (
            {"offset": "first"},
            "invalid_offset",
            "offset must be an integer of 0 or more, got 'first'",
        ),
        (
            {"datetime": "2026-03-01"},
            "invalid_datetime",
            "datetime '2026-03-01' is not an RFC 3339 date-time (with a time and an offset,"
            " e.g. 2026-03-01T08:00:00+08:00 or 2026-03-01T00:00:00Z)",
        ),
        (
            {"datetime": "2026-03-01T08:00:00"},
            "invalid_datetime",
            "datetime '2026-03-01T08:00:00' is not an RFC 3339 date-time (with a time and an"
            " offset, e.g. 2026-03-01T08:00:00+08:00 or 2026-03-01T00:00:00Z)",
        ),
        (
            {"datetime": "2026-02-30T00:00:00Z"},
            "invalid_datetime",
            "datetime '2026-02-30T00:00:00Z' is not a real date and time"
            " (day is out of range for month)",
        ),
        (
            {"datetime": "../.."},
            "invalid_datetime",
            "datetime '../..' is open at both ends; give a start, an end or both"
            " (e.g. 2026-03-01T08:00:00+08:00/..)",
        ),
        (
            {"datetime": "2026-03-02T00:00:00Z/2026-03-01T00:00:00Z"},
            "invalid_datetime",
            "datetime '2026-03-02T00:00:00Z/2026-03-01T00:00:00Z' ends before it starts",
        ),
        (
            {"datetime": "2026-03-01T00:00:00Z/2026-03-02T00:00:00Z/.."},
            "invalid_datetime",
            "datetime '2026-03-01T00:00:00Z/2026-03-02T00:00:00Z/..' has 2 '/';"
            " an interval is start/end",
        ),
        (
            {"datetime": "2026-03-01T00:00:00+24:00"},
            "invalid_datetime",
            "datetime '2026-03-01T00:00:00+24:00' has an impossible offset",
        ),
        (
            {"bbox-crs": "http://www.opengis.net/def/crs/EPSG/0/4326"},
            "unsupported_crs",
            "bbox-crs 'http://www.opengis.net/def/crs/EPSG/0/4326' is not supported: only"
            " http://www.opengis.net/def/crs/OGC/1.3/CRS84 (longitude, latitude) is served",
        ),
        (
            {"crs": "http://www.opengis.net/def/crs/EPSG/0/3857"},
            "unsupported_crs",
            "crs 'http://www.opengis.net/def/crs/EPSG/0/3857' is not supported: only"
            " http://www.opengis.net/def/crs/OGC/1.3/CRS84 (longitude, latitude) is served",
        ),
        (
            {"f": "html"},
            "unsupported_format",
            "unsupported format f='html'; supported: json, geojson",
        ),
    ],
)
async def test_bad_items_query_is_400_with_its_reason(client, as_user, query, code, message):
    response = await client.get(ITEMS, params=query, headers=await as_user("admin"))
    assert response.status_code == 400
    body = response.json()
    assert (body["code"], body["message"]) == (code, message)
    assert body["message_zh"]


@pytest.mark.parametrize(
    "path", ["/ogc", "/ogc/conformance", "/ogc/collections", "/ogc/collections/grids"]
)
async def test_an_unknown_format_is_refused_everywhere(client, as_user, path):
    response = await client.get(path, params={"f": "xml"}, headers=await as_user("admin"))
    assert response.status_code == 400
    assert response.json() == {
        "code": "unsupported_format",
        "message": "unsupported format f='xml'; supported: json",
        "message_zh": "不支持的格式 f=xml",
    }


async def test_the_single_feature_refuses_an_unknown_format(client, as_user):
    response = await client.get(
        f"{ITEMS}/44030400100101", params={"f": "kml"}, headers=await as_user("admin")
    )
    assert response.status_code == 400
    assert response.json()["code"] == "unsupported_format"


async def test_without_a_token_bad_values_still_get_401_first(client):
    response = await client.get(ITEMS, params={"bbox": "nonsense", "limit": "0"})
    assert response.status_code == 401


async def test_limit_and_offset_at_their_bounds_are_accepted(client, as_user):
    headers = await as_user("admin")
    for query in ({"limit": "1000"}, {"limit": "1", "offset": "0"}, {"limit": " 7 "}):
        response = await client.get(ITEMS, params=query, headers=headers)
        assert response.status_code == 200, query


@pytest.mark.parametrize("limit", ["1001", "5000", "99999999999999999999"])
async def test_a_limit_over_1000_is_capped_not_refused(client, as_user, limit):
    response = await client.get(ITEMS, params={"limit": limit}, headers=await as_user("admin"))
    assert response.status_code == 200
    body = response.json()
    assert body["numberReturned"] == 4
    self_link = next(link["href"] for link in body["links"] if link["rel"] == "self")
    assert self_link == "http://testserver/ogc/collections/grids/items?limit=1000&offset=0"


async def test_crs84_is_accepted_as_bbox_crs_and_crs(client, as_user):
    crs84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
    query = {"bbox": "114.001,22.531,114.009,22.539", "bbox-crs": crs84, "crs": crs84}
    response = await client.get(ITEMS, params=query, headers=await as_user("admin"))
    assert response.status_code == 200
    assert [f["id"] for f in response.json()["features"]] == ["44030400100101"]


@pytest.mark.parametrize(
    ("path", "query", "takes"),
    [
        (ITEMS, {"bbx": "114,22.5,114.1,22.6"}, "bbox, bbox-crs, crs, datetime, f, limit, offset"),
        ("/ogc/collections", {"limit": "5"}, "f"),
        ("/ogc/conformance", {"lang": "zh"}, "f"),
        ("/ogc/api", {"limit": "5"}, "f"),
    ],
)
async def test_an_unknown_parameter_is_refused_by_name(client, as_user, path, query, takes):
    # OGC API – Features Part 1, /req/core/query-param-unknown: a misspelt bbox must not
    # quietly return the whole collection
    response = await client.get(path, params=query, headers=await as_user("admin"))
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "unknown_parameter"
    name = next(iter(query))
    assert body["message"] == f"unknown query parameter {name}; this endpoint takes {takes}"


async def test_an_unknown_parameter_without_a_token_is_still_a_401(client):
    response = await client.get(ITEMS, params={"bbx": "1"})
    assert response.status_code == 401
