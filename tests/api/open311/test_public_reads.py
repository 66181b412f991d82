"""Reads without a key (public fields, the city), comma lists, media_url and UTF-8 forms."""

from __future__ import annotations

from urllib.parse import quote

from sqlalchemy import text

from tests.api.open311.conftest import FUTIAN_POINT

PUBLIC_FIELDS_HIDDEN = ("小区门口占道经营", "13812345678", "138****5678", "张")


async def test_reads_need_no_key_and_show_public_fields_only(client, hotline_key, post_request):
    request_id = await post_request(
        hotline_key, description="楼下垃圾堆积", phone="13812345678", first_name="张"
    )
    listed = await client.get("/open311/v2/requests.json")
    assert listed.status_code == 200, listed.text
    [found] = [r for r in listed.json() if r["service_request_id"] == request_id]
    assert found["description"] == "楼下垃圾堆积"  # a citizen's own Open311 post is public
    assert "138" not in listed.text and "张" not in listed.text
    one = await client.get(f"/open311/v2/requests/{request_id}.json")
    assert one.status_code == 200
    assert one.json()[0]["service_code"] == "06001"


async def test_public_reads_hide_patrol_notes_and_the_social_categories(
    client, as_user, hotline_key, post_request
):
    worker = await as_user("worker-a")
    patrol = await client.post(
        "/api/events",
        headers=worker,
        json={
            "major": "06",
            "minor": "001",
            "title": "暴露垃圾",
            "description": "302室住户王某家门口堆放垃圾",
            "lon": 114.0032,
            "lat": 22.5332,
        },
    )
    assert patrol.status_code == 201, patrol.text
    patrol_code = patrol.json()["code"]
    dispute_id = await post_request(hotline_key, service_code="10001", description="邻里纠纷")

    public = {
        r["service_request_id"]: r for r in (await client.get("/open311/v2/requests.json")).json()
    }
    assert public[patrol_code]["description"] is None
    assert "王某" not in str(public)
    assert dispute_id not in public
    hidden = await client.get(f"/open311/v2/requests/{dispute_id}.json")
    assert hidden.status_code == 404
    keyed = (await client.get("/open311/v2/requests.json", params={"api_key": hotline_key})).json()
    by_id = {r["service_request_id"]: r for r in keyed}
    assert by_id[patrol_code]["description"] == "302室住户王某家门口堆放垃圾"
    assert by_id[dispute_id]["description"] == "邻里纠纷"


async def test_comma_lists_in_status_service_code_and_ids(
    client, session, hotline_key, post_request
):
    garbage = await post_request(hotline_key, service_code="06001")
    hawkers = await post_request(hotline_key, service_code="09001")
    lamp = await post_request(hotline_key, service_code="01002")
    await session.execute(
        text("UPDATE events SET status = 'rejected', stage_due_at = NULL WHERE code = :c"),
        {"c": lamp},
    )
    await session.commit()

    def ids(response) -> set[str]:
        assert response.status_code == 200, response.text
        return {r["service_request_id"] for r in response.json()} & {garbage, hawkers, lamp}

    both = await client.get("/open311/v2/requests.json", params={"service_code": "06001,09001"})
    assert ids(both) == {garbage, hawkers}
    every = await client.get("/open311/v2/requests.json", params={"status": "open,closed"})
    assert ids(every) == {garbage, hawkers, lamp}
    closed = await client.get("/open311/v2/requests.json", params={"status": "closed"})
    assert ids(closed) == {lamp}
    chosen = await client.get(
        "/open311/v2/requests.json", params={"service_request_id": f"{garbage},{lamp}"}
    )
    assert ids(chosen) == {garbage, lamp}
    wrong = await client.get("/open311/v2/requests.json", params={"status": "open,pending"})
    assert wrong.status_code == 400
    assert wrong.json() == [
        {"code": 400, "description": "status must be open and/or closed, got pending"}
    ]


