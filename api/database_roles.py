"""The two database roles (数据库角色): the owner migrates, the server logs in as its own.

The command line connects as the owner and, before migrating, checks that the owner has
the rights the pending migrations need (one message naming each missing right and the
statement that grants it), and after migrating makes sure the server can log in as its
role, setting that role's password when the owner may. docs/database-roles.md.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import psycopg
from alembic.script import ScriptDirectory
from psycopg import sql
from sqlalchemy import make_url

from api.db import API_ROLE, DatabaseRoleError, libpq_url
from api.migrate import alembic_config

DOCS = "docs/database-roles.md"
LEAKPROOF_FUNCTIONS = (
    "geometry_overlaps(geometry, geometry)",
    "st_intersects(geometry, geometry)",
    "st_dwithin(geometry, geometry, double precision)",
)


class DatabaseUnreachable(DatabaseRoleError):
    """The database does not accept the connection; the message says where and why."""


class MissingRights(DatabaseRoleError):
    """The owner lacks rights the migrations need; the message lists how to grant each."""


def connect(url: str, **kwargs) -> psycopg.Connection:
    """Connect with psycopg, turning a refused or failed connection into one clear error."""
    try:
        return psycopg.connect(libpq_url(url), connect_timeout=10, **kwargs)
    except psycopg.OperationalError as exc:
        where = make_url(url)
        raise DatabaseUnreachable(
            f"cannot connect to {where.database} on {where.host}:{where.port or 5432} as "
            f"{where.username}: {_first_line(exc)}"
        ) from exc


def _first_line(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    return lines[0].removeprefix("connection failed: ") if lines else type(exc).__name__


@dataclass(frozen=True)
class OwnerFacts:
    """What the owner's connection may do, read from the catalogs."""

    name: str
    database: str
    superuser: bool
    createrole: bool
    has_postgis: bool
    can_create_in_public: bool
    api_role_exists: bool
    administers_api_role: bool
    schema_owner: str | None
    owns_schema: bool
    leakproof: bool
    revision: str | None


_OWNER_FACTS = """
    SELECT current_user, current_database(), r.rolsuper, r.rolcreaterole,
      EXISTS (SELECT FROM pg_extension WHERE extname = 'postgis'),
      has_schema_privilege('public', 'CREATE'),
      api.oid IS NOT NULL,
      CASE WHEN api.oid IS NOT NULL
           THEN pg_has_role(api.oid, 'MEMBER WITH ADMIN OPTION') ELSE false END,
      pg_get_userbyid(v.relowner),
      CASE WHEN v.oid IS NOT NULL THEN pg_has_role(v.relowner, 'USAGE') ELSE true END,
      coalesce((SELECT bool_and(proleakproof) FROM pg_proc
                WHERE oid = ANY(%(functions)s::regprocedure[])), false)
    FROM pg_roles r
    LEFT JOIN pg_roles api ON api.rolname = %(api)s
    LEFT JOIN pg_class v ON v.oid = to_regclass('public.alembic_version')
    WHERE r.rolname = current_user"""


def owner_facts(connection: psycopg.Connection) -> OwnerFacts:
    """Read :class:`OwnerFacts` for the connection's role and database."""
    has_postgis = connection.execute(
        "SELECT EXISTS (SELECT FROM pg_extension WHERE extname = 'postgis')"
    ).fetchone()[0]
    functions = list(LEAKPROOF_FUNCTIONS) if has_postgis else []  # regprocedure needs PostGIS
    row = connection.execute(_OWNER_FACTS, {"api": API_ROLE, "functions": functions}).fetchone()
    revision = None
    if connection.execute("SELECT to_regclass('public.alembic_version')").fetchone()[0]:
        found = connection.execute("SELECT version_num FROM alembic_version").fetchone()
        revision = found[0] if found else None
    return OwnerFacts(*row, revision=revision)


