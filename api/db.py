"""Database plumbing: the declarative base, the engine and the area-scoped session.

Area scope (数据权限) is enforced by PostgreSQL row-level security. The server logs in as
its own role (``blockgrid_api``: not a superuser, not the owner, no BYPASSRLS; see
docs/database-roles.md), so nothing it runs can leave the policies behind; every request
transaction also sets the role ``blockgrid_api`` (the same role: harmless) and sets
``blockgrid.scope`` (an area-code prefix) and ``blockgrid.department``; the policies
written by the migrations filter every table by them. A query cannot forget the scope
because the database applies it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from sqlalchemy import MetaData, make_url, text
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import DeclarativeBase

from api.settings import Settings
from gis.embedded import EmbeddedCluster

API_ROLE = "blockgrid_api"

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base of every ORM model (schema owned by Alembic, never create_all)."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


@dataclass(frozen=True)
class Scope:
    """What a transaction may see: an area-code prefix and, for handlers, a department.

    An empty ``area_prefix`` sees nothing (the policies treat it as no access).
    """

    area_prefix: str
    department_id: int | None = None


NO_SCOPE = Scope(area_prefix="")

_APPLY_SCOPE = text(
    "SELECT set_config('role', :role, true), set_config('blockgrid.scope', :scope, true),"
    " set_config('blockgrid.department', :department, true)"
)


async def apply_scope(session: AsyncSession, scope: Scope) -> None:
    """Restrict the session's current transaction to ``scope`` (row-level security)."""
    department = "" if scope.department_id is None else str(scope.department_id)
    await session.execute(
        _APPLY_SCOPE, {"role": API_ROLE, "scope": scope.area_prefix, "department": department}
    )


def async_url(url: str) -> str:
    """Turn a libpq DSN into the SQLAlchemy asyncpg URL."""
    for prefix in (
        "postgresql+psycopg://",
        "postgresql+asyncpg://",
        "postgresql://",
        "postgres://",
    ):
        if url.startswith(prefix):
            return "postgresql+asyncpg://" + url[len(prefix) :]
    raise ValueError(f"not a PostgreSQL URL: {url.split('@')[-1]}")


def libpq_url(url: str) -> str:
    """A DSN for libpq and asyncpg (``postgresql://``), whatever driver prefix it had."""
    return "postgresql://" + async_url(url)[len("postgresql+asyncpg://") :]


def sync_url(url: str) -> str:
    """Turn a libpq DSN into the SQLAlchemy psycopg (v3) URL, for Alembic and bulk loads."""
    return "postgresql+psycopg://" + async_url(url)[len("postgresql+asyncpg://") :]


def create_engine(url: str, settings: Settings) -> AsyncEngine:
    """Create the application's connection pool."""
    return create_async_engine(
        async_url(url),
        pool_size=settings.pool_size,
        max_overflow=settings.pool_max_overflow,
        pool_pre_ping=True,
        pool_recycle=1800,
        connect_args={
            "server_settings": {
                "application_name": "blockgrid",
                "statement_timeout": str(settings.statement_timeout_ms),
                # asyncpg prepares every statement; after five runs PostgreSQL may switch to
                # a generic plan that guesses its parameters (a range on grid_code looks
                # selective for the whole city: 22 s instead of 1 ms for a city-wide event
                # search). Plan with the real values every time; planning costs ~1 ms.
                "plan_cache_mode": "force_custom_plan",
            },
            "timeout": 5,
        },
    )


def create_session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False)


@asynccontextmanager
async def scoped_transaction(
    factory: async_sessionmaker[AsyncSession], scope: Scope
) -> AsyncIterator[AsyncSession]:
    """Open a session whose one transaction is limited to ``scope``; commit on success."""
    async with factory() as session, session.begin():
        await apply_scope(session, scope)
        yield session


def embedded_cluster(settings: Settings) -> EmbeddedCluster:
    """The private cluster under ``var/postgres`` used when ``DATABASE_URL`` is not set."""
    return EmbeddedCluster(settings.var_dir / "postgres", port=settings.db_port)


def database_url(settings: Settings) -> str:
    """The owner's DSN: ``DATABASE_URL`` when set, else the embedded cluster's."""
    if settings.database_url:
        return settings.database_url
    return embedded_cluster(settings).url()


class DatabaseRoleError(RuntimeError):
    """The database roles are not set up as the server needs; the message says what to do."""


def api_database_url(settings: Settings) -> str:
    """The DSN the server connects with: its own login role, never the owner.

    ``BLOCKGRID_API_DATABASE_URL`` when set; else, with ``DATABASE_URL``, the role
    ``blockgrid_api`` on that server and database with ``BLOCKGRID_API_DATABASE_PASSWORD``;
    else the embedded cluster's API login.
    """
    if settings.api_database_url is not None:
        return settings.api_database_url.get_secret_value()
    if not settings.database_url:
        return embedded_cluster(settings).api_url()
    if settings.api_database_password is None:
        raise DatabaseRoleError(
            "DATABASE_URL is set but not the API's own login role: set "
            "BLOCKGRID_API_DATABASE_PASSWORD (the password of the role blockgrid_api on that "
            "server) or BLOCKGRID_API_DATABASE_URL (see docs/database-roles.md)"
        )
    owner = make_url(settings.database_url)
    api = owner.set(username=API_ROLE, password=settings.api_database_password.get_secret_value())
    return api.render_as_string(hide_password=False)
