"""Column types shared by the models: codes in the "C" collation and WGS 84 geometries."""

from __future__ import annotations

from datetime import datetime

from geoalchemy2 import Geometry
from sqlalchemy import DateTime, String, func
from sqlalchemy.orm import Mapped, mapped_column

WGS84 = 4326
WEB_MERCATOR = 3857


def code_type(length: int) -> String:
    """A digit code compared byte-wise ("C" collation) so that prefix ranges use indexes."""
    return String(length, collation="C")


def digits(column: str, length: int) -> str:
    """SQL condition: ``column`` holds exactly ``length`` ASCII digits (a code format check).

    Written as a byte length and a negated class rather than ``~ '^[0-9]{19}$'``: the
    regular expression engine expands a bounded repetition, which made the two code
    checks of ``buildings`` cost 0.6 s of every 300,000 rows COPYed (1 µs a value
    against 0.2 µs).
    """
    return f"octet_length({column}) = {length} AND {column} !~ '[^0-9]'"


def geometry(kind: str, srid: int = WGS84, *, indexed: bool = True) -> Geometry:
    """A geometry column of ``kind`` in ``srid``, with its GiST index unless ``indexed`` is off."""
    return Geometry(kind, srid=srid, spatial_index=indexed)


class Timestamps:
    """created_at / updated_at, set by the database."""

    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), nullable=False
    )
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now(), nullable=False
    )
