"""Helpers shared by the CLI commands: errors, the database URL, a sync engine."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import typer
from rich.console import Console
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine

from api import migrate
from api.buildings.import_indexes import build_deferred_indexes
from api.database_roles import check_owner_rights, ensure_api_login
from api.db import (
    DatabaseRoleError,
    api_database_url,
    async_url,
    database_url,
    embedded_cluster,
    sync_url,
)
from api.settings import Settings, get_settings
from gis.embedded import ClusterError

console = Console(stderr=True)


def fail(message: str) -> typer.Exit:
    """Print ``message`` as an error and return the exit to raise."""
    console.print(f"[bold red]error:[/] {message}")
    return typer.Exit(code=1)


def ready_database(settings: Settings | None = None, *, migrate_schema: bool = True) -> str:
    """Return the owner's DSN: start the embedded cluster when needed, migrate, and make
    sure the server can log in as its own role (docs/database-roles.md)."""
    settings = settings or get_settings()
    try:
        if not settings.database_url:
            embedded_cluster(settings).up()
        url = database_url(settings)
    except ClusterError as exc:
        raise fail(str(exc)) from exc
    if migrate_schema:
        migrate_database(url, settings)
        build_deferred_indexes(url)  # left by a bulk import that was interrupted
    return url


def migrate_database(url: str, settings: Settings, revision: str = "head") -> None:
    """Migrate as the owner after checking its rights, then ready the API's login role;
    a missing right or an unreachable server is one message and exit 1, not a traceback."""
    try:
        for warning in check_owner_rights(url):
            console.print(f"[bold yellow]warning:[/] {warning}")
        migrate.upgrade(url, revision)
        if revision == "head":
            ready_api_login(url, settings)
    except DatabaseRoleError as exc:
        raise fail(str(exc)) from exc
    except DBAPIError as exc:  # a right the check above does not know of
        if getattr(exc.orig, "sqlstate", None) != "42501":
            raise
        first = str(exc.orig).strip().splitlines()[0]
        raise fail(f"migration refused: {first} (see docs/database-roles.md)") from exc


def ready_api_login(url: str, settings: Settings) -> None:
    """Give the API's role LOGIN and its password when it cannot log in (and the owner may);
    nothing to do when ``DATABASE_URL`` is set without an API login (``serve`` says so)."""
    try:
        api_url = api_database_url(settings)
    except DatabaseRoleError:
        return
    if ensure_api_login(url, api_url):
        console.print("the API's login role may log in now")


def sync_engine(url: str) -> Engine:
    return create_engine(sync_url(url), pool_pre_ping=True)


@asynccontextmanager
async def admin_session(url: str) -> AsyncIterator[AsyncSession]:
    """One transaction as the database owner (no area scope): administrative commands only."""
    engine = create_async_engine(async_url(url))
    try:
        async with AsyncSession(engine, expire_on_commit=False) as session, session.begin():
            await session.execute(text("SET LOCAL statement_timeout = 0"))
            yield session
    finally:
        await engine.dispose()