async def test_media_url_is_stored_and_returned(client, hotline_key, post_request):
    photo = "https://img.example.cn/12345/垃圾.jpg?size=large"
    request_id = await post_request(hotline_key, media_url=photo)
    [found] = (await client.get(f"/open311/v2/requests/{request_id}.json")).json()
    assert found["media_url"] == photo
    refused = await client.post(
        "/open311/v2/requests.json",
        data={
            "api_key": hotline_key,
            "service_code": "06001",
            **FUTIAN_POINT,
            "media_url": "javascript:alert(1)",
        },
    )
    assert refused.status_code == 400


async def stored_description(session, request_id: str) -> tuple[str, str]:
    row = (
        await session.execute(
            text("SELECT description, address FROM events WHERE code = :c"), {"c": request_id}
        )
    ).one()
    return tuple(row)


async def test_utf8_form_bodies_are_stored_as_sent(client, session, hotline_key):
    description, address = "小区门口垃圾桶满溢，异味严重", "福田区滨江社区 3 栋"
    fields = {
        "api_key": hotline_key,
        "service_code": "06001",
        **FUTIAN_POINT,
        "description": description,
        "address_string": address,
    }
    # as curl -d and many clients send it: UTF-8 bytes, not percent-escaped
    raw = "&".join(f"{k}={v}" for k, v in fields.items()).encode()
    # as urlencode sends it: percent-escaped UTF-8 (spaces as +)
    escaped = "&".join(f"{k}={quote(v)}" for k, v in fields.items()).encode()
    # a client that names its charset
    gbk = "&".join(f"{k}={quote(v, encoding='gbk')}" for k, v in fields.items()).encode()
    for body, content_type in (
        (raw, "application/x-www-form-urlencoded"),
        (escaped, "application/x-www-form-urlencoded; charset=UTF-8"),
        (gbk, "application/x-www-form-urlencoded; charset=GBK"),
    ):
        response = await client.post(
            "/open311/v2/requests.json", content=body, headers={"Content-Type": content_type}
        )
        assert response.status_code == 200, response.text
        request_id = response.json()[0]["service_request_id"]
        assert await stored_description(session, request_id) == (description, address)
        [read] = (await client.get(f"/open311/v2/requests/{request_id}.json")).json()
        assert (read["description"], read["address"]) == (description, address)


async def test_a_form_body_that_is_not_utf8_is_400(client, hotline_key):
    body = f"api_key={hotline_key}&service_code=06001&description=".encode() + "垃圾".encode("gbk")
    response = await client.post(
        "/open311/v2/requests.json",
        content=body,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 400
    assert response.json() == [{"code": 400, "description": "the form body is not valid utf-8"}]


async def test_date_windows_in_the_clients_formats(client, hotline_key, post_request):
    request_id = await post_request(hotline_key)
    for start, end in (
        ("2020-01-01T00:00:00Z", "9999-12-31T23:59:59Z"),
        ("2020-01-01T00:00:00+08:00", None),
        ("2020-01-01T00:00:00", None),  # no offset: read as UTC
        ("0001-01-01T00:00:00Z", None),
    ):
        params = {"start_date": start} | ({"end_date": end} if end else {})
        response = await client.get("/open311/v2/requests.json", params=params)
        assert response.status_code == 200, (params, response.text)
        assert request_id in [r["service_request_id"] for r in response.json()]
    before = await client.get(
        "/open311/v2/requests.json", params={"end_date": "2020-01-01T00:00:00Z"}
    )
    assert before.status_code == 200
    assert request_id not in [r["service_request_id"] for r in before.json()]
    bad = await client.get("/open311/v2/requests.json", params={"start_date": "yesterday"})
    assert bad.status_code == 400
    assert bad.json()[0]["code"] == 400


async def test_multipart_posts_are_read_too(client, session, hotline_key):
    fields = {
        "api_key": hotline_key,
        "service_code": "06001",
        **FUTIAN_POINT,
        "description": "井盖缺失",
    }
    response = await client.post(
        "/open311/v2/requests.json",
        data=fields,
        files={"media": ("photo.txt", b"not kept", "text/plain")},  # forces multipart
    )
    assert response.status_code == 200, response.text
    request_id = response.json()[0]["service_request_id"]
    assert (await stored_description(session, request_id))[0] == "井盖缺失"
    other = await client.post("/open311/v2/requests.json", json=fields)
    assert other.status_code == 400
    assert "x-www-form-urlencoded" in other.json()[0]["description"]
