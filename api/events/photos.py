"""Photo attachments (现场照片): size and type limits checked on the bytes themselves.

A photo is accepted only when its bytes decode as a JPEG, PNG or WebP image (Pillow):
the file name and the declared content type are not trusted, so an HTML page named
``.webp`` (or a file with a forged signature) is refused.
"""

from __future__ import annotations

import asyncio
import hashlib
import io
from datetime import UTC, datetime

from PIL import Image, UnidentifiedImageError
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from api.auth.schemas import Principal
from api.errors import NotFound, PayloadTooLarge, Unprocessable
from api.events.models import Event, EventAttachment

MAX_BYTES = 5 * 2**20
MAX_PER_EVENT = 9
#: Pillow format → the content type the photo is stored and served with.
FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
#: More pixels than any phone camera takes (a 5 MB decompression bomb is refused unread).
MAX_PIXELS = 64_000_000


def sniff(content: bytes) -> str | None:
    """The content type of ``content`` if it decodes as a JPEG, PNG or WebP image, else None."""
    try:
        with Image.open(io.BytesIO(content), formats=list(FORMATS)) as image:
            width, height = image.size
            if width * height > MAX_PIXELS:
                return None
            kind = FORMATS.get(image.format or "")
            image.load()  # decode the pixels: a forged or truncated file fails here
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError, ValueError):
        return None
    return kind


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
    kind = await asyncio.to_thread(sniff, content)
    if kind is None:
        raise Unprocessable(
            f"{filename}: not a JPEG, PNG or WebP image (the content does not decode as one, "
            "whatever the file is named)",
            code="photo_type_refused",
            message_zh="文件内容不是 JPEG/PNG/WebP 图片（按内容检查，与文件名无关）",
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
