"""Two database roles (finding 5 of issue 14): the API logs in as its own restricted role.

Every test here connects as the API's login role ``blockgrid_api`` through a real
connection, as the server does (docs/database-roles.md), and checks what it may and may
not do; the owner only prepares and verifies.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import timedelta

import httpx
import psycopg
import pytest
from psycopg import errors
from sqlalchemy.ext.asyncio import AsyncSession

from api.db import API_ROLE, create_engine
from api.events.calendar import now
from api.events.sweeper import sweep
from api.main import create_app
from api.settings import Settings
from tests.api.events.helpers import AT_BUILDING_A
from tests.conftest import PASSWORD, mini_city_database

OWNED_OBJECTS = """
    SELECT (SELECT count(*) FROM pg_class WHERE relowner = r.oid)
         + (SELECT count(*) FROM pg_proc WHERE proowner = r.oid)
         + (SELECT count(*) FROM pg_type WHERE typowner = r.oid)
         + (SELECT count(*) FROM pg_namespace WHERE nspowner = r.oid)
         + (SELECT count(*) FROM pg_database WHERE datdba = r.oid)
    FROM pg_roles r WHERE r.rolname = current_user"""


def api_connection(api_url: str) -> psycopg.Connection:
    return psycopg.connect(api_url, autocommit=True)


def refused(connection: psycopg.Connection, statement: str) -> psycopg.Error:
    """Run ``statement`` in a transaction of its own; return the error it must raise."""
    with pytest.raises(psycopg.Error) as caught, connection.transaction():
        connection.execute(statement)
    return caught.value


def test_the_api_login_is_not_privileged_and_owns_nothing(api_database_url):
    with api_connection(api_database_url) as connection:
        row = connection.execute(
            "SELECT current_user, session_user, rolsuper, rolbypassrls, rolcreaterole,"
            " rolcreatedb, rolreplication, rolcanlogin FROM pg_roles"
            " WHERE rolname = current_user"
        ).fetchone()
        assert row == (API_ROLE, API_ROLE, False, False, False, False, False, True)
        assert connection.execute(OWNED_OBJECTS).fetchone() == (0,)
        owner = connection.execute(
            "SELECT pg_get_userbyid(relowner) FROM pg_class WHERE oid = 'audit_log'::regclass"
        ).fetchone()[0]
        assert owner == "blockgrid"
        member = connection.execute(
            "SELECT pg_has_role(current_user, 'blockgrid', 'MEMBER')"
        ).fetchone()
        assert member == (False,)


async def test_reset_role_leads_nowhere_privileged(api_database_url, database_url, engine):
    """The old design switched a superuser's transaction to blockgrid_api: RESET ROLE undid it."""
    with psycopg.connect(database_url) as owner:
        everyone = owner.execute("SELECT count(*) FROM people").fetchone()[0]
    assert everyone >= 3
    with api_connection(api_database_url) as connection:
        for statement in (
            "SET ROLE blockgrid",
            "SET ROLE postgres",
            "SET SESSION AUTHORIZATION blockgrid",
            "SELECT set_config('role', 'blockgrid', false)",
        ):
            error = refused(connection, statement)
            assert isinstance(error, errors.InsufficientPrivilege), statement
        connection.execute("RESET ROLE")
        connection.execute("SELECT set_config('role', 'blockgrid_api', false)")  # apply_scope's
        connection.execute("RESET ROLE")
        assert connection.execute("SELECT current_user").fetchone() == (API_ROLE,)
        # Unscoped, row-level security shows nothing; the owner saw every resident.
        assert connection.execute("SELECT count(*) FROM people").fetchone() == (0,)
        error = refused(connection, "ALTER TABLE people DISABLE ROW LEVEL SECURITY")
        assert isinstance(error, errors.InsufficientPrivilege)
        assert "must be owner of table people" in str(error)


