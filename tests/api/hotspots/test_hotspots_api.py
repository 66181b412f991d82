"""Hotspots on the demo city: the planted clusters come out hot at 99 %, scoped and cached."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from sqlalchemy import create_engine, text

from api.db import sync_url
from api.main import create_app
from api.settings import Settings
from democity.hotspots import PLANTED_HOTSPOTS
from tests.conftest import DEMO_PASSWORD


@pytest.fixture(scope="module")
def planted(demo_city_url: str) -> dict[str, tuple[str, str, str]]:
    """key → (grid code, community code, major) of each planted hotspot's centre."""
    engine = create_engine(sync_url(demo_city_url))
    found = {}
    with engine.connect() as connection:
        for hotspot in PLANTED_HOTSPOTS:
            lon, lat = hotspot.centre
            grid = connection.execute(
                text(
                    "SELECT code FROM areas WHERE level = 'grid' AND ST_Intersects(geom,"
                    " ST_SetSRID(ST_MakePoint(:lon, :lat), 4326))"
                ),
                {"lon": lon, "lat": lat},
            ).scalar()
            found[hotspot.key] = (grid, hotspot.community_code, hotspot.categories[0][0])
    engine.dispose()
    return found


@pytest.fixture
async def demo_client(demo_city_url: str) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(
        Settings(environment="test", DATABASE_URL=demo_city_url, sweep_interval_seconds=0)
    )
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://demo") as client:
            yield client


async def sign_in(client: httpx.AsyncClient, username: str) -> dict:
    response = await client.post(
        "/auth/token", data={"username": username, "password": DEMO_PASSWORD}
    )
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


@pytest.mark.parametrize("key", [h.key for h in PLANTED_HOTSPOTS])
async def test_planted_hotspots_are_hot_at_99_percent(demo_client, planted, key):
    grid, community, major = planted[key]
    headers = await sign_in(demo_client, "demo-admin")
    for unit, unit_id in (("grid", grid), ("community", community)):
        body = (
            await demo_client.get(
                "/api/hotspots",
                headers=headers,
                params={"unit": unit, "window": 90, "major": major, "limit": 5000},
            )
        ).json()
        by_id = {u["unit_id"]: u for u in body["units"]}
        assert by_id[unit_id]["gi_bin"] == 3, (unit, by_id[unit_id])
        assert by_id[unit_id]["class"] == "hot_99"
    assert body["params"]["weights"].startswith("Queen contiguity")


async def test_hexagons_find_the_planted_cluster(demo_client, planted):
    from gis.hexagons import points_to_cells

    hotspot = PLANTED_HOTSPOTS[0]
    lon, lat = hotspot.centre
    cell = f"{int(points_to_cells([lon], [lat], 9)[0]):x}"
    headers = await sign_in(demo_client, "demo-futian")
    body = (
        await demo_client.get(
            "/api/hotspots",
            headers=headers,
            params={"unit": "h3", "resolution": 9, "window": 90, "major": "09", "limit": 5000},
        )
    ).json()
    by_id = {u["unit_id"]: u for u in body["units"]}
    hottest = max(body["units"], key=lambda u: u["events"])
    assert hottest["gi_bin"] == 3
    assert by_id[cell]["gi_bin"] >= 2  # the centre's hexagon, or one next to the densest


async def test_a_supervisors_hotspots_cover_their_own_area_only(demo_client, planted):
    headers = await sign_in(demo_client, "demo-futian")
    body = (
        await demo_client.get(
            "/api/hotspots", headers=headers, params={"window": 90, "limit": 5000}
        )
    ).json()
    assert body["params"]["area"] == "440304"
    assert all(u["unit_id"].startswith("440304") for u in body["units"])
    assert body["units_total"] == len(body["units"])
    longgang = planted["longgang-bujixu-market-rubbish"][0]
    assert longgang not in {u["unit_id"] for u in body["units"]}
    refused = await demo_client.get("/api/hotspots", headers=headers, params={"area": "440307"})
    assert refused.status_code == 403


async def test_runs_are_cached_and_drawn_as_tiles(demo_client, planted):
    import gzip

    import mapbox_vector_tile

    from gis.tiles import lonlat_to_tile

    headers = await sign_in(demo_client, "demo-admin")
    params = {"window": 30, "unit": "grid", "limit": 5000}
    first = (await demo_client.get("/api/hotspots", headers=headers, params=params)).json()
    again = (await demo_client.get("/api/hotspots", headers=headers, params=params)).json()
    assert first["run_id"] == again["run_id"]
    x, y = lonlat_to_tile(*PLANTED_HOTSPOTS[0].centre, 13)
    tile = await demo_client.get(
        f"/tiles/hotspots/13/{x}/{y}.mvt", headers=headers, params={"run": first["run_id"]}
    )
    assert tile.status_code == 200
    body = tile.content
    if body[:2] == b"\x1f\x8b":
        body = gzip.decompress(body)
    features = mapbox_vector_tile.decode(body)["hotspots"]["features"]
    listed = {u["unit_id"]: u["gi_bin"] for u in first["units"]}
    drawn = {f["properties"]["unit_id"]: f["properties"]["gi_bin"] for f in features}
    assert drawn and all(listed[unit] == gi_bin for unit, gi_bin in drawn.items())
    assert max(drawn.values()) == 3  # the planted cluster's grid is drawn hot at 99 %


