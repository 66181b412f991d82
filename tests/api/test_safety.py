"""Outside demo mode the server refuses published secrets and demo passwords."""

from __future__ import annotations

import base64
import os

import pytest
from sqlalchemy import text

from api.main import create_app
from api.safety import UnsafeConfiguration
from api.settings import Settings

REAL_SECRET = "a-real-production-secret-" + "x" * 20
REAL_DATA_KEY = base64.b64encode(os.urandom(32)).decode()


async def start(settings: Settings) -> None:
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        pass


async def test_production_refuses_the_default_secret_key(database_url):
    settings = Settings(environment="production", DATABASE_URL=database_url)
    with pytest.raises(UnsafeConfiguration, match="BLOCKGRID_SECRET_KEY and BLOCKGRID_DATA_KEY"):
        await start(settings)


async def test_production_refuses_accounts_with_the_demo_password(database_url, engine):
    async with engine.begin() as connection:
        await connection.execute(
            text("UPDATE users SET has_demo_password = true WHERE username = 'auditor'")
        )
    settings = Settings(
        environment="production",
        DATABASE_URL=database_url,
        secret_key=REAL_SECRET,
        data_key=REAL_DATA_KEY,
    )
    try:
        with pytest.raises(UnsafeConfiguration, match="accounts auditor still have the demo"):
            await start(settings)
    finally:
        async with engine.begin() as connection:
            await connection.execute(text("UPDATE users SET has_demo_password = false"))
    await start(settings)  # and once changed, it starts


async def test_demo_mode_starts_with_the_defaults(database_url):
    await start(Settings(environment="demo", DATABASE_URL=database_url))


def test_a_data_key_of_the_wrong_size_is_refused():
    with pytest.raises(ValueError, match="must decode to 32 bytes, got 16"):
        Settings(data_key=base64.b64encode(b"0" * 16).decode())


async def test_the_server_refuses_to_log_in_as_the_owner(database_url):
    """Finding 5 of issue 14: the API connected as the embedded cluster's superuser."""
    owner_as_api = Settings(
        environment="demo", DATABASE_URL=database_url, api_database_url=database_url
    )
    with pytest.raises(UnsafeConfiguration) as refused:
        await start(owner_as_api)
    assert str(refused.value).startswith(
        "refusing to start: the server's database login blockgrid is a superuser, the owner of "
        "the tables (or a member of blockgrid), the owner of tables in schema public; it must "
        "log in as the API's own role"
    )


async def test_the_server_says_when_its_login_is_refused(database_url):
    wrong = Settings(environment="demo", DATABASE_URL=database_url, api_database_password="wrong")
    with pytest.raises(UnsafeConfiguration, match="the database refuses the server's login"):
        await start(wrong)
