"""The audit trail: auditors read and export their area's records (finding 2 of issue 14)."""

from __future__ import annotations

import csv
import datetime as dt
import io

from sqlalchemy import select, text

from api.audit.models import AuditRecord
from api.users.service import create_user
from grids.identifiers import make_id_number
from tests.conftest import PASSWORD, login


async def test_an_auditor_reads_logins_and_lookups_newest_first(client):
    await login(client, "worker-a")
    worker = await login(client, "worker-a")
    nobody = make_id_number("440304", dt.date(1949, 12, 31), 2)
    missed = await client.get("/api/people", params={"id_number": nobody}, headers=worker)
    assert missed.status_code == 404
    auditor = await login(client, "auditor")
    page = await client.get("/api/audit", headers=auditor)
    assert page.status_code == 200, page.text
    items = page.json()["items"]
    assert [i["id"] for i in items] == sorted((i["id"] for i in items), reverse=True)
    lookup = next(i for i in items if i["action"] == "person.lookup")
    assert (lookup["username"], lookup["result"], lookup["action_label"]) == (
        "worker-a",
        "failure",
        "按身份证号查询",
    )
    assert lookup["client_addr"] == "10.1.2.3" and lookup["area_code"] == "44030400100101"
    logins = [i for i in items if i["action"] == "login" and i["username"] == "worker-a"]
    assert len(logins) == 2


async def test_filters_narrow_the_trail_and_pages_follow(client):
    for _ in range(3):
        await login(client, "worker-b")
    auditor = await login(client, "auditor")
    only = await client.get(
        "/api/audit", params={"username": "worker-b", "action": "login"}, headers=auditor
    )
    assert {(i["username"], i["action"]) for i in only.json()["items"]} == {("worker-b", "login")}
    first = await client.get(
        "/api/audit", params={"username": "worker-b", "limit": 2}, headers=auditor
    )
    body = first.json()
    assert len(body["items"]) == 2 and body["next_before_id"] == body["items"][-1]["id"]
    rest = await client.get(
        "/api/audit",
        params={"username": "worker-b", "limit": 2, "before_id": body["next_before_id"]},
        headers=auditor,
    )
    assert [i["id"] for i in rest.json()["items"]] < [body["next_before_id"]]
    assert len(rest.json()["items"]) == 1 and rest.json()["next_before_id"] is None
    family = await client.get("/api/audit", params={"action": "log"}, headers=auditor)
    assert family.json()["items"] == []  # exact unless it ends with "."


async def test_a_district_auditor_reads_only_the_district(client, session):
    await create_user(
        session,
        username="auditor-nanshan",
        display_name="南山审计员",
        password=PASSWORD,
        role="auditor",
        scope_code="440305",
    )
    await login(client, "worker-a")  # 福田
    await login(client, "worker-nanshan")  # 南山
    auditor = await login(client, "auditor-nanshan")
    items = (await client.get("/api/audit", params={"limit": 500}, headers=auditor)).json()["items"]
    assert {i["username"] for i in items} == {"worker-nanshan", "auditor-nanshan"}
    assert all(i["area_code"].startswith("440305") for i in items)
    outside = await client.get("/api/audit", params={"area": "440304"}, headers=auditor)
    assert outside.status_code == 403


async def test_only_auditors_read_the_trail(client):
    for username in ("admin", "worker-a", "futian"):
        response = await client.get("/api/audit", headers=await login(client, username))
        assert response.status_code == 403, username
        assert "audit.read" in response.json()["message"]


async def test_the_export_is_a_csv_and_is_itself_recorded(client, session):
    await login(client, "worker-a")
    auditor = await login(client, "auditor")
    response = await client.get("/api/audit/export", params={"action": "login"}, headers=auditor)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows and {r["action"] for r in rows} == {"login"}
    assert any(r["username"] == "worker-a" for r in rows)
    record = await session.scalar(select(AuditRecord).where(AuditRecord.action == "audit.export"))
    assert (record.username, record.details["rows"]) == ("auditor", len(rows))


async def test_the_api_role_reads_no_audit_row_outside_the_audit_route(client, session):
    await login(client, "worker-a")
    await session.execute(
        text(
            "SELECT set_config('role', 'blockgrid_api', true),"
            " set_config('blockgrid.scope', '4403', true)"
        )
    )
    assert await session.scalar(text("SELECT count(*) FROM audit_log")) == 0
    await session.execute(text("SELECT set_config('blockgrid.audit', 'read', true)"))
    assert await session.scalar(text("SELECT count(*) FROM audit_log")) >= 1
    await session.execute(text("RESET ROLE"))


async def test_the_action_list_names_every_action_in_chinese(client):
    auditor = await login(client, "auditor")
    actions = (await client.get("/api/audit/actions", headers=auditor)).json()
    labels = {a["action"]: a["label_zh"] for a in actions}
    assert labels["person.reveal"] == "查看完整个人信息" and labels["login"] == "登录"