def _runs(url: str) -> int:
    engine = create_engine(sync_url(url))
    with engine.connect() as connection:
        count = connection.execute(text("SELECT count(*) FROM hotspot_runs")).scalar()
    engine.dispose()
    return count


async def test_a_hotspot_tile_never_computes_a_run(demo_client, demo_city_url):
    """A tile names a stored run; without one it is a 404 that says so, and nothing is run."""
    from gis.tiles import lonlat_to_tile

    headers = await sign_in(demo_client, "demo-admin")
    x, y = lonlat_to_tile(*PLANTED_HOTSPOTS[0].centre, 13)
    path = f"/tiles/hotspots/13/{x}/{y}.mvt"
    before = _runs(demo_city_url)
    # parameters of an analysis nobody has asked for: no run is computed for them
    unnamed = await demo_client.get(path, headers=headers, params={"window": 17})
    unknown = await demo_client.get(path, headers=headers, params={"run": 2**40})
    assert (unnamed.status_code, unnamed.json()["code"]) == (404, "hotspot_run_not_found")
    assert unnamed.json()["message"].startswith("no hotspot run given: the hotspots layer")
    assert (unknown.status_code, unknown.json()["code"]) == (404, "hotspot_run_not_found")
    assert unknown.json()["message"].startswith(f"no hotspot run {2**40} in your area")
    assert _runs(demo_city_url) == before


async def test_a_run_of_another_area_draws_no_tile(demo_client):
    from gis.tiles import lonlat_to_tile

    city = (
        await demo_client.get(
            "/api/hotspots", headers=await sign_in(demo_client, "demo-admin"), params={"window": 7}
        )
    ).json()
    assert city["params"]["area"] == "4403"
    x, y = lonlat_to_tile(*PLANTED_HOTSPOTS[0].centre, 13)
    futian = await sign_in(demo_client, "demo-futian")
    refused = await demo_client.get(
        f"/tiles/hotspots/13/{x}/{y}.mvt", headers=futian, params={"run": city["run_id"]}
    )
    assert (refused.status_code, refused.json()["code"]) == (404, "hotspot_run_not_found")


async def test_the_list_comes_in_pages_significant_first(demo_client):
    headers = await sign_in(demo_client, "demo-admin")
    params = {"window": 90, "unit": "grid", "major": "09"}
    whole = (
        await demo_client.get("/api/hotspots", headers=headers, params=params | {"limit": 5000})
    ).json()
    units = whole["units"]
    assert len(units) == whole["units_total"]
    significant = [u for u in units if u["gi_bin"] != 0]
    assert len(significant) == whole["units_significant"] > 0
    assert units[: len(significant)] == significant
    assert [u["z"] for u in significant] == sorted((u["z"] for u in significant), reverse=True)
    rest = [u["z"] for u in units[len(significant) :]]
    assert rest == sorted(rest, reverse=True)
    page = (
        await demo_client.get(
            "/api/hotspots", headers=headers, params=params | {"limit": 7, "offset": 5}
        )
    ).json()
    assert page["run_id"] == whole["run_id"] and page["offset"] == 5
    assert page["units"] == units[5:12]


async def test_repeat_locations_and_the_weekly_series(demo_client, planted):
    headers = await sign_in(demo_client, "demo-admin")
    body = (
        await demo_client.get(
            "/api/hotspots", headers=headers, params={"window": 90, "major": "09", "repeat_min": 3}
        )
    ).json()
    assert body["repeat_locations"] and body["repeat_locations"][0]["events"] >= 3
    grid = planted["futian-shangsha-street-vending"][0]
    unit = next(u for u in body["units"] if u["unit_id"] == grid)
    assert len(unit["weekly"]) == 12 and sum(unit["weekly"]) >= unit["events"] // 2
    series = (
        await demo_client.get(
            "/api/hotspots/series", headers=headers, params={"area": grid, "weeks": 8}
        )
    ).json()
    assert len(series["weeks"]) == 8


async def test_bad_parameters_and_roles(demo_client):
    admin = await sign_in(demo_client, "demo-admin")
    assert (
        await demo_client.get(
            "/api/hotspots", headers=admin, params={"unit": "h3", "resolution": 11}
        )
    ).status_code == 422
    group = await demo_client.get("/api/hotspots", headers=admin, params={"group": "nonsense"})
    # the groups are an enum in the OpenAPI document: a 422 like any field
    assert group.status_code == 422 and group.json()["details"][0]["field"] == "query.group"
    window = await demo_client.get(
        "/api/hotspots", headers=admin, params={"from": "2026-10-10", "to": "2026-10-01"}
    )
    assert window.status_code == 400
    worker = await sign_in(demo_client, "demo-worker")
    assert (await demo_client.get("/api/hotspots", headers=worker)).status_code == 403
