"""Fixtures of the building tests: a database of their own with the mini city."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.ext.asyncio import create_async_engine

from api import migrate
from api.db import async_url, sync_url
from tests.conftest import PASSWORD
from tests.fixtures.mini_city import load_mini_city


@pytest.fixture(scope="module")
def import_db(cluster) -> Iterator[str]:
    """A database of this module's own with the mini city loaded."""
    admin = create_engine(sync_url(cluster.url()), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text("DROP DATABASE IF EXISTS import_test WITH (FORCE)"))
        connection.execute(text("CREATE DATABASE import_test"))
    url = cluster.url().rsplit("/", 1)[0] + "/import_test"
    migrate.upgrade(url)

    async def _load() -> None:
        engine = create_async_engine(async_url(url))
        async with engine.begin() as connection:
            await load_mini_city(connection, password=PASSWORD)
        await engine.dispose()

    asyncio.run(_load())
    yield url
    with admin.connect() as connection:
        connection.execute(text("DROP DATABASE import_test WITH (FORCE)"))
    admin.dispose()
