"""Map support: per-building rollups, and data versions that invalidate cached tiles.

``data_versions`` holds one counter per table; a statement-level trigger bumps it on
every INSERT, UPDATE, DELETE or TRUNCATE, so a cached tile whose tables' counters are
unchanged is still valid, and a changed event shows on the next request.

Revision ID: 0007
Revises: 0005
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

VERSIONED = (
    "areas",
    "area_stats",
    "buildings",
    "building_stats",
    "rooms",
    "people",
    "entities",
    "components",
    "events",
)


def upgrade() -> None:
    op.create_table(
        "building_stats",
        sa.Column(
            "building_id",
            sa.BigInteger(),
            sa.ForeignKey(
                "buildings.id", ondelete="CASCADE", name="fk_building_stats_building_id_buildings"
            ),
            primary_key=True,
        ),
        sa.Column("grid_code", sa.String(14, collation="C"), nullable=False),
        sa.Column("residents", sa.Integer(), server_default="0", nullable=False),
        sa.Column("households", sa.Integer(), server_default="0", nullable=False),
        sa.Column("elderly", sa.Integer(), server_default="0", nullable=False),
        sa.Column("rooms", sa.Integer(), server_default="0", nullable=False),
        sa.Column("entities", sa.Integer(), server_default="0", nullable=False),
        sa.Column("events_open", sa.Integer(), server_default="0", nullable=False),
        sa.PrimaryKeyConstraint("building_id", name="pk_building_stats"),
    )
    op.create_index("ix_building_stats_grid_code", "building_stats", ["grid_code"])
    op.execute("ALTER TABLE building_stats ENABLE ROW LEVEL SECURITY")
    op.execute("""
        CREATE POLICY area_scope ON building_stats USING (
          blockgrid_scope() <> '' AND grid_code >= blockgrid_scope()
          AND grid_code < blockgrid_scope() || ':')""")

    op.create_table(
        "data_versions",
        sa.Column("table_name", sa.String(63), primary_key=True),
        sa.Column("version", sa.BigInteger(), server_default="1", nullable=False),
        sa.Column(
            "changed_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
    )
    op.execute("""
        CREATE FUNCTION bump_data_version() RETURNS trigger LANGUAGE plpgsql
        SECURITY DEFINER SET search_path = public AS $$
        BEGIN
          UPDATE data_versions SET version = version + 1, changed_at = now()
          WHERE table_name = TG_TABLE_NAME;
          RETURN NULL;
        END $$""")
    for table in VERSIONED:
        op.execute(f"INSERT INTO data_versions (table_name) VALUES ('{table}')")
        op.execute(f"""
            CREATE TRIGGER {table}_data_version
            AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table}
            FOR EACH STATEMENT EXECUTE FUNCTION bump_data_version()""")


def downgrade() -> None:
    for table in VERSIONED:
        op.execute(f"DROP TRIGGER {table}_data_version ON {table}")
    op.execute("DROP FUNCTION bump_data_version()")
    op.drop_table("data_versions")
    op.drop_table("building_stats")
