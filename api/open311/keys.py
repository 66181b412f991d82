"""Open311 API keys (API 密钥) for clients such as the 12345 hotline system.

A key is valid in one area: it reads that area's requests with every field and may post
requests located there. Only its HMAC digest is stored; the clear key is shown once.
Issuing and revoking are account changes and are audited by the caller (API or CLI).
"""

from __future__ import annotations

import hmac
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from api.areas.models import Area
from api.auth.security import new_token, token_digest
from api.errors import BadRequest, Forbidden, NotFound
from api.open311.models import ApiKey


async def create_api_key(
    session: AsyncSession,
    *,
    name: str,
    area_code: str,
    secret_key: str,
    created_by: int | None = None,
) -> tuple[ApiKey, str]:
    """Issue a key for ``area_code``; returns the row and the clear key (never stored)."""
    name = name.strip()
    if not name or len(name) > 100:
        raise BadRequest("a key needs a name of 1 to 100 characters")
    if await session.scalar(select(Area.code).where(Area.code == area_code)) is None:
        raise NotFound(f"no area {area_code}", code="unknown_area")
    key = new_token()
    row = ApiKey(
        name=name,
        key_hash=token_digest(key, secret_key),
        area_code=area_code,
        created_by=created_by,
    )
    session.add(row)
    await session.flush()
    await session.refresh(row)
    return row, key


async def list_api_keys(session: AsyncSession, *, area_prefix: str) -> list[ApiKey]:
    """Keys valid inside ``area_prefix`` (an administrator's area), newest first."""
    rows = await session.scalars(
        select(ApiKey).where(ApiKey.area_code.startswith(area_prefix)).order_by(ApiKey.id.desc())
    )
    return list(rows)


async def revoke_api_key(session: AsyncSession, *, key_id: int, area_prefix: str) -> ApiKey:
    """Revoke key ``key_id`` (it stays listed, with its revocation time)."""
    row = await session.scalar(
        select(ApiKey).where(ApiKey.id == key_id, ApiKey.area_code.startswith(area_prefix))
    )
    if row is None:
        raise NotFound(f"no API key {key_id} in your area", code="unknown_api_key")
    if row.revoked_at is None:
        row.revoked_at = datetime.now(UTC)
        await session.flush()
    return row


async def key_by_secret(session: AsyncSession, *, api_key: str, secret_key: str) -> ApiKey:
    """The live key matching the clear ``api_key``; 403 for an unknown or revoked one."""
    digest = token_digest(api_key, secret_key)
    row = await session.scalar(
        select(ApiKey).where(ApiKey.key_hash == digest, ApiKey.revoked_at.is_(None))
    )
    if row is None or not hmac.compare_digest(row.key_hash, digest):
        raise Forbidden("invalid api_key", code="invalid_api_key")
    return row
