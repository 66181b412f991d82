"""Database side of the demo loader: replace the hierarchy, park and restore indexes.

Everything runs in the loader's one transaction, so a failed load leaves the previous
city untouched. Accounts (``users``) and the audit trail are kept: users scoped to an
area that disappears are moved to its nearest surviving ancestor, and grid scopes and
grid-worker assignments come back for every grid code that exists again after the load.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import shapely
from psycopg import Connection, sql

from api.events.calendar import WorkCalendar
from democity.events import CategoryTable
from grids.hierarchy import Area

__all__ = [
    "BLOCK_TABLES",
    "ParkedSchema",
    "dependent_tables",
    "park_indexes",
    "read_categories",
    "read_departments",
    "read_work_calendar",
    "replace_hierarchy",
    "reset_identities",
    "restore_grid_assignments",
    "restore_indexes",
    "set_row_triggers",
]

#: Tables of block data, emptied before a load together with every table referring to them.
BLOCK_TABLES = (
    "event_attachments",
    "event_actions",
    "events",
    "entities",
    "people",
    "households",
    "rooms",
    "building_stats",
    "buildings",
    "components",
    "area_stats",
    "hotspot_runs",
)
#: Tables filled by the loader whose identity sequences are moved past the loaded ids.
IDENTITY_TABLES = (
    "buildings",
    "rooms",
    "households",
    "people",
    "entities",
    "events",
    "event_actions",
)


def read_categories(connection: Connection) -> CategoryTable:
    """The event categories with their default department codes."""
    rows = connection.execute(
        'SELECT c.id, c.major, c.minor, c.name, c."group", c.priority, c.accept_minutes,'
        " c.dispatch_minutes, c.handle_minutes, c.verify_minutes, c.working_hours, d.code"
        " FROM event_categories c JOIN departments d ON d.id = c.default_department_id"
        " WHERE c.active ORDER BY c.major, c.minor"
    ).fetchall()
    if not rows:
        raise RuntimeError("no event categories: run the migrations first (blockgrid migrate)")
    columns = list(zip(*rows, strict=True))
    return CategoryTable(
        ids=np.array(columns[0], dtype=np.int64),
        keys=tuple(f"{major}-{minor}" for major, minor in zip(columns[1], columns[2], strict=True)),
        names=tuple(columns[3]),
        groups=tuple(columns[4]),
        priority=np.array(columns[5], dtype=np.int64),
        accept_minutes=np.array(columns[6], dtype=np.int64),
        dispatch_minutes=np.array(columns[7], dtype=np.int64),
        handle_minutes=np.array(columns[8], dtype=np.int64),
        verify_minutes=np.array(columns[9], dtype=np.int64),
        working_hours=np.array(columns[10], dtype=bool),
        departments=tuple(columns[11]),
    )


def read_departments(connection: Connection) -> dict[str, int]:
    """Department code → id."""
    return dict(connection.execute("SELECT code, id FROM departments").fetchall())


def dependent_tables(connection: Connection, tables: Sequence[str]) -> list[str]:
    """``tables`` plus every table whose foreign keys lead to them (derived data, e.g.
    cached hotspot results), found in the catalogue so that new ones are not missed."""
    rows = connection.execute(
        "WITH RECURSIVE closure(name) AS (SELECT unnest(%s::text[])"
        " UNION SELECT c.conrelid::regclass::text FROM pg_constraint c"
        " JOIN closure ON c.confrelid::regclass::text = closure.name WHERE c.contype = 'f')"
        " SELECT name FROM closure",
        (list(tables),),
    ).fetchall()
    found = [name for (name,) in rows]
    return list(tables) + sorted(set(found) - set(tables))


def replace_hierarchy(connection: Connection, areas: Sequence[Area]) -> None:
    """Empty the block data and put ``areas`` (city → communities) in place of the old ones.

    Grids are deleted (the load inserts the new ones); users scoped below a deleted area
    move up to its nearest surviving ancestor; grid scopes and grid workers are parked in
    temporary tables for :func:`restore_grid_assignments`.
    """
    connection.execute(
        sql.SQL("TRUNCATE {}").format(
            sql.SQL(", ").join(map(sql.Identifier, dependent_tables(connection, BLOCK_TABLES)))
        )
    )
    connection.execute(
        "CREATE TEMP TABLE demo_user_scopes ON COMMIT DROP AS SELECT id, scope_code FROM users"
    )
    connection.execute(
        "CREATE TEMP TABLE demo_grid_workers ON COMMIT DROP AS SELECT * FROM grid_workers"
    )
    connection.execute("DELETE FROM grid_workers")
    connection.execute(
        'CREATE TEMP TABLE demo_areas (code text COLLATE "C" PRIMARY KEY) ON COMMIT DROP'
    )
    with connection.cursor() as cursor:
        cursor.executemany(
            "INSERT INTO areas (code, level, name, short_name, parent_code, geom, geom_3857)"
            " VALUES (%s, %s, %s, %s, %s, ST_Multi(ST_GeomFromWKB(%s, 4326)),"
            " ST_Transform(ST_Multi(ST_GeomFromWKB(%s, 4326)), 3857))"
            " ON CONFLICT (code) DO UPDATE SET level = excluded.level, name = excluded.name,"
            " short_name = excluded.short_name, parent_code = excluded.parent_code,"
            " geom = excluded.geom, geom_3857 = excluded.geom_3857, household_target = NULL,"
            " retired_at = NULL",
            [
                (
                    a.code,
                    str(a.level.value),
                    a.name,
                    a.short_name,
                    a.parent_code,
                    shapely.to_wkb(a.geometry),
                    shapely.to_wkb(a.geometry),
                )
                for a in areas
            ],
        )
        cursor.executemany("INSERT INTO demo_areas VALUES (%s)", [(a.code,) for a in areas])
    connection.execute(
        "UPDATE users u SET scope_code = (SELECT d.code FROM demo_areas d"
        " WHERE left(u.scope_code, length(d.code)) = d.code ORDER BY length(d.code) DESC"
        " LIMIT 1) WHERE NOT EXISTS (SELECT 1 FROM demo_areas d WHERE d.code = u.scope_code)"
    )
    for length in (14, 12, 9, 6, 4):  # children before parents (parent_code is RESTRICT)
        connection.execute(
            "DELETE FROM areas a WHERE length(a.code) = %s"
            " AND NOT EXISTS (SELECT 1 FROM demo_areas d WHERE d.code = a.code)",
            (length,),
        )


def restore_grid_assignments(connection: Connection) -> None:
    """Give back users' grid scopes and grid-worker rows whose grids exist again."""
    connection.execute(
        "UPDATE users u SET scope_code = s.scope_code FROM demo_user_scopes s"
        " WHERE u.id = s.id AND u.scope_code <> s.scope_code"
        " AND EXISTS (SELECT 1 FROM areas a WHERE a.code = s.scope_code)"
    )
    connection.execute(
        "INSERT INTO grid_workers SELECT g.* FROM demo_grid_workers g"
        " WHERE EXISTS (SELECT 1 FROM areas a WHERE a.code = g.grid_code)"
        " ON CONFLICT DO NOTHING"
    )


