"""The workflow: the happy path end to end, every transition for every role, ETags."""

from __future__ import annotations

from sqlalchemy import select, text

from api.audit.models import AuditRecord
from api.events.workflow import EVENT_STATUSES_ALL, STEPS
from tests.api.events.helpers import act, report

ROLES = {  # mini-city user → role
    "worker-a": "grid_worker",
    "community": "community_admin",
    "street": "street_supervisor",
    "futian": "district_supervisor",
    "admin": "city_admin",
    "dept": "dept_handler",
    "auditor": "auditor",
}


async def test_report_accept_dispatch_handle_verify_close(client, as_user):
    worker, street, dept = (
        await as_user("worker-a"),
        await as_user("street"),
        await as_user("dept"),
    )
    event_id = (await report(client, worker)).json()["id"]
    for headers, action, status in [
        (street, "accept", "accepted"),
        (street, "dispatch", "dispatched"),
        (dept, "start", "handling"),
        (dept, "report_done", "handled"),
        (worker, "verify_pass", "verified"),
        (street, "close", "closed"),
    ]:
        response = await act(client, headers, event_id, action)
        assert response.status_code == 200, (action, response.text)
        assert response.json()["status"] == status
    final = (await client.get(f"/api/events/{event_id}", headers=street)).json()
    assert final["department"] == "深圳市城市管理和综合执法局"
    assert [(a["action"], a["from_status"], a["to_status"]) for a in final["actions"]] == [
        ("report", None, "reported"),
        ("accept", "reported", "accepted"),
        ("dispatch", "accepted", "dispatched"),
        ("start", "dispatched", "handling"),
        ("report_done", "handling", "handled"),
        ("verify_pass", "handled", "verified"),
        ("close", "verified", "closed"),
    ]
    assert [a["actor"] for a in final["actions"]] == [
        "worker-a",
        "street",
        "street",
        "dept",
        "dept",
        "worker-a",
        "street",
    ]
    times = [a["at"] for a in final["actions"]]
    assert times == sorted(times)
    assert final["closed_at"] and final["due_at"] > final["dispatched_at"]
    assert final["allowed_actions"] == []


async def test_rework_return_postpone_and_escalate(client, as_user):
    worker, street, dept = (
        await as_user("worker-a"),
        await as_user("street"),
        await as_user("dept"),
    )
    event_id = (await report(client, worker)).json()["id"]
    steps = [
        (street, "accept"),
        (street, "dispatch"),
        (dept, "return"),
        (street, "dispatch"),
        (dept, "report_done"),
        (worker, "verify_fail"),
        (street, "escalate"),
        (street, "postpone"),
        (street, "resume"),
    ]
    for headers, action in steps:
        response = await act(client, headers, event_id, action)
        assert response.status_code == 200, (action, response.text)
    event = response.json()
    assert event["status"] == "dispatched"  # resumed to where it was postponed from
    assert (event["rework_count"], event["escalation_level"]) == (1, 1)


async def test_every_transition_for_every_role(client, session, as_user):
    """Each (status, action, role): 200 when legal, 409 from a wrong state, 403 without the
    permission the step names (as the roles table grants it)."""
    owner = await as_user("worker-a")
    event_id = (await report(client, owner)).json()["id"]
    other_id = (await report(client, owner, title="另一起")).json()["id"]
    department = await session.scalar(
        text("SELECT id FROM departments WHERE code = 'city-management'")
    )
    headers = {user: await as_user(user) for user in ROLES}
    granted = {
        name: set(permissions)
        for name, permissions in await session.execute(text("SELECT name, permissions FROM roles"))
    }
    outcomes = {}
    for status in EVENT_STATUSES_ALL:
        for action, step in STEPS.items():
            for user, role in ROLES.items():
                await session.execute(
                    text(
                        "UPDATE events SET status = CAST(:s AS varchar), version = 1,"
                        " department_id = :d, stage_due_at = CASE WHEN CAST(:s AS varchar)"
                        " IN ('closed', 'rejected', 'postponed') THEN NULL"
                        " ELSE coalesce(stage_due_at, now() + interval '1 day') END"
                        " WHERE id = :id"
                    ),
                    {"s": status, "d": department, "id": event_id},
                )
                await session.commit()
                response = await client.post(
                    f"/api/events/{event_id}/actions",
                    json={"action": action, "note": "测试说明", "duplicate_of": other_id},
                    headers=headers[user] | {"If-Match": f'"e{event_id}v1"'},
                )
                if step.permission not in granted[role]:
                    expected = 403
                elif status not in step.sources:
                    expected = 409
                else:
                    expected = 200
                outcomes[(status, action, role)] = (response.status_code, expected)
    wrong = {key: got for key, got in outcomes.items() if got[0] != got[1]}
    assert wrong == {}
    assert sum(1 for got, _ in outcomes.values() if got == 200) == sum(
        len(step.sources) * sum(step.permission in granted[role] for role in ROLES.values())
        for step in STEPS.values()
    )


async def test_if_match_is_required_and_checked(client, as_user):
    street = await as_user("street")
    event_id = (await report(client, await as_user("worker-a"))).json()["id"]
    missing = await client.post(
        f"/api/events/{event_id}/actions", json={"action": "accept"}, headers=street
    )
    assert missing.status_code == 428
    stale = await client.post(
        f"/api/events/{event_id}/actions",
        json={"action": "accept"},
        headers=street | {"If-Match": f'"e{event_id}v9"'},
    )
    assert stale.status_code == 412 and stale.headers["etag"] == f'"e{event_id}v1"'


