"""Refuse to start with a privileged database login, or in production with published
secrets or demo passwords (安全基线)."""

from __future__ import annotations

import logging

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from api.auth.models import User
from api.db import API_ROLE
from api.errors import is_connection_failure
from api.settings import Settings

log = logging.getLogger("blockgrid")

# Everything that would let the server's SQL step outside row-level security or the grants.
_LOGIN_ROLE = text("""
    SELECT current_user, array_remove(ARRAY[
        CASE WHEN r.rolsuper THEN 'a superuser' END,
        CASE WHEN r.rolbypassrls THEN 'allowed to bypass row-level security (BYPASSRLS)' END,
        CASE WHEN r.rolcreaterole THEN 'allowed to create roles (CREATEROLE)' END,
        CASE WHEN r.rolcreatedb THEN 'allowed to create databases (CREATEDB)' END,
        CASE WHEN pg_has_role(current_user, c.relowner, 'USAGE')
             THEN 'the owner of the tables (or a member of ' || pg_get_userbyid(c.relowner)
                  || ')' END,
        CASE WHEN EXISTS (SELECT FROM pg_class o JOIN pg_namespace n ON n.oid = o.relnamespace
                          WHERE o.relowner = r.oid AND n.nspname = 'public')
             THEN 'the owner of tables in schema public' END,
        CASE WHEN NOT pg_has_role(current_user, :api, 'MEMBER')
             THEN 'not a member of ' || :api END], NULL)
    FROM pg_roles r LEFT JOIN pg_class c ON c.oid = to_regclass('public.audit_log')
    WHERE r.rolname = current_user""")


async def login_role_problems(engine: AsyncEngine) -> tuple[str, list[str]]:
    """The server's database login and what is wrong with it (nothing, for the API role)."""
    async with engine.connect() as connection:
        name, problems = (await connection.execute(_LOGIN_ROLE, {"api": API_ROLE})).one()
    return name, list(problems)


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


def _login_refused(exc: BaseException) -> bool:
    """Tell whether ``exc`` (or what caused it) is a refused login (wrong password, no LOGIN)."""
    seen: BaseException | None = exc
    while seen is not None:
        if getattr(seen, "sqlstate", None) in ("28P01", "28000"):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


async def refuse_unsafe_start(engine: AsyncEngine, settings: Settings) -> None:
    """Never as a privileged database login; outside demo/test mode also no default secret
    and no account with the demo password."""
    unsafe = [] if settings.is_demo else settings.unsafe_defaults()
    if unsafe:
        raise UnsafeConfiguration(
            f"refusing to start in {settings.environment} mode with the published default "
            f"{' and '.join(unsafe)}; set them, or set BLOCKGRID_ENVIRONMENT=demo"
        )
    try:
        name, problems = await login_role_problems(engine)
        weak = [] if settings.is_demo else await accounts_with_demo_password(engine)
    except Exception as exc:
        if _login_refused(exc):
            raise UnsafeConfiguration(
                f"refusing to start: the database refuses the server's login ({exc}); "
                "'blockgrid migrate' gives the API's role its password, or check "
                "BLOCKGRID_API_DATABASE_PASSWORD / BLOCKGRID_API_DATABASE_URL "
                "(docs/database-roles.md)"
            ) from exc
        if not is_connection_failure(exc):
            raise
        if settings.is_demo:  # a demo may start before its database; requests get 503
            log.warning("database unreachable at start: its login role is not checked")
            return
        raise UnsafeConfiguration(
            "refusing to start: the database is unreachable, so the accounts cannot be checked "
            f"for the demo password ({type(exc).__name__})"
        ) from exc
    if problems:
        raise UnsafeConfiguration(
            f"refusing to start: the server's database login {name} is {', '.join(problems)}; "
            "it must log in as the API's own role (blockgrid db url --api, "
            "docs/database-roles.md)"
        )
    if weak:
        raise UnsafeConfiguration(
            f"refusing to start in {settings.environment} mode: accounts {', '.join(weak)} still "
            "have the demo password; change it with 'blockgrid users set-password NAME'"
        )
