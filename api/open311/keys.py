"""API keys for Open311 clients (e.g. the 12345 hotline system); only their digests are kept."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from api.auth.models import User
from api.auth.security import new_token, token_digest
from api.errors import NotFound
from api.events.models import ApiKey


async def create_api_key(
    session: AsyncSession, *, username: str, name: str, secret_key: str
) -> str:
    """Issue a key acting as ``username``; the clear key is returned once and never stored."""
    user_id = await session.scalar(select(User.id).where(User.username == username))
    if user_id is None:
        raise NotFound(f"no user {username!r}")
    key = new_token()
    session.add(ApiKey(name=name, key_hash=token_digest(key, secret_key), user_id=user_id))
    await session.flush()
    return key
