"""Indexes for the event lists at city scale (3M events, 18k of them open).

- ``ix_events_open_reported_at``: the open events, newest first (在办, 超期 and the
  department inbox); without it counting the open events of the city read all 3M rows.
- ``ix_events_category_reported_at``: a category or a major category (大类) in a period.
- ``ix_events_duplicate_of_id``: the duplicates merged into an event; without it deleting
  an event checked the self-reference by reading the whole table.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OPEN = "status NOT IN ('closed', 'rejected')"


def upgrade() -> None:
    op.create_index(
        "ix_events_open_reported_at",
        "events",
        [sa.text("reported_at DESC")],
        postgresql_where=sa.text(OPEN),
    )
    op.create_index(
        "ix_events_category_reported_at", "events", ["category_id", sa.text("reported_at DESC")]
    )
    op.create_index(
        "ix_events_duplicate_of_id",
        "events",
        ["duplicate_of_id"],
        postgresql_where=sa.text("duplicate_of_id IS NOT NULL"),
    )


def downgrade() -> None:
    op.drop_index("ix_events_duplicate_of_id", table_name="events")
    op.drop_index("ix_events_category_reported_at", table_name="events")
    op.drop_index("ix_events_open_reported_at", table_name="events")