@dataclass(frozen=True)
class ParkedSchema:
    """Constraints and indexes dropped for the bulk load, as (table, name, definition)."""

    keys: list[tuple[str, str, str]]  # primary keys and unique constraints
    indexes: list[tuple[str, str, str]]  # plain indexes (CREATE INDEX statements)
    foreign_keys: list[tuple[str, str, str]]

    @property
    def count(self) -> int:
        return len(self.keys) + len(self.indexes) + len(self.foreign_keys)


def park_indexes(connection: Connection, tables: Sequence[str]) -> ParkedSchema:
    """Drop the foreign keys touching ``tables``, then their keys and indexes (saved)."""
    names = list(tables)
    foreign = connection.execute(
        "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint"
        " WHERE contype = 'f' AND (conrelid::regclass::text = ANY(%s)"
        " OR confrelid::regclass::text = ANY(%s)) ORDER BY 1, 2",
        (names, names),
    ).fetchall()
    keys = connection.execute(
        "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint"
        " WHERE contype IN ('p', 'u') AND conrelid::regclass::text = ANY(%s) ORDER BY 1, 2",
        (names,),
    ).fetchall()
    indexes = connection.execute(
        "SELECT i.indrelid::regclass::text, c.relname, pg_get_indexdef(i.indexrelid)"
        " FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid"
        " WHERE i.indrelid::regclass::text = ANY(%s)"
        " AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid)"
        " ORDER BY 1, 2",
        (names,),
    ).fetchall()
    for table, name, _ in [*foreign, *keys]:
        connection.execute(
            sql.SQL("ALTER TABLE {} DROP CONSTRAINT {}").format(
                sql.Identifier(table), sql.Identifier(name)
            )
        )
    for _, name, _ in indexes:
        connection.execute(sql.SQL("DROP INDEX {}").format(sql.Identifier(name)))
    return ParkedSchema(list(keys), list(indexes), list(foreign))


