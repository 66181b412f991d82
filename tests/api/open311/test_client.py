"""An Open311 client against the real server: keys from the CLI, reads with ``georeport``.

``georeport`` (PyPI) is the one maintained Python GeoReport v2 client; it reads (services,
definitions, requests, in JSON and XML) but cannot post, so requests are posted the way
clients do it: a form post with ``requests``, in UTF-8. ``three`` and ``open311`` on PyPI
are Python 2 only. The server (uvicorn) serves a database of its own, so the commits of
the CLI and the server are real and touch no other test.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
import requests
from georeport import GeoReport
from typer.testing import CliRunner

from api.settings import Settings, get_settings
from cli import app as cli
from tests.api.open311.conftest import FUTIAN_POINT
from tests.conftest import mini_city_database
from tests.live import serve

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def live_city(cluster, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """(database URL, server base URL) of a mini city of its own."""
    with mini_city_database(cluster, "open311_live") as url:
        settings = Settings(
            environment="test",
            DATABASE_URL=url,
            var_dir=Path(tmp_path_factory.mktemp("open311-var")),
        )
        with serve(settings) as base:
            yield url, base


@pytest.fixture
def blockgrid(live_city, monkeypatch):
    """``blockgrid("open311", "keys", "list")`` against the live city's database."""
    monkeypatch.setenv("DATABASE_URL", live_city[0])
    get_settings.cache_clear()

    def _run(*args: str):
        result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
        assert result.exit_code == 0, (result.stdout, result.stderr)
        return result

    yield _run
    get_settings.cache_clear()


def audit_rows(url: str) -> list[tuple]:
    with psycopg.connect(url) as connection:
        return connection.execute(
            "SELECT details->>'by', details->>'op', details->>'name', area_code, object_id"
            " FROM audit_log WHERE action = 'open311.key' ORDER BY id"
        ).fetchall()


def post(base: str, key: str, **fields: str) -> requests.Response:
    return requests.post(
        f"{base}/open311/v2/requests.json",
        data={"api_key": key, **FUTIAN_POINT, **fields},
        timeout=30,
    )


def test_a_georeport_client_reads_and_posts_with_a_key_from_the_cli(live_city, blockgrid):
    url, base = live_city
    key = blockgrid("open311", "keys", "create", "12345热线", "--area", "440304").stdout.split()[-1]
    assert len(key) >= 40

    garbage = post(
        base,
        key,
        service_code="06001",
        description="垃圾桶满溢，异味严重",
        address_string="滨江社区3栋",
        media_url="https://img.example.cn/1.jpg",
    )
    hawkers = post(base, key, service_code="09001", description="占道经营")
    assert garbage.status_code == hawkers.status_code == 200, garbage.text
    garbage_id = garbage.json()[0]["service_request_id"]
    hawkers_id = hawkers.json()[0]["service_request_id"]

    for output_format in ("json", "xml"):
        client = GeoReport(f"{base}/open311/v2", output_format=output_format)  # no key: public
        services = client.get_service_list()
        assert len(services) == 46
        assert {s["service_code"] for s in services} >= {"06001", "09001"}
        definition = client.get_service_definition("06001")
        assert definition["service_code"] == "06001"
        one = client.get_service_request(garbage_id)
        assert (one["service_code"], one["status"]) == ("06001", "open")
        assert (one["description"], one["address"]) == ("垃圾桶满溢，异味严重", "滨江社区3栋")
        assert one["media_url"] == "https://img.example.cn/1.jpg"
        listed = client.get_service_requests(service_code="06001,09001", status="open,closed")
        assert {r["service_request_id"] for r in listed} == {garbage_id, hawkers_id}

    discovery = requests.get(f"{base}/open311/discovery.json", timeout=30).json()
    assert discovery["endpoints"][0]["url"] == f"{base}/open311/v2"

    listed = blockgrid("open311", "keys", "list").stdout
    assert "12345热线" in listed and "440304" in listed and key not in listed
    with psycopg.connect(url) as connection:
        [(key_id,)] = connection.execute("SELECT id FROM api_keys").fetchall()
    blockgrid("open311", "keys", "revoke", str(key_id))
    refused = post(base, key, service_code="06001")
    assert refused.status_code == 403
    assert refused.json() == [{"code": 403, "description": "invalid api_key"}]
    assert audit_rows(url) == [
        ("cli", "create", "12345热线", "440304", str(key_id)),
        ("cli", "revoke", "12345热线", "440304", str(key_id)),
    ]


def test_the_cli_refuses_an_unknown_area(live_city, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", live_city[0])
    get_settings.cache_clear()
    result = CliRunner().invoke(cli, ["open311", "keys", "create", "x", "--area", "440399"])
    get_settings.cache_clear()
    assert result.exit_code == 1
    assert "no area 440399" in result.stderr
