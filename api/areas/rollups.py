"""Refresh the area statistics (``area_stats``, 汇总) from the block data, set-based.

The SQL lives in ``rollups.sql`` next to this module: people, households, buildings,
rooms, entities, components and events are each aggregated once per basic grid into a
temporary table, which is then rolled up to every community, street, district and the
city by code prefix, so each big table is scanned exactly once. Every area gets a row,
zeros where it has no data.

Definitions: residents are people not moved out (``moved_out`` NULL or in the future);
ages are whole years on today's date; ``elderly_alone``, ``disabled`` and
``special_care`` count the residents with that care tag; ``entities`` leaves out
deregistered ones (注销); ``components_damaged`` counts every state but intact;
``events_open`` is any status but closed and rejected, ``events_overdue`` the open ones
past ``due_at``; ``grids`` counts the basic grids at or below the area (a grid counts
itself). ``details`` holds entities by type, components by state, residents by care
tag and the events closed this month (Asia/Shanghai).
"""

from __future__ import annotations

import functools
from importlib import resources
from typing import Any

__all__ = ["refresh_area_stats", "rollup_statements"]


@functools.cache
def rollup_statements() -> tuple[str, ...]:
    """The statements of ``rollups.sql``, in order (run them in one transaction)."""
    text = resources.files("api.areas").joinpath("rollups.sql").read_text(encoding="utf-8")
    body = "\n".join(line for line in text.splitlines() if not line.startswith("--"))
    return tuple(part.strip() for part in body.split("\n;\n") if part.strip())


def refresh_area_stats(connection: Any) -> int:
    """Recompute ``area_stats`` for every area; return the number of rows written.

    Parameters
    ----------
    connection : psycopg.Connection or sqlalchemy.engine.Connection
        A synchronous connection of the database owner. The statements run in the
        connection's current transaction (a psycopg connection in autocommit mode gets
        one of its own); the caller commits.
    """
    if hasattr(connection, "exec_driver_sql"):  # SQLAlchemy Connection
        for statement in rollup_statements():
            connection.exec_driver_sql(statement)
        return int(connection.exec_driver_sql("SELECT count(*) FROM area_stats").scalar_one())
    with connection.transaction():
        for statement in rollup_statements():
            connection.execute(statement)
        row = connection.execute("SELECT count(*) FROM area_stats").fetchone()
    return int(row[0])
