"""Validation at the edge (issue 14, finding 6): no value reaches the database that it
cannot hold, and what the database refuses anyway is a 422 with our body, never a 500."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import text

from api.errors import install_error_handlers
from tests.api.events.helpers import report

INT32_PAST = "2147483648"
INT64_PAST = "9223372036854775808"


def assert_our_422(response: httpx.Response, field: str | None = None) -> dict:
    assert response.status_code == 422, response.text
    body = response.json()
    assert set(body) >= {"code", "message", "message_zh"}
    if field is not None:
        assert [d["field"] for d in body["details"]] == [field], body
    return body


@pytest.mark.parametrize(
    ("method", "url", "field"),
    [
        ("GET", f"/api/events/{INT64_PAST}", "path.event_id"),
        ("POST", f"/api/events/{INT64_PAST}/actions", "path.event_id"),
        ("GET", f"/api/events/1/attachments/{INT64_PAST}", "path.photo_id"),
        ("DELETE", f"/api/routing-rules/{INT32_PAST}", "path.rule_id"),
        ("GET", f"/api/events?department_id={INT32_PAST}", "query.department_id"),
        ("GET", f"/api/events?category_id={INT32_PAST}", "query.category_id"),
        ("GET", f"/api/hotspots?offset={INT32_PAST}", "query.offset"),
        ("GET", f"/api/indicators?period=2026-11&department_id={INT32_PAST}", None),
    ],
)
async def test_integers_past_their_column_are_422(client, as_user, method, url, field):
    headers = await as_user("admin")
    response = await client.request(method, url, headers=headers, json={"action": "accept"})
    assert_our_422(response, field)


async def test_a_rule_body_with_ids_past_int32_is_422(client, as_user):
    body = {"category_id": int(INT32_PAST), "area_prefix": "440304", "department_id": 1}
    response = await client.put("/api/routing-rules", json=body, headers=await as_user("admin"))
    assert_our_422(response, "body.category_id")


@pytest.mark.parametrize(
    "url",
    [
        "/api/addresses?q=%00abc",
        "/api/events?q=ab%00c",
    ],
)
async def test_nul_bytes_in_the_path_or_query_are_422(client, as_user, url):
    body = assert_our_422(await client.get(url, headers=await as_user("admin")))
    assert body["code"] in ("nul_character", "invalid")


async def test_nul_bytes_on_georeport_paths_are_422_in_the_georeport_shape(client):
    response = await client.get("/open311/v2/requests.json?service_code=%00")
    assert response.status_code == 422
    [error] = response.json()
    assert error["code"] == 422 and "NUL" in error["description"]


async def test_nul_bytes_in_a_json_body_are_422_and_nothing_is_filed(client, as_user):
    headers = await as_user("worker-a")
    body = assert_our_422(await report(client, headers, title="垃圾\u0000堆放"))
    assert body["code"] == "nul_character"
    listed = (await client.get("/api/events", headers=headers)).json()
    assert "垃圾\x00堆放" not in [e["title"] for e in listed["items"]]
    # an escaped backslash followed by u0000 is text, not a NUL
    assert (await report(client, headers, title="路牌写着 \\u0000")).status_code == 201


async def test_nul_bytes_in_a_form_body_are_422(client):
    response = await client.post("/auth/token", data={"username": "admin\x00", "password": "x"})
    assert assert_our_422(response)["code"] == "nul_character"


async def test_database_data_errors_are_422_not_500(engine):
    """Whatever still reaches PostgreSQL with a bad value (SQLSTATE class 22) is a 422."""
    app = FastAPI()
    install_error_handlers(app)

    @app.get("/cast/{sql}")
    async def cast(sql: str) -> dict:
        async with engine.connect() as connection:
            statements = {
                "int": "SELECT CAST(:v AS integer)",
                "date": "SELECT CAST(:v AS date)",
                "nul": "SELECT CAST(:v AS text)",
            }
            values = {"int": "99999999999", "date": "9999-99-99", "nul": "a\x00b"}
            return {"value": await connection.scalar(text(statements[sql]), {"v": values[sql]})}

    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        for kind in ("int", "date", "nul"):
            body = assert_our_422(await client.get(f"/cast/{kind}"))
            assert body["code"] == "invalid_value"
            assert "99999999999" not in body["message"]  # the value is not echoed


async def test_an_event_is_addressable_by_its_public_code(client, as_user):
    headers = await as_user("worker-a")
    created = (await report(client, headers)).json()
    by_code = await client.get(f"/api/events/{created['code']}", headers=headers)
    assert by_code.status_code == 200
    assert (by_code.json()["id"], by_code.json()["code"]) == (created["id"], created["code"])
    by_id = await client.get(f"/api/events/{created['id']}", headers=headers)
    assert by_code.headers["etag"] == by_id.headers["etag"]
    accepted = await client.post(
        f"/api/events/{created['code']}/actions",
        json={"action": "accept", "note": "受理"},
        headers=await as_user("street") | {"If-Match": by_code.headers["etag"]},
    )
    assert accepted.status_code == 200 and accepted.json()["status"] == "accepted"
    # out of the caller's area, a code is as unknown as one never issued
    foreign = await client.get(f"/api/events/{created['code']}", headers=await as_user("nanshan"))
    unknown = await client.get("/api/events/E209901010000001", headers=headers)
    assert foreign.status_code == unknown.status_code == 404
    assert foreign.json()["code"] == unknown.json()["code"] == "event_not_found"
    assert_our_422(await client.get("/api/events/E2026", headers=headers), "path.event_id")


async def test_the_document_says_events_take_an_id_or_a_code(client):
    document = (await client.get("/openapi.json")).json()
    operation = document["paths"]["/api/events/{event_id}"]["get"]
    (parameter,) = operation["parameters"]
    kinds = {s.get("type") for s in parameter["schema"]["anyOf"]}
    assert kinds == {"integer", "string"}
    assert "E202612070000042" in parameter["schema"]["description"]
    assert operation["description"]
