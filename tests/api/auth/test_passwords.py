"""Password changes end every session; weak and published passwords are refused (finding 4)."""

from __future__ import annotations

from sqlalchemy import select

from api.audit.models import AuditRecord
from api.auth.models import User, UserSession
from tests.conftest import PASSWORD, login

NEW_PASSWORD = "quiet-lantern-river-42"


async def test_changing_my_password_ends_every_session_of_my_account(client, session):
    phone, desk = await login(client, "worker-a"), await login(client, "worker-a")
    other = await login(client, "worker-b")
    changed = await client.post(
        "/auth/password",
        json={"current_password": PASSWORD, "new_password": NEW_PASSWORD},
        headers=phone,
    )
    assert changed.status_code == 204, changed.text
    for headers in (phone, desk):
        refused = await client.get("/auth/me", headers=headers)
        assert refused.status_code == 401 and refused.json()["code"] == "session_revoked"
    assert (await client.get("/auth/me", headers=other)).status_code == 200
    assert (await login(client, "worker-a", NEW_PASSWORD)) is not None
    record = await session.scalar(
        select(AuditRecord).where(AuditRecord.action == "password.change")
    )
    assert (record.username, record.result, record.area_code) == (
        "worker-a",
        "success",
        "44030400100101",
    )


async def test_a_wrong_current_password_is_refused_and_recorded(client, session):
    headers = await login(client, "worker-a")
    response = await client.post(
        "/auth/password",
        json={"current_password": "not-my-password", "new_password": NEW_PASSWORD},
        headers=headers,
    )
    assert response.status_code == 403 and response.json()["code"] == "wrong_password"
    assert (await client.get("/auth/me", headers=headers)).status_code == 200
    record = await session.scalar(
        select(AuditRecord).where(AuditRecord.action == "password.change")
    )
    assert record.result == "denied"


async def test_an_admin_reset_ends_the_sessions_of_that_account(client, session):
    admin = await login(client, "admin")
    worker = await login(client, "worker-b")
    user_id = await session.scalar(select(User.id).where(User.username == "worker-b"))
    reset = await client.post(
        f"/api/users/{user_id}/password", json={"password": NEW_PASSWORD}, headers=admin
    )
    assert reset.status_code == 204, reset.text
    assert (await client.get("/auth/me", headers=worker)).status_code == 401
    open_sessions = await session.scalar(
        select(UserSession.id).where(
            UserSession.user_id == user_id, UserSession.revoked_at.is_(None)
        )
    )
    assert open_sessions is None
    assert (await client.get("/auth/me", headers=admin)).status_code == 200


async def test_an_admin_cannot_reset_an_account_outside_the_area(client, session):
    futian = await login(client, "futian")
    nanshan_id = await session.scalar(select(User.id).where(User.username == "nanshan"))
    # futian lacks users.manage altogether; an admin of the city may, the district may not.
    response = await client.post(
        f"/api/users/{nanshan_id}/password", json={"password": NEW_PASSWORD}, headers=futian
    )
    assert response.status_code == 403


async def test_new_accounts_refuse_the_demo_password_and_common_ones(client):
    admin = await login(client, "admin")
    account = {
        "username": "new-worker",
        "display_name": "新网格员",
        "role": "grid_worker",
        "scope_code": "44030400100102",
        "grid_codes": ["44030400100102"],
    }
    for weak in ("blockgrid-demo", "1234567890", "P@ssw0rd123", "new-worker-1", "woaini131452"):
        response = await client.post("/api/users", json=account | {"password": weak}, headers=admin)
        assert response.status_code == 422, weak
        assert response.json()["code"] == "weak_password", weak
    created = await client.post(
        "/api/users", json=account | {"password": NEW_PASSWORD}, headers=admin
    )
    assert created.status_code == 201


async def test_account_creation_is_audited(client, session):
    admin = await login(client, "admin")
    created = await client.post(
        "/api/users",
        json={
            "username": "new-worker",
            "display_name": "新网格员",
            "password": NEW_PASSWORD,
            "role": "grid_worker",
            "scope_code": "44030400100102",
            "grid_codes": ["44030400100102"],
        },
        headers=admin,
    )
    assert created.status_code == 201
    record = await session.scalar(select(AuditRecord).where(AuditRecord.action == "user.create"))
    assert (record.username, record.object_id, record.area_code) == (
        "admin",
        str(created.json()["id"]),
        "44030400100102",
    )
    assert record.details["role"] == "grid_worker"
