"""Open311 GeoReport v2: the field lists, status mapping, keys, scope and errors (JSON)."""

from __future__ import annotations

from sqlalchemy import text

from tests.api.open311.conftest import FUTIAN_POINT, NANSHAN_POINT

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


async def test_services_list_the_categories_with_the_georeport_fields(client):
    services = (await client.get("/open311/v2/services.json")).json()
    assert len(services) == 46
    assert set(services[0]) == SERVICE_FIELDS
    garbage = next(s for s in services if s["service_code"] == "06001")
    assert (garbage["service_name"], garbage["type"], garbage["group"], garbage["metadata"]) == (
        "暴露垃圾",
        "realtime",
        "市容环境",
        True,
    )


async def test_a_service_definition_lists_its_attributes(client):
    definition = (await client.get("/open311/v2/services/06001.json")).json()
    assert definition["service_code"] == "06001"
    [priority] = definition["attributes"]
    assert {k: priority[k] for k in ("variable", "code", "datatype", "required", "order")} == {
        "variable": True,
        "code": "priority",
        "datatype": "singlevaluelist",
        "required": False,
        "order": 1,
    }
    assert [v["key"] for v in priority["values"]] == ["1", "2", "3"]
    assert set(priority) == {
        "variable",
        "code",
        "datatype",
        "required",
        "datatype_description",
        "order",
        "description",
        "values",
    }


async def test_post_then_get_a_service_request(client, session, hotline_key):
    created = await client.post(
        "/open311/v2/requests.json",
        data={
            "api_key": hotline_key,
            "service_code": "09001",
            **FUTIAN_POINT,
            "description": "小区门口占道经营",
            "phone": "13812345678",
            "first_name": "张",
            "attribute[priority]": "1",
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
    # the intake filed an event in the workflow, with its report step and the priority
    event = (
        await session.execute(
            text(
                "SELECT e.source, e.priority, e.grid_code, a.action FROM events e"
                " JOIN event_actions a ON a.event_id = e.id WHERE e.code = :code"
            ),
            {"code": request_id},
        )
    ).one()
    assert tuple(event) == ("open311", 1, "44030400100101", "report")
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


async def test_the_caller_phone_is_kept_masked(client, session, hotline_key, post_request):
    request_id = await post_request(hotline_key, phone="13812345678", first_name="张")
    contact = await session.scalar(
        text("SELECT reporter_contact FROM events WHERE code = :code"), {"code": request_id}
    )
    assert contact == "138****5678"


async def test_errors_are_georeport_error_lists(client, hotline_key):
    missing_key = await client.post(
        "/open311/v2/requests.json", data={"service_code": "06001", **FUTIAN_POINT}
    )
    assert missing_key.status_code == 403
    assert missing_key.json() == [{"code": 403, "description": "api_key is required"}]
    bad_key = await client.get("/open311/v2/requests.json", params={"api_key": "nope"})
    assert bad_key.status_code == 403
    assert bad_key.json() == [{"code": 403, "description": "invalid api_key"}]
    unknown = await client.post(
        "/open311/v2/requests.json",
        data={"api_key": hotline_key, "service_code": "99999", **FUTIAN_POINT},
    )
    assert unknown.status_code == 404
    assert unknown.json() == [{"code": 404, "description": "unknown service_code 99999"}]
    swapped = await client.post(
        "/open311/v2/requests.json",
        data={"api_key": hotline_key, "service_code": "06001", "lat": "114.0032", "long": "22.53"},
    )
    assert swapped.status_code == 422 and "swapped" in swapped.json()[0]["description"]
    no_code = await client.post("/open311/v2/requests.json", data={"api_key": hotline_key})
    assert no_code.status_code == 400
    assert no_code.json() == [{"code": 400, "description": "service_code is required"}]
    bad_priority = await client.post(
        "/open311/v2/requests.json",
        data={
            "api_key": hotline_key,
            "service_code": "06001",
            **FUTIAN_POINT,
            "attribute[priority]": "9",
        },
    )
    assert bad_priority.status_code == 400
    jurisdiction = await client.get(
        "/open311/v2/services.json", params={"jurisdiction_id": "beijing"}
    )
    assert jurisdiction.status_code == 404
    assert jurisdiction.json()[0]["code"] == 404


async def test_an_unknown_request_id_is_404(client, hotline_key):
    for params in ({}, {"api_key": hotline_key}):
        response = await client.get("/open311/v2/requests/E209901010000001.json", params=params)
        assert response.status_code == 404
        assert response.json() == [
            {"code": 404, "description": "no service request E209901010000001"}
        ]


async def test_a_revoked_key_is_refused(client, session, hotline_key):
    await session.execute(text("UPDATE api_keys SET revoked_at = now()"))
    await session.commit()
    refused = await client.get("/open311/v2/requests.json", params={"api_key": hotline_key})
    assert refused.status_code == 403


async def test_a_key_sees_and_posts_only_in_its_area(
    client, hotline_key, nanshan_key, post_request
):
    futian_id = await post_request(hotline_key)
    nanshan_id = await post_request(nanshan_key, where=NANSHAN_POINT)
    seen = (await client.get("/open311/v2/requests.json", params={"api_key": nanshan_key})).json()
    assert nanshan_id in [r["service_request_id"] for r in seen]
    assert futian_id not in [r["service_request_id"] for r in seen]
    hidden = await client.get(
        f"/open311/v2/requests/{futian_id}.json", params={"api_key": nanshan_key}
    )
    assert hidden.status_code == 404
    refused = await client.post(
        "/open311/v2/requests.json",
        data={"api_key": nanshan_key, "service_code": "06001", **FUTIAN_POINT},
    )
    assert refused.status_code == 403
    assert refused.json()[0]["code"] == 403
