"""Area scope by row-level security, the API role, the append-only audit log, and roles.

Every request of the API runs as ``blockgrid_api`` with ``blockgrid.scope`` (an area
code prefix) and ``blockgrid.department`` set for its transaction (api/db.py). The
policies below filter each table by them, so no query can forget the caller's area.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

API_ROLE = "blockgrid_api"

# Tables whose rows belong to a basic grid (column grid_code, 14 digits).
GRID_SCOPED = ("buildings", "rooms", "households", "people", "entities", "components")
# Tables scoped through their event.
EVENT_CHILDREN = ("event_actions", "event_attachments")

ROLES = [
    # name, label_zh, label_en, permissions
    (
        "grid_worker",
        "网格员",
        "Grid worker",
        ["areas.read", "people.read", "events.read", "events.report", "events.verify"],
    ),
    (
        "community_admin",
        "社区管理员",
        "Community administrator",
        [
            "areas.read",
            "people.read",
            "events.read",
            "events.report",
            "events.verify",
            "indicators.read",
        ],
    ),
    (
        "street_supervisor",
        "街道指挥中心",
        "Street supervisor",
        [
            "areas.read",
            "people.read",
            "events.read",
            "events.report",
            "events.accept",
            "events.dispatch",
            "events.close",
            "events.escalate",
            "events.postpone",
            "indicators.read",
            "hotspots.read",
        ],
    ),
    (
        "district_supervisor",
        "区指挥中心",
        "District supervisor",
        [
            "areas.read",
            "people.read",
            "events.read",
            "events.report",
            "events.accept",
            "events.dispatch",
            "events.close",
            "events.escalate",
            "events.postpone",
            "indicators.read",
            "hotspots.read",
        ],
    ),
    (
        "city_admin",
        "市级管理员",
        "City administrator",
        [
            "areas.read",
            "people.read",
            "events.read",
            "events.report",
            "events.accept",
            "events.dispatch",
            "events.close",
            "events.escalate",
            "events.postpone",
            "indicators.read",
            "hotspots.read",
            "users.manage",
            "routing.manage",
            "imports.run",
        ],
    ),
    (
        "dept_handler",
        "职能部门处置人员",
        "Department handler",
        ["areas.read", "events.read", "events.handle"],
    ),
    ("auditor", "审计员", "Auditor", ["audit.read"]),
]


def _grid_scope(column: str) -> str:
    return (
        f"blockgrid_scope() <> '' AND {column} >= blockgrid_scope()"
        f" AND {column} < blockgrid_scope() || ':'"
    )


def upgrade() -> None:
    op.execute(f"""
        DO $$ BEGIN
          IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{API_ROLE}') THEN
            CREATE ROLE {API_ROLE} NOLOGIN;
          END IF;
        END $$""")
    op.execute(f"GRANT {API_ROLE} TO CURRENT_USER")
    op.execute(f"GRANT USAGE ON SCHEMA public TO {API_ROLE}")
    op.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {API_ROLE}")
    op.execute(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {API_ROLE}")
    op.execute(
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA public"
        f" GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {API_ROLE}"
    )
    op.execute(
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO {API_ROLE}"
    )

    op.execute("""
        CREATE FUNCTION blockgrid_scope() RETURNS text
        LANGUAGE sql STABLE PARALLEL SAFE
        AS $$ SELECT coalesce(current_setting('blockgrid.scope', true), '') $$""")
    op.execute("""
        CREATE FUNCTION blockgrid_department() RETURNS integer
        LANGUAGE sql STABLE PARALLEL SAFE
        AS $$ SELECT nullif(current_setting('blockgrid.department', true), '')::integer $$""")

    for table in GRID_SCOPED:
        op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
        op.execute(f"CREATE POLICY area_scope ON {table} USING ({_grid_scope('grid_code')})")

    op.execute("ALTER TABLE events ENABLE ROW LEVEL SECURITY")
    op.execute(f"""
        CREATE POLICY area_scope ON events USING (
          {_grid_scope("grid_code")}
          AND (blockgrid_department() IS NULL OR department_id = blockgrid_department()))""")
    for table in EVENT_CHILDREN:
        op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
        op.execute(f"""
            CREATE POLICY area_scope ON {table}
            USING (EXISTS (SELECT 1 FROM events e WHERE e.id = event_id))""")

    op.execute("ALTER TABLE grid_workers ENABLE ROW LEVEL SECURITY")
    op.execute(f"CREATE POLICY area_scope ON grid_workers USING ({_grid_scope('grid_code')})")
    op.execute("ALTER TABLE area_stats ENABLE ROW LEVEL SECURITY")
    op.execute(f"CREATE POLICY area_scope ON area_stats USING ({_grid_scope('area_code')})")
    op.execute("ALTER TABLE hotspot_runs ENABLE ROW LEVEL SECURITY")
    op.execute(f"CREATE POLICY area_scope ON hotspot_runs USING ({_grid_scope('area_code')})")
    # Areas: the caller's own area and everything below it, plus its ancestors (for the
    # breadcrumb 深圳市 › 福田区 › ...); an ancestor's statistics stay hidden (area_stats).
    op.execute("ALTER TABLE areas ENABLE ROW LEVEL SECURITY")
    op.execute(f"""
        CREATE POLICY area_scope ON areas FOR SELECT USING (
          {_grid_scope("code")}
          OR (blockgrid_scope() <> '' AND left(blockgrid_scope(), length(code)) = code))""")

    op.execute("""
        CREATE FUNCTION refuse_audit_change() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP
            USING ERRCODE = 'insufficient_privilege';
        END $$""")
    op.execute("""
        CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
        FOR EACH ROW EXECUTE FUNCTION refuse_audit_change()""")
    op.execute("""
        CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
        FOR EACH STATEMENT EXECUTE FUNCTION refuse_audit_change()""")
    op.execute(f"REVOKE UPDATE, DELETE, TRUNCATE ON audit_log FROM {API_ROLE}")

    for name, label_zh, label_en, permissions in ROLES:
        perms = "ARRAY[" + ", ".join(f"'{p}'" for p in permissions) + "]::varchar[]"
        op.execute(
            f"INSERT INTO roles (name, label_zh, label_en, permissions)"
            f" VALUES ('{name}', '{label_zh}', '{label_en}', {perms})"
        )


def downgrade() -> None:
    op.execute("DELETE FROM roles")
    op.execute("DROP TRIGGER audit_log_no_truncate ON audit_log")
    op.execute("DROP TRIGGER audit_log_append_only ON audit_log")
    op.execute("DROP FUNCTION refuse_audit_change()")
    for table in (
        *GRID_SCOPED,
        "events",
        *EVENT_CHILDREN,
        "grid_workers",
        "area_stats",
        "hotspot_runs",
        "areas",
    ):
        op.execute(f"DROP POLICY area_scope ON {table}")
        op.execute(f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY")
    op.execute("DROP FUNCTION blockgrid_department()")
    op.execute("DROP FUNCTION blockgrid_scope()")
    op.execute(f"ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE ALL ON TABLES FROM {API_ROLE}")
    op.execute(f"ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE ALL ON SEQUENCES FROM {API_ROLE}")
    op.execute(f"REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {API_ROLE}")
    op.execute(f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM {API_ROLE}")
    op.execute(f"REVOKE USAGE ON SCHEMA public FROM {API_ROLE}")
    # The role itself is cluster-wide (other databases may use it) and is kept.