async def test_illegal_transition_is_a_409_that_names_the_states(client, as_user):
    street = await as_user("street")
    event_id = (await report(client, await as_user("worker-a"))).json()["id"]
    response = await act(client, street, event_id, "close")
    assert response.status_code == 409
    assert response.json()["message"] == (
        "cannot close (结案) an event that is reported (待受理); allowed from: verified"
    )


async def test_a_note_is_required_to_reject(client, as_user):
    street = await as_user("street")
    event_id = (await report(client, await as_user("worker-a"))).json()["id"]
    response = await act(client, street, event_id, "reject", note="")
    assert response.status_code == 422 and response.json()["code"] == "note_required"


async def test_scope_a_worker_of_grid_a_cannot_read_or_act_on_grid_b(client, as_user):
    event_b = (await report(client, await as_user("worker-b"), lon=114.0132, lat=22.5332)).json()[
        "id"
    ]
    worker_a = await as_user("worker-a")
    assert (await client.get(f"/api/events/{event_b}", headers=worker_a)).status_code == 404
    response = await client.post(
        f"/api/events/{event_b}/actions",
        json={"action": "verify_pass"},
        headers=worker_a | {"If-Match": f'"e{event_b}v1"'},
    )
    assert response.status_code == 404
    listed = (await client.get("/api/events", headers=worker_a)).json()
    assert event_b not in [e["id"] for e in listed["items"]]


async def test_a_department_sees_only_events_dispatched_to_it(client, session, as_user):
    street, dept = await as_user("street"), await as_user("dept")
    mine = (await report(client, await as_user("worker-a"))).json()["id"]
    water = (
        await report(client, await as_user("worker-a"), major="01", minor="004", title="水管爆裂")
    ).json()["id"]
    for event_id in (mine, water):
        await act(client, street, event_id, "accept")
        await act(client, street, event_id, "dispatch")
    listed = (await client.get("/api/events", headers=dept)).json()
    assert [e["id"] for e in listed["items"]] == [mine]
    assert (await client.get(f"/api/events/{water}", headers=dept)).status_code == 404


async def test_the_list_total_is_counted_up_to_a_cap_past_the_page(client, as_user, monkeypatch):
    from api.events import service

    worker = await as_user("worker-a")
    for n in range(5):
        assert (await report(client, worker, title=f"暴露垃圾 {n}")).status_code == 201
    monkeypatch.setattr(service, "TOTAL_CAP", 2)
    first = (await client.get("/api/events", params={"limit": 2}, headers=worker)).json()
    assert (first["total"], first["total_capped"]) == (2, True)
    later = (
        await client.get("/api/events", params={"limit": 2, "offset": 2}, headers=worker)
    ).json()
    assert (later["total"], later["total_capped"]) == (4, True)
    last = (
        await client.get("/api/events", params={"limit": 2, "offset": 4}, headers=worker)
    ).json()
    assert (last["total"], last["total_capped"], len(last["items"])) == (5, False, 1)
    titles = [e["title"] for e in first["items"] + later["items"] + last["items"]]
    assert sorted(titles) == [f"暴露垃圾 {n}" for n in range(5)]


async def test_every_workflow_step_is_in_the_audit_trail(client, session, as_user):
    """Finding 2 of issue 14: event actions were not audited."""
    worker, street = await as_user("worker-a"), await as_user("street")
    created = (await report(client, worker)).json()
    assert (await act(client, street, created["id"], "accept")).status_code == 200
    records = list(
        await session.scalars(
            select(AuditRecord).where(AuditRecord.action == "event.action").order_by(AuditRecord.id)
        )
    )
    assert [(r.username, r.object_id, r.details["step"], r.details["to"]) for r in records] == [
        ("street", created["code"], "accept", "accepted")
    ]
    assert records[0].area_code == "44030400100101"


async def test_the_step_table_decides_the_buttons_and_the_refusal(client, as_user):
    """One permission model: allowed_actions and a 403 both come from Step.permission."""
    worker, street, dept = (
        await as_user("worker-a"),
        await as_user("street"),
        await as_user("dept"),
    )
    event_id = (await report(client, worker)).json()["id"]
    seen = {
        user: (await client.get(f"/api/events/{event_id}", headers=headers)).json()
        for user, headers in (("worker-a", worker), ("street", street))
    }
    assert seen["street"]["allowed_actions"] == ["accept", "reject", "merge"]
    assert seen["worker-a"]["allowed_actions"] == []
    refused = await act(client, worker, event_id, "accept")
    assert refused.status_code == 403
    assert refused.json()["code"] == "action_not_permitted"
    assert refused.json()["message"] == "accept (受理立案) needs the events.accept permission"
    for action in ("accept", "dispatch"):
        assert (await act(client, street, event_id, action)).status_code == 200
    handler = (await client.get(f"/api/events/{event_id}", headers=dept)).json()
    assert handler["allowed_actions"] == ["return", "start", "report_done"]


async def test_collection_and_handling_stay_apart(session):
    """采办分离, written out: the step table and the roles table must give exactly this."""
    command_centre = {"accept", "reject", "merge", "dispatch", "close"}
    command_centre |= {"postpone", "resume", "escalate"}
    expected = {
        "grid_worker": {"verify_pass", "verify_fail"},
        "community_admin": {"verify_pass", "verify_fail"},
        "street_supervisor": command_centre,
        "district_supervisor": command_centre,
        "city_admin": command_centre,
        "dept_handler": {"return", "start", "report_done"},
        "auditor": set(),
    }
    granted = {
        name: set(permissions)
        for name, permissions in await session.execute(text("SELECT name, permissions FROM roles"))
    }
    allowed = {
        role: {action for action, step in STEPS.items() if step.permission in granted[role]}
        for role in expected
    }
    assert allowed == expected
