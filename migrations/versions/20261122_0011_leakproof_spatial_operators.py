"""Let row-level security keep the spatial indexes: mark PostGIS's bounding-box overlap and
its two index-backed predicates LEAKPROOF.

Under row-level security PostgreSQL evaluates the policy before any condition whose
function is not LEAKPROOF, so ``footprint_3857 && tile`` could not drive the GiST index
and every scoped tile became a sequential scan (45 ms instead of 0.4 ms on a 0.25-scale
city). ``&&`` compares bounding boxes only; ``ST_Intersects`` and ``ST_DWithin`` return a
boolean of their inputs and raise only for mixed SRIDs, which reveals no row content.
Marking needs a superuser: with a plain ``DATABASE_URL`` role the migration warns instead
of failing, and scoped spatial queries stay correct but slow.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-22
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FUNCTIONS = (
    "geometry_overlaps(geometry, geometry)",
    "st_intersects(geometry, geometry)",
    "st_dwithin(geometry, geometry, double precision)",
)


def _mark(leakproof: bool) -> None:
    setting = "LEAKPROOF" if leakproof else "NOT LEAKPROOF"
    statements = " ".join(f"ALTER FUNCTION {f} {setting};" for f in FUNCTIONS)
    op.execute(f"""
        DO $$ BEGIN
          {statements}
        EXCEPTION WHEN insufficient_privilege THEN
          RAISE WARNING 'blockgrid: cannot mark PostGIS predicates {setting} without a '
            'superuser; area-scoped spatial queries will not use their indexes';
        END $$""")


def upgrade() -> None:
    _mark(True)


def downgrade() -> None:
    _mark(False)
