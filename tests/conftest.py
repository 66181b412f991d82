"""Test fixtures: one throwaway PostGIS cluster per session, one rolled-back transaction per test.

The cluster is started with blockgrid's own manager (gis/embedded.py) under a temporary
folder, migrated with Alembic, and loaded with a small fixture city. Each test runs
inside a transaction that is rolled back; the application under test joins it through
savepoints, so its commits stay visible to the test and vanish afterwards.

Two database roles, as in production (docs/database-roles.md): the fixtures connect as
the owner; every server started with its lifespan (``live_app_client``, ``demo_server``,
``tests.live.serve``) logs in as the API's role ``blockgrid_api``, whose password the
``cluster`` fixture puts in ``BLOCKGRID_API_DATABASE_PASSWORD`` for the whole run.
"""

from __future__ import annotations

import os
import socket
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession, create_async_engine

from api import migrate
from api.database_roles import ensure_api_login
from api.db import async_url
from api.main import create_app
from api.settings import Settings
from gis.embedded import EmbeddedCluster
from tests.fixtures.mini_city import load_mini_city

PASSWORD = "correct-horse-battery"
API_PASSWORD_VARIABLE = "BLOCKGRID_API_DATABASE_PASSWORD"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="session")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedCluster]:
    """A private PostGIS cluster for the whole run, migrated, its API role able to log in
    (as ``blockgrid migrate`` leaves it); a failure to start fails the tests."""
    root = tmp_path_factory.mktemp("postgis") / "pg"
    os.chmod(root.parent, 0o755)  # noqa: S103 - the postgres user must traverse it
    instance = EmbeddedCluster(root, port=free_port())
    instance.up()
    migrate.upgrade(instance.url())
    ensure_api_login(instance.url(), instance.api_url())
    before = os.environ.get(API_PASSWORD_VARIABLE)
    os.environ[API_PASSWORD_VARIABLE] = instance.api_password
    yield instance
    if before is None:
        os.environ.pop(API_PASSWORD_VARIABLE, None)
    else:
        os.environ[API_PASSWORD_VARIABLE] = before
    instance.destroy()


@pytest.fixture(scope="session")
def database_url(cluster: EmbeddedCluster) -> str:
    """The owner's DSN of the shared test database (migrated by ``cluster``)."""
    return cluster.url()


@pytest.fixture(scope="session")
def api_database_url(cluster: EmbeddedCluster) -> str:
    """The API login role's DSN of the shared test database (what the server uses)."""
    return cluster.api_url()


