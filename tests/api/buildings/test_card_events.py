"""The events on a building card say overdue as the event list does (one definition)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import text

from tests.api.events.helpers import report

CODE = "4403040010010100001"  # building A, where tests.api.events.helpers reports
HOUR, DAY = timedelta(hours=1), timedelta(days=1)


@pytest.mark.parametrize(
    ("status", "stage_due", "due", "overdue"),
    [
        ("verified", -HOUR, DAY, True),  # 待结案 past its stage deadline
        ("handling", -HOUR, DAY, True),  # the stage deadline counts, not the closing one
        ("handling", HOUR, -DAY, False),  # the card used the closing deadline (due_at)
    ],
)
async def test_card_events_are_overdue_by_their_stage_deadline(
    client, session, as_user, status, stage_due, due, overdue
):
    worker = await as_user("worker-a")
    created = (await report(client, worker)).json()
    await session.execute(
        text(
            "UPDATE events SET status = :status,"
            " stage_due_at = now() + :stage_due, due_at = now() + :due WHERE id = :id"
        ),
        {"status": status, "stage_due": stage_due, "due": due, "id": created["id"]},
    )
    await session.commit()
    card = (await client.get(f"/api/buildings/{CODE}", headers=worker)).json()
    listed = (await client.get(f"/api/events/{created['id']}", headers=worker)).json()
    [shown] = [e for e in card["events"] if e["id"] == created["id"]]
    assert shown["overdue"] is overdue
    assert listed["overdue"] is overdue
