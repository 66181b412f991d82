"""The API's own login role (not a superuser, not the owner, no BYPASSRLS).

The server logs in as ``blockgrid_api`` itself (the command line gives it LOGIN and a
password after migrating: api/database_roles.py), so ``RESET ROLE`` leads back to the
same restricted role and row-level security holds whatever SQL runs. See
docs/database-roles.md. This migration:

- strips any attribute that would lift the policies or the grants (a role made by hand
  may have them);
- leaves the API only ``SELECT`` and ``INSERT`` on ``audit_log`` (the append-only trigger
  can only be disabled by the table's owner);
- gives the overdue sweeper, which must see every area, one ``SECURITY DEFINER``
  function of the owner (``blockgrid_sweep_overdue``) instead of an unscoped session;
- fixes the search path of every ``SECURITY DEFINER`` function to ``public, pg_temp``,
  so that a temporary table of the caller cannot stand in for one of ours.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-07
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

API_ROLE = "blockgrid_api"
DEFINERS = ("bump_data_version()", "bump_data_version_once()", "maintain_event_rollups()")
OPEN = "('reported', 'accepted', 'dispatched', 'handling', 'handled', 'verified')"

# api/events/sweeper.py: one escalation per stage, then the overdue counts of every area.
SWEEP_OVERDUE = f"""
    CREATE FUNCTION blockgrid_sweep_overdue(sweep_at timestamptz, sweep_batch integer)
    RETURNS integer LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
    DECLARE
      escalated integer;
    BEGIN
      WITH due AS (
        SELECT e.id, e.status, e.version FROM events e
        WHERE e.status IN {OPEN} AND e.stage_due_at < sweep_at
          AND NOT EXISTS (SELECT 1 FROM event_actions a WHERE a.event_id = e.id
                          AND a.action = 'escalate' AND a.at >= e.stage_due_at)
        ORDER BY e.stage_due_at LIMIT sweep_batch FOR UPDATE SKIP LOCKED
      ), bumped AS (
        UPDATE events e SET escalation_level = e.escalation_level + 1, version = e.version + 1
        FROM due WHERE e.id = due.id RETURNING e.id, e.status, e.stage_due_at
      ), inserted AS (
        INSERT INTO event_actions (event_id, action, from_status, to_status, actor_role, note,
                                   at, stage_due_at)
        SELECT id, 'escalate', status, status, 'system', '超期自动督办', sweep_at, stage_due_at
        FROM bumped
        RETURNING event_id
      )
      SELECT count(*) INTO escalated FROM inserted;

      WITH per_grid AS (
        SELECT grid_code, count(*) AS overdue FROM events
        WHERE status IN {OPEN} AND stage_due_at < sweep_at
        GROUP BY grid_code
      ), per_area AS (
        SELECT left(grid_code, n) AS area_code, sum(overdue) AS overdue
        FROM per_grid, unnest(ARRAY[4, 6, 9, 12, 14]) AS n GROUP BY 1
      )
      UPDATE area_stats s SET events_overdue = coalesce(p.overdue, 0)
      FROM area_stats s2 LEFT JOIN per_area p ON p.area_code = s2.area_code
      WHERE s.area_code = s2.area_code
        AND s.events_overdue IS DISTINCT FROM coalesce(p.overdue, 0);
      RETURN escalated;
    END $$"""


def upgrade() -> None:
    op.execute(f"""
        DO $$ BEGIN
          IF EXISTS (SELECT FROM pg_roles WHERE rolname = '{API_ROLE}' AND (rolsuper
                     OR rolbypassrls OR rolcreaterole OR rolcreatedb OR rolreplication)) THEN
            ALTER ROLE {API_ROLE} NOSUPERUSER NOBYPASSRLS NOCREATEROLE NOCREATEDB NOREPLICATION;
          END IF;
        END $$""")
    op.execute(
        f"REVOKE UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON audit_log FROM {API_ROLE}, PUBLIC"
    )
    op.execute(f"GRANT SELECT, INSERT ON audit_log TO {API_ROLE}")
    for function in DEFINERS:
        op.execute(f"ALTER FUNCTION {function} SET search_path = public, pg_temp")
    op.execute(SWEEP_OVERDUE)
    op.execute("REVOKE EXECUTE ON FUNCTION blockgrid_sweep_overdue FROM PUBLIC")
    op.execute(f"GRANT EXECUTE ON FUNCTION blockgrid_sweep_overdue TO {API_ROLE}")


def downgrade() -> None:
    op.execute("DROP FUNCTION blockgrid_sweep_overdue(timestamptz, integer)")
    for function in DEFINERS:
        op.execute(f"ALTER FUNCTION {function} SET search_path = public")
