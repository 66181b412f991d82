"""Indexes of ``buildings`` set aside during a bulk import and rebuilt in parallel (索引重建).

A bulk load (a file that at least doubles the table) is cheaper without the secondary
indexes: one sorted build costs a half to a third of keeping the index up to date row
by row. The import transaction drops them, COPYs, re-adds the foreign key ``NOT VALID``
(new rows are checked from then on) and records what is to be rebuilt in
``deferred_indexes``, so the list commits or vanishes with the rows. After the commit
:func:`build_deferred_indexes` rebuilds them on two connections at once (PostgreSQL 15
builds a GiST index on one core; two ``CREATE INDEX`` on one table may run together),
then attaches the unique constraints to their new indexes and validates the foreign
key. Until then readers see the new rows without those indexes (slower, not wrong):
only the importer writes ``buildings``, under its advisory lock, and it has checked
codes, source ids and grids itself. A crash in between leaves the list behind; the
next import, ``blockgrid migrate`` and ``blockgrid serve`` finish it.
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from queue import Empty, SimpleQueue

import psycopg
from psycopg import sql

__all__ = ["DeferredIndex", "build_deferred_indexes", "restore_foreign_keys", "set_aside_indexes"]

#: Connections rebuilding at once (the machines have two cores; the GiST index alone
#: takes as long as the three B-trees together).
BUILDERS = 2
_SETTINGS = (
    "SET LOCAL statement_timeout = 0; SET LOCAL maintenance_work_mem = '1GB';"
    " SET LOCAL max_parallel_maintenance_workers = 0"
)

# The secondary indexes, unique constraints and foreign keys of a table: everything
# but the primary key, which other tables reference. Kinds: index, unique, foreign.
_SECONDARY = """
SELECT c.relname, CASE WHEN con.contype = 'u' THEN 'unique' ELSE 'index' END,
       pg_get_indexdef(i.indexrelid), am.amname = 'gist'
FROM pg_index i
JOIN pg_class c ON c.oid = i.indexrelid
JOIN pg_am am ON am.oid = c.relam
LEFT JOIN pg_constraint con ON con.conindid = i.indexrelid AND con.conrelid = i.indrelid
WHERE i.indrelid = %(table)s::regclass AND NOT i.indisprimary
  AND (con.contype IS NULL OR con.contype = 'u')
