"""Refresh the rollups (汇总) of the block data: ``area_stats`` and ``building_stats``.

The SQL lives in ``rollups.sql`` next to this module, in one section per table, set-based:
for ``area_stats`` people, households, buildings, rooms, entities, components and events
are each aggregated once per basic grid into a temporary table, which is then rolled up
to every community, street, district and the city by code prefix, so each big table is
scanned once; every area gets a row, zeros where it has no data. ``building_stats``
gets one row per building.

Definitions: residents are people not moved out (``moved_out`` NULL or in the future);
ages are whole years on today's date (``elderly`` of a building: 60 and over);
``elderly_alone``, ``disabled`` and ``special_care`` count the residents with that care
tag; ``entities`` leaves out deregistered ones (注销); ``components_damaged`` counts every
state but intact; ``events_open`` is any status but closed and rejected;
``events_overdue`` the open ones past the deadline of their current step
(``stage_due_at``), as the overdue sweeper counts them, so a sweep does not change it;
``grids`` counts the basic grids at or below the area (a grid counts itself).
``details`` holds entities by type, components by state, residents by care tag and the
events closed this month (Asia/Shanghai).
"""

from __future__ import annotations

import functools
from importlib import resources
from typing import Any

__all__ = ["SECTIONS", "refresh_area_stats", "refresh_building_stats", "rollup_statements"]

SECTIONS = ("area_stats", "building_stats")


@functools.cache
def rollup_statements(section: str = "area_stats") -> tuple[str, ...]:
    """The statements of one section of ``rollups.sql``, in order (run them in one
    transaction; the first section uses a temporary table dropped at commit)."""
    if section not in SECTIONS:
        raise ValueError(f"unknown rollup section {section!r}; sections: {', '.join(SECTIONS)}")
    text = resources.files("api.areas").joinpath("rollups.sql").read_text(encoding="utf-8")
    parts = text.split("-- section: ")
    body = next(p for p in parts[1:] if p.startswith(section + "\n"))
    lines = [line for line in body.splitlines()[1:] if not line.startswith("--")]
    statements = (s.strip().rstrip(";").strip() for s in "\n".join(lines).split("\n;\n"))
    return tuple(s for s in statements if s)


def refresh_area_stats(connection: Any) -> int:
    """Recompute ``area_stats`` for every area; return the number of rows written.

    Parameters
    ----------
    connection : psycopg.Connection or sqlalchemy.engine.Connection
        A synchronous connection of the database owner. The statements run in the
        connection's current transaction (a psycopg connection in autocommit mode gets
        one of its own); the caller commits.
    """
    return _run(connection, "area_stats")


def refresh_building_stats(connection: Any) -> int:
    """Recompute ``building_stats`` for every building; return the number of rows written."""
    return _run(connection, "building_stats")


def _run(connection: Any, section: str) -> int:
    count = f"SELECT count(*) FROM {section}"  # noqa: S608 - a fixed table name
    if hasattr(connection, "exec_driver_sql"):  # SQLAlchemy Connection
        for statement in rollup_statements(section):
            connection.exec_driver_sql(statement)
        return int(connection.exec_driver_sql(count).scalar_one())
    with connection.transaction():
        for statement in rollup_statements(section):
            connection.execute(statement)
        row = connection.execute(count).fetchone()
    return int(row[0])
