"""Area-scope policies as ``starts_with`` so they never steer the planner.

The first policies compared ``grid_code`` with a range built from ``blockgrid_scope()``.
PostgreSQL cannot estimate a range on a STABLE function and assumes it is very
selective (0.5 %), so it chose the ``grid_code`` b-tree over the spatial index for tiles
and scanned whole districts. ``starts_with`` is a plain filter: the selective condition
of each query (a bounding box, an id, an explicit area) picks the index, and the scope is
checked on the rows it finds. Lists that filter by area say so in their own query.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-22
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

GRID_SCOPED = {  # table → scoped column
    "buildings": "grid_code",
    "rooms": "grid_code",
    "households": "grid_code",
    "people": "grid_code",
    "entities": "grid_code",
    "components": "grid_code",
    "grid_workers": "grid_code",
    "area_stats": "area_code",
    "hotspot_runs": "area_code",
    "building_stats": "grid_code",
}


def _range(column: str) -> str:
    return (
        f"blockgrid_scope() <> '' AND {column} >= blockgrid_scope()"
        f" AND {column} < blockgrid_scope() || ':'"
    )


def _prefix(column: str) -> str:
    return f"blockgrid_scope() <> '' AND starts_with({column}, blockgrid_scope())"


def _policies(scoped) -> None:
    for table, column in GRID_SCOPED.items():
        op.execute(f"DROP POLICY area_scope ON {table}")
        op.execute(f"CREATE POLICY area_scope ON {table} USING ({scoped(column)})")
    op.execute("DROP POLICY area_scope ON events")
    op.execute(f"""
        CREATE POLICY area_scope ON events USING (
          {scoped("grid_code")}
          AND (blockgrid_department() IS NULL OR department_id = blockgrid_department()))""")
    op.execute("DROP POLICY area_scope ON areas")
    op.execute(f"""
        CREATE POLICY area_scope ON areas FOR SELECT USING (
          {scoped("code")}
          OR (blockgrid_scope() <> '' AND starts_with(blockgrid_scope(), code)))""")


def upgrade() -> None:
    _policies(_prefix)


def downgrade() -> None:
    _policies(_range)
