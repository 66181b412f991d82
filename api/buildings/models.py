"""Buildings (楼栋), rooms (房屋) and households (户): the standard-address base."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Identity,
    Integer,
    Numeric,
    SmallInteger,
    String,
    Text,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column

from api.columns import Timestamps, code_type, digits, geometry
from api.db import Base

BUILDING_USES = (
    "residential",
    "urban_village",
    "commercial",
    "office",
    "industrial",
    "school",
    "medical",
    "public",
    "mixed",
    "other",
)
ROOM_USES = ("residential", "commercial", "office", "industrial", "public", "storage", "other")


class Building(Base, Timestamps):
    """A building with its 19-digit code (标准地址楼栋编码) and footprint.

    ``code`` is an identity: issued once, never changed. ``grid_code`` is where the
    building is now and drives area scope; it changes when grids are redrawn.
    """

    __tablename__ = "buildings"
    __table_args__ = (
        CheckConstraint(digits("code", 19), name="code_format"),
        CheckConstraint(digits("grid_code", 14), name="grid_code_format"),
        CheckConstraint(f"use_type IN {BUILDING_USES!r}", name="use_type_known"),
        CheckConstraint("floors BETWEEN 1 AND 200", name="floors_range"),
        CheckConstraint("floors_below BETWEEN 0 AND 10", name="floors_below_range"),
        CheckConstraint(
            "year_built IS NULL OR year_built BETWEEN 1800 AND 2100", name="year_range"
        ),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    code: Mapped[str] = mapped_column(code_type(19), unique=True, nullable=False)
    grid_code: Mapped[str] = mapped_column(
        code_type(14), ForeignKey("areas.code"), nullable=False, index=True
    )
    footprint = mapped_column(geometry("MULTIPOLYGON"), nullable=False)
    #: Web Mercator copy for vector tiles; found through the index on ``footprint``.
    footprint_3857 = mapped_column(geometry("MULTIPOLYGON", 3857, indexed=False), nullable=False)
    use_type: Mapped[str] = mapped_column(String(20), nullable=False)
    floors: Mapped[int] = mapped_column(SmallInteger, nullable=False)
    floors_below: Mapped[int] = mapped_column(SmallInteger, nullable=False, server_default="0")
    year_built: Mapped[int | None] = mapped_column(SmallInteger)
    name: Mapped[str | None] = mapped_column(String(200))
    address: Mapped[str | None] = mapped_column(String(300))
    source: Mapped[str | None] = mapped_column(String(100))
    source_id: Mapped[str | None] = mapped_column(String(200, collation="C"), unique=True)


class Room(Base):
    """A room (房屋) with its 25-digit standard-address code."""

    __tablename__ = "rooms"
    __table_args__ = (
        CheckConstraint(digits("code", 25), name="code_format"),
        CheckConstraint(digits("grid_code", 14), name="grid_code_format"),
        CheckConstraint(f"use_type IN {ROOM_USES!r}", name="use_type_known"),
        CheckConstraint("area_m2 IS NULL OR area_m2 > 0", name="area_positive"),
        CheckConstraint("floor BETWEEN -10 AND 200 AND floor <> 0", name="floor_range"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    code: Mapped[str] = mapped_column(code_type(25), unique=True, nullable=False)
    building_id: Mapped[int] = mapped_column(
        ForeignKey("buildings.id", ondelete="CASCADE"), nullable=False, index=True
    )
    grid_code: Mapped[str] = mapped_column(code_type(14), nullable=False, index=True)
    unit: Mapped[str] = mapped_column(String(10), nullable=False)
    floor: Mapped[int] = mapped_column(SmallInteger, nullable=False)
    door: Mapped[str] = mapped_column(String(10), nullable=False)
    use_type: Mapped[str] = mapped_column(String(20), nullable=False)
    area_m2: Mapped[float | None] = mapped_column(Numeric(8, 2))
    is_rental: Mapped[bool] = mapped_column(Boolean, nullable=False, server_default="false")


class Household(Base):
    """A household (户) living in one room."""

    __tablename__ = "households"
    __table_args__ = (CheckConstraint(digits("grid_code", 14), name="grid_code_format"),)

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    room_id: Mapped[int] = mapped_column(
        ForeignKey("rooms.id", ondelete="CASCADE"), nullable=False, index=True
    )
    grid_code: Mapped[str] = mapped_column(code_type(14), nullable=False, index=True)
    is_collective: Mapped[bool] = mapped_column(Boolean, nullable=False, server_default="false")
    registered_on: Mapped[date | None] = mapped_column(Date)


class BuildingStats(Base):
    """Rollup of one building (楼栋汇总): residents, rooms, entities and open events."""

    __tablename__ = "building_stats"

    building_id: Mapped[int] = mapped_column(
        ForeignKey("buildings.id", ondelete="CASCADE"), primary_key=True
    )
    grid_code: Mapped[str] = mapped_column(code_type(14), nullable=False, index=True)
    residents: Mapped[int] = mapped_column(Integer, nullable=False, server_default="0")
    households: Mapped[int] = mapped_column(Integer, nullable=False, server_default="0")
    elderly: Mapped[int] = mapped_column(Integer, nullable=False, server_default="0")
    rooms: Mapped[int] = mapped_column(Integer, nullable=False, server_default="0")
    entities: Mapped[int] = mapped_column(Integer, nullable=False, server_default="0")
    events_open: Mapped[int] = mapped_column(Integer, nullable=False, server_default="0")


class DataVersion(Base):
    """A change counter per table, bumped by triggers; cached tiles compare against it."""

    __tablename__ = "data_versions"

    table_name: Mapped[str] = mapped_column(String(63), primary_key=True)
    version: Mapped[int] = mapped_column(BigInteger, nullable=False, server_default="1")
    changed_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), nullable=False
    )


class DeferredIndexRecord(Base):
    """An index or constraint of a bulk-loaded table still to be rebuilt (待重建索引).

    Written in the import's transaction, removed as each is rebuilt after the commit
    (:mod:`api.buildings.import_indexes`).
    """

    __tablename__ = "deferred_indexes"
    __table_args__ = (CheckConstraint("kind IN ('index', 'unique', 'foreign')", name="kind_known"),)

    table_name: Mapped[str] = mapped_column(String(63), primary_key=True)
    name: Mapped[str] = mapped_column(String(63), primary_key=True)
    kind: Mapped[str] = mapped_column(String(10), nullable=False)
    definition: Mapped[str] = mapped_column(Text, nullable=False)
    slow: Mapped[bool] = mapped_column(Boolean, nullable=False, server_default="false")
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), nullable=False
    )