UNION ALL
SELECT con.conname, 'foreign', pg_get_constraintdef(con.oid), false
FROM pg_constraint con
WHERE con.conrelid = %(table)s::regclass AND con.contype = 'f'
"""


@dataclass(frozen=True)
class DeferredIndex:
    """One index or constraint to rebuild: ``definition`` is a ``CREATE INDEX`` statement,
    or a constraint definition (``FOREIGN KEY (…) REFERENCES …``) for ``foreign``."""

    table: str
    name: str
    kind: str  # index, unique or foreign
    definition: str
    slow: bool = False  # a GiST index: started first


def set_aside_indexes(connection: psycopg.Connection, table: str) -> list[DeferredIndex]:
    """Drop the secondary indexes and constraints of ``table`` and list them as deferred.

    Runs in the caller's transaction. The foreign keys are re-added ``NOT VALID`` by
    :func:`restore_foreign_keys` once the rows are in.
    """
    found = [
        DeferredIndex(table, name, kind, definition, slow)
        for name, kind, definition, slow in connection.execute(
            _SECONDARY, {"table": table}
        ).fetchall()
    ]
    for item in found:
        statement = (
            "ALTER TABLE {0} DROP CONSTRAINT {1}" if item.kind != "index" else "DROP INDEX {1}"
        )
        connection.execute(
            sql.SQL(statement).format(sql.Identifier(table), sql.Identifier(item.name))
        )
    with connection.cursor() as cursor:
        cursor.executemany(
            "INSERT INTO deferred_indexes (table_name, name, kind, definition, slow)"
            " VALUES (%s, %s, %s, %s, %s)",
            [(i.table, i.name, i.kind, i.definition, i.slow) for i in found],
        )
    return found


def restore_foreign_keys(connection: psycopg.Connection, items: list[DeferredIndex]) -> None:
    """Re-add the foreign keys ``NOT VALID``: no scan now, checked for new rows from here."""
    for item in items:
        if item.kind == "foreign":
            connection.execute(
                sql.SQL("ALTER TABLE {} ADD CONSTRAINT {} {} NOT VALID").format(
                    sql.Identifier(item.table),
                    sql.Identifier(item.name),
                    sql.SQL(item.definition),  # type: ignore[arg-type]  # from pg_get_constraintdef
                )
            )


def build_deferred_indexes(url: str, *, builders: int = BUILDERS) -> dict[str, float]:
    """Rebuild what ``deferred_indexes`` lists, ``builders`` at a time; seconds per item.

    Index builds run in parallel, each committed with the removal of its entry; the
    unique constraints are then attached to their indexes and the foreign keys
    validated. Safe to call at any time: with nothing deferred it only reads one table.
    """
    timings: dict[str, float] = {}
    with psycopg.connect(url, autocommit=True) as connection:
        pending = [
            DeferredIndex(*row)
            for row in connection.execute(
                "SELECT table_name, name, kind, definition, slow FROM deferred_indexes"
                " ORDER BY slow DESC, name"
            ).fetchall()
        ]
        if pending:
            _build_indexes(url, [i for i in pending if i.kind != "foreign"], builders, timings)
            _attach_constraints(connection, [i for i in pending if i.kind != "index"], timings)
    return timings


def _build_indexes(
    url: str, items: list[DeferredIndex], builders: int, timings: dict[str, float]
) -> None:
    """``CREATE INDEX`` for ``items`` on ``builders`` connections of their own."""
    builds: SimpleQueue[DeferredIndex] = SimpleQueue()
    for item in items:
        builds.put(item)

    def build() -> None:
        with psycopg.connect(url) as connection:
            while True:
                try:
                    item = builds.get_nowait()
                except Empty:
                    return
                started = time.perf_counter()
                with connection.transaction():
                    connection.execute(_SETTINGS)
                    _claim(connection, item)
                    if not _exists(connection, item.name):
                        connection.execute(item.definition.encode())
                    if item.kind == "index":
                        _forget(connection, item)
                timings[item.name] = round(time.perf_counter() - started, 3)

    with ThreadPoolExecutor(max_workers=builders, thread_name_prefix="index") as pool:
        for future in [pool.submit(build) for _ in range(max(1, builders))]:
            future.result()


def _attach_constraints(
    connection: psycopg.Connection, items: list[DeferredIndex], timings: dict[str, float]
) -> None:
    """Attach the unique constraints to their new indexes; validate the foreign keys."""
    for item in items:
        started = time.perf_counter()
        with connection.transaction():
            connection.execute(_SETTINGS)
            if not _claim(connection, item):
                continue  # finished by a concurrent run
            table, name = sql.Identifier(item.table), sql.Identifier(item.name)
            if item.kind == "unique":
                connection.execute(
                    sql.SQL("ALTER TABLE {} ADD CONSTRAINT {} UNIQUE USING INDEX {}").format(
                        table, name, name
                    )
                )
            else:
                connection.execute(
                    sql.SQL("ALTER TABLE {} VALIDATE CONSTRAINT {}").format(table, name)
                )
            _forget(connection, item)
        timings[item.name] = round(timings.get(item.name, 0) + time.perf_counter() - started, 3)


def _claim(connection: psycopg.Connection, item: DeferredIndex) -> bool:
    """Lock the item's entry (a concurrent run waits here); False when it is gone."""
    return (
        connection.execute(
            "SELECT 1 FROM deferred_indexes WHERE table_name = %s AND name = %s FOR UPDATE",
            (item.table, item.name),
        ).fetchone()
        is not None
    )


def _exists(connection: psycopg.Connection, index: str) -> bool:
    """Whether the index was built already (a run that stopped after building it)."""
    row = connection.execute("SELECT to_regclass(%s) IS NOT NULL", (index,)).fetchone()
    return bool(row and row[0])


def _forget(connection: psycopg.Connection, item: DeferredIndex) -> None:
    connection.execute(
        "DELETE FROM deferred_indexes WHERE table_name = %s AND name = %s", (item.table, item.name)
    )
