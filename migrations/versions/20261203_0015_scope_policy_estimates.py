"""Area-scope policies that the planner estimates as unselective.

The events policy said ``blockgrid_department() IS NULL OR department_id =
blockgrid_department()``: PostgreSQL estimates a null test on a function at 0.5 % and an
equality with one at 0.5 %, and ``starts_with`` at 33 %, so it believed every scoped
query returned a few hundredths of a percent of the rows. With "1 row" expected it sorted
all 33,000 matching events of a district instead of walking an index in order (215 ms
instead of a few). The same conditions wrapped in one ``coalesce(…, false)`` mean the
same thing (a missing scope still sees nothing) and are estimated at 50 %; the department
test is written ``coalesce(department_id = blockgrid_department(), blockgrid_department()
IS NULL)``: a department sees exactly its own events, and no department means all.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-03
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

GRID_SCOPED = {  # table → scoped column (as in 0010)
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


def _prefix(column: str) -> str:
    return f"blockgrid_scope() <> '' AND starts_with({column}, blockgrid_scope())"


def _estimated(condition: str) -> str:
    return f"coalesce({condition}, false)"


def upgrade() -> None:
    for table, column in GRID_SCOPED.items():
        op.execute(f"DROP POLICY area_scope ON {table}")
        op.execute(f"CREATE POLICY area_scope ON {table} USING ({_estimated(_prefix(column))})")
    op.execute("DROP POLICY area_scope ON events")
    department = "coalesce(department_id = blockgrid_department(), blockgrid_department() IS NULL)"
    op.execute(f"""
        CREATE POLICY area_scope ON events USING (
          {_estimated(_prefix("grid_code") + " AND " + department)})""")
    op.execute("DROP POLICY area_scope ON areas")
    op.execute(f"""
        CREATE POLICY area_scope ON areas FOR SELECT USING ({
        _estimated(
            f"{_prefix('code')} OR (blockgrid_scope() <> '' AND starts_with(blockgrid_scope(), code))"
        )
    })""")


def downgrade() -> None:
    for table, column in GRID_SCOPED.items():
        op.execute(f"DROP POLICY area_scope ON {table}")
        op.execute(f"CREATE POLICY area_scope ON {table} USING ({_prefix(column)})")
    op.execute("DROP POLICY area_scope ON events")
    op.execute(f"""
        CREATE POLICY area_scope ON events USING (
          {_prefix("grid_code")}
          AND (blockgrid_department() IS NULL OR department_id = blockgrid_department()))""")
    op.execute("DROP POLICY area_scope ON areas")
    op.execute(f"""
        CREATE POLICY area_scope ON areas FOR SELECT USING (
          {_prefix("code")}
          OR (blockgrid_scope() <> '' AND starts_with(blockgrid_scope(), code)))""")
