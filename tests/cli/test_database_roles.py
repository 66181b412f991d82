"""``blockgrid db url [--api]`` and ``blockgrid migrate`` with an owner that lacks rights
(findings 5 and 11 of issue 14), on the test cluster through the real command line."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from typer.testing import CliRunner

from api.db import API_ROLE
from api.settings import get_settings
from cli import app as cli
from tests.conftest import free_port

LOW_OWNER, LOW_DATABASE = "roles_low_owner", "roles_low"


@pytest.fixture
def run_cli(monkeypatch):
    """``run_cli("db", "url")`` with the environment the test set; returns (exit code, text)."""

    def _run(*args: str, **environment: str | None) -> tuple[int, str]:
        for name, value in environment.items():
            if value is None:
                monkeypatch.delenv(name, raising=False)
            else:
                monkeypatch.setenv(name, value)
        get_settings.cache_clear()
        result = CliRunner().invoke(cli, list(args))
        assert "Traceback" not in result.output
        return result.exit_code, " ".join(result.output.split())  # rich wraps long lines

    yield _run
    get_settings.cache_clear()


def test_db_url_prints_the_owner_and_with_api_the_api_login(run_cli, database_url, cluster):
    code, owner = run_cli("db", "url", DATABASE_URL=database_url)
    assert (code, owner) == (0, database_url)
    code, api = run_cli("db", "url", "--api", DATABASE_URL=database_url)
    assert (code, api) == (0, cluster.api_url())
    with psycopg.connect(api) as connection:
        assert connection.execute("SELECT current_user").fetchone() == (API_ROLE,)


def test_db_url_api_needs_the_api_login_with_database_url(run_cli, database_url):
    code, output = run_cli(
        "db", "url", "--api", DATABASE_URL=database_url, BLOCKGRID_API_DATABASE_PASSWORD=None
    )
    assert code == 1
    assert "DATABASE_URL is set but not the API's own login role: set " in output
    assert "BLOCKGRID_API_DATABASE_PASSWORD" in output


def test_db_url_of_the_embedded_cluster(run_cli, cluster, tmp_path: Path):
    (tmp_path / "postgres").symlink_to(cluster.root)  # var/postgres is the cluster
    environment = {
        "DATABASE_URL": None,
        "BLOCKGRID_API_DATABASE_PASSWORD": None,
        "BLOCKGRID_VAR_DIR": str(tmp_path),
    }
    assert run_cli("db", "url", **environment) == (0, cluster.url())
    assert run_cli("db", "url", "--api", **environment) == (0, cluster.api_url())
    assert cluster.api_url() != cluster.url()
    assert oct((cluster.root / "api-password").stat().st_mode & 0o777) == "0o600"


@pytest.fixture
def low_owner(cluster, database_url) -> Iterator[str]:
    """A database owned by a role that is neither a superuser nor allowed to create roles."""
    with psycopg.connect(database_url, autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {LOW_DATABASE} WITH (FORCE)")
        admin.execute(f"DROP ROLE IF EXISTS {LOW_OWNER}")
        admin.execute(f"CREATE ROLE {LOW_OWNER} LOGIN PASSWORD 'low-owner-password'")
        admin.execute(f"CREATE DATABASE {LOW_DATABASE} OWNER {LOW_OWNER}")
    yield f"postgresql://{LOW_OWNER}:low-owner-password@127.0.0.1:{cluster.port}/{LOW_DATABASE}"
    with psycopg.connect(database_url, autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {LOW_DATABASE} WITH (FORCE)")
        admin.execute(f"DROP ROLE IF EXISTS {LOW_OWNER}")


def test_migrate_names_each_missing_right_then_works_once_granted(
    run_cli, low_owner, database_url, cluster
):
    code, output = run_cli("migrate", DATABASE_URL=low_owner)
    assert code == 1
    assert (
        f"cannot migrate database '{LOW_DATABASE}' as {LOW_OWNER}: it lacks rights the"
        " migrations need (see docs/database-roles.md)"
    ) in output
    assert (
        f'PostGIS is not installed in database "{LOW_DATABASE}" and only a superuser may'
        " install it; as a superuser, in that database: CREATE EXTENSION postgis;"
    ) in output
    assert f"as a superuser: GRANT {API_ROLE} TO {LOW_OWNER} WITH ADMIN OPTION;" in output
    assert len(output) < 1000  # one message, not a traceback

    superuser_db = database_url.rsplit("/", 1)[0] + f"/{LOW_DATABASE}"
    with psycopg.connect(superuser_db, autocommit=True) as admin:
        admin.execute("CREATE EXTENSION postgis")
        admin.execute(f"GRANT {API_ROLE} TO {LOW_OWNER} WITH ADMIN OPTION")
    code, output = run_cli("migrate", DATABASE_URL=low_owner)
    assert code == 0, output
    assert "only a superuser may mark PostGIS's && ST_Intersects ST_DWithin LEAKPROOF" in output
    assert output.endswith("migrated to head")
    with psycopg.connect(low_owner) as owner:
        tables = owner.execute(
            "SELECT count(*) FILTER (WHERE tableowner = current_user), count(*)"
            " FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'spatial_ref_sys'"
        ).fetchone()
    assert tables[0] == tables[1] > 20
    api = low_owner.replace(f"{LOW_OWNER}:low-owner-password", f"{API_ROLE}:{cluster.api_password}")
    with psycopg.connect(api) as connection:  # the API logs in and may use the new tables
        assert connection.execute("SELECT count(*) FROM users").fetchone() == (0,)


def test_migrate_says_when_the_server_is_unreachable(run_cli):
    closed = f"postgresql://someone:secret@127.0.0.1:{free_port()}/nothing"
    code, output = run_cli("migrate", DATABASE_URL=closed)
    assert code == 1
    assert "cannot connect to nothing on 127.0.0.1:" in output
    assert "Connection refused" in output
    assert "secret" not in output
