"""Open311 posts: when each arrived and what it said, for a key's hourly limit and retries.

``received_at`` with ``(api_key_id, received_at)`` counts a key's posts of the last hour
from the index; ``fingerprint`` (a hash of the service, place and text) lets a client's
retry of the same request return the first receipt instead of filing it twice.

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-08
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0023"
down_revision: str | None = "0022"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Posts made before this revision keep the time their event was reported: counted
    # as "now", a busy key would start the next hour refused.
    op.add_column("open311_requests", sa.Column("received_at", sa.DateTime(timezone=True)))
    op.execute(
        "UPDATE open311_requests r SET received_at = e.reported_at"
        " FROM events e WHERE e.id = r.event_id"
    )
    op.alter_column("open311_requests", "received_at", nullable=False, server_default=sa.func.now())
    op.add_column("open311_requests", sa.Column("fingerprint", sa.LargeBinary(32)))
    op.drop_index("ix_open311_requests_api_key_id", table_name="open311_requests")
    op.create_index(
        "ix_open311_requests_api_key_id_received_at",
        "open311_requests",
        ["api_key_id", "received_at"],
    )


def downgrade() -> None:
    op.drop_index("ix_open311_requests_api_key_id_received_at", table_name="open311_requests")
    op.create_index("ix_open311_requests_api_key_id", "open311_requests", ["api_key_id"])
    op.drop_column("open311_requests", "fingerprint")
    op.drop_column("open311_requests", "received_at")
