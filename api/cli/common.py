"""Helpers shared by the CLI commands: errors, the database URL, a sync engine."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import typer
from rich.console import Console
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine

from api import migrate
from api.buildings.import_indexes import build_deferred_indexes
from api.db import async_url, database_url, embedded_cluster, sync_url
from api.settings import Settings, get_settings
from gis.embedded import ClusterError

console = Console(stderr=True)


def fail(message: str) -> typer.Exit:
    """Print ``message`` as an error and return the exit to raise."""
    console.print(f"[bold red]error:[/] {message}")
    return typer.Exit(code=1)


def ready_database(settings: Settings | None = None, *, migrate_schema: bool = True) -> str:
    """Return a usable DSN: start the embedded cluster when needed, then migrate."""
    settings = settings or get_settings()
    try:
        if not settings.database_url:
            embedded_cluster(settings).up()
        url = database_url(settings)
    except ClusterError as exc:
        raise fail(str(exc)) from exc
    if migrate_schema:
        migrate.upgrade(url)
        build_deferred_indexes(url)  # left by a bulk import that was interrupted
    return url


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