def test_the_audit_log_is_insert_only_for_the_api(api_database_url, database_url):
    with api_connection(api_database_url) as connection:
        with connection.transaction(force_rollback=True):
            inserted = connection.execute(
                "INSERT INTO audit_log (action, result) VALUES ('roles.test', 'ok')"
            )
            assert inserted.rowcount == 1
        for statement, message in (
            ("UPDATE audit_log SET result = 'forged'", "permission denied for table audit_log"),
            ("DELETE FROM audit_log", "permission denied for table audit_log"),
            ("TRUNCATE audit_log", "permission denied for table audit_log"),
            (
                "ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only",
                "must be owner of table audit_log",
            ),
            ("ALTER TABLE audit_log DISABLE TRIGGER ALL", "must be owner of table audit_log"),
            ("DROP TRIGGER audit_log_append_only ON audit_log", "must be owner of"),
            ("ALTER TABLE audit_log DISABLE ROW LEVEL SECURITY", "must be owner of"),
            ("SET session_replication_role = replica", "permission denied to set parameter"),
        ):
            error = refused(connection, statement)
            assert isinstance(error, errors.InsufficientPrivilege), statement
            assert message in str(error), (statement, str(error))
    with psycopg.connect(database_url) as owner:
        triggers = owner.execute(
            "SELECT tgname, tgenabled FROM pg_trigger WHERE tgrelid = 'audit_log'::regclass"
            " AND NOT tgisinternal ORDER BY tgname"
        ).fetchall()
        assert triggers == [("audit_log_append_only", "O"), ("audit_log_no_truncate", "O")]
        rights = owner.execute(
            "SELECT array_agg(p ORDER BY p) FROM unnest(ARRAY['SELECT', 'INSERT', 'UPDATE',"
            " 'DELETE', 'TRUNCATE', 'REFERENCES', 'TRIGGER']) AS p"
            " WHERE has_table_privilege(%s, 'audit_log', p)",
            (API_ROLE,),
        ).fetchone()[0]
        assert rights == ["INSERT", "SELECT"]


async def test_a_scoped_read_works_as_the_api(api_database_url, engine):
    with api_connection(api_database_url) as connection, connection.transaction():
        connection.execute(
            "SELECT set_config('role', %s, true), set_config('blockgrid.scope', %s, true)",
            (API_ROLE, "440304001001"),
        )
        grids = connection.execute(
            "SELECT array_agg(DISTINCT grid_code ORDER BY grid_code) FROM people"
        ).fetchone()[0]
        assert grids == ["44030400100101", "44030400100102"]
        codes = connection.execute("SELECT array_agg(code ORDER BY code) FROM areas").fetchone()
        # The community and its grids, and its ancestors for the breadcrumb.
        assert codes[0] == [
            "4403",
            "440304",
            "440304001",
            "440304001001",
            "44030400100101",
            "44030400100102",
        ]


@pytest.fixture(scope="module")
def roles_database(cluster) -> Iterator[tuple[str, str]]:
    """The mini city in a database of its own (real commits): (owner URL, API URL)."""
    with mini_city_database(cluster, "roles") as url:
        with psycopg.connect(url) as owner:
            owner.execute(
                "INSERT INTO area_stats (area_code) SELECT code FROM areas ON CONFLICT DO NOTHING"
            )
        yield (
            url,
            url.replace(
                f"{cluster.user}:{cluster.password}@", f"{API_ROLE}:{cluster.api_password}@"
            ),
        )


def overdue_event(owner_url: str, code: str) -> int:
    """Commit an open event whose stage deadline passed an hour ago; return its id."""
    with psycopg.connect(owner_url) as owner:
        return owner.execute(
            "INSERT INTO events (code, category_id, source, title, geom, geom_3857, grid_code,"
            "                    status, reported_at, stage_due_at)"
            " SELECT %s, id, 'patrol', '超期测试', ST_SetSRID(ST_MakePoint(114.005, 22.535), 4326),"
            "        ST_Transform(ST_SetSRID(ST_MakePoint(114.005, 22.535), 4326), 3857),"
            "        '44030400100101', 'reported', now() - interval '2 hours',"
            "        now() - interval '1 hour'"
            " FROM event_categories WHERE major = '06' AND minor = '001' RETURNING id",
            (code,),
        ).fetchone()[0]


