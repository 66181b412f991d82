"""Indexes set aside by a bulk import, and their rebuild after the commit."""

from __future__ import annotations

import psycopg
import pytest

from api.buildings.import_indexes import (
    build_deferred_indexes,
    restore_foreign_keys,
    set_aside_indexes,
)
from api.buildings.importer import import_buildings_file
from tests.api.buildings.test_import import _index_definitions, deferred_indexes, squares
from tests.gis.test_footprints import write


def _interrupt_after_commit(url: str) -> None:
    """What a bulk import that stopped right after its commit leaves behind."""
    with psycopg.connect(url) as connection:
        restore_foreign_keys(connection, set_aside_indexes(connection, "buildings"))


def test_an_interrupted_rebuild_is_finished_by_the_next_call(import_db):
    indexes = _index_definitions(import_db)
    _interrupt_after_commit(import_db)
    assert deferred_indexes(import_db) == [
        ("fk_buildings_grid_code_areas", "foreign"),
        ("idx_buildings_footprint", "index"),
        ("ix_buildings_grid_code", "index"),
        ("uq_buildings_code", "unique"),
        ("uq_buildings_source_id", "unique"),
    ]
    with psycopg.connect(import_db) as connection:  # only the primary key is left
        assert connection.execute(
            "SELECT count(*) FROM pg_indexes WHERE tablename = 'buildings'"
        ).fetchone() == (1,)
        # the foreign key is back (NOT VALID) and checks new rows already
        with pytest.raises(psycopg.errors.ForeignKeyViolation):
            connection.execute(
                "INSERT INTO buildings (code, grid_code, footprint, footprint_3857, use_type,"
                " floors) SELECT '4403049990019900001', '44030499900199', footprint,"
                " footprint_3857, use_type, floors FROM buildings LIMIT 1"
            )
    # a unique index built before the stop: attached, not built again
    with psycopg.connect(import_db, autocommit=True) as connection:
        connection.execute("CREATE UNIQUE INDEX uq_buildings_code ON buildings (code)")
    timings = build_deferred_indexes(import_db)
    assert set(timings) == {
        "fk_buildings_grid_code_areas",
        "idx_buildings_footprint",
        "ix_buildings_grid_code",
        "uq_buildings_code",
        "uq_buildings_source_id",
    }
    assert deferred_indexes(import_db) == []
    assert _index_definitions(import_db) == indexes
    assert build_deferred_indexes(import_db) == {}


def test_the_next_import_finishes_what_an_interrupted_one_left(import_db, tmp_path):
    indexes = _index_definitions(import_db)
    _interrupt_after_commit(import_db)
    path = write(tmp_path / "next.gpkg", squares(2, lat=22.5335), 4326, id=["nx-1", "nx-2"])
    result = import_buildings_file(import_db, path, source="next", bulk=False)
    assert result.inserted == 2
    assert deferred_indexes(import_db) == []
    assert _index_definitions(import_db) == indexes
