"""Serve hotspot lists from ``hotspot_results`` (热点排名), one page at a time.

A run used to keep its whole ranked list in ``hotspot_runs.results`` (JSONB): at city
scale, 18,865 grids with 12 weekly counts each, 6 MB that every cached request had to
read and decode. Each unit's row now carries its place in the list (``rank``), its
permutation p-value, the emerging-pattern label and the weekly counts, so a request
reads only the page it shows through ``(run_id, rank)``. Old runs are a cache: dropped.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute("DELETE FROM hotspot_runs")
    op.add_column("hotspot_results", sa.Column("rank", sa.Integer(), nullable=False))
    op.add_column("hotspot_results", sa.Column("p_permutation", sa.Float()))
    op.add_column("hotspot_results", sa.Column("pattern_label", sa.String(30)))
    op.add_column(
        "hotspot_results",
        sa.Column("weekly", postgresql.ARRAY(sa.Integer()), nullable=False),
    )
    op.create_index(
        "ix_hotspot_results_run_id_rank", "hotspot_results", ["run_id", "rank"], unique=True
    )


def downgrade() -> None:
    op.execute("DELETE FROM hotspot_runs")
    op.drop_index("ix_hotspot_results_run_id_rank", table_name="hotspot_results")
    for column in ("weekly", "pattern_label", "p_permutation", "rank"):
        op.drop_column("hotspot_results", column)