def _problems(facts: OwnerFacts) -> tuple[list[str], list[str]]:
    """(missing rights that make the migrations fail, rights whose lack only slows queries)."""
    if facts.superuser:
        return [], []
    owner, db = _identifier(facts.name), facts.database

    def before(revision: str) -> bool:  # the revisions are numbered 0001, 0002, ...
        return facts.revision is None or facts.revision < revision

    missing, slow = [], []
    if not facts.has_postgis:
        missing.append(
            f'PostGIS is not installed in database "{db}" and only a superuser may install it;'
            f" as a superuser, in that database: CREATE EXTENSION postgis;"
        )
    if not facts.can_create_in_public:
        missing.append(
            f"{owner} may not create tables in schema public; as its owner or a superuser:"
            f" GRANT CREATE ON SCHEMA public TO {owner};"
        )
    if not facts.owns_schema:
        missing.append(
            f'the tables of database "{db}" belong to {facts.schema_owner}, not {owner};'
            f" migrate as {facts.schema_owner}, or as a superuser: GRANT {facts.schema_owner}"
            f" TO {owner};"
        )
    if not facts.api_role_exists and not facts.createrole:
        missing.append(
            f"the API role {API_ROLE} does not exist and {owner} may not create roles;"
            f" as a superuser: CREATE ROLE {API_ROLE} NOLOGIN;"
            f" GRANT {API_ROLE} TO {owner} WITH ADMIN OPTION;"
        )
    elif not (facts.administers_api_role or facts.createrole) and before("0003"):
        missing.append(
            f"{owner} must administer the role {API_ROLE} (migration 0003 makes itself a"
            f" member); as a superuser: GRANT {API_ROLE} TO {owner} WITH ADMIN OPTION;"
        )
    if facts.has_postgis and not facts.leakproof and before("0011"):
        slow.append(
            "only a superuser may mark PostGIS's && ST_Intersects ST_DWithin LEAKPROOF: area-"
            "scoped spatial queries will not use their indexes; as a superuser, in database"
            f' "{db}": '
            + " ".join(f"ALTER FUNCTION {function} LEAKPROOF;" for function in LEAKPROOF_FUNCTIONS)
        )
    return missing, slow


def _identifier(name: str) -> str:
    """``name`` as it would be typed in SQL: quoted only when it has to be."""
    return name if re.fullmatch(r"[a-z_][a-z0-9_$]*", name) else sql.Identifier(name).as_string()


def check_owner_rights(url: str) -> list[str]:
    """Before migrating: raise :class:`MissingRights` naming each right the pending
    migrations need and the owner lacks; return the warnings (rights that only cost speed)."""
    head = ScriptDirectory.from_config(alembic_config(url)).get_current_head()
    with connect(url) as connection:
        facts = owner_facts(connection)
    if facts.revision == head:
        return []
    missing, slow = _problems(facts)
    if missing:
        lines = "\n".join(f"  - {problem}" for problem in missing)
        raise MissingRights(
            f"cannot migrate database {facts.database!r} as {facts.name}: it lacks rights the"
            f" migrations need (see {DOCS}):\n{lines}"
        )
    return slow


_API_ROLE_FACTS = """
    SELECT r.rolsuper OR r.rolbypassrls OR r.rolcreaterole OR r.rolcreatedb,
      me.rolsuper OR me.rolcreaterole
    FROM pg_roles r, pg_roles me WHERE r.rolname = %(api)s AND me.rolname = current_user"""


def ensure_api_login(owner_url: str, api_url: str) -> bool:
    """Make sure the server can log in with ``api_url``; give its role LOGIN and the URL's
    password when it cannot and the owner may. Return whether the password was set now."""
    api = make_url(libpq_url(api_url))
    try:
        connect(api_url).close()
        return False
    except DatabaseUnreachable as exc:
        refused = exc
    if api.username != API_ROLE or api.password is None:
        raise DatabaseRoleError(
            f"the API cannot log in ({refused}); blockgrid sets only the password of"
            f" {API_ROLE}, from BLOCKGRID_API_DATABASE_PASSWORD or the embedded cluster's file:"
            f" fix the login named in BLOCKGRID_API_DATABASE_URL (see {DOCS})"
        )
    with connect(owner_url, autocommit=True) as owner:
        row = owner.execute(_API_ROLE_FACTS, {"api": API_ROLE}).fetchone()
        if row is None:
            raise DatabaseRoleError(
                f"the API cannot log in ({refused}); the role {API_ROLE} does not exist:"
                f" run 'blockgrid migrate', or see {DOCS}"
            )
        privileged, may_alter = row
        if privileged:
            raise DatabaseRoleError(
                f"the role {API_ROLE} is a superuser or may bypass row-level security, create"
                f" roles or databases; as a superuser: ALTER ROLE {API_ROLE} NOSUPERUSER"
                f" NOBYPASSRLS NOCREATEROLE NOCREATEDB; (see {DOCS})"
            )
        if not may_alter:
            raise DatabaseRoleError(
                f"the API cannot log in ({refused}), and the owner may not set the password of"
                f" {API_ROLE}; as a superuser: ALTER ROLE {API_ROLE} LOGIN PASSWORD '…'; and"
                f" give that password to the server in BLOCKGRID_API_DATABASE_PASSWORD"
                f" (see {DOCS})"
            )
        # libpq hashes the password (SCRAM) here: the server's log never sees it in clear.
        verifier = owner.pgconn.encrypt_password(
            api.password.encode(), api.username.encode(), b"scram-sha-256"
        )
        owner.execute(
            sql.SQL("ALTER ROLE {} LOGIN PASSWORD {}").format(
                sql.Identifier(api.username), sql.Literal(verifier.decode())
            )
        )
    connect(api_url).close()
    return True