@pytest.fixture(scope="session")
def settings(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return Settings(
        environment="test",
        DATABASE_URL=database_url,
        var_dir=Path(tmp_path_factory.mktemp("var")),
    )


@pytest.fixture(scope="session")
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_async_engine(async_url(database_url), pool_size=5)
    async with engine.begin() as connection:
        await load_mini_city(connection, password=PASSWORD)
    yield engine
    await engine.dispose()


@pytest.fixture
async def connection(engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    """The test's connection, inside a transaction rolled back at the end."""
    async with engine.connect() as connection:
        transaction = await connection.begin()
        yield connection
        if transaction.is_active:
            await transaction.rollback()


@pytest.fixture
async def session(connection: AsyncConnection) -> AsyncIterator[AsyncSession]:
    """An unscoped owner session on the test's connection, for setting up and checking."""
    async with AsyncSession(
        bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
    ) as session:
        yield session


@pytest.fixture
def app(settings: Settings, engine: AsyncEngine, connection: AsyncConnection):
    """The application, its sessions joined to the test's transaction."""
    application = create_app(settings)
    application.state.engine = engine

    def session_factory() -> AsyncSession:
        return AsyncSession(
            bind=connection,
            join_transaction_mode="create_savepoint",
            expire_on_commit=False,
            autoflush=False,
        )

    application.state.session_factory = session_factory
    return application


@pytest.fixture
async def client(app, connection: AsyncConnection) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client for ``app``; after each response the connection is the owner again."""

    async def back_to_owner(_: httpx.Response) -> None:
        await connection.execute(text("RESET ROLE"))
        await run_commit_triggers(connection)

    transport = httpx.ASGITransport(app=app, client=("10.1.2.3", 5555))
    async with httpx.AsyncClient(
        transport=transport, base_url="http://testserver", event_hooks={"response": [back_to_owner]}
    ) as client:
        yield client


# Everything PostgreSQL checks or fires only at COMMIT: the constraints (constraint
# triggers such as migration 0013's, deferred foreign keys) declared INITIALLY DEFERRED.
# Read from the catalogue so that a new one is covered without touching this file.
COMMIT_TIME_CONSTRAINTS = text("""
    SELECT DISTINCT format('%I.%I', namespace.nspname, constraint_.conname)
    FROM pg_constraint AS constraint_
    JOIN pg_namespace AS namespace ON namespace.oid = constraint_.connamespace
    WHERE constraint_.condeferrable AND constraint_.condeferred
      AND namespace.nspname NOT IN ('pg_catalog', 'information_schema')
""")


async def run_commit_triggers(connection: AsyncConnection) -> None:
    """Fire the pending commit-time triggers and checks, as the application's commit would.

    The application's commits are savepoints inside the test's transaction, which never
    commits; switching the deferred constraints to IMMEDIATE runs what is pending now,
    and switching them back leaves the transaction as a fresh one would be.
    """
    names = ", ".join((await connection.execute(COMMIT_TIME_CONSTRAINTS)).scalars())
    if names:
        await connection.execute(text(f"SET CONSTRAINTS {names} IMMEDIATE"))
        await connection.execute(text(f"SET CONSTRAINTS {names} DEFERRED"))


async def login(client: httpx.AsyncClient, username: str, password: str = PASSWORD) -> dict:
    response = await client.post("/auth/token", data={"username": username, "password": password})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


@pytest.fixture
def as_user(client: httpx.AsyncClient):
    """``await as_user('worker-a')`` → headers with a fresh bearer token."""

    async def _login(username: str) -> dict:
        return await login(client, username)

    return _login


DEMO_SCALE = 0.002
DEMO_SEED = 7
DEMO_PASSWORD = "blockgrid-demo"


@pytest.fixture(scope="session")
def demo_city_url(cluster: EmbeddedCluster) -> str:
    """A database of its own holding the demo city at a tiny scale and the demo accounts."""
    import asyncio

    from sqlalchemy import create_engine

    from api.db import sync_url
    from api.users.service import ensure_demo_accounts
    from democity.pipeline import load_demo_city

    admin = create_engine(sync_url(cluster.url()), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text("DROP DATABASE IF EXISTS demo_city WITH (FORCE)"))
        connection.execute(text("CREATE DATABASE demo_city"))
    admin.dispose()
    url = cluster.url().rsplit("/", 1)[0] + "/demo_city"
    migrate.upgrade(url)
    load_demo_city(url, scale=DEMO_SCALE, seed=DEMO_SEED, progress=False)

    async def _accounts() -> None:
        engine = create_async_engine(async_url(url))
        async with AsyncSession(engine) as session, session.begin():
            await ensure_demo_accounts(session, password=DEMO_PASSWORD)
        await engine.dispose()

    asyncio.run(_accounts())
    return url


@pytest.fixture(scope="session")
def demo_server(demo_city_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The real application (uvicorn) serving the demo city; yields its base URL."""
    from tests.live import serve

    settings = Settings(
        environment="test",
        DATABASE_URL=demo_city_url,
        var_dir=Path(tmp_path_factory.mktemp("demo-var")),
    )
    with serve(settings) as base:
        yield base


@contextmanager
def mini_city_database(cluster: EmbeddedCluster, name: str) -> Iterator[str]:
    """A database ``name`` of its own with the mini city loaded; dropped afterwards."""
    import asyncio

    from sqlalchemy import create_engine

    from api.db import sync_url

    admin = create_engine(sync_url(cluster.url()), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        connection.execute(text(f"CREATE DATABASE {name}"))
    url = cluster.url().rsplit("/", 1)[0] + f"/{name}"
    migrate.upgrade(url)

    async def _load() -> None:
        engine = create_async_engine(async_url(url))
        async with engine.begin() as connection:
            await load_mini_city(connection, password=PASSWORD)
        await engine.dispose()

    asyncio.run(_load())
    try:
        yield url
    finally:
        with admin.connect() as connection:
            connection.execute(text(f"DROP DATABASE {name} WITH (FORCE)"))
        admin.dispose()


@pytest.fixture(scope="session")
def fresh_database(cluster: EmbeddedCluster) -> Iterator[str]:
    """A separate database with the mini city, for tests that need real concurrency
    (several connections, real commits) without touching the shared database."""
    with mini_city_database(cluster, "concurrency") as url:
        yield url


@pytest.fixture
async def live_app_client(fresh_database: str) -> AsyncIterator[httpx.AsyncClient]:
    """The application with its own connection pool on ``fresh_database`` (commits are real)."""
    application = create_app(Settings(environment="test", DATABASE_URL=fresh_database))
    async with application.router.lifespan_context(application):
        transport = httpx.ASGITransport(app=application)
        async with httpx.AsyncClient(transport=transport, base_url="http://live") as client:
            yield client
