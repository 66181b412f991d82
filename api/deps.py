"""Shared dependencies: settings, the request's one transaction, the caller and permissions."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Coroutine
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.security import OAuth2PasswordBearer
from sqlalchemy.ext.asyncio import AsyncSession

from api.auth import service as auth_service
from api.auth.schemas import Principal
from api.db import NO_SCOPE, apply_scope
from api.errors import BlockgridError, Forbidden, Unauthorized
from api.settings import Settings

_bearer = OAuth2PasswordBearer(tokenUrl="/auth/token", auto_error=False)


def get_app_settings(request: Request) -> Settings:
    return request.app.state.settings


SettingsDep = Annotated[Settings, Depends(get_app_settings)]


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    """The request's single transaction: committed when the request succeeds.

    It starts with no area at all (``NO_SCOPE``); :func:`get_principal` widens it to the
    caller's area. Errors marked ``keep_changes`` (refused logins) still commit.
    """
    session: AsyncSession = request.app.state.session_factory()
    try:
        await session.begin()
        await apply_scope(session, NO_SCOPE)
        yield session
        await session.commit()
    except BlockgridError as exc:
        if exc.keep_changes:
            await session.commit()
        else:
            await session.rollback()
        raise
    except BaseException:
        await session.rollback()
        raise
    finally:
        await session.close()


DbSession = Annotated[AsyncSession, Depends(get_session)]


def base_url(request: Request) -> str:
    """The public base URL for links: ``BLOCKGRID_PUBLIC_URL``, else the request's own."""
    configured = request.app.state.settings.public_url
    return configured.rstrip("/") if configured else str(request.base_url).rstrip("/")


def client_addr(request: Request) -> str | None:
    return request.client.host if request.client else None


async def get_principal(
    request: Request,
    session: DbSession,
    settings: SettingsDep,
    token: Annotated[str | None, Depends(_bearer)],
) -> Principal:
    """Authenticate the bearer token and limit the transaction to the caller's area."""
    if not token:
        raise Unauthorized("missing bearer token: sign in at POST /auth/token")
    principal = await auth_service.authenticate(session, token=token, settings=settings)
    await apply_scope(session, principal.scope)
    request.state.principal = principal
    return principal


CurrentUser = Annotated[Principal, Depends(get_principal)]


def require(*permissions: str) -> Callable[..., Coroutine[Any, Any, Principal]]:
    """A dependency that lets the request through only with every one of ``permissions``."""

    async def _check(principal: CurrentUser) -> Principal:
        missing = [p for p in permissions if not principal.can(p)]
        if missing:
            raise Forbidden(
                f"role {principal.role} lacks permission {', '.join(missing)}",
                details={"missing": missing},
            )
        return principal

    return _check


async def authenticate_briefly(
    request: Request, token: str | None, *, touch: bool = True
) -> Principal:
    """Authenticate in a short transaction of its own, for long-lived responses (streams)
    that must not hold a pooled connection open. ``touch=False`` re-checks a session
    without counting it as activity (an open stream alone does not keep it alive)."""
    if not token:
        raise Unauthorized("missing bearer token: sign in at POST /auth/token")
    session: AsyncSession = request.app.state.session_factory()
    try:
        async with session.begin():
            await apply_scope(session, NO_SCOPE)
            principal = await auth_service.authenticate(
                session, token=token, settings=request.app.state.settings, touch=touch
            )
    finally:
        await session.close()
    return principal


BearerToken = Annotated[str | None, Depends(_bearer)]
