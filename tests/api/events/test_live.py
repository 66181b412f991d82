"""Live updates over server-sent events, from a real server on real commits."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, text

from api.db import sync_url
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
        stream_recheck_seconds=1,
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


def read_blocks(base: str, headers: dict, into: list, ready: threading.Event, seconds: float):
    """Collect (event, id, data) of every block until the stream ends or is quiet."""
    timeout = httpx.Timeout(5, read=seconds)
    with httpx.stream(
        "GET", f"{base}/api/events/stream", headers=headers, timeout=timeout
    ) as response:
        ready.set()
        block: dict = {}
        try:
            for line in response.iter_lines():
                if not line:
                    if block:
                        into.append(block)
                    block = {}
                elif not line.startswith(":"):
                    field, _, value = line.partition(": ")
                    block[field] = value
        except httpx.ReadTimeout:
            return


def report_event(base: str, headers: dict, title: str) -> dict:
    response = httpx.post(
        f"{base}/api/events",
        headers=headers,
        json={"major": "06", "minor": "001", "title": title, **AT_BUILDING_A},
    )
    assert response.status_code == 201, response.text
    return response.json()


def test_signing_out_ends_the_stream_at_once(server):
    """Finding 12 of issue 14: a revoked token kept receiving changes."""
    headers = token(server, "futian")
    blocks: list = []
    ready = threading.Event()
    reader = threading.Thread(
        target=read_blocks, args=(server, headers, blocks, ready, 10), daemon=True
    )
    reader.start()
    ready.wait(5)
    time.sleep(0.3)
    started = time.monotonic()
    assert httpx.post(f"{server}/auth/logout", headers=headers).status_code == 204
    reader.join(8)
    assert not reader.is_alive(), "the stream went on after the session was revoked"
    assert time.monotonic() - started < 3
    assert blocks[-1]["event"] == "signed_out"
    assert json.loads(blocks[-1]["data"])["code"] == "session_revoked"


def test_a_reconnecting_client_gets_what_it_missed(server):
    """Finding 12: no ``id:`` lines, so a reconnecting client could not resume."""
    worker = token(server, "worker-a")
    futian = token(server, "futian")
    first = report_event(server, worker, "断线前")
    blocks: list = []
    ready = threading.Event()
    reader = threading.Thread(
        target=read_blocks, args=(server, futian, blocks, ready, 2), daemon=True
    )
    reader.start()
    ready.wait(5)
    time.sleep(0.3)
    second = report_event(server, worker, "在线时")
    reader.join(6)
    changes = [b for b in blocks if b.get("event") == "change"]
    assert [json.loads(b["data"])["id"] for b in changes] == [second["id"]]
    last_id = changes[-1]["id"]
    # Offline: two more changes; then reconnect with Last-Event-ID.
    third = report_event(server, worker, "断线时一")
    fourth = report_event(server, worker, "断线时二")
    resumed: list = []
    ready = threading.Event()
    reader = threading.Thread(
        target=read_blocks,
        args=(server, futian | {"Last-Event-ID": last_id}, resumed, ready, 2),
        daemon=True,
    )
    reader.start()
    reader.join(6)
    replayed = [json.loads(b["data"]) for b in resumed if b.get("event") == "change"]
    assert [c["id"] for c in replayed] == [third["id"], fourth["id"]]
    assert all(int(b["id"]) > int(last_id) for b in resumed if b.get("event") == "change")
    assert first["id"] not in [c["id"] for c in replayed]
    # Another district's client resuming from the same point sees none of 福田's.
    nanshan: list = []
    ready = threading.Event()
    reader = threading.Thread(
        target=read_blocks,
        args=(server, token(server, "nanshan") | {"Last-Event-ID": last_id}, nanshan, ready, 2),
        daemon=True,
    )
    reader.start()
    reader.join(6)
    assert [b for b in nanshan if b.get("event") == "change"] == []


def test_an_expired_session_ends_its_stream_at_the_next_check(server, fresh_database):
    """Finding 12: the token was checked only at connect."""
    headers = token(server, "futian")
    blocks: list = []
    ready = threading.Event()
    reader = threading.Thread(
        target=read_blocks, args=(server, headers, blocks, ready, 10), daemon=True
    )
    reader.start()
    ready.wait(5)
    engine = create_engine(sync_url(fresh_database))
    with engine.begin() as connection:  # expiry, not a revocation: no notification is sent
        connection.execute(
            text(
                "UPDATE sessions SET expires_at = now() WHERE id = (SELECT max(s.id)"
                " FROM sessions s JOIN users u ON u.id = s.user_id WHERE u.username = 'futian')"
            )
        )
    engine.dispose()
    reader.join(6)
    assert not reader.is_alive()
    assert json.loads(blocks[-1]["data"])["code"] == "session_expired"