def events_open(owner_url: str, area: str = "44030400100101") -> int:
    with psycopg.connect(owner_url) as owner:
        return owner.execute(
            "SELECT events_open FROM area_stats WHERE area_code = %s", (area,)
        ).fetchone()[0]


def person_in(owner_url: str, grid: str) -> int:
    with psycopg.connect(owner_url) as owner:
        return owner.execute("SELECT min(id) FROM people WHERE grid_code = %s", (grid,)).fetchone()[
            0
        ]


def remove_event(owner_url: str, event_id: int) -> None:
    with psycopg.connect(owner_url) as owner:
        owner.execute("DELETE FROM event_actions WHERE event_id = %s", (event_id,))
        owner.execute("DELETE FROM events WHERE id = %s", (event_id,))


async def test_the_sweep_runs_as_the_api(roles_database):
    owner_url, api_url = roles_database
    event_id = overdue_event(owner_url, "ROLES-SWEEP")
    engine = create_engine(api_url, Settings(environment="test"))
    try:
        async with AsyncSession(engine) as session, session.begin():
            assert await sweep(session, at=now()) == 1
        async with AsyncSession(engine) as session, session.begin():
            assert await sweep(session, at=now() + timedelta(minutes=1)) == 0
        with psycopg.connect(owner_url) as owner:
            level = owner.execute(
                "SELECT escalation_level FROM events WHERE id = %s", (event_id,)
            ).fetchone()
            overdue = owner.execute(
                "SELECT events_overdue FROM area_stats WHERE area_code = '44030400100101'"
            ).fetchone()
        assert (level, overdue) == ((1,), (1,))
    finally:
        await engine.dispose()
        remove_event(owner_url, event_id)


async def test_the_server_does_everything_as_the_api(roles_database, tmp_path):
    """Login (sessions, audit), a scoped read, a report (its commit-time rollup triggers),
    /readyz and the background sweeper, all through the lifespan's own login."""
    owner_url, _ = roles_database
    settings = Settings(
        environment="test", DATABASE_URL=owner_url, sweep_interval_seconds=1, var_dir=tmp_path
    )
    app = create_app(settings)
    open_before = events_open(owner_url)
    async with app.router.lifespan_context(app):
        async with app.state.engine.connect() as connection:
            who = await connection.exec_driver_sql("SELECT current_user, session_user")
            assert who.one() == (API_ROLE, API_ROLE)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://roles") as client:
            ready = await client.get("/readyz")
            assert ready.status_code == 200, ready.text
            login = await client.post(
                "/auth/token", data={"username": "worker-a", "password": PASSWORD}
            )
            assert login.status_code == 200, login.text
            headers = {"Authorization": f"Bearer {login.json()['access_token']}"}
            for grid, expected in (("44030400100101", 200), ("44030400100102", 404)):
                person = await client.get(
                    f"/api/people/{person_in(owner_url, grid)}", headers=headers
                )
                assert person.status_code == expected, person.text  # scoped by RLS
            reported = await client.post(
                "/api/events",
                headers=headers,
                json={"major": "06", "minor": "001", "title": "角色测试", **AT_BUILDING_A},
            )
            assert reported.status_code == 201, reported.text
        assert events_open(owner_url) == open_before + 1  # the API's commit ran the rollups
        event_id = overdue_event(owner_url, "ROLES-SERVER")
        try:
            deadline = asyncio.get_running_loop().time() + 15
            level = 0
            while level == 0 and asyncio.get_running_loop().time() < deadline:
                await asyncio.sleep(0.3)
                with psycopg.connect(owner_url) as owner:
                    level = owner.execute(
                        "SELECT escalation_level FROM events WHERE id = %s", (event_id,)
                    ).fetchone()[0]
            assert level == 1  # the server's own sweeper escalated it
        finally:
            remove_event(owner_url, event_id)
    with psycopg.connect(owner_url) as owner:
        logins = owner.execute(
            "SELECT count(*) FROM audit_log WHERE action = 'login' AND username = 'worker-a'"
        ).fetchone()[0]
    assert logins >= 1
