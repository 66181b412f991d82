"""Vector tiles: content, scope, cache invalidation, ETag/304, gzip, and bad requests."""

from __future__ import annotations

import gzip

import mapbox_vector_tile
from sqlalchemy import text

from gis.tiles import lonlat_to_tile

# The mini city's grids are squares around (114.00–114.04, 22.52–22.54); 南山's at 113.98.
FUTIAN_Z14 = lonlat_to_tile(114.0035, 22.5335, 14)
FUTIAN_Z12 = lonlat_to_tile(114.0035, 22.5335, 12)


def decode(response) -> dict:
    body = response.content
    if response.headers.get("content-encoding") == "gzip" and body[:2] == b"\x1f\x8b":
        body = gzip.decompress(body)
    return mapbox_vector_tile.decode(body)


async def get_tile(client, headers, layer, z, x, y, **extra):
    return await client.get(f"/tiles/{layer}/{z}/{x}/{y}.mvt", headers=headers | extra)


async def test_layer_list_has_tilejson_for_every_layer(client, as_user):
    headers = await as_user("futian")
    body = (await client.get("/tiles", headers=headers)).json()
    ids = [layer["id"] if "id" in layer else layer["name"] for layer in body["layers"]]
    assert ids == [
        "districts",
        "streets",
        "communities",
        "grids",
        "buildings",
        "entities",
        "components",
        "events",
        "hotspots",
    ]
    grids = next(layer for layer in body["layers"] if layer["name"] == "grids")
    assert grids["tilejson"] == "3.0.0"
    assert grids["tiles"] == ["http://testserver/tiles/grids/{z}/{x}/{y}.mvt"]
    assert grids["bounds"] == [114.0, 22.52, 114.06, 22.58]
    assert "residents" in grids["vector_layers"][0]["fields"]


async def test_grid_tile_carries_codes_and_statistics(client, as_user):
    headers = await as_user("futian")
    z, (x, y) = 14, FUTIAN_Z14
    response = await get_tile(client, headers, "grids", z, x, y, **{"Accept-Encoding": "gzip"})
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/vnd.mapbox-vector-tile"
    assert response.headers["content-encoding"] == "gzip"
    features = decode(response)["grids"]["features"]
    codes = sorted(f["properties"]["code"] for f in features)
    assert "44030400100101" in codes
    assert all(code.startswith("440304") for code in codes)


async def test_events_are_clustered_below_zoom_15(client, as_user):
    from tests.api.events.helpers import report

    worker = await as_user("worker-a")
    for n in range(3):
        assert (await report(client, worker, title=f"暴露垃圾 {n}")).status_code == 201
    admin = await as_user("admin")
    lonlat = (114.0032, 22.5332)
    clustered = decode(await get_tile(client, admin, "events", 14, *lonlat_to_tile(*lonlat, 14)))
    points = decode(await get_tile(client, admin, "events", 15, *lonlat_to_tile(*lonlat, 15)))
    cluster = clustered["events"]["features"]
    assert len(cluster) == 1 and cluster[0]["properties"]["point_count"] == 3
    assert cluster[0]["properties"]["open"] == 3
    assert len(points["events"]["features"]) == 3
    assert all("point_count" not in f["properties"] for f in points["events"]["features"])


async def test_tiles_honour_the_callers_scope(client, as_user):
    z, (x, y) = 12, FUTIAN_Z12
    city = decode(await get_tile(client, await as_user("admin"), "grids", z, x, y))
    worker = decode(await get_tile(client, await as_user("worker-a"), "grids", z, x, y))
    assert len(city["grids"]["features"]) == 4
    assert [f["properties"]["code"] for f in worker["grids"]["features"]] == ["44030400100101"]


async def test_etag_gives_304_and_a_data_change_shows_on_the_next_request(client, as_user, session):
    headers = await as_user("futian")
    z, (x, y) = 14, FUTIAN_Z14
    first = await get_tile(client, headers, "buildings", z, x, y)
    assert first.status_code == 200
    etag = first.headers["etag"]
    again = await get_tile(client, headers, "buildings", z, x, y, **{"If-None-Match": etag})
    assert again.status_code == 304
    await session.execute(
        text("UPDATE buildings SET floors = 33 WHERE code = '4403040010010100001'")
    )
    await session.commit()
    changed = await get_tile(client, headers, "buildings", z, x, y, **{"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["etag"] != etag
    floors = {
        f["properties"]["code"]: f["properties"]["floors"]
        for f in decode(changed)["buildings"]["features"]
    }
    assert floors["4403040010010100001"] == 33


async def test_outside_the_zoom_range_or_the_data_the_tile_is_empty(client, as_user):
    headers = await as_user("futian")
    assert (await get_tile(client, headers, "buildings", 10, 834, 445)).status_code == 204
    assert (await get_tile(client, headers, "grids", 14, 0, 0)).status_code == 204


async def test_bad_tile_requests_are_refused_with_the_reason(client, as_user):
    headers = await as_user("futian")
    unknown = await get_tile(client, headers, "people", 14, 1, 1)
    assert unknown.status_code == 400 and unknown.json()["code"] == "unknown_layer"
    assert "buildings" in unknown.json()["message"]
    out = await get_tile(client, headers, "grids", 3, 8, 0)
    assert out.status_code == 404 and out.json()["message"] == "x=8 is outside 0..7 at zoom 3"
    deep = await get_tile(client, headers, "grids", 23, 0, 0)
    assert deep.status_code == 422 and deep.json()["details"][0]["field"] == "path.z"


async def test_tiles_need_a_sign_in(client):
    assert (await client.get("/tiles/grids/12/0/0.mvt")).status_code == 401
