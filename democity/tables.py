"""Turn one community's generated arrays into table chunks for binary COPY (column by column).

One function per table; each returns a :class:`~democity.community.TableChunk` whose
columns are already encoded, except ids and references between rows, which stay local
indices for the loader to offset.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import shapely
from numpy.typing import NDArray

from api.buildings.models import BUILDING_USES, ROOM_USES
from api.components.models import COMPONENT_STATES
from api.entities.models import ENTITY_STATUSES, ENTITY_TYPES
from api.events.models import EVENT_ACTIONS, EVENT_SOURCES
from api.events.workflow import EVENT_STATUSES_ALL
from api.people.models import HUKOU_TYPES, RELATIONS
from api.privacy import ID_NUMBER, PHONE, PersonalDataCipher
from democity.chunks import TableChunk
from democity.columns import VarBytes, ascii_rows, digits
from democity.components import COMPONENT_MIX
from democity.profiles import BUILDING_KINDS, KIND_NAMES
from democity.rhythms import LOCAL_OFFSET_US, MICROS_PER_DAY
from democity.workflow import NOTES, ROLES
from gis import pgcopy as pg
from gis.crs import WEB_MERCATOR_SRID, WGS84_SRID, lonlat_to_web_mercator
from grids.codes import make_room_codes

if TYPE_CHECKING:
    from democity.addresses import BuildingLabels
    from democity.buildings import BuildingSpecs, Rooms
    from democity.components import Components
    from democity.entities import Entities
    from democity.events import CategoryTable, EventDraft
    from democity.layout import Layout
    from democity.plan import CommunityPlan
    from democity.population import Population
    from democity.workflow import Histories
    from grids.partition import BasicGrid

__all__ = [
    "encode_actions",
    "encode_buildings",
    "encode_components",
    "encode_entities",
    "encode_events",
    "encode_grids",
    "encode_rooms",
]

_SOURCE = "blockgrid-demo"


def _chunk(
    table: str,
    rows: int,
    fields: dict[str, pg.CopyField],
    refs: dict[str, tuple[str, NDArray[np.int64]]] | None = None,
    own_id: bool = True,
) -> TableChunk:
    return TableChunk(table, rows, fields, refs or {}, own_id)


def _web_mercator(lonlat: NDArray[np.float64]) -> NDArray[np.float64]:
    return np.column_stack(lonlat_to_web_mercator(lonlat[:, 0], lonlat[:, 1]))


def _geometries(geoms: NDArray[np.object_]) -> tuple[pg.CopyField, pg.CopyField]:
    """EWKB fields of ``geoms`` in 4326 and 3857."""
    return pg.geometry_field(geoms, WGS84_SRID), pg.geometry_field(
        shapely.transform(geoms, _web_mercator), WEB_MERCATOR_SRID
    )


def _points(lonlat: NDArray[np.float64]) -> tuple[pg.CopyField, pg.CopyField]:
    lon, lat = lonlat[:, 0], lonlat[:, 1]
    x, y = lonlat_to_web_mercator(lon, lat)
    return pg.point_field(lon, lat, WGS84_SRID), pg.point_field(x, y, WEB_MERCATOR_SRID)


def _text(column: VarBytes) -> pg.CopyField:
    return pg.text_field(column.to_arrow())


def encode_grids(
    plan: CommunityPlan, grids: list[BasicGrid], target: tuple[int, int]
) -> TableChunk:
    """Basic grids (基础网格) as ``areas`` rows of level ``grid``."""
    n = len(grids)
    codes = [g.code for g in grids]
    geom, geom_3857 = _geometries(
        shapely.multipolygons(np.array([g.polygon for g in grids], dtype=object)[:, None])
    )
    return _chunk(
        "areas",
        n,
        {
            "code": pg.text_field(codes),
            "level": pg.constant_field("grid", n),
            "name": pg.text_field([f"{plan.name}第{c[12:]}网格" for c in codes]),
            "short_name": pg.text_field([f"第{c[12:]}网格" for c in codes]),
            "parent_code": pg.constant_field(plan.code, n),
            "geom": geom,
            "geom_3857": geom_3857,
            "household_target": pg.int32_field(np.full(n, sum(target) // 2)),
        },
        own_id=False,
    )


def encode_buildings(
    code: NDArray[np.uint8],
    grid_code: NDArray[np.uint8],
    layout: Layout,
    order: NDArray[np.int64],
    kind: NDArray[np.int64],
    specs: BuildingSpecs,
    labels: BuildingLabels,
) -> TableChunk:
    """Buildings in code order."""
    footprints = layout.footprints()[order]
    geom, geom_3857 = _geometries(footprints)
    use = np.array([BUILDING_USES.index(BUILDING_KINDS[k].use_type) for k in KIND_NAMES])[kind]
    return _chunk(
        "buildings",
        len(kind),
        {
            "code": pg.ascii_field(code),
            "grid_code": pg.ascii_field(grid_code),
            "footprint": geom,
            "footprint_3857": geom_3857,
            "use_type": pg.vocabulary_field(BUILDING_USES, use),
            "floors": pg.int16_field(specs.floors),
            "floors_below": pg.int16_field(specs.floors_below),
            "year_built": pg.int16_field(specs.year),
            "name": _text(labels.name),
            "address": _text(labels.address),
            "source": pg.constant_field(_SOURCE, len(kind)),
        },
    )


def encode_rooms(
    building_code: NDArray[np.uint8],
    rooms: Rooms,
    building_grid: NDArray[np.uint8],
    doors: tuple[VarBytes, VarBytes],
    population: Population,
    cipher: PersonalDataCipher,
) -> list[TableChunk]:
    """Rooms, households and people (ID numbers and phones encrypted here)."""
    room_grid = building_grid[rooms.building]
    unit, door = doors
    room_chunk = _chunk(
        "rooms",
        len(rooms.building),
        {
            "code": pg.ascii_field(
                make_room_codes(building_code[rooms.building], rooms.unit, rooms.floor, rooms.door)
            ),
            "grid_code": pg.ascii_field(room_grid),
            "unit": _text(unit),
            "floor": pg.int16_field(rooms.floor),
            "door": _text(door),
            "use_type": pg.vocabulary_field(ROOM_USES, rooms.use),
            "area_m2": pg.numeric2_field(rooms.area_cents),
            "is_rental": pg.bool_field(rooms.rental),
        },
        {"building_id": ("buildings", rooms.building)},
    )
    p = population
    households = _chunk(
        "households",
        len(p.household_room),
        {
            "grid_code": pg.ascii_field(room_grid[p.household_room]),
            "is_collective": pg.bool_field(p.household_collective),
            "registered_on": pg.date_field(p.household_registered),
        },
        {"room_id": ("rooms", p.household_room)},
    )
    id_enc, id_hash, phone_enc, phone_hash = _encrypt(cipher, p.id_number, p.phone, p.has_phone)
    people = _chunk(
        "people",
        len(p.room),
        {
            "id_number_enc": pg.bytea_field(id_enc),
            "id_number_hash": pg.bytea_field(id_hash),
            "name": _text(p.name),
            "sex": pg.vocabulary_field(("F", "M"), p.male.astype(np.int64)),
            "birth_date": pg.date_field(p.birth),
            "phone_enc": pg.bytea_field(phone_enc, null=~p.has_phone),
            "phone_hash": pg.bytea_field(phone_hash, null=~p.has_phone),
            "hukou_type": pg.vocabulary_field(HUKOU_TYPES, np.where(p.hukou, 0, 1)),
            "care_tags": pg.text_array_field(p.tag_vocabulary, p.tags),
            "relation": pg.vocabulary_field(RELATIONS, p.relation),
            "grid_code": pg.ascii_field(room_grid[p.room]),
            "moved_in": pg.date_field(p.moved_in),
            "moved_out": pg.date_field(p.moved_out, null=p.moved_out < 0),
        },
        {"room_id": ("rooms", p.room), "household_id": ("households", p.household)},
    )
    return [room_chunk, households, people]


def _encrypt(
    cipher: PersonalDataCipher,
    id_numbers: NDArray[np.uint8],
    phones: NDArray[np.uint8],
    has_phone: NDArray[np.bool_],
) -> tuple[NDArray[np.uint8], ...]:
    """AES-GCM ciphertexts and keyed hashes of the ID numbers and (present) phones."""
    ids = [v.decode() for v in id_numbers.view("S18").ravel().tolist()]
    numbers = [v.decode() for v in phones[has_phone].view("S11").ravel().tolist()]
    encrypt, digest = cipher.encrypt, cipher.lookup_hash

    def stack(blobs: list[bytes], width: int) -> NDArray[np.uint8]:
        return np.frombuffer(b"".join(blobs), dtype=np.uint8).reshape(-1, width)

    id_enc = stack([encrypt(v, field=ID_NUMBER) for v in ids], 12 + 18 + 16)
    id_hash = stack([digest(v, field=ID_NUMBER) for v in ids], 32)
    phone_enc = np.zeros((len(phones), 12 + 11 + 16), dtype=np.uint8)
    phone_hash = np.zeros((len(phones), 32), dtype=np.uint8)
    if numbers:
        phone_enc[has_phone] = stack([encrypt(v, field=PHONE) for v in numbers], 39)
        phone_hash[has_phone] = stack([digest(v, field=PHONE) for v in numbers], 32)
    return id_enc, id_hash, phone_enc, phone_hash


def encode_entities(entities: Entities, building_grid: NDArray[np.uint8]) -> TableChunk:
    """Legal entities."""
    e = entities
    return _chunk(
        "entities",
        len(e.entity_type),
        {
            "credit_code": pg.ascii_field(e.credit_code),
            "name": _text(e.name),
            "entity_type": pg.vocabulary_field(ENTITY_TYPES, e.entity_type),
            "industry": _text(e.industry),
            "grid_code": pg.ascii_field(building_grid[e.building]),
            "employees": pg.int32_field(e.employees),
            "status": pg.vocabulary_field(ENTITY_STATUSES, e.status),
            "registered_on": pg.date_field(e.registered),
        },
        {
            "building_id": ("buildings", e.building),
            "room_id": ("rooms", e.room),
            "legal_person_id": ("people", e.legal_person),
        },
    )


def encode_components(
    components: Components,
    grid_codes: NDArray[np.uint8],
    grid: NDArray[np.int64],
    department_ids: dict[str, int],
    district: str,
) -> TableChunk:
    """City components; the loader fills in the sequence of their ids (per district and class)."""
    c = components
    cls = c.component_class
    departments = np.array(
        [
            department_ids.get(f"city-management-{district}", department_ids["city-management"])
            if d == "district"
            else department_ids[d]
            for _, _, _, d in COMPONENT_MIX
        ]
    )
    geom, geom_3857 = _points(c.lonlat)
    classes = np.array([m + n for m, n, _, _ in COMPONENT_MIX]).astype("S5")
    prefix = ascii_rows(
        district,
        classes.view(np.uint8).reshape(-1, 5)[cls],
        np.full((len(cls), 6), ord("0"), dtype=np.uint8),
    )
    chunk = _chunk(
        "components",
        len(cls),
        {
            "id": pg.ascii_field(prefix),
            "major": pg.vocabulary_field([m for m, _, _, _ in COMPONENT_MIX], cls),
            "minor": pg.vocabulary_field([n for _, n, _, _ in COMPONENT_MIX], cls),
            "geom": geom,
            "geom_3857": geom_3857,
            "state": pg.vocabulary_field(COMPONENT_STATES, c.state),
            "department_id": pg.int32_field(departments[cls]),
            "grid_code": pg.ascii_field(grid_codes[grid]),
            "installed_on": pg.date_field(c.installed),
        },
        own_id=False,
    )
    chunk.component_class = cls  # the loader numbers them per district and class
    return chunk


def encode_events(
    plan: CommunityPlan,
    draft: EventDraft,
    histories: Histories,
    categories: CategoryTable,
    grid_code: NDArray[np.uint8],
    building_address: VarBytes,
    names: dict[str, str],
) -> TableChunk:
    """Events with their current state."""
    n = len(draft.category)
    h = histories
    local_day = (draft.reported + LOCAL_OFFSET_US) // MICROS_PER_DAY
    dates = np.datetime64("1970-01-01") + local_day.astype("timedelta64[D]")
    year = dates.astype("datetime64[Y]").astype(np.int64) + 1970
    month = dates.astype("datetime64[M]").astype(np.int64) % 12 + 1
    day = (dates - dates.astype("datetime64[M]")).astype(np.int64) + 1
    code_prefix = ascii_rows("E", digits(year * 10_000 + month * 100 + day, 8))
    place = building_address.take(np.maximum(draft.building, 0))
    fallback = VarBytes.constant(
        f"深圳市{names['district']}{names['street']}{names['community']}", n
    )
    has_building = draft.building >= 0
    address = VarBytes.stack([place, fallback]).take(
        np.where(has_building, np.arange(n), n + np.arange(n))
    )
    category_name = VarBytes.from_vocab(list(categories.names), draft.category)
    title = VarBytes.concat(category_name, "（", names["community"], "）")
    description = VarBytes.concat(
        VarBytes.from_vocab(
            ["巡查发现", "督查发现", "市民来电反映", "市民网上反映", "设备告警", "导入"],
            draft.source,
        ),
        "：",
        address,
        "附近",
        category_name,
        "，请及时处置。",
    )
    geom, geom_3857 = _points(draft.lonlat)

    def times(values: NDArray[np.int64]) -> pg.CopyField:
        return pg.timestamptz_field(values, null=values < 0)

    chunk = _chunk(
        "events",
        n,
        {
            "category_id": pg.int32_field(categories.ids[draft.category]),
            "source": pg.vocabulary_field(EVENT_SOURCES, draft.source),
            "title": _text(title),
            "description": _text(description),
            "address": _text(address),
            "geom": geom,
            "geom_3857": geom_3857,
            "grid_code": pg.ascii_field(grid_code),
            "status": pg.vocabulary_field(EVENT_STATUSES_ALL, h.status),
            "priority": pg.int16_field(categories.priority[draft.category]),
            "department_id": pg.int32_field(h.department, null=h.department < 0),
            "reported_at": times(draft.reported),
            "accepted_at": times(h.accepted),
            "dispatched_at": times(h.dispatched),
            "handled_at": times(h.handled),
            "closed_at": times(h.closed),
            "due_at": times(h.due),
            "stage_due_at": times(h.stage_due),
            "escalation_level": pg.int16_field(h.escalation),
            "rework_count": pg.int16_field(h.rework),
            "version": pg.int32_field(h.version),
        },
        {"building_id": ("buildings", draft.building)},
    )
    chunk.id_code = ("code", code_prefix)  # E + date + sequence, as api.events.intake
    return chunk


def encode_actions(h: Histories) -> TableChunk:
    """The workflow history of the community's events (actor_id NULL: generated)."""
    n = len(h.action)
    return _chunk(
        "event_actions",
        n,
        {
            "action": pg.vocabulary_field(EVENT_ACTIONS, h.action),
            "from_status": pg.vocabulary_field(EVENT_STATUSES_ALL, h.action_from),
            "to_status": pg.vocabulary_field(EVENT_STATUSES_ALL, h.action_to),
            "actor_role": pg.vocabulary_field(ROLES, h.action_role),
            "department_id": pg.int32_field(h.action_department, null=h.action_department < 0),
            "note": pg.vocabulary_field(NOTES, h.action_note),
            "at": pg.timestamptz_field(h.action_at),
            "stage_due_at": pg.timestamptz_field(h.action_stage_due, null=h.action_stage_due < 0),
        },
        {"event_id": ("events", h.action_event)},
    )
