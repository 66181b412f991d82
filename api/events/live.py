"""Live updates (实时推送): PostgreSQL LISTEN/NOTIFY fanned out to server-sent-event streams.

One listening connection per process receives every event change (the ``events_notify``
trigger) and every ended session (``blockgrid_sessions``, sent by logout and password
changes). Each subscriber gets only the changes inside its own area (grid-code prefix)
and, for a department handler, its own department; its stream ends as soon as its
session is revoked, and is re-checked every ``stream_recheck_seconds`` for expiry.

Every change carries ``id:`` — the event's ``change_seq`` (migration 0020). A client that
reconnects with ``Last-Event-ID`` gets what it missed, up to ``REPLAY_MAX`` changes; past
that, or when its id is unusable, it gets ``event: resync`` and reloads. (A transaction
that took its number before a later one but committed after the client's last change can
be missed by a replay; the live notification of it reaches connected clients.)
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field

import asyncpg

from api.auth.service import SESSIONS_CHANNEL
from api.db import Scope
from api.errors import Unauthorized

log = logging.getLogger("blockgrid.live")
CHANNEL = "blockgrid_events"
QUEUE_SIZE = 256
HEARTBEAT_SECONDS = 15
REPLAY_MAX = 500

Recheck = Callable[[], Awaitable[None]]  # raises Unauthorized when the session has ended
Replay = Callable[[int, int], Awaitable[list[dict]]]  # (after seq, at most) → changes
ENDED = object()  # queued when the subscriber's session is revoked


@dataclass(eq=False)
class Subscriber:
    scope: Scope
    session_id: int | None = None
    queue: asyncio.Queue = field(default_factory=lambda: asyncio.Queue(QUEUE_SIZE))

    def wants(self, change: dict) -> bool:
        prefix = self.scope.area_prefix
        if not prefix or not str(change.get("grid_code", "")).startswith(prefix):
            return False
        return (
            self.scope.department_id is None
            or change.get("department_id") == self.scope.department_id
        )

    def offer(self, change: object) -> None:
        if self.queue.full():  # a slow client loses the oldest change, not the stream
            self.queue.get_nowait()
        self.queue.put_nowait(change)


def change_message(change: dict) -> str:
    seq = change.get("seq")
    head = f"id: {seq}\n" if seq is not None else ""
    return f"{head}event: change\ndata: {json.dumps(change, ensure_ascii=False)}\n\n"


def parse_last_event_id(value: str | None) -> int | None:
    """The ``Last-Event-ID`` a client sent, if it is one of ours (a positive integer)."""
    if value is None or not value.strip().isdigit() or len(value.strip()) > 18:
        return None
    return int(value.strip())


class Broadcaster:
    """Listens on the first subscription; reconnects when the database comes back."""

    def __init__(self, dsn: str) -> None:
        self._dsn = dsn
        self._subscribers: set[Subscriber] = set()
        self._connection: asyncpg.Connection | None = None
        self._lock = asyncio.Lock()

    def _on_notify(self, _connection: object, _pid: int, _channel: str, payload: str) -> None:
        try:
            change = json.loads(payload)
        except ValueError:
            return
        for subscriber in list(self._subscribers):
            if subscriber.wants(change):
                subscriber.offer(change)

    def _on_session_ended(
        self, _connection: object, _pid: int, _channel: str, payload: str
    ) -> None:
        try:
            ended = set(json.loads(payload)["sessions"])
        except (ValueError, KeyError, TypeError):
            return
        for subscriber in list(self._subscribers):
            if subscriber.session_id in ended:
                subscriber.offer(ENDED)

    async def _ensure_listening(self) -> None:
        async with self._lock:
            if self._connection is not None and not self._connection.is_closed():
                return
            self._connection = await asyncpg.connect(self._dsn)
            await self._connection.add_listener(CHANNEL, self._on_notify)
            await self._connection.add_listener(SESSIONS_CHANNEL, self._on_session_ended)

    @contextlib.asynccontextmanager
    async def subscribe(
        self, scope: Scope, *, session_id: int | None = None
    ) -> AsyncIterator[Subscriber]:
        await self._ensure_listening()
        subscriber = Subscriber(scope, session_id=session_id)
        self._subscribers.add(subscriber)
        try:
            yield subscriber
        finally:
            self._subscribers.discard(subscriber)

    async def stream(
        self,
        scope: Scope,
        *,
        session_id: int | None = None,
        recheck: Recheck | None = None,
        recheck_seconds: float = 15.0,
        last_event_id: int | None = None,
        replay: Replay | None = None,
    ) -> AsyncIterator[str]:
        """Server-sent events: ``event: change`` with ``id:``, a comment every 15 s, and
        ``event: signed_out`` before the stream ends when the session has ended."""
        async with self.subscribe(scope, session_id=session_id) as subscriber:
            yield "retry: 5000\n\n"
            replayed_up_to = 0
            if last_event_id is not None and replay is not None:
                missed = await replay(last_event_id, REPLAY_MAX + 1)
                for change in missed[:REPLAY_MAX]:
                    yield change_message(change)
                    replayed_up_to = max(replayed_up_to, change.get("seq") or 0)
                if len(missed) > REPLAY_MAX:
                    yield "event: resync\ndata: {}\n\n"
            next_check = time.monotonic() + recheck_seconds
            next_beat = time.monotonic() + HEARTBEAT_SECONDS
            while True:
                wait = max(0.0, min(next_beat, next_check) - time.monotonic())
                try:
                    change = await asyncio.wait_for(subscriber.queue.get(), wait)
                except TimeoutError:
                    change = None
                if change is ENDED:
                    yield _signed_out("this session was signed out", "session_revoked")
                    return
                if recheck is not None and time.monotonic() >= next_check:
                    try:
                        await recheck()
                    except Unauthorized as exc:
                        yield _signed_out(exc.message, exc.code)
                        return
                    next_check = time.monotonic() + recheck_seconds
                if change is None:
                    if time.monotonic() >= next_beat:
                        if self._connection is None or self._connection.is_closed():
                            await self._ensure_listening()
                        yield ": keep-alive\n\n"
                        next_beat = time.monotonic() + HEARTBEAT_SECONDS
                elif (change.get("seq") or 0) > replayed_up_to or not replayed_up_to:
                    yield change_message(change)
                    next_beat = time.monotonic() + HEARTBEAT_SECONDS

    async def close(self) -> None:
        if self._connection is not None and not self._connection.is_closed():
            await self._connection.close()


def _signed_out(message: str, code: str) -> str:
    body = json.dumps({"code": code, "message": message}, ensure_ascii=False)
    return f"event: signed_out\ndata: {body}\n\n"
