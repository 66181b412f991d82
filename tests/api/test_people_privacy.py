"""Personal data: encrypted at rest, masked in responses, revealed only with a reason, audited."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select, text

from api.audit.models import AuditRecord
from api.people.models import Person
from grids.identifiers import make_id_number
from tests.fixtures.mini_city import fixture_cipher, person_id_number


async def person_id(session, name: str) -> int:
    return await session.scalar(select(Person.id).where(Person.name == name))


async def test_identifiers_are_encrypted_at_rest(session):
    clear = person_id_number("张三丰")
    blob, digest = (
        await session.execute(
            select(Person.id_number_enc, Person.id_number_hash).where(Person.name == "张三丰")
        )
    ).one()
    assert clear.encode() not in blob and b"13812341234" not in blob
    assert len(digest) == 32
    assert fixture_cipher().decrypt(blob, field=b"id_number") == clear


async def test_responses_are_masked_by_default(client, session, as_user):
    headers = await as_user("worker-a")
    pid = await person_id(session, "张三丰")
    body = (await client.get(f"/api/people/{pid}", headers=headers)).json()
    clear = person_id_number("张三丰")
    assert body["id_number"] == clear[:6] + "*" * 11 + clear[-1]
    assert body["phone"] == "138****1234"
    assert body["name"] == "张**"
    assert body["care_tags"] == ["elderly_alone"]
    assert body["age"] >= 75


async def test_lookup_by_exact_id_number_uses_the_keyed_hash_and_is_audited(
    client, session, as_user
):
    headers = await as_user("worker-a")
    response = await client.get(
        "/api/people", params={"id_number": person_id_number("李小龙")}, headers=headers
    )
    assert response.status_code == 200
    assert response.json()["name"] == "李**"
    record = await session.scalar(select(AuditRecord).where(AuditRecord.action == "person.lookup"))
    assert record.username == "worker-a" and record.result == "success"
    clear = person_id_number("李小龙")
    assert record.details["masked"] == clear[:6] + "*" * 11 + clear[-1]
    assert record.area_code == "44030400100101"


async def test_a_lookup_that_finds_no_one_is_audited_too(client, session, as_user):
    """Finding 1: a miss was rolled back with its 404 and left no trace."""
    headers = await as_user("worker-a")
    outside = person_id_number("赵六")  # lives in 南山: not in worker-a's grid
    response = await client.get("/api/people", params={"id_number": outside}, headers=headers)
    assert response.status_code == 404
    record = await session.scalar(select(AuditRecord).where(AuditRecord.action == "person.lookup"))
    assert (record.username, record.result, record.object_id) == ("worker-a", "failure", None)
    assert record.details["masked"] == outside[:6] + "*" * 11 + outside[-1]


async def test_lookups_by_id_number_are_rate_limited_per_account(client, session, as_user, app):
    """Finding 1: 25 lookups in 0.6 s recovered a full number; now the 21st is refused."""
    limit = app.state.settings.id_lookups_per_hour
    worker, other = await as_user("worker-a"), await as_user("worker-b")
    candidates = [
        make_id_number("440304", dt.date(1990, 1, 1) + dt.timedelta(days=day), 125)
        for day in range(limit + 1)
    ]
    statuses = [
        (await client.get("/api/people", params={"id_number": c}, headers=worker)).status_code
        for c in candidates
    ]
    assert statuses == [404] * limit + [429]
    refused = await client.get(
        "/api/people", params={"id_number": person_id_number("李小龙")}, headers=worker
    )
    assert refused.status_code == 429 and refused.json()["code"] == "rate_limited"
    assert refused.headers["Retry-After"] == "3600"
    # Another account is not affected.
    mine = await client.get(
        "/api/people", params={"id_number": person_id_number("王五")}, headers=other
    )
    assert mine.status_code == 200
    results = list(
        await session.scalars(
            select(AuditRecord.result)
            .where(AuditRecord.action == "person.lookup", AuditRecord.username == "worker-a")
            .order_by(AuditRecord.id)
        )
    )
    assert results == ["failure"] * limit + ["denied", "denied"]


async def test_lookup_with_a_bad_check_digit_says_so(client, as_user):
    headers = await as_user("worker-a")
    good = person_id_number("李小龙")
    bad = good[:17] + ("0" if good[17] != "0" else "1")
    response = await client.get("/api/people", params={"id_number": bad}, headers=headers)
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_id_number"
    assert "check" in response.json()["message"]


async def test_reveal_needs_the_permission_and_is_audited_even_when_denied(
    client, session, as_user
):
    headers = await as_user("futian")
    pid = await person_id(session, "张三丰")
    denied = await client.post(
        f"/api/people/{pid}/reveal",
        headers=headers,
        json={"fields": ["id_number"], "reason": "走访核实身份"},
    )
    assert denied.status_code == 403
    assert denied.json()["code"] == "reveal_not_permitted"
    record = await session.scalar(select(AuditRecord).where(AuditRecord.action == "person.reveal"))
    assert (record.username, record.result, record.reason) == ("futian", "denied", "走访核实身份")


async def test_reveal_returns_full_values_and_writes_the_reason(client, session, as_user):
    headers = await as_user("admin")
    pid = await person_id(session, "张三丰")
    response = await client.post(
        f"/api/people/{pid}/reveal",
        headers=headers,
        json={"fields": ["id_number", "phone"], "reason": "独居老人紧急联系"},
    )
    assert response.status_code == 200
    assert response.json() == {
        "id": pid,
        "id_number": person_id_number("张三丰"),
        "phone": "13812341234",
        "name": None,
    }
    record = await session.scalar(select(AuditRecord).where(AuditRecord.action == "person.reveal"))
    assert (record.result, record.object_id, record.reason) == (
        "success",
        str(pid),
        "独居老人紧急联系",
    )
    assert record.details == {"fields": ["id_number", "phone"]}


async def test_reveal_without_a_reason_is_refused(client, session, as_user):
    headers = await as_user("admin")
    pid = await person_id(session, "张三丰")
    response = await client.post(
        f"/api/people/{pid}/reveal", headers=headers, json={"fields": ["id_number"]}
    )
    assert response.status_code == 422
    assert response.json()["details"][0]["field"] == "body.reason"


async def test_the_audit_log_cannot_be_changed(session):
    await session.execute(text("INSERT INTO audit_log (action, result) VALUES ('x', 'success')"))
    for statement in (
        "UPDATE audit_log SET result = 'failure'",
        "DELETE FROM audit_log",
        "TRUNCATE audit_log",
    ):
        nested = await session.begin_nested()
        try:
            await session.execute(text(statement))
        except Exception as exc:
            assert "append-only" in str(exc)
            await nested.rollback()
        else:
            raise AssertionError(f"{statement} was allowed")
