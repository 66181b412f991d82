"""Live updates over server-sent events, from a real server on real commits."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

import httpx
import pytest

from api.settings import Settings
from tests.api.events.helpers import AT_BUILDING_A
from tests.conftest import PASSWORD
from tests.live import serve


@pytest.fixture(scope="module")
def server(fresh_database, tmp_path_factory):
    settings = Settings(
        environment="test",
        DATABASE_URL=fresh_database,
        var_dir=Path(tmp_path_factory.mktemp("live-var")),
    )
    with serve(settings) as base:
        yield base


def token(base: str, username: str) -> dict:
    response = httpx.post(f"{base}/auth/token", data={"username": username, "password": PASSWORD})
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def collect(base: str, headers: dict, into: list, ready: threading.Event, seconds: float) -> None:
    """Read the stream until two changes arrived or nothing came for ``seconds``."""
    timeout = httpx.Timeout(5, read=seconds)
    with httpx.stream(
        "GET", f"{base}/api/events/stream", headers=headers, timeout=timeout
    ) as response:
        into.append(("status", response.status_code))
        ready.set()
        try:
            for line in response.iter_lines():
                if line.startswith("data: "):
                    into.append(("change", json.loads(line[6:])))
                if len(into) >= 3:
                    return
        except httpx.ReadTimeout:
            return


def test_changes_stream_to_subscribers_in_scope_only(server):
    seen = {"futian": [], "nanshan": []}
    threads = []
    for user in seen:
        ready = threading.Event()
        thread = threading.Thread(
            target=collect, args=(server, token(server, user), seen[user], ready, 4), daemon=True
        )
        thread.start()
        ready.wait(5)
        threads.append(thread)
    time.sleep(0.5)
    worker = token(server, "worker-a")
    created = httpx.post(
        f"{server}/api/events",
        headers=worker,
        json={"major": "06", "minor": "001", "title": "实时推送测试", **AT_BUILDING_A},
    ).json()
    street = token(server, "street")
    httpx.post(
        f"{server}/api/events/{created['id']}/actions",
        headers=street | {"If-Match": f'"e{created["id"]}v1"'},
        json={"action": "accept"},
    )
    for thread in threads:
        thread.join(10)
    changes = [c for kind, c in seen["futian"] if kind == "change"]
    assert [(c["id"], c["status"], c["op"]) for c in changes[:2]] == [
        (created["id"], "reported", "insert"),
        (created["id"], "accepted", "update"),
    ]
    assert seen["futian"][0] == ("status", 200)
    assert [kind for kind, _ in seen["nanshan"]] == ["status"]  # nothing from 福田


def test_the_stream_needs_a_sign_in(server):
    assert httpx.get(f"{server}/api/events/stream").status_code == 401
