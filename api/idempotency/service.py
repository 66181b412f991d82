"""``Idempotency-Key`` for POSTs: a retried request replays the first response."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from api.errors import Conflict, Unprocessable
from api.idempotency.models import IdempotencyKey

MAX_KEY_LENGTH = 100
IN_PROGRESS = 0


def request_hash(body: Any) -> str:
    return hashlib.sha256(json.dumps(body, sort_keys=True, default=str).encode()).hexdigest()


async def claim(
    session: AsyncSession, *, user_id: int, key: str, fingerprint: str
) -> tuple[int, dict] | None:
    """Reserve ``key`` for this request, or return the stored (status, body) to replay.

    A concurrent request with the same key waits on the first one's row and then
    replays its response.
    """
    if not key or len(key) > MAX_KEY_LENGTH:
        raise Unprocessable(f"Idempotency-Key must be 1–{MAX_KEY_LENGTH} characters")
    inserted = await session.scalar(
        insert(IdempotencyKey)
        .values(
            user_id=user_id,
            key=key,
            request_hash=fingerprint,
            status_code=IN_PROGRESS,
            response={},
            created_at=datetime.now(UTC),
        )
        .on_conflict_do_nothing()
        .returning(IdempotencyKey.key)
    )
    if inserted is not None:
        return None
    stored = await session.scalar(
        select(IdempotencyKey)
        .where(IdempotencyKey.user_id == user_id, IdempotencyKey.key == key)
        .execution_options(populate_existing=True)
    )
    if stored.request_hash != fingerprint:
        raise Conflict(
            "this Idempotency-Key was used for a different request", code="idempotency_key_reused"
        )
    if stored.status_code == IN_PROGRESS:
        raise Conflict(
            "a request with this Idempotency-Key is still in progress",
            code="idempotency_in_progress",
        )
    return stored.status_code, stored.response


async def remember(
    session: AsyncSession, *, user_id: int, key: str, status_code: int, body: dict
) -> None:
    stored = await session.get(IdempotencyKey, (user_id, key))
    stored.status_code = status_code
    stored.response = body
    await session.flush()
