"""Photo attachments (现场照片): size and type limits checked on the bytes themselves."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from api.auth.schemas import Principal
from api.errors import NotFound, PayloadTooLarge, Unprocessable
from api.events.models import Event, EventAttachment

MAX_BYTES = 5 * 2**20
MAX_PER_EVENT = 9
SIGNATURES = {  # magic bytes → content type
    b"\xff\xd8\xff": "image/jpeg",
    b"\x89PNG\r\n\x1a\n": "image/png",
    b"RIFF": "image/webp",
}


def sniff(content: bytes) -> str | None:
    """The image type of ``content`` from its first bytes, or None."""
    for magic, kind in SIGNATURES.items():
        if content.startswith(magic) and (kind != "image/webp" or content[8:12] == b"WEBP"):
            return kind
    return None


async def attach(
    session: AsyncSession,
    *,
    event_id: int,
    filename: str,
    content: bytes,
    principal: Principal,
) -> EventAttachment:
    """Store one photo of a visible event after checking its size, type and count."""
    if len(content) > MAX_BYTES:
        raise PayloadTooLarge(
            f"{filename}: {len(content):,} bytes; photos may be at most {MAX_BYTES // 2**20} MB",
            code="photo_too_large",
        )
    kind = sniff(content)
    if kind is None:
        raise Unprocessable(
            f"{filename}: not a JPEG, PNG or WebP image",
            code="photo_type_refused",
            message_zh="仅支持 JPEG/PNG/WebP 图片",
        )
    if await session.get(Event, event_id) is None:
        raise NotFound(f"no event {event_id} in your area", code="event_not_found")
    count = await session.scalar(select(func.count()).where(EventAttachment.event_id == event_id))
    if count >= MAX_PER_EVENT:
        raise Unprocessable(
            f"an event holds at most {MAX_PER_EVENT} photos", code="too_many_photos"
        )
    photo = EventAttachment(
        event_id=event_id,
        filename=filename[:200],
        content_type=kind,
        size_bytes=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        content=content,
        uploaded_by=principal.user_id,
        uploaded_at=datetime.now(UTC),
    )
    session.add(photo)
    await session.flush()
    return photo


async def photo(session: AsyncSession, *, event_id: int, photo_id: int) -> EventAttachment:
    found = await session.scalar(
        select(EventAttachment).where(
            EventAttachment.id == photo_id, EventAttachment.event_id == event_id
        )
    )
    if found is None:
        raise NotFound(f"no photo {photo_id} on event {event_id} in your area")
    return found
