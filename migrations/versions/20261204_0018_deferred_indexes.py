"""``deferred_indexes``: what a bulk import still has to rebuild after its commit.

A bulk import drops the secondary indexes of ``buildings`` and rebuilds them after
committing, two at a time (api/buildings/import_indexes.py); the list is written in
the import's transaction so that a crash cannot lose it.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "deferred_indexes",
        sa.Column("table_name", sa.String(63), primary_key=True),
        sa.Column("name", sa.String(63), primary_key=True),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("definition", sa.Text(), nullable=False),
        sa.Column("slow", sa.Boolean(), server_default="false", nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.CheckConstraint("kind IN ('index', 'unique', 'foreign')", name="kind_known"),
    )


def downgrade() -> None:
    op.drop_table("deferred_indexes")
