"""Concurrent workflow steps on real connections: one ETag, exactly one winner."""

from __future__ import annotations

import asyncio

from tests.api.events.helpers import report
from tests.conftest import login


async def test_concurrent_actions_with_one_etag_exactly_one_succeeds(live_app_client):
    client = live_app_client
    street, futian = await login(client, "street"), await login(client, "futian")
    created = await report(client, await login(client, "worker-a"))
    event_id, etag = created.json()["id"], created.headers["etag"]
    attempts = [
        client.post(
            f"/api/events/{event_id}/actions",
            json={"action": action, "note": "并发测试"},
            headers=headers | {"If-Match": etag},
        )
        for headers, action in [(street, "accept"), (futian, "reject")] * 4
    ]
    responses = await asyncio.gather(*attempts)
    codes = sorted(r.status_code for r in responses)
    assert codes == [200] + [412] * 7
    winner = next(r for r in responses if r.status_code == 200).json()
    final = (await client.get(f"/api/events/{event_id}", headers=street)).json()
    assert final["version"] == 2 and final["status"] == winner["status"]
    assert len(final["actions"]) == 2  # report + the single winning step


async def test_concurrent_replays_of_one_idempotency_key_create_one_event(live_app_client):
    client = live_app_client
    worker = await login(client, "worker-a") | {"Idempotency-Key": "same-tap-twice"}
    responses = await asyncio.gather(*[report(client, worker) for _ in range(5)])
    ids = {r.json().get("id") for r in responses if r.status_code == 201}
    assert len(ids) == 1
    assert all(r.status_code in (201, 409) for r in responses)
