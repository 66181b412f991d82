"""Per-unit hotspot results (热点分析结果), with geometry for the ``hotspots`` tile layer.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from geoalchemy2 import Geometry

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "hotspot_results",
        sa.Column("run_id", sa.BigInteger(), nullable=False),
        sa.Column("unit_id", sa.String(20, collation="C"), nullable=False),
        sa.Column("name", sa.String(100)),
        sa.Column("events", sa.Integer(), nullable=False),
        sa.Column("rate", sa.Float()),
        sa.Column("z", sa.Float(), nullable=False),
        sa.Column("p", sa.Float(), nullable=False),
        sa.Column("q", sa.Float(), nullable=False),
        sa.Column("gi_bin", sa.SmallInteger(), nullable=False),
        sa.Column("pattern", sa.String(30)),
        sa.Column(
            "geom_3857", Geometry("MULTIPOLYGON", srid=3857, spatial_index=False), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["hotspot_runs.id"],
            ondelete="CASCADE",
            name="fk_hotspot_results_run_id_hotspot_runs",
        ),
        sa.PrimaryKeyConstraint("run_id", "unit_id", name="pk_hotspot_results"),
    )
    op.create_index(
        "idx_hotspot_results_geom_3857", "hotspot_results", ["geom_3857"], postgresql_using="gist"
    )
    op.execute("ALTER TABLE hotspot_results ENABLE ROW LEVEL SECURITY")
    op.execute("""
        CREATE POLICY area_scope ON hotspot_results
        USING (EXISTS (SELECT 1 FROM hotspot_runs r WHERE r.id = run_id))""")
    op.execute("INSERT INTO data_versions (table_name) VALUES ('hotspot_results')")
    op.execute("""
        CREATE TRIGGER hotspot_results_data_version
        AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON hotspot_results
        FOR EACH STATEMENT EXECUTE FUNCTION bump_data_version()""")


def downgrade() -> None:
    op.execute("DROP TRIGGER hotspot_results_data_version ON hotspot_results")
    op.execute("DELETE FROM data_versions WHERE table_name = 'hotspot_results'")
    op.drop_table("hotspot_results")
