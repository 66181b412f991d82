"""Event workflow support: the 'verified' state (核查通过, 待结案), Open311 API keys,
and the indexes behind the event list's usual filters.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD = (
    "reported",
    "accepted",
    "rejected",
    "dispatched",
    "handling",
    "handled",
    "postponed",
    "closed",
)
NEW = (*OLD[:6], "verified", *OLD[6:])


def _status_check(statuses: tuple[str, ...]) -> None:
    op.execute("ALTER TABLE events DROP CONSTRAINT ck_events_status_known")
    op.execute(
        f"ALTER TABLE events ADD CONSTRAINT ck_events_status_known CHECK (status IN {statuses!r})"
    )


def upgrade() -> None:
    _status_check(NEW)
    op.create_table(
        "api_keys",
        sa.Column("id", sa.Integer(), sa.Identity(), primary_key=True),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("key_hash", sa.LargeBinary(32), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column("revoked_at", sa.DateTime(timezone=True)),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name="fk_api_keys_user_id_users", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_api_keys"),
        sa.UniqueConstraint("key_hash", name="uq_api_keys_key_hash"),
    )
    op.create_index("ix_events_reported_at", "events", [sa.text("reported_at DESC")])
    op.create_index(
        "ix_events_grid_code_reported_at", "events", ["grid_code", sa.text("reported_at DESC")]
    )
    op.create_index("ix_events_status_due_at", "events", ["status", "due_at"])
    op.create_index("ix_event_actions_at", "event_actions", ["at"])
    # The deadline of the stage an action completed: on time = at <= stage_due_at (按时).
    op.add_column("event_actions", sa.Column("stage_due_at", sa.DateTime(timezone=True)))
    op.execute("""
        CREATE FUNCTION notify_event_change() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          PERFORM pg_notify('blockgrid_events', json_build_object(
            'id', NEW.id, 'code', NEW.code, 'grid_code', NEW.grid_code,
            'department_id', NEW.department_id, 'status', NEW.status,
            'version', NEW.version, 'op', lower(TG_OP))::text);
          RETURN NULL;
        END $$""")
    op.execute("""
        CREATE TRIGGER events_notify AFTER INSERT OR UPDATE ON events
        FOR EACH ROW EXECUTE FUNCTION notify_event_change()""")
    op.execute("CREATE SEQUENCE event_code_seq")
    op.execute("""
        INSERT INTO roles (name, label_zh, label_en, permissions) VALUES
        ('hotline', '12345热线', 'Hotline (Open311 client)',
         ARRAY['events.read', 'events.report']::varchar[])""")
    # Keep the open-event counts of the rollups right on every write (a bulk loader may
    # disable this trigger and refresh the rollups afterwards).
    op.execute("""
        CREATE FUNCTION maintain_event_rollups() RETURNS trigger LANGUAGE plpgsql
        SECURITY DEFINER SET search_path = public AS $$
        DECLARE
          was_open boolean := TG_OP <> 'INSERT' AND OLD.status NOT IN ('closed', 'rejected');
          is_open boolean := TG_OP <> 'DELETE' AND NEW.status NOT IN ('closed', 'rejected');
        BEGIN
          IF TG_OP = 'UPDATE' AND was_open = is_open AND OLD.grid_code = NEW.grid_code
             AND OLD.building_id IS NOT DISTINCT FROM NEW.building_id THEN
            RETURN NULL;
          END IF;
          IF was_open THEN
            UPDATE area_stats SET events_open = events_open - 1
            WHERE area_code IN (left(OLD.grid_code, 4), left(OLD.grid_code, 6),
                                left(OLD.grid_code, 9), left(OLD.grid_code, 12), OLD.grid_code);
            UPDATE building_stats SET events_open = events_open - 1
            WHERE building_id = OLD.building_id;
          END IF;
          IF is_open THEN
            UPDATE area_stats SET events_open = events_open + 1
            WHERE area_code IN (left(NEW.grid_code, 4), left(NEW.grid_code, 6),
                                left(NEW.grid_code, 9), left(NEW.grid_code, 12), NEW.grid_code);
            UPDATE building_stats SET events_open = events_open + 1
            WHERE building_id = NEW.building_id;
          END IF;
          RETURN NULL;
        END $$""")
    op.execute("""
        CREATE TRIGGER events_rollups AFTER INSERT OR UPDATE OF status, grid_code, building_id
        OR DELETE ON events FOR EACH ROW EXECUTE FUNCTION maintain_event_rollups()""")


def downgrade() -> None:
    op.execute("DROP TRIGGER events_rollups ON events")
    op.execute("DROP FUNCTION maintain_event_rollups()")
    op.execute("DROP SEQUENCE event_code_seq")
    op.execute("DELETE FROM roles WHERE name = 'hotline'")
    op.execute("DROP TRIGGER events_notify ON events")
    op.execute("DROP FUNCTION notify_event_change()")
    op.drop_column("event_actions", "stage_due_at")
    op.drop_index("ix_event_actions_at", "event_actions")
    op.drop_index("ix_events_status_due_at", "events")
    op.drop_index("ix_events_grid_code_reported_at", "events")
    op.drop_index("ix_events_reported_at", "events")
    op.drop_table("api_keys")
    op.execute("UPDATE events SET status = 'handled' WHERE status = 'verified'")
    _status_check(OLD)
