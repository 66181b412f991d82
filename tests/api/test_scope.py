"""Area scope is enforced by the database for every query of the API role."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import ProgrammingError

from api.buildings.models import Building
from api.db import NO_SCOPE, Scope, apply_scope
from api.people.models import Person


async def visible(session, scope: Scope, model, column) -> list[str]:
    await apply_scope(session, scope)
    rows = list(await session.scalars(select(column).order_by(column)))
    await session.execute(text("RESET ROLE"))
    return rows


@pytest.mark.parametrize(
    ("prefix", "grids"),
    [
        ("44030400100101", ["44030400100101"]),
        ("440304001001", ["44030400100101", "44030400100102"]),
        ("440304", ["44030400100101", "44030400100102", "44030400100201"]),
        ("440305", ["44030500100101"]),
        ("4403", ["44030400100101", "44030400100102", "44030400100201", "44030500100101"]),
        ("", []),
    ],
)
async def test_each_area_prefix_sees_exactly_its_buildings(session, prefix, grids):
    seen = await visible(session, Scope(prefix), Building, Building.grid_code)
    assert seen == grids


async def test_no_scope_sees_nothing_even_people(session):
    assert await visible(session, NO_SCOPE, Person, Person.name) == []


async def test_department_scope_limits_events_to_that_department(session):
    departments = dict(
        (
            await session.execute(
                text("SELECT code, id FROM departments WHERE code IN ('city-management', 'water')")
            )
        ).all()
    )
    for n, dept in enumerate(departments.values()):
        await session.execute(
            text("""
            INSERT INTO events (code, category_id, source, title, geom, geom_3857, grid_code,
                                status, department_id, reported_at)
            SELECT :code, id, 'patrol', 'test', ST_SetSRID(ST_MakePoint(114.005, 22.535), 4326),
                   ST_Transform(ST_SetSRID(ST_MakePoint(114.005, 22.535), 4326), 3857),
                   '44030400100101', 'dispatched', :dept, now()
            FROM event_categories WHERE major = '06' AND minor = '001'"""),
            {"code": f"T{n}", "dept": dept},
        )
    await apply_scope(session, Scope("4403", department_id=departments["water"]))
    codes = list(await session.scalars(text("SELECT code FROM events")))
    await session.execute(text("RESET ROLE"))
    assert codes == ["T1"]


async def test_writes_outside_the_scope_are_refused(session):
    await apply_scope(session, Scope("44030400100101"))
    with pytest.raises(ProgrammingError, match="row-level security"):
        await session.execute(
            text("""
            INSERT INTO households (room_id, grid_code) VALUES (NULL, '44030500100101')""")
        )


async def test_updates_cannot_reach_rows_outside_the_scope(session):
    await apply_scope(session, Scope("440305"))
    result = await session.execute(
        text("UPDATE buildings SET floors = 99 WHERE grid_code LIKE '440304%'")
    )
    assert result.rowcount == 0


async def test_areas_show_the_callers_subtree_and_ancestors_only(session):
    await apply_scope(session, Scope("440304001001"))
    codes = list(await session.scalars(text("SELECT code FROM areas ORDER BY code")))
    await session.execute(text("RESET ROLE"))
    assert codes == [
        "4403",
        "440304",
        "440304001",
        "440304001001",
        "44030400100101",
        "44030400100102",
    ]


async def test_the_scope_does_not_steer_the_planner_away_from_the_spatial_index(session):
    """A tile query in a scope uses the GiST index; the scope is a filter on its rows."""
    await apply_scope(session, Scope("4403"))
    await session.execute(text("SET LOCAL enable_seqscan = off"))
    plan = "\n".join(
        await session.scalars(
            text(
                "EXPLAIN SELECT id FROM buildings"
                " WHERE footprint && ST_Transform(ST_TileEnvelope(16, 53520, 28535), 4326)"
            )
        )
    )
    await session.execute(text("RESET ROLE"))
    assert "Index Scan using idx_buildings_footprint" in plan
    assert "starts_with" in plan


async def test_api_requests_run_in_the_callers_scope(client, as_user):
    worker = await as_user("worker-a")
    mine = await client.get("/api/people/1", headers=worker)
    # person ids follow the mini city's insertion order: 1 and 2 live in worker-a's grid.
    assert mine.status_code == 200
    other = await client.get("/api/people/3", headers=worker)
    assert other.status_code == 404
    nanshan = await as_user("nanshan")
    assert (await client.get("/api/people/1", headers=nanshan)).status_code == 404
    assert (await client.get("/api/people/4", headers=nanshan)).status_code == 200
