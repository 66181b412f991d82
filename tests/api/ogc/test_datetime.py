"""``datetime`` (OGC API – Features Part 1): instants, closed and open intervals on the events'
reported time, the rule for collections without a temporal property, the temporal extent."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import text

ITEMS = "/ogc/collections/events/items"
# (code, grid, reported_at): two in 福田's first grid, one in 南山
EVENTS = [
    ("DT-1", "44030400100101", "2026-03-01T08:00:00+08:00"),  # 2026-03-01T00:00:00Z
    ("DT-2", "44030400100101", "2026-03-15T12:00:00Z"),
    ("DT-3", "44030500100101", "2026-04-02T00:00:00Z"),
]
POINTS = {"44030400100101": (114.005, 22.535), "44030500100101": (113.995, 22.525)}


@pytest.fixture
async def events(session) -> None:
    for code, grid, reported_at in EVENTS:
        lon, lat = POINTS[grid]
        await session.execute(
            text("""
            INSERT INTO events (code, category_id, source, title, geom, geom_3857, grid_code,
                                status, reported_at)
            SELECT :code, id, 'patrol', 'datetime test',
                   ST_SetSRID(ST_MakePoint(:lon, :lat), 4326),
                   ST_Transform(ST_SetSRID(ST_MakePoint(:lon, :lat), 4326), 3857),
                   :grid, 'reported', :reported_at
            FROM event_categories WHERE major = '06' AND minor = '001'"""),
            {
                "code": code,
                "grid": grid,
                "lon": lon,
                "lat": lat,
                "reported_at": dt.datetime.fromisoformat(reported_at),
            },
        )
    await session.commit()


def event_codes(body: dict) -> list[str]:
    return sorted(feature["properties"]["code"] for feature in body["features"])


async def items(client, headers, value, collection="events", **query):
    response = await client.get(
        f"/ogc/collections/{collection}/items", params={"datetime": value, **query}, headers=headers
    )
    assert response.status_code == 200, response.text
    return response.json()


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-03-01T00:00:00Z", ["DT-1"]),  # an instant matches that exact time
        ("2026-03-01T08:00:00+08:00", ["DT-1"]),  # the same instant in Beijing time
        ("2026-03-01t00:00:00z", ["DT-1"]),  # RFC 3339 allows lower-case t and z
        ("2026-03-01T00:00:01Z", []),
    ],
)
async def test_an_instant_selects_the_events_reported_then(
    client, as_user, events, value, expected
):
    body = await items(client, await as_user("admin"), value)
    assert event_codes(body) == expected
    assert body["numberMatched"] == len(expected)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-03-01T00:00:00Z/2026-03-15T12:00:00Z", ["DT-1", "DT-2"]),  # both ends included
        ("2026-03-01T00:00:01Z/2026-03-15T11:59:59Z", []),
        ("2026-03-01T00:00:00+08:00/2026-04-30T00:00:00+08:00", ["DT-1", "DT-2", "DT-3"]),
        ("2026-03-10T00:00:00Z/..", ["DT-2", "DT-3"]),
        ("2026-03-10T00:00:00Z/", ["DT-2", "DT-3"]),
        ("../2026-03-10T00:00:00Z", ["DT-1"]),
        ("/2026-03-10T00:00:00Z", ["DT-1"]),
    ],
)
async def test_closed_and_open_intervals(client, as_user, events, value, expected):
    body = await items(client, await as_user("admin"), value)
    assert event_codes(body) == expected
    assert body["numberMatched"] == len(expected)


async def test_datetime_keeps_the_area_scope(client, as_user, events):
    everything = "2026-01-01T00:00:00Z/2026-12-31T00:00:00Z"
    assert event_codes(await items(client, await as_user("nanshan"), everything)) == ["DT-3"]
    worker = await items(client, await as_user("worker-a"), everything)
    assert event_codes(worker) == ["DT-1", "DT-2"]


async def test_datetime_is_kept_in_the_paging_links(client, as_user, events):
    body = await items(client, await as_user("admin"), "2026-03-01T00:00:00Z/..", limit=1)
    links = {link["rel"]: link["href"] for link in body["links"]}
    assert links["self"] == (
        "http://testserver/ogc/collections/events/items"
        "?limit=1&offset=0&datetime=2026-03-01T00%3A00%3A00Z%2F.."
    )
    assert "datetime=2026-03-01T00%3A00%3A00Z%2F.." in links["next"]


async def test_a_collection_without_a_temporal_property_matches_every_feature(
    client, as_user, events
):
    # /req/core/fc-time-response C: datetime matches all features without a temporal geometry
    body = await items(client, await as_user("admin"), "2000-01-01T00:00:00Z", "grids")
    assert body["numberMatched"] == 4
    collection = (await client.get("/ogc/collections/grids", headers=await as_user("admin"))).json()
    assert "temporal" not in collection["extent"]


async def test_the_events_temporal_extent_says_what_datetime_filters_on(client, as_user, events):
    headers = await as_user("futian")
    body = (await client.get("/ogc/collections/events", headers=headers)).json()
    assert body["extent"]["temporal"] == {
        "interval": [["2026-03-01T00:00:00Z", "2026-03-15T12:00:00Z"]],  # 福田's events only
        "trs": "http://www.opengis.net/def/uom/ISO-8601/0/Gregorian",
        "property": "reported_at",
        "description": "datetime filters on reported_at (上报时间), the time the case was reported",
    }
    listed = (await client.get("/ogc/collections", headers=headers)).json()
    events_entry = next(c for c in listed["collections"] if c["id"] == "events")
    assert events_entry["extent"]["temporal"] == body["extent"]["temporal"]


async def test_without_events_the_temporal_extent_is_open(client, as_user):
    body = (await client.get("/ogc/collections/events", headers=await as_user("admin"))).json()
    assert "spatial" not in body["extent"]
    assert body["extent"]["temporal"]["interval"] == [[None, None]]
    assert body["extent"]["temporal"]["property"] == "reported_at"