def restore_indexes(
    connection: Connection, parked: ParkedSchema, advance: Callable[[str], None] | None = None
) -> None:
    """Re-create what :func:`park_indexes` dropped: keys, then indexes, then foreign keys."""
    for table, name, definition in [*parked.keys]:
        connection.execute(
            sql.SQL("ALTER TABLE {} ADD CONSTRAINT {} {}").format(
                sql.Identifier(table), sql.Identifier(name), sql.SQL(definition)
            )
        )
        if advance:
            advance(name)
    for _, name, definition in parked.indexes:
        connection.execute(sql.SQL(definition))
        if advance:
            advance(name)
    for table, name, definition in parked.foreign_keys:
        connection.execute(
            sql.SQL("ALTER TABLE {} ADD CONSTRAINT {} {}").format(
                sql.Identifier(table), sql.Identifier(name), sql.SQL(definition)
            )
        )
        if advance:
            advance(name)


def reset_identities(connection: Connection) -> None:
    """Move each loaded table's identity sequence, and the event codes', past the loaded ids."""
    for table in IDENTITY_TABLES:
        connection.execute(
            sql.SQL(
                "SELECT setval(pg_get_serial_sequence({t}, 'id'),"
                " coalesce((SELECT max(id) FROM {i}), 0) + 1, false)"
            ).format(t=sql.Literal(table), i=sql.Identifier(table))
        )
    connection.execute(
        "SELECT setval('event_code_seq', coalesce((SELECT max(id) FROM events), 0) + 1, false)"
    )


def read_work_calendar(connection: Connection) -> WorkCalendar:
    """The working calendar with the ``work_calendar`` table's exceptions (holidays, 调休)."""
    rows = connection.execute("SELECT day, is_workday FROM work_calendar").fetchall()
    return WorkCalendar(exceptions={day: bool(workday) for day, workday in rows})


def set_row_triggers(connection: Connection, tables: Sequence[str], *, enabled: bool) -> list[str]:
    """Disable (or enable again) the user row triggers of ``tables``; return their names.

    Row triggers that keep rollups or send notifications on every write (events_rollups,
    events_notify) would run millions of times during a bulk load; the loader refreshes
    the rollups once instead. Statement triggers (data versions) stay on.
    """
    rows = connection.execute(
        "SELECT c.relname, t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid"
        " WHERE NOT t.tgisinternal AND (t.tgtype & 1) = 1 AND c.relname = ANY(%s)"
        " ORDER BY 1, 2",
        (list(tables),),
    ).fetchall()
    verb = sql.SQL("ENABLE") if enabled else sql.SQL("DISABLE")
    for table, trigger in rows:
        connection.execute(
            sql.SQL("ALTER TABLE {} {} TRIGGER {}").format(
                sql.Identifier(table), verb, sql.Identifier(trigger)
            )
        )
    return [f"{table}.{trigger}" for table, trigger in rows]
