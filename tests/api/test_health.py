"""Liveness, readiness, and a database that stops and comes back mid-run."""

from __future__ import annotations

import shutil
import socket
import tempfile
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from api import migrate
from api.auth.security import hash_password
from api.database_roles import ensure_api_login
from api.db import api_database_url as api_url
from api.db import async_url
from api.main import create_app
from api.settings import Settings
from gis.embedded import EmbeddedCluster


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def spare_cluster(api_database_url: str) -> Iterator[EmbeddedCluster]:
    """A second cluster of our own that this module may stop and start; its API role has
    the password of the shared cluster's (BLOCKGRID_API_DATABASE_PASSWORD)."""
    root = Path(tempfile.mkdtemp(prefix="blockgrid-spare-"))
    cluster = EmbeddedCluster(root / "pg", port=_free_port())
    cluster.up()
    migrate.upgrade(cluster.url())
    ensure_api_login(cluster.url(), api_url(Settings(DATABASE_URL=cluster.url())))
    yield cluster
    cluster.destroy()
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
async def live_client(spare_cluster: EmbeddedCluster) -> AsyncIterator[httpx.AsyncClient]:
    """The real application with its own pool (lifespan run), on the spare cluster."""
    engine = create_async_engine(async_url(spare_cluster.url()))
    async with engine.begin() as connection:
        await connection.execute(
            text("""
            INSERT INTO areas (code, level, name, short_name, geom, geom_3857)
            VALUES ('4403', 'city', '深圳市', '深圳', ST_GeomFromText(
                'MULTIPOLYGON(((113.7 22.4,114.6 22.4,114.6 22.9,113.7 22.9,113.7 22.4)))', 4326),
              ST_Transform(ST_GeomFromText(
                'MULTIPOLYGON(((113.7 22.4,114.6 22.4,114.6 22.9,113.7 22.9,113.7 22.4)))', 4326),
                3857))
            ON CONFLICT DO NOTHING""")
        )
        await connection.execute(
            text("""
            INSERT INTO users (username, display_name, password_hash, role, scope_code)
            VALUES ('boss', 'boss', :h, 'city_admin', '4403') ON CONFLICT DO NOTHING"""),
            {"h": hash_password("boss-password")},
        )
    await engine.dispose()
    settings = Settings(environment="test", DATABASE_URL=spare_cluster.url())
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://live") as client:
            yield client


async def test_healthz_answers_without_the_database(client):
    response = await client.get("/healthz")
    assert (response.status_code, response.json()) == (200, {"status": "ok"})


async def test_readyz_reports_postgis(live_client):
    response = await live_client.get("/readyz")
    assert response.status_code == 200
    assert response.json()["status"] == "ready"
    assert response.json()["postgis"].startswith("3.")


async def test_a_database_outage_gives_503_and_recovers_by_itself(live_client, spare_cluster):
    token = (
        await live_client.post(
            "/auth/token", data={"username": "boss", "password": "boss-password"}
        )
    ).json()["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    assert (await live_client.get("/auth/me", headers=headers)).status_code == 200

    spare_cluster.down()
    try:
        ready = await live_client.get("/readyz")
        assert ready.status_code == 503
        assert ready.json()["code"] == "database_unavailable"
        api = await live_client.get("/auth/me", headers=headers)
        assert api.status_code == 503
        assert api.json()["code"] == "database_unavailable"
        assert "Traceback" not in api.text
        login = await live_client.post(
            "/auth/token", data={"username": "boss", "password": "boss-password"}
        )
        assert login.status_code == 503
    finally:
        spare_cluster.up()

    assert (await live_client.get("/readyz")).status_code == 200
    assert (await live_client.get("/auth/me", headers=headers)).status_code == 200


async def test_errors_are_json_with_a_stable_code(client):
    response = await client.get("/no/such/path")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert response.json()["message_zh"] == "未找到"
    assert (await client.delete("/healthz")).json()["code"] == "method_not_allowed"
