"""Refuse to start in production with published secrets or demo passwords (安全基线)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from api.auth.models import User
from api.errors import is_connection_failure
from api.settings import Settings


class UnsafeConfiguration(RuntimeError):
    """The server must not start as configured; the message says what to change."""


async def accounts_with_demo_password(engine: AsyncEngine) -> list[str]:
    """Usernames of active accounts that still have the password ``blockgrid demo`` gave them."""
    async with AsyncSession(engine) as session:
        names = await session.scalars(
            select(User.username)
            .where(User.is_active, User.has_demo_password)
            .order_by(User.username)
        )
        return list(names)


async def refuse_unsafe_start(engine: AsyncEngine, settings: Settings) -> None:
    """Outside demo/test mode: no default secret, no account with the demo password."""
    if settings.is_demo:
        return
    unsafe = settings.unsafe_defaults()
    if unsafe:
        raise UnsafeConfiguration(
            f"refusing to start in {settings.environment} mode with the published default "
            f"{' and '.join(unsafe)}; set them, or set BLOCKGRID_ENVIRONMENT=demo"
        )
    try:
        weak = await accounts_with_demo_password(engine)
    except Exception as exc:
        if not is_connection_failure(exc):
            raise
        raise UnsafeConfiguration(
            "refusing to start: the database is unreachable, so the accounts cannot be checked "
            f"for the demo password ({type(exc).__name__})"
        ) from exc
    if weak:
        raise UnsafeConfiguration(
            f"refusing to start in {settings.environment} mode: accounts {', '.join(weak)} still "
            "have the demo password; change it with 'blockgrid users set-password NAME'"
        )
