"""Open311 keys issued, listed and revoked by admins in the API (``open311.keys``), audited."""

from __future__ import annotations

from sqlalchemy import select, text

from api.audit.models import AuditRecord
from api.auth.security import token_digest
from api.open311.models import ApiKey
from api.settings import DEFAULT_SECRET_KEY
from tests.api.open311.conftest import FUTIAN_POINT, NANSHAN_POINT


async def test_the_city_admin_issues_lists_and_revokes_keys(client, session, as_user):
    admin = await as_user("admin")
    issued = await client.post(
        "/api/open311/keys", headers=admin, json={"name": "福田区热线", "area_code": "440304"}
    )
    assert issued.status_code == 201, issued.text
    body = issued.json()
    key, key_id = body["key"], body["id"]
    assert (body["name"], body["area_code"], body["revoked_at"]) == ("福田区热线", "440304", None)
    # only the keyed hash is stored
    stored = await session.scalar(select(ApiKey).where(ApiKey.id == key_id))
    assert stored.key_hash == token_digest(key, DEFAULT_SECRET_KEY)
    assert key.encode() not in stored.key_hash

    posted = await client.post(
        "/open311/v2/requests.json", data={"api_key": key, "service_code": "06001", **FUTIAN_POINT}
    )
    assert posted.status_code == 200, posted.text
    outside = await client.post(
        "/open311/v2/requests.json", data={"api_key": key, "service_code": "06001", **NANSHAN_POINT}
    )
    assert outside.status_code == 403

    listed = (await client.get("/api/open311/keys", headers=admin)).json()
    [entry] = [k for k in listed if k["id"] == key_id]
    assert "key" not in entry and entry["area_code"] == "440304"

    revoked = await client.delete(f"/api/open311/keys/{key_id}", headers=admin)
    assert revoked.status_code == 200, revoked.text
    assert revoked.json()["revoked_at"] is not None
    refused = await client.post(
        "/open311/v2/requests.json", data={"api_key": key, "service_code": "06001", **FUTIAN_POINT}
    )
    assert refused.status_code == 403
    assert refused.json() == [{"code": 403, "description": "invalid api_key"}]

    records = (
        await session.scalars(
            select(AuditRecord).where(AuditRecord.action == "open311.key").order_by(AuditRecord.id)
        )
    ).all()
    assert [
        (r.username, r.object_type, r.object_id, r.result, r.details["op"]) for r in records
    ] == [
        ("admin", "api_key", str(key_id), "success", "create"),
        ("admin", "api_key", str(key_id), "success", "revoke"),
    ]
    assert records[0].area_code == "440304" and str(records[0].client_addr) == "10.1.2.3"
    assert key not in str(records[0].details)


async def test_a_key_defaults_to_the_admins_area(client, as_user):
    admin = await as_user("admin")
    issued = await client.post("/api/open311/keys", headers=admin, json={"name": "12345"})
    assert issued.status_code == 201
    assert issued.json()["area_code"] == "4403"


async def test_only_holders_of_open311_keys_manage_keys(client, session, as_user):
    for username in ("futian", "worker-a", "auditor"):
        headers = await as_user(username)
        assert (await client.get("/api/open311/keys", headers=headers)).status_code == 403
        created = await client.post("/api/open311/keys", headers=headers, json={"name": "x"})
        assert created.status_code == 403
    assert await session.scalar(text("SELECT count(*) FROM api_keys")) == 0
    permissions = await session.scalar(
        text("SELECT permissions FROM roles WHERE name = 'city_admin'")
    )
    assert "open311.keys" in permissions


async def test_an_unknown_key_or_area_is_404(client, as_user):
    admin = await as_user("admin")
    assert (await client.delete("/api/open311/keys/424242", headers=admin)).status_code == 404
    unknown_area = await client.post(
        "/api/open311/keys", headers=admin, json={"name": "x", "area_code": "440399"}
    )
    assert unknown_area.status_code == 404
    bad_area = await client.post(
        "/api/open311/keys", headers=admin, json={"name": "x", "area_code": "44x"}
    )
    assert bad_area.status_code == 422
