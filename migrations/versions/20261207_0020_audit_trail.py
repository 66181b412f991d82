"""The audit trail: read by auditors in their area, insert-only for the API; live resume.

- ``audit_log.area_code``: the area an action concerns (the actor's area, or the object's
  grid), so that an auditor of 福田 reads 福田's trail. Row-level security: the API role
  may insert any row but reads only in a transaction that the audit route marked
  (``blockgrid.audit = 'read'``) and only inside its scope. Rows with no area (a login
  attempt by an unknown name) are read by city-level auditors.
- ``blockgrid_recent_actions(user, action, since)``: how often one account did one thing
  lately, for rate limits (ID-number lookups) that the audit log itself counts.
- ``events.change_seq``: a number from one sequence on every insert and update of an
  event, sent with the change notification; the live stream uses it as the SSE ``id:``
  and replays what a reconnecting client missed (``Last-Event-ID``).
- Department handlers (``blockgrid.department`` set) see no residents or households.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

API_ROLE = "blockgrid_api"
SCOPE = "blockgrid_scope() <> '' AND starts_with({column}, blockgrid_scope())"
NO_DEPARTMENT = "blockgrid_department() IS NULL"

NOTIFY_WITH_SEQ = """
    CREATE OR REPLACE FUNCTION notify_event_change() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      PERFORM pg_notify('blockgrid_events', json_build_object(
        'id', NEW.id, 'code', NEW.code, 'grid_code', NEW.grid_code,
        'department_id', NEW.department_id, 'status', NEW.status,
        'version', NEW.version, 'op', lower(TG_OP), 'seq', NEW.change_seq)::text);
      RETURN NULL;
    END $$"""
NOTIFY_WITHOUT_SEQ = """
    CREATE OR REPLACE FUNCTION notify_event_change() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      PERFORM pg_notify('blockgrid_events', json_build_object(
        'id', NEW.id, 'code', NEW.code, 'grid_code', NEW.grid_code,
        'department_id', NEW.department_id, 'status', NEW.status,
        'version', NEW.version, 'op', lower(TG_OP))::text);
      RETURN NULL;
    END $$"""


def _people_policy(table: str, *, handlers_excluded: bool) -> None:
    condition = SCOPE.format(column="grid_code")
    if handlers_excluded:
        condition += f" AND {NO_DEPARTMENT}"
    op.execute(f"DROP POLICY area_scope ON {table}")
    op.execute(f"CREATE POLICY area_scope ON {table} USING (coalesce({condition}, false))")


def upgrade() -> None:
    op.add_column("audit_log", sa.Column("area_code", sa.String(14, collation="C")))
    op.create_index("ix_audit_log_user_id_action_at", "audit_log", ["user_id", "action", "at"])
    op.create_index("ix_audit_log_area_code_at", "audit_log", ["area_code", "at"])
    op.execute("ALTER TABLE audit_log ENABLE ROW LEVEL SECURITY")
    op.execute("CREATE POLICY audit_append ON audit_log FOR INSERT WITH CHECK (true)")
    op.execute("""
        CREATE POLICY audit_read ON audit_log FOR SELECT USING (coalesce(
          current_setting('blockgrid.audit', true) = 'read' AND blockgrid_scope() <> ''
          AND (starts_with(area_code, blockgrid_scope())
               OR (area_code IS NULL AND length(blockgrid_scope()) <= 4)), false))""")
    op.execute(f"REVOKE UPDATE, DELETE, TRUNCATE ON audit_log FROM {API_ROLE}")
    op.execute("""
        CREATE FUNCTION blockgrid_recent_actions(account integer, what text, since timestamptz)
        RETURNS bigint LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
          SELECT count(*) FROM audit_log
          WHERE user_id = account AND action = what AND at >= since $$""")
    op.execute("REVOKE EXECUTE ON FUNCTION blockgrid_recent_actions FROM PUBLIC")
    op.execute(f"GRANT EXECUTE ON FUNCTION blockgrid_recent_actions TO {API_ROLE}")

    op.execute("CREATE SEQUENCE event_change_seq")
    op.execute(f"GRANT USAGE, SELECT ON SEQUENCE event_change_seq TO {API_ROLE}")
    op.add_column("events", sa.Column("change_seq", sa.BigInteger()))
    op.create_index(
        "ix_events_change_seq",
        "events",
        ["change_seq"],
        postgresql_where=sa.text("change_seq IS NOT NULL"),
    )
    op.execute("""
        CREATE FUNCTION number_event_change() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          NEW.change_seq := nextval('event_change_seq');
          RETURN NEW;
        END $$""")
    op.execute("""
        CREATE TRIGGER events_change_seq BEFORE INSERT OR UPDATE ON events
        FOR EACH ROW EXECUTE FUNCTION number_event_change()""")
    op.execute(NOTIFY_WITH_SEQ)

    for table in ("people", "households"):
        _people_policy(table, handlers_excluded=True)


def downgrade() -> None:
    for table in ("people", "households"):
        _people_policy(table, handlers_excluded=False)
    op.execute(NOTIFY_WITHOUT_SEQ)
    op.execute("DROP TRIGGER events_change_seq ON events")
    op.execute("DROP FUNCTION number_event_change()")
    op.drop_index("ix_events_change_seq", table_name="events")
    op.drop_column("events", "change_seq")
    op.execute("DROP SEQUENCE event_change_seq")
    op.execute("DROP FUNCTION blockgrid_recent_actions(integer, text, timestamptz)")
    op.execute("DROP POLICY audit_read ON audit_log")
    op.execute("DROP POLICY audit_append ON audit_log")
    op.execute("ALTER TABLE audit_log DISABLE ROW LEVEL SECURITY")
    op.drop_index("ix_audit_log_area_code_at", table_name="audit_log")
    op.drop_index("ix_audit_log_user_id_action_at", table_name="audit_log")
    op.drop_column("audit_log", "area_code")
