"""Lighter rows and fewer indexes for ``buildings``; cheaper code checks everywhere.

Storing a building cost more than it had to (issue 3, import benchmark):

- ``buildings.centroid`` is dropped with its GiST index: nothing searched it, and the
  few reads of a building's centre now compute ``ST_Centroid(footprint)``.
- The GiST index on ``footprint_3857`` is dropped: tile and nearest-building queries
  find buildings through the index on ``footprint`` (a Web Mercator tile is a
  longitude/latitude rectangle, so the transformed tile envelope selects the same
  rows); the 3857 copy stays for drawing tiles.
- The code format checks (``code ~ '^[0-9]{19}$'``) become a byte length and a negated
  class (:func:`api.columns.digits`): the regex engine expands bounded repetitions and
  these checks were a third of the server's time in a bulk COPY.
- ``buildings.source_id`` is compared byte-wise (collation "C", like the codes), which
  halves the time to build its unique index.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from geoalchemy2 import Geometry

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: (table, constraint name (the naming convention adds ck_<table>_), column, digits)
CODE_CHECKS = (
    ("buildings", "code_format", "code", 19),
    ("buildings", "grid_code_format", "grid_code", 14),
    ("rooms", "code_format", "code", 25),
    ("rooms", "grid_code_format", "grid_code", 14),
    ("households", "grid_code_format", "grid_code", 14),
    ("people", "grid_code_format", "grid_code", 14),
    ("entities", "grid_code_format", "grid_code", 14),
    ("events", "grid_code_format", "grid_code", 14),
    ("components", "id_format", "id", 17),
    ("components", "grid_code_format", "grid_code", 14),
)


def _digits(column: str, length: int) -> str:
    return f"octet_length({column}) = {length} AND {column} !~ '[^0-9]'"


def _regex(column: str, length: int) -> str:
    return f"{column} ~ '^[0-9]{{{length}}}$'"


def _replace_checks(condition) -> None:  # type: ignore[no-untyped-def]
    for table, name, column, length in CODE_CHECKS:
        op.drop_constraint(name, table, type_="check")
        op.create_check_constraint(name, table, condition(column, length))


def upgrade() -> None:
    op.drop_index("idx_buildings_centroid", table_name="buildings")
    op.drop_column("buildings", "centroid")
    op.drop_index("idx_buildings_footprint_3857", table_name="buildings")
    op.alter_column(
        "buildings",
        "source_id",
        type_=sa.String(200, collation="C"),
        existing_type=sa.String(200),
    )
    _replace_checks(_digits)


def downgrade() -> None:
    _replace_checks(_regex)
    op.alter_column(
        "buildings",
        "source_id",
        type_=sa.String(200),
        existing_type=sa.String(200, collation="C"),
    )
    op.create_index(
        "idx_buildings_footprint_3857",
        "buildings",
        ["footprint_3857"],
        postgresql_using="gist",
    )
    op.add_column(
        "buildings",
        sa.Column("centroid", Geometry("POINT", srid=4326, spatial_index=False), nullable=True),
    )
    op.execute("UPDATE buildings SET centroid = ST_Centroid(footprint)")
    op.alter_column("buildings", "centroid", nullable=False)
    op.create_index("idx_buildings_centroid", "buildings", ["centroid"], postgresql_using="gist")
