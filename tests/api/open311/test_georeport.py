"""Open311 GeoReport v2: the field lists, status mapping, API keys, scope and errors."""

from __future__ import annotations

import pytest

from api.open311.keys import create_api_key
from api.settings import DEFAULT_SECRET_KEY
from api.users.service import create_user

# GeoReport v2 field lists (https://wiki.open311.org/GeoReport_v2)
SERVICE_FIELDS = {
    "service_code",
    "service_name",
    "description",
    "metadata",
    "type",
    "keywords",
    "group",
}
REQUEST_FIELDS = {
    "service_request_id",
    "status",
    "status_notes",
    "service_name",
    "service_code",
    "description",
    "agency_responsible",
    "service_notice",
    "requested_datetime",
    "updated_datetime",
    "expected_datetime",
    "address",
    "address_id",
    "zipcode",
    "lat",
    "long",
    "media_url",
}


@pytest.fixture
async def hotline_key(session):
    await create_user(
        session,
        username="hotline-12345",
        display_name="12345热线",
        password="hotline-password",
        role="hotline",
        scope_code="4403",
    )
    key = await create_api_key(
        session, username="hotline-12345", name="12345", secret_key=DEFAULT_SECRET_KEY
    )
    await session.commit()
    return key


async def test_services_list_the_categories_with_the_georeport_fields(client):
    services = (await client.get("/open311/v2/services.json")).json()
    assert len(services) == 46
    assert set(services[0]) == SERVICE_FIELDS
    garbage = next(s for s in services if s["service_code"] == "06001")
    assert (garbage["service_name"], garbage["type"], garbage["group"]) == (
        "暴露垃圾",
        "realtime",
        "市容环境",
    )
    definition = (await client.get("/open311/v2/services/06001.json")).json()
    assert definition == {"service_code": "06001", "attributes": []}


async def test_post_then_get_a_service_request(client, hotline_key):
    created = await client.post(
        "/open311/v2/requests.json",
        data={
            "api_key": hotline_key,
            "service_code": "09001",
            "lat": "22.5332",
            "long": "114.0032",
            "description": "小区门口占道经营",
            "phone": "13812345678",
            "first_name": "张",
        },
    )
    assert created.status_code == 200, created.text
    [receipt] = created.json()
    assert set(receipt) == {"service_request_id", "service_notice", "account_id"}
    request_id = receipt["service_request_id"]
    [found] = (
        await client.get(f"/open311/v2/requests/{request_id}.json", params={"api_key": hotline_key})
    ).json()
    assert set(found) >= REQUEST_FIELDS
    assert (found["status"], found["blockgrid_status"], found["service_code"]) == (
        "open",
        "reported",
        "09001",
    )
    assert (found["lat"], found["long"]) == (22.5332, 114.0032)
    listed = (
        await client.get(
            "/open311/v2/requests.json", params={"api_key": hotline_key, "status": "open"}
        )
    ).json()
    assert request_id in [r["service_request_id"] for r in listed]
    closed = (
        await client.get(
            "/open311/v2/requests.json", params={"api_key": hotline_key, "status": "closed"}
        )
    ).json()
    assert request_id not in [r["service_request_id"] for r in closed]


async def test_the_caller_phone_is_kept_masked(client, session, hotline_key):
    from sqlalchemy import text

    await client.post(
        "/open311/v2/requests.json",
        data={
            "api_key": hotline_key,
            "service_code": "09001",
            "lat": "22.5332",
            "long": "114.0032",
            "phone": "13812345678",
        },
    )
    contact = await session.scalar(
        text(
            "SELECT reporter_contact FROM events WHERE source = 'open311' ORDER BY id DESC LIMIT 1"
        )
    )
    assert contact == "138****5678"


async def test_errors_are_georeport_error_arrays(client, hotline_key):
    missing_key = await client.get("/open311/v2/requests.json")
    assert missing_key.status_code == 403
    assert missing_key.json() == [{"code": 403, "description": "api_key is required"}]
    bad_key = await client.get("/open311/v2/requests.json", params={"api_key": "nope"})
    assert bad_key.json() == [{"code": 403, "description": "invalid api_key"}]
    unknown = await client.post(
        "/open311/v2/requests.json",
        data={"api_key": hotline_key, "service_code": "99999", "lat": "22.53", "long": "114.0"},
    )
    assert unknown.status_code == 404 and unknown.json()[0]["description"] == (
        "unknown service_code 99999"
    )
    swapped = await client.post(
        "/open311/v2/requests.json",
        data={
            "api_key": hotline_key,
            "service_code": "06001",
            "lat": "114.0032",
            "long": "22.5332",
        },
    )
    assert swapped.status_code == 422 and "swapped" in swapped.json()[0]["description"]
    no_code = await client.post("/open311/v2/requests.json", data={"api_key": hotline_key})
    assert no_code.status_code == 400 and "service_code" in no_code.json()[0]["description"]


async def test_a_key_sees_only_its_users_area(client, session, hotline_key):
    await create_user(
        session,
        username="hotline-nanshan",
        display_name="南山热线",
        password="hotline-password",
        role="hotline",
        scope_code="440305",
    )
    nanshan_key = await create_api_key(
        session, username="hotline-nanshan", name="南山", secret_key=DEFAULT_SECRET_KEY
    )
    await session.commit()
    [receipt] = (
        await client.post(
            "/open311/v2/requests.json",
            data={
                "api_key": hotline_key,
                "service_code": "06001",
                "lat": "22.5332",
                "long": "114.0032",
            },
        )
    ).json()
    seen = (await client.get("/open311/v2/requests.json", params={"api_key": nanshan_key})).json()
    assert receipt["service_request_id"] not in [r["service_request_id"] for r in seen]
    refused = await client.post(
        "/open311/v2/requests.json",
        data={
            "api_key": nanshan_key,
            "service_code": "06001",
            "lat": "22.5332",
            "long": "114.0032",
        },
    )
    assert refused.status_code == 403
