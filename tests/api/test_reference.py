"""GET /api/reference: the one list of event codes and legends that clients read."""

from __future__ import annotations

import re

from sqlalchemy import text

from api.events.models import EVENT_ACTIONS, EVENT_SOURCES
from api.events.workflow import EVENT_STATUSES_ALL, FINAL_STATUSES, OPEN_STATUSES, STEPS


async def test_reference_needs_no_sign_in_and_lists_every_status_in_workflow_order(client):
    response = await client.get("/api/reference")
    assert response.status_code == 200
    statuses = response.json()["event_statuses"]
    assert [s["code"] for s in statuses] == list(EVENT_STATUSES_ALL)
    verified = next(s for s in statuses if s["code"] == "verified")
    assert verified == {
        "code": "verified",
        "label_zh": "待结案",
        "label_en": "Awaiting closure",
        "color": "#93c47d",
        "open": True,
        "final": False,
    }
    assert [s["code"] for s in statuses if s["final"]] == list(FINAL_STATUSES)
    assert [s["code"] for s in statuses if s["open"]] == list(OPEN_STATUSES)
    assert len({s["color"] for s in statuses}) == len(statuses), "one colour per status"
    assert all(s["label_zh"] and s["label_en"] for s in statuses)


async def test_the_workflow_and_the_table_constraint_know_the_same_statuses(session):
    definition = await session.scalar(
        text(
            "SELECT pg_get_constraintdef(oid) FROM pg_constraint"
            " WHERE conname = 'ck_events_status_known'"
        )
    )
    assert sorted(re.findall(r"'([a-z_]+)'", definition)) == sorted(EVENT_STATUSES_ALL)


async def test_priorities_sources_and_steps_come_with_both_labels(client):
    body = (await client.get("/api/reference")).json()
    assert [p["code"] for p in body["event_priorities"]] == [1, 2, 3]
    assert body["event_priorities"][0]["label_zh"] == "紧急"
    assert [s["code"] for s in body["event_sources"]] == list(EVENT_SOURCES)
    actions = {a["code"]: a for a in body["event_actions"]}
    assert list(actions) == list(EVENT_ACTIONS)
    assert actions["report"]["label_zh"] == "上报"
    assert actions["accept"]["label_zh"] == STEPS["accept"].label_zh == "受理立案"
    assert [code for code, a in actions.items() if a["note_required"]] == [
        code for code in EVENT_ACTIONS if code in STEPS and STEPS[code].note_required
    ]
    assert {"reject", "return", "verify_fail", "postpone"} <= {
        code for code, a in actions.items() if a["note_required"]
    }
    assert body["event_overdue"]["code"] == "overdue"


async def test_the_tilejson_legend_of_events_is_the_reference_list(client, as_user):
    reference = (await client.get("/api/reference")).json()
    headers = await as_user("futian")
    layers = (await client.get("/tiles", headers=headers)).json()["layers"]
    events = next(layer for layer in layers if layer["name"] == "events")
    expected = [*reference["event_statuses"], reference["event_overdue"]]
    assert events["legend"] == [
        {"value": s["code"], "label_zh": s["label_zh"], "color": s["color"]} for s in expected
    ]
    assert "verified" in [entry["value"] for entry in events["legend"]]
    # Every layer legend of the TileJSON is served, with English labels, by /api/reference.
    for layer in layers:
        served = reference["legends"].get(layer["name"], [])
        assert [(e["value"], e["label_zh"], e["color"]) for e in served] == [
            (e["value"], e["label_zh"], e["color"]) for e in layer["legend"]
        ], layer["name"]
        assert all(e["label_en"] for e in served)
    assert set(reference["legends"]) == {"buildings", "components", "events", "hotspots"}
