"""Live updates (实时推送): PostgreSQL LISTEN/NOTIFY fanned out to server-sent-event streams.

One listening connection per process receives every event change (the ``events_notify``
trigger); each subscriber gets only the changes inside its own area (grid-code prefix)
and, for a department handler, its own department.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import asyncpg

from api.db import Scope

log = logging.getLogger("blockgrid.live")
CHANNEL = "blockgrid_events"
QUEUE_SIZE = 256
HEARTBEAT_SECONDS = 15


@dataclass(eq=False)
class Subscriber:
    scope: Scope
    queue: asyncio.Queue = field(default_factory=lambda: asyncio.Queue(QUEUE_SIZE))

    def wants(self, change: dict) -> bool:
        prefix = self.scope.area_prefix
        if not prefix or not str(change.get("grid_code", "")).startswith(prefix):
            return False
        return (
            self.scope.department_id is None
            or change.get("department_id") == self.scope.department_id
        )

    def offer(self, change: dict) -> None:
        if self.queue.full():  # a slow client loses the oldest change, not the stream
            self.queue.get_nowait()
        self.queue.put_nowait(change)


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

    async def _ensure_listening(self) -> None:
        async with self._lock:
            if self._connection is not None and not self._connection.is_closed():
                return
            self._connection = await asyncpg.connect(self._dsn)
            await self._connection.add_listener(CHANNEL, self._on_notify)

    @contextlib.asynccontextmanager
    async def subscribe(self, scope: Scope) -> AsyncIterator[Subscriber]:
        await self._ensure_listening()
        subscriber = Subscriber(scope)
        self._subscribers.add(subscriber)
        try:
            yield subscriber
        finally:
            self._subscribers.discard(subscriber)

    async def stream(self, scope: Scope) -> AsyncIterator[str]:
        """Server-sent events: ``event: change`` lines, and a comment every 15 s."""
        async with self.subscribe(scope) as subscriber:
            yield "retry: 5000\n\n"
            while True:
                try:
                    change = await asyncio.wait_for(subscriber.queue.get(), HEARTBEAT_SECONDS)
                except TimeoutError:
                    if self._connection is None or self._connection.is_closed():
                        await self._ensure_listening()
                    yield ": keep-alive\n\n"
                    continue
                yield f"event: change\ndata: {json.dumps(change, ensure_ascii=False)}\n\n"

    async def close(self) -> None:
        if self._connection is not None and not self._connection.is_closed():
            await self._connection.close()
