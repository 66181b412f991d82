"""Sign in, lockout, revocation, idle timeout and their audit records."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select, text

from api.audit.models import AuditRecord
from api.auth.models import User, UserSession
from tests.conftest import PASSWORD, login


async def audit_rows(session, username: str) -> list[AuditRecord]:
    rows = await session.scalars(
        select(AuditRecord).where(AuditRecord.username == username).order_by(AuditRecord.id)
    )
    return list(rows)


async def test_login_returns_a_bearer_token_and_me_describes_the_user(client, session):
    response = await client.post("/auth/token", data={"username": "worker-a", "password": PASSWORD})
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == 12 * 3600 and body["idle_timeout"] == 30 * 60

    me = await client.get("/auth/me", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert me.status_code == 200
    assert me.json() | {"id": 0} == me.json() | {
        "id": 0,
        "username": "worker-a",
        "role": "grid_worker",
        "role_label": "网格员",
        "scope_code": "44030400100101",
        "scope_name": "滨江社区第01网格",
        "grid_codes": ["44030400100101"],
        "department_id": None,
    }
    assert "events.report" in me.json()["permissions"]

    [record] = await audit_rows(session, "worker-a")
    assert (record.action, record.result, str(record.client_addr)) == (
        "login",
        "success",
        "10.1.2.3",
    )


async def test_usernames_are_case_insensitive_on_login(client):
    response = await client.post(
        "/auth/token", data={"username": " Worker-A ", "password": PASSWORD}
    )
    assert response.status_code == 200


async def test_wrong_password_is_refused_counted_and_audited(client, session):
    response = await client.post("/auth/token", data={"username": "worker-a", "password": "nope"})
    assert response.status_code == 401
    assert response.json()["code"] == "login_failed"
    assert response.headers["www-authenticate"] == "Bearer"
    user = await session.scalar(select(User).where(User.username == "worker-a"))
    await session.refresh(user)
    assert user.failed_logins == 1
    [record] = await audit_rows(session, "worker-a")
    assert (record.action, record.result, record.details["reason"]) == (
        "login",
        "failure",
        "bad_password",
    )


async def test_unknown_user_gets_the_same_answer_and_is_audited(client, session):
    response = await client.post("/auth/token", data={"username": "ghost", "password": "whatever"})
    assert response.status_code == 401
    assert response.json()["message"] == "wrong username or password"
    [record] = await audit_rows(session, "ghost")
    assert record.user_id is None and record.details["reason"] == "unknown_user"


async def test_malformed_login_form_says_what_is_missing(client):
    response = await client.post("/auth/token", data={"username": "worker-a"})
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid"
    assert body["details"][0]["field"] == "body.password"
    response = await client.post("/auth/token", json={"username": "a", "password": "b"})
    assert response.status_code == 422


async def test_five_failures_lock_the_account_for_fifteen_minutes(client, session):
    for _ in range(5):
        bad = await client.post("/auth/token", data={"username": "worker-b", "password": "bad"})
        assert bad.status_code == 401
    locked = await client.post("/auth/token", data={"username": "worker-b", "password": PASSWORD})
    assert locked.status_code == 423
    assert locked.json()["code"] == "account_locked"
    assert "15 min" in locked.json()["message"]

    user = await session.scalar(select(User).where(User.username == "worker-b"))
    await session.refresh(user)
    remaining = user.locked_until - datetime.now(UTC)
    assert timedelta(minutes=14) < remaining <= timedelta(minutes=15)
    results = [(r.action, r.result) for r in await audit_rows(session, "worker-b")]
    assert results == [("login", "failure")] * 5 + [("login", "denied")]

    # When the lock expires the right password works again.
    await session.execute(
        text(
            "UPDATE users SET locked_until = now() - interval '1 second'"
            " WHERE username = 'worker-b'"
        )
    )
    await session.commit()
    assert (
        await client.post("/auth/token", data={"username": "worker-b", "password": PASSWORD})
    ).status_code == 200


async def test_logout_revokes_the_token_on_the_server(client, session):
    headers = await login(client, "futian")
    assert (await client.get("/auth/me", headers=headers)).status_code == 200
    assert (await client.post("/auth/logout", headers=headers)).status_code == 204
    after = await client.get("/auth/me", headers=headers)
    assert after.status_code == 401
    assert after.json()["code"] == "session_revoked"
    actions = [r.action for r in await audit_rows(session, "futian")]
    assert actions == ["login", "logout"]


async def test_idle_session_times_out(client, session):
    headers = await login(client, "street")
    await session.execute(
        text(
            "UPDATE sessions SET last_seen_at = now() - interval '31 minutes'"
            " WHERE user_id = (SELECT id FROM users WHERE username = 'street')"
        )
    )
    await session.commit()
    response = await client.get("/auth/me", headers=headers)
    assert response.status_code == 401
    assert response.json()["code"] == "session_expired"


async def test_activity_keeps_the_session_alive(client, session):
    headers = await login(client, "street")
    await session.execute(
        text(
            "UPDATE sessions SET last_seen_at = now() - interval '29 minutes'"
            " WHERE user_id = (SELECT id FROM users WHERE username = 'street')"
        )
    )
    await session.commit()
    assert (await client.get("/auth/me", headers=headers)).status_code == 200
    seen = await session.scalar(
        select(UserSession.last_seen_at).join(User).where(User.username == "street")
    )
    assert datetime.now(UTC) - seen < timedelta(seconds=10)


async def test_missing_and_forged_tokens_are_refused(client):
    missing = await client.get("/auth/me")
    assert missing.status_code == 401 and "missing bearer token" in missing.json()["message"]
    forged = await client.get("/auth/me", headers={"Authorization": "Bearer forged"})
    assert forged.status_code == 401 and forged.json()["message"] == "invalid token"


async def test_only_the_token_digest_is_stored(client, session):
    response = await client.post("/auth/token", data={"username": "admin", "password": PASSWORD})
    token = response.json()["access_token"]
    stored = await session.scalars(select(UserSession.token_hash))
    assert all(token.encode() not in digest and len(digest) == 32 for digest in stored)


async def test_a_request_does_not_wait_for_another_holding_its_session_row(
    live_app_client, fresh_database
):
    import asyncio

    import psycopg

    headers = await login(live_app_client, "street")
    with psycopg.connect(fresh_database) as other:  # a slow request of the same user
        other.execute(
            "UPDATE sessions SET last_seen_at = now() - interval '5 minutes'"
            " WHERE user_id = (SELECT id FROM users WHERE username = 'street')"
            " AND revoked_at IS NULL"
        )
        other.commit()
        other.execute(
            "SELECT 1 FROM sessions WHERE user_id = (SELECT id FROM users"
            " WHERE username = 'street') FOR UPDATE"
        )
        me = await asyncio.wait_for(live_app_client.get("/auth/me", headers=headers), 10)
        other.rollback()
    assert me.status_code == 200
