"""The Alembic history: down to base and up again, and the schema matches the models."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, text
from sqlalchemy.exc import IntegrityError

from api import migrate
from api.db import sync_url
from api.migrate import include_object
from api.models import Base


@pytest.fixture(scope="module")
def scratch_url(cluster) -> Iterator[str]:
    """A database of its own, so that downgrading does not disturb the other tests."""
    admin = create_engine(sync_url(cluster.url()), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text("DROP DATABASE IF EXISTS roundtrip"))
        connection.execute(text("CREATE DATABASE roundtrip"))
    url = cluster.url().rsplit("/", 1)[0] + "/roundtrip"
    yield url
    with admin.connect() as connection:
        connection.execute(text("DROP DATABASE roundtrip WITH (FORCE)"))
    admin.dispose()


def test_downgrade_to_base_then_upgrade_to_head(scratch_url):
    migrate.upgrade(scratch_url)
    migrate.downgrade(scratch_url, "base")
    engine = create_engine(sync_url(scratch_url))
    with engine.connect() as connection:
        tables = connection.execute(
            text(
                "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"
                " AND tablename <> 'alembic_version'"
            )
        ).scalar()
        postgis = connection.execute(
            text("SELECT count(*) FROM pg_extension WHERE extname = 'postgis'")
        ).scalar()
    assert (tables, postgis) == (0, 0)
    migrate.upgrade(scratch_url)
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"include_object": include_object})
        differences = compare_metadata(context, Base.metadata)
    engine.dispose()
    assert differences == []


def test_every_geometry_column_has_a_gist_index(scratch_url):
    engine = create_engine(sync_url(scratch_url))
    with engine.connect() as connection:
        columns = connection.execute(
            text(
                "SELECT f_table_name, f_geometry_column, srid FROM geometry_columns"
                " WHERE f_table_schema = 'public' ORDER BY 1, 2"
            )
        ).all()
        indexed = {
            tuple(row)
            for row in connection.execute(
                text("""
            SELECT t.relname, a.attname FROM pg_index i
            JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am am ON am.oid = c.relam
            JOIN pg_class t ON t.oid = i.indrelid
            JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = ANY(i.indkey)
            WHERE am.amname = 'gist'""")
            )
        }
    engine.dispose()
    assert len(columns) == 9  # areas 2, buildings 2, components 2, events 2, hotspots 1
    assert all(srid in (4326, 3857) for _, _, srid in columns)
    # Buildings are found through their WGS 84 footprint; the 3857 copy is only drawn.
    unindexed = {(table, column) for table, column, _ in columns} - indexed
    assert unindexed == {("buildings", "footprint_3857")}


@pytest.mark.parametrize(
    ("statement", "constraint"),
    [
        (
            "INSERT INTO areas (code, level, name, short_name, geom, geom_3857)"
            " VALUES ('44030', 'district', 'x', 'x',"
            " ST_GeomFromText('MULTIPOLYGON(((0 0,1 0,1 1,0 0)))', 4326),"
            " ST_GeomFromText('MULTIPOLYGON(((0 0,1 0,1 1,0 0)))', 3857))",
            "ck_areas_code_matches_level",
        ),
        (
            "INSERT INTO component_classes VALUES ('1', '001', 'x', 'x', NULL)",
            "ck_component_classes_code_format",
        ),
        (
            "INSERT INTO departments (code, name, area_code) VALUES ('x', 'x', '44')",
            "ck_departments_area_level",
        ),
        (
            "INSERT INTO buildings (code, grid_code, footprint, footprint_3857, use_type, floors)"
            " VALUES ('440304001001010000x', '44030400100101',"
            " ST_GeomFromText('MULTIPOLYGON(((0 0,1 0,1 1,0 0)))', 4326),"
            " ST_GeomFromText('MULTIPOLYGON(((0 0,1 0,1 1,0 0)))', 3857), 'residential', 1)",
            "ck_buildings_code_format",
        ),
        (
            "INSERT INTO households (room_id, grid_code) VALUES (1, '4403040010010')",
            "ck_households_grid_code_format",
        ),
    ],
)
def test_code_formats_are_check_constraints(scratch_url, statement, constraint):
    engine = create_engine(sync_url(scratch_url))
    with engine.connect() as connection, pytest.raises(IntegrityError, match=constraint):
        connection.execute(text(statement))
    engine.dispose()
