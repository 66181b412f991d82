"""The demo city at scale 0.002: hierarchy, grids, codes, people, events, hotspots, rollups.

The city is loaded once into a database of its own (``demo_city_test``) in the session's
cluster; the last test loads it a second time to check that the loader is re-runnable.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import psycopg
import pytest
import shapely
from sqlalchemy import create_engine, text

from api import migrate
from api.db import sync_url
from api.privacy import ID_NUMBER, PHONE, cipher_for
from api.settings import get_settings
from democity.community import GeneratorContext, generate_community, lay_out_site
from democity.database import read_categories, read_departments, read_work_calendar
from democity.hotspots import PLANTED_HOTSPOTS, planted_event_count
from democity.pipeline import load_demo_city
from democity.plan import plan_city
from grids.codes import parse_component_id, parse_room_segment, validate_area_code
from grids.grid_check import check_grids
from grids.hierarchy import build_shenzhen
from grids.identifiers import parse_id_number, validate_credit_code, validate_phone
from grids.partition import BasicGrid

SCALE, SEED = 0.002, 7
AS_OF = dt.datetime(2026, 11, 20, 8, 0, tzinfo=dt.UTC)
DATABASE = "demo_city_test"


@pytest.fixture(scope="module")
def demo_url(cluster) -> str:
    admin = create_engine(sync_url(cluster.url()), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)"))
        connection.execute(text(f"CREATE DATABASE {DATABASE}"))
    admin.dispose()
    url = cluster.url().rsplit("/", 1)[0] + f"/{DATABASE}"
    migrate.upgrade(url)
    return url


@pytest.fixture(scope="module")
def loaded(demo_url):
    return load_demo_city(demo_url, scale=SCALE, seed=SEED, progress=False, as_of=AS_OF, workers=0)


@pytest.fixture(scope="module")
def db(demo_url, loaded):
    with psycopg.connect(demo_url, autocommit=True) as connection:
        yield connection


def scalar(db, query: str, params: tuple = ()) -> object:
    return db.execute(query, params).fetchone()[0]


def test_the_hierarchy_is_shenzhens_and_every_community_has_grids(db, loaded):
    levels = dict(db.execute("SELECT level, count(*) FROM areas GROUP BY level").fetchall())
    assert (levels["city"], levels["district"], levels["street"], levels["community"]) == (
        1,
        9,
        79,
        788,
    )
    assert levels["grid"] == loaded.rows["grids"] >= 788
    assert (
        scalar(
            db,
            "SELECT count(*) FROM areas c WHERE c.level = 'community' AND NOT EXISTS"
            " (SELECT 1 FROM areas g WHERE g.parent_code = c.code)",
        )
        == 0
    )
    assert (
        scalar(db, "SELECT count(DISTINCT household_target) FROM areas WHERE level = 'grid'") == 1
    )


def test_grids_tile_their_communities_and_hold_their_buildings(db):
    communities = [
        r[0]
        for r in db.execute(
            "SELECT parent_code FROM areas WHERE level = 'grid' GROUP BY parent_code"
            " ORDER BY count(*) DESC, parent_code LIMIT 12"
        ).fetchall()
    ]
    communities += [h.community_code for h in PLANTED_HOTSPOTS]
    for community in communities:
        polygon = shapely.from_wkb(
            scalar(db, "SELECT ST_AsBinary(geom) FROM areas WHERE code = %s", (community,))
        )
        buildings = db.execute(
            "SELECT b.grid_code, ST_X(ST_Centroid(b.footprint)), ST_Y(ST_Centroid(b.footprint)),"
            " count(r.id) FILTER"
            " (WHERE r.use_type = 'residential') FROM buildings b LEFT JOIN rooms r"
            " ON r.building_id = b.id WHERE b.grid_code LIKE %s GROUP BY b.id ORDER BY b.id",
            (community + "%",),
        ).fetchall()
        grid_of = np.array([row[0] for row in buildings])
        points = np.array([[row[1], row[2]] for row in buildings]).reshape(-1, 2)
        households = np.array([row[3] for row in buildings], dtype=np.int64)
        grids = [
            BasicGrid(
                code,
                shapely.from_wkb(wkb).geoms[0],
                np.flatnonzero(grid_of == code).astype(np.int64),
                int(households[grid_of == code].sum()),
            )
            for code, wkb in db.execute(
                "SELECT code, ST_AsBinary(geom) FROM areas WHERE parent_code = %s ORDER BY code",
                (community,),
            ).fetchall()
        ]
        report = check_grids(polygon, grids, points, community_code=community)
        assert report.ok, report.summary_lines()
    assert (
        scalar(
            db,
            "SELECT count(*) FROM buildings b JOIN areas g ON g.code = b.grid_code"
            " WHERE NOT ST_Covers(g.geom, ST_Centroid(b.footprint))",
        )
        == 0
    )
    assert (
        scalar(
            db,
            "SELECT count(*) FROM buildings b JOIN areas c"
            " ON c.code = left(b.grid_code, 12) WHERE NOT ST_Within(b.footprint, c.geom)",
        )
        == 0
    )
    overlapping = scalar(
        db,
        "SELECT count(*) FROM buildings a JOIN buildings b"
        " ON a.id < b.id AND ST_Intersects(a.footprint, b.footprint)"
        " AND ST_Area(ST_Intersection(a.footprint, b.footprint)) > 0",
    )
    assert overlapping == 0


def test_codes_nest_and_validate(db):
    assert scalar(db, "SELECT count(*) FROM buildings WHERE left(code, 14) <> grid_code") == 0
    assert (
        scalar(
            db,
            "SELECT count(*) FROM rooms r JOIN buildings b ON b.id = r.building_id"
            " WHERE left(r.code, 19) <> b.code OR r.grid_code <> b.grid_code",
        )
        == 0
    )
    assert (
        scalar(
            db, "SELECT count(*) FROM areas WHERE level = 'grid' AND left(code, 12) <> parent_code"
        )
        == 0
    )
    for (code,) in db.execute("SELECT code FROM rooms ORDER BY random() LIMIT 200").fetchall():
        validate_area_code(code, "room")
        room = parse_room_segment(code[19:])
        floor, unit = scalar(db, "SELECT floor FROM rooms WHERE code = %s", (code,)), room.unit
        assert room.floor == floor and unit >= 0
    for (code,) in db.execute("SELECT id FROM components ORDER BY random() LIMIT 200").fetchall():
        parse_component_id(code)
    assert (
        scalar(db, "SELECT count(*) FROM components WHERE left(id, 6) <> left(grid_code, 6)") == 0
    )


def test_identifiers_are_valid_encrypted_and_match_the_person(db):
    cipher = cipher_for(get_settings().data_key_bytes)
    rows = db.execute(
        "SELECT id_number_enc, id_number_hash, sex, birth_date, phone_enc,"
        " phone_hash FROM people ORDER BY random() LIMIT 300"
    ).fetchall()
    for id_enc, id_hash, sex, birth, phone_enc, phone_hash in rows:
        number = cipher.decrypt(id_enc, field=ID_NUMBER)
        info = parse_id_number(number)
        assert info.birth_date == birth
        assert (info.sex.value == "male") == (sex == "M")
        assert cipher.lookup_hash(number, field=ID_NUMBER) == id_hash
        if phone_enc is not None:
            phone = validate_phone(cipher.decrypt(phone_enc, field=PHONE))
            assert cipher.lookup_hash(phone, field=PHONE) == phone_hash
    assert scalar(db, "SELECT count(*) - count(DISTINCT id_number_hash) FROM people") == 0
    for (code,) in db.execute(
        "SELECT credit_code FROM entities ORDER BY random() LIMIT 300"
    ).fetchall():
        assert validate_credit_code(code) == code


def test_a_young_migrant_city(db):
    shares = db.execute(
        "SELECT avg((age(%s::date, birth_date) >= interval '20 years'"
        " AND age(%s::date, birth_date) < interval '40 years')::int),"
        " avg((age(%s::date, birth_date) >= interval '60 years')::int),"
        " avg((hukou_type = 'local')::int), avg((age(%s::date, birth_date)"
        " < interval '18 years')::int)"
        " FROM people WHERE moved_out IS NULL",
        (AS_OF.date(),) * 4,
    ).fetchone()
    young, old, hukou, children = (float(s) for s in shares)
    assert young > 0.4 and old < 0.1 and young > 3 * old
    assert 0.25 < hukou < 0.42
    assert 0.08 < children < 0.3
    tags = dict(
        db.execute(
            "SELECT tag, count(*) FROM people, unnest(care_tags) tag GROUP BY tag"
        ).fetchall()
    )
    assert {"elderly_alone", "disabled", "left_behind_child"} <= set(tags)
    alone = scalar(
        db,
        "SELECT count(*) FROM people p WHERE 'elderly_alone' = ANY(p.care_tags)"
        " AND (age(%s::date, birth_date) < interval '60 years' OR"
        " (SELECT count(*) FROM people q WHERE q.household_id = p.household_id)"
        " <> 1)",
        (AS_OF.date(),),
    )
    assert alone == 0
    kinds = dict(db.execute("SELECT entity_type, count(*) FROM entities GROUP BY 1").fetchall())
    assert kinds["enterprise"] > 0 and kinds["individual_business"] > 0
    assert kinds["social_organisation"] > 0
    built = scalar(db, "SELECT count(DISTINCT left(grid_code, 12)) FROM buildings")
    assert kinds["government"] >= built  # a work station (社区工作站) in every built community


def test_workflow_histories_are_consistent(db):
    broken = scalar(
        db,
        """
        WITH steps AS (
          SELECT a.*, lag(a.to_status) OVER w AS previous, lag(a.at) OVER w AS previous_at,
                 row_number() OVER w AS step
          FROM event_actions a WINDOW w AS (PARTITION BY a.event_id ORDER BY a.at, a.id))
        SELECT count(*) FROM steps
        WHERE (step = 1 AND (action <> 'report' OR from_status IS NOT NULL))
           OR (step > 1 AND (from_status IS DISTINCT FROM previous OR at < previous_at))""",
    )
    assert broken == 0
    mismatched = scalar(
        db,
        """
        SELECT count(*) FROM events e JOIN LATERAL (
          SELECT count(*) AS n, count(*) FILTER (WHERE action = 'verify_fail') AS reworks,
                 count(*) FILTER (WHERE action = 'escalate') AS escalations,
                 max(at) FILTER (WHERE action IN ('close', 'reject')) AS closed,
                 (array_agg(to_status ORDER BY at DESC, id DESC))[1] AS last
          FROM event_actions a WHERE a.event_id = e.id) h ON true
        WHERE h.n <> e.version OR h.reworks <> e.rework_count
           OR h.escalations <> e.escalation_level OR h.last <> e.status
           OR (e.status IN ('closed', 'rejected')) <> (h.closed IS NOT NULL)
           OR e.closed_at IS DISTINCT FROM h.closed
           OR e.reported_at > coalesce(e.accepted_at, e.reported_at)
           OR e.accepted_at > coalesce(e.dispatched_at, e.accepted_at)""",
    )
    assert mismatched == 0
    statuses = dict(db.execute("SELECT status, count(*) FROM events GROUP BY 1").fetchall())
    assert statuses["closed"] > 0.8 * sum(statuses.values())
    assert sum(n for s, n in statuses.items() if s not in ("closed", "rejected")) > 0
    actions = dict(db.execute("SELECT action, count(*) FROM event_actions GROUP BY 1").fetchall())
    assert {"verify_fail", "return", "postpone", "resume", "escalate", "reject"} <= set(actions)
    assert scalar(db, "SELECT count(*) FROM events WHERE reported_at > %s", (AS_OF,)) == 0


def test_events_follow_the_clock(db):
    by_hour = dict(
        db.execute(
            "SELECT extract(hour FROM reported_at AT TIME ZONE 'Asia/Shanghai')::int, count(*)"
            " FROM events WHERE source = 'patrol' GROUP BY 1"
        ).fetchall()
    )
    morning = sum(by_hour.get(h, 0) for h in range(9, 12))
    night = sum(by_hour.get(h, 0) for h in range(1, 4))
    assert morning > 5 * max(night, 1)
    vending = dict(
        db.execute(
            "SELECT extract(hour FROM e.reported_at AT TIME ZONE 'Asia/Shanghai')::int >= 17,"
            " count(*)"
            " FROM events e JOIN event_categories c ON c.id = e.category_id"
            " WHERE c.major = '09' AND c.minor IN ('001', '006') GROUP BY 1"
        ).fetchall()
    )
    assert vending.get(True, 0) > vending.get(False, 0)


@pytest.mark.parametrize("hotspot", PLANTED_HOTSPOTS, ids=lambda h: h.key)
def test_planted_hotspots_stand_out(db, hotspot):
    categories = [f"{major}-{minor}" for major, minor in hotspot.categories]
    lon, lat = hotspot.centre
    inside = scalar(
        db,
        """
        SELECT count(*) FROM events e JOIN event_categories c ON c.id = e.category_id
        WHERE c.major || '-' || c.minor = ANY(%s)
          AND ST_DWithin(e.geom::geography, ST_SetSRID(ST_MakePoint(%s, %s), 4326)::geography,
                         %s)""",
        (categories, lon, lat, hotspot.radius_m),
    )
    assert inside >= planted_event_count(hotspot, SCALE)
    per_community = scalar(
        db,
        """
        SELECT count(*)::float / 788 FROM events e JOIN event_categories c
        ON c.id = e.category_id WHERE c.major || '-' || c.minor = ANY(%s)""",
        (categories,),
    )
    assert inside > 10 * per_community
    assert (
        scalar(
            db,
            "SELECT count(*) FROM buildings WHERE ST_DWithin(ST_Centroid(footprint)::geography,"
            " ST_SetSRID(ST_MakePoint(%s, %s), 4326)::geography, %s)",
            (lon, lat, hotspot.radius_m),
        )
        > 0
    )


def test_rollups_equal_direct_counts(db):
    grid = scalar(db, "SELECT grid_code FROM people GROUP BY 1 ORDER BY count(*) DESC LIMIT 1")
    for code in ("4403", "440304", grid[:12], grid):
        stats = db.execute(
            "SELECT residents, residents_hukou, households, age_60_plus, elderly_alone,"
            " buildings, rooms, rooms_rented, entities, components, components_damaged,"
            " events_open, events_overdue, grids FROM area_stats WHERE area_code = %s",
            (code,),
        ).fetchone()
        like = code + "%"
        direct = db.execute(
            """
            SELECT (SELECT count(*) FROM people WHERE grid_code LIKE %(a)s AND moved_out IS NULL),
                   (SELECT count(*) FROM people WHERE grid_code LIKE %(a)s AND moved_out IS NULL
                      AND hukou_type = 'local'),
                   (SELECT count(*) FROM households WHERE grid_code LIKE %(a)s),
                   (SELECT count(*) FROM people WHERE grid_code LIKE %(a)s AND moved_out IS NULL
                      AND birth_date <= current_date - interval '60 years'),
                   (SELECT count(*) FROM people WHERE grid_code LIKE %(a)s AND moved_out IS NULL
                      AND 'elderly_alone' = ANY(care_tags)),
                   (SELECT count(*) FROM buildings WHERE grid_code LIKE %(a)s),
                   (SELECT count(*) FROM rooms WHERE grid_code LIKE %(a)s),
                   (SELECT count(*) FROM rooms WHERE grid_code LIKE %(a)s AND is_rental),
                   (SELECT count(*) FROM entities WHERE grid_code LIKE %(a)s
                      AND status <> 'deregistered'),
                   (SELECT count(*) FROM components WHERE grid_code LIKE %(a)s),
                   (SELECT count(*) FROM components WHERE grid_code LIKE %(a)s
                      AND state <> 'intact'),
                   (SELECT count(*) FROM events WHERE grid_code LIKE %(a)s
                      AND status NOT IN ('closed', 'rejected')),
                   (SELECT count(*) FROM events WHERE grid_code LIKE %(a)s
                      AND status NOT IN ('closed', 'rejected') AND stage_due_at < now()),
                   (SELECT count(*) FROM areas WHERE level = 'grid' AND code LIKE %(a)s)""",
            {"a": like},
        ).fetchone()
        assert tuple(stats) == tuple(direct), code
    residents, households = db.execute(
        "SELECT sum(residents), sum(households) FROM building_stats"
    ).fetchone()
    assert residents == scalar(db, "SELECT count(*) FROM people WHERE moved_out IS NULL")
    assert households == scalar(db, "SELECT count(*) FROM households")


def test_same_seed_same_city(db, demo_url):
    areas = build_shenzhen()
    first, again = (
        plan_city(areas, scale=SCALE, seed=SEED),
        plan_city(areas, scale=SCALE, seed=SEED),
    )
    assert first == again
    assert plan_city(areas, scale=SCALE, seed=SEED + 1) != first
    with psycopg.connect(demo_url) as connection:
        context = GeneratorContext(
            scale=SCALE,
            seed=SEED,
            as_of_us=int(AS_OF.timestamp() * 1e6),
            start_us=int(AS_OF.timestamp() * 1e6) - 730 * 86_400 * 10**6,
            data_key=get_settings().data_key_bytes,
            categories=read_categories(connection),
            department_ids=read_departments(connection),
            household_target=(300, 500),
            residents_total=sum(p.residents_expected for p in first),
            work_calendar=read_work_calendar(connection),
        )
    geometry = {a.code: a.geometry for a in areas}
    plan = next(p for p in first if p.total_buildings >= 3)
    blocks = [
        generate_community(plan, shapely.to_wkb(geometry[plan.code]), context) for _ in range(2)
    ]
    for one, two in zip(blocks[0].chunks, blocks[1].chunks, strict=True):
        assert (one.table, one.rows) == (two.table, two.rows)
        if one.table in ("areas", "buildings", "rooms", "events", "event_actions"):
            assert np.array_equal(one.payload, two.payload), one.table
    site = lay_out_site(
        plan,
        geometry[plan.code],
        np.random.default_rng([SEED, plan.ordinal, 0xB10C]),
        target=(300, 500),
    )
    codes = [row.tobytes().decode() for row in site.code]
    stored = [
        r[0]
        for r in db.execute(
            "SELECT code FROM buildings WHERE grid_code LIKE %s ORDER BY id", (plan.code + "%",)
        ).fetchall()
    ]
    assert codes == stored


def test_loading_again_gives_the_same_city_and_keeps_accounts(db, demo_url, loaded):
    grid = scalar(db, "SELECT code FROM areas WHERE level = 'grid' ORDER BY code LIMIT 1")
    user = scalar(
        db,
        "INSERT INTO users (username, display_name, password_hash, role, scope_code)"
        " VALUES ('demo-test-worker', 'x', 'x', 'grid_worker', %s) RETURNING id",
        (grid,),
    )
    db.execute("INSERT INTO grid_workers (grid_code, user_id) VALUES (%s, %s)", (grid, user))
    first_codes = db.execute("SELECT code FROM buildings ORDER BY id LIMIT 20").fetchall()
    again = load_demo_city(demo_url, scale=SCALE, seed=SEED, progress=False, as_of=AS_OF, workers=2)
    assert again.rows == loaded.rows
    assert db.execute("SELECT code FROM buildings ORDER BY id LIMIT 20").fetchall() == first_codes
    assert scalar(db, "SELECT scope_code FROM users WHERE id = %s", (user,)) == grid
    assert scalar(db, "SELECT count(*) FROM grid_workers WHERE user_id = %s", (user,)) == 1
    assert scalar(db, "SELECT count(*) FROM area_stats") == scalar(db, "SELECT count(*) FROM areas")
