"""Generate all block data (块数据) of one community, ready for binary COPY.

:func:`generate_community` is what the loader's worker processes run: it lays out the
buildings, cuts the community into basic grids, issues building and room codes, fills
the rooms with households and people (encrypting their ID numbers and phones), adds
entities, components and events with their histories, and encodes every column that
does not depend on database ids. Row ids and references are left as local indices in
:class:`TableChunk`; the loader adds its running offsets, so ids are dense and follow
the community order whatever the order the workers finish in.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely
from numpy.typing import NDArray

from api.demo.addresses import label_buildings
from api.demo.buildings import building_sequence, door_labels, draw_specs, expand_rooms
from api.demo.columns import ascii_rows, digits
from api.demo.components import COMPONENTS_PER_BUILDING, make_components
from api.demo.entities import make_entities
from api.demo.events import CategoryTable, draw_events
from api.demo.hotspots import PLANTED_HOTSPOTS
from api.demo.layout import place_buildings, sidewalk_points
from api.demo.plan import CommunityPlan
from api.demo.population import populate
from api.demo.profiles import KIND_NAMES
from api.demo.tables import (
    TableChunk,
    encode_actions,
    encode_buildings,
    encode_components,
    encode_entities,
    encode_events,
    encode_grids,
    encode_rooms,
)
from api.demo.workflow import simulate_histories
from api.privacy import cipher_for
from grids.partition import partition_community

__all__ = ["CommunityBlock", "GeneratorContext", "TableChunk", "generate_community"]

_RESIDENTIAL_KINDS = ("uv", "tower", "walkup", "mixed", "dorm")
_HOTSPOT_MIN_BUILDINGS = 12
_SOCIAL_ORGANISATIONS = 13_000  # at scale 1.0 (SPEC §2.5)


@dataclass(frozen=True)
class GeneratorContext:
    """What every community needs besides its own plan (sent once to each worker)."""

    scale: float
    seed: int
    as_of_us: int  # "now", µs since 1970 UTC
    start_us: int  # first day of the event history
    data_key: bytes
    categories: CategoryTable
    department_ids: dict[str, int]
    household_target: tuple[int, int]
    residents_total: float  # planned residents of the whole city at this scale


@dataclass
class CommunityBlock:
    """Everything generated for one community, table by table, in foreign-key order."""

    ordinal: int
    code: str
    chunks: list[TableChunk]
    component_class: NDArray[np.int64]  # numbered by the loader per district and class
    dropped_buildings: int
    counts: dict[str, int]


def _stem(name: str) -> str:
    return name.removesuffix("社区") or name


def generate_community(plan: CommunityPlan, geometry: bytes, ctx: GeneratorContext
                       ) -> CommunityBlock:
    """Generate the community of ``plan`` (``geometry`` is its WGS 84 WKB)."""
    rng = np.random.default_rng([ctx.seed, plan.ordinal, 0xB10C])
    polygon = shapely.from_wkb(geometry)
    hotspot = next((h for h in PLANTED_HOTSPOTS if h.community_code == plan.code), None)
    counts = dict(plan.buildings)
    if hotspot is not None:
        counts[hotspot.kind] = max(counts.get(hotspot.kind, 0), _HOTSPOT_MIN_BUILDINGS)
    layout = place_buildings(polygon, counts, rng,
                             centre=hotspot.centre if hotspot else None,
                             first_kind=hotspot.kind if hotspot else None)
    specs = draw_specs(layout.kind, rng)
    rooms = expand_rooms(specs, rng)
    residential = np.bincount(rooms.building[rooms.use == 0], minlength=len(layout.kind))
    centroids = layout.centroids_lonlat()
    grids = partition_community(plan.code, polygon, centroids, residential,
                                target=ctx.household_target)
    grid_of = np.zeros(len(layout.kind), dtype=np.int64)
    for index, grid in enumerate(grids):
        grid_of[grid.building_indices] = index
    sequence = building_sequence(grid_of, centroids)
    order = np.lexsort((sequence, grid_of))
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    grid_codes = np.array([g.code for g in grids]).astype("S14").view(np.uint8).reshape(-1, 14)
    building_code = ascii_rows(grid_codes[grid_of[order]], digits(sequence[order], 5))
    kind = layout.kind[order]
    specs = type(specs)(**{name: getattr(specs, name)[order] for name in specs.__dataclass_fields__})
    room_order = np.lexsort((np.arange(len(rooms.building)), rank[rooms.building]))
    rooms = type(rooms)(**{name: getattr(rooms, name)[room_order]
                           for name in rooms.__dataclass_fields__})
    rooms = type(rooms)(**{**{n: getattr(rooms, n) for n in rooms.__dataclass_fields__},
                           "building": rank[rooms.building]})
    grid_of, centroids = grid_of[order], centroids[order]
    names = {"district": plan.district_name, "street": plan.street_name,
             "community": plan.name, "stem": _stem(plan.name)}
    block_centres = (layout.blocks[:, :2] + layout.blocks[:, 2:]) / 2
    side = _side_of(block_centres - block_centres.mean(axis=0)) if len(block_centres) else []
    labels = label_buildings(
        rng, prefix=f"深圳市{plan.district_name}{plan.street_name}{plan.name}",
        stem=names["stem"], district_short=plan.district_name, kind=kind,
        block=layout.block[order], block_row=layout.block_row, block_side=np.asarray(side))
    as_of_day = ctx.as_of_us // (86_400 * 1_000_000)
    building_kind_of_room = np.array(KIND_NAMES)[kind[rooms.building]]
    housed = np.flatnonzero((rooms.use == 0) & np.isin(building_kind_of_room, _RESIDENTIAL_KINDS))
    population = populate(rng, room=housed, kind=building_kind_of_room[housed],
                          area_m2=rooms.area_cents[housed] / 100, district=plan.code[:6],
                          ordinal=plan.ordinal, as_of_day=as_of_day)
    age_days = as_of_day - population.birth
    adults = np.flatnonzero((population.moved_out < 0) & (age_days > 22 * 365)
                            & (age_days < 65 * 365))
    share = plan.residents_expected / max(ctx.residents_total, 1.0)
    entities = make_entities(
        rng, ordinal=plan.ordinal, district=plan.code[:6], names=names,
        hosts_street_office=plan.hosts_street_office,
        building_kind=kind, building_name=labels.name, room_building=rooms.building,
        room_use=rooms.use, room_floor=rooms.floor, adults=adults,
        social_organisations=int(rng.poisson(_SOCIAL_ORGANISATIONS * ctx.scale * share)),
        as_of_day=as_of_day)
    grid_polygons = np.array([g.polygon for g in grids], dtype=object)
    tree = shapely.STRtree(grid_polygons)
    wanted = int(rng.poisson(COMPONENTS_PER_BUILDING * len(kind)))
    points = sidewalk_points(layout, polygon, wanted, rng)
    components = make_components(rng, points, as_of_day)
    component_grid = _grid_of_points(tree, points)
    weight = (1.0 + 0.3 * np.bincount(rooms.building, weights=rooms.use == 0, minlength=len(kind))
              + 0.6 * np.bincount(rooms.building, weights=rooms.use == 1, minlength=len(kind)))
    draft = draw_events(
        rng, ctx.categories, count=plan.events, building_kind=kind, building_weight=weight,
        building_lonlat=centroids, component_class=components.component_class,
        component_damaged=components.state != 0, component_lonlat=components.lonlat,
        start_us=ctx.start_us, end_us=ctx.as_of_us, hotspot=hotspot, scale=ctx.scale)
    histories = simulate_histories(rng, draft, ctx.categories,
                                   department_ids=ctx.department_ids, district=plan.code[:6],
                                   as_of_us=ctx.as_of_us)
    event_grid = _grid_of_points(tree, draft.lonlat)
    event_grid = np.where(event_grid < 0, grid_of[np.maximum(draft.building, 0)], event_grid)
    grid_code_list = [g.code for g in grids]
    cipher = cipher_for(ctx.data_key)
    chunks = [
        encode_grids(plan, grids, ctx.household_target),
        encode_buildings(building_code, grid_codes[grid_of], layout, order, kind, specs, labels),
        *encode_rooms(building_code, rooms, grid_codes[grid_of], door_labels(rooms), population,
                      cipher),
        encode_entities(entities, grid_codes[grid_of]),
        encode_components(components, grid_codes, component_grid, ctx.department_ids,
                          plan.code[:6]),
        encode_events(plan, draft, histories, ctx.categories, grid_codes[event_grid],
                      labels.address, names),
        encode_actions(histories),
    ]
    counts_out = {chunk.table: chunk.rows for chunk in chunks}
    counts_out["grids"] = len(grid_code_list)
    return CommunityBlock(plan.ordinal, plan.code, chunks, components.component_class,
                          layout.dropped, counts_out)


def _side_of(offsets: NDArray[np.float64]) -> list[int]:
    """0 东, 1 南, 2 西, 3 北 for each offset from the centre."""
    angle = np.degrees(np.arctan2(offsets[:, 1], offsets[:, 0]))
    return (((-angle + 45) % 360) // 90).astype(np.int64).tolist()


def _grid_of_points(tree: shapely.STRtree, lonlat: NDArray[np.float64]) -> NDArray[np.int64]:
    """Index of the grid covering each point (lowest on shared edges), -1 if none."""
    chosen = np.full(len(lonlat), -1, dtype=np.int64)
    if len(lonlat) == 0:
        return chosen
    points, grids = tree.query(shapely.points(lonlat), predicate="covered_by")
    best = np.full(len(lonlat), np.iinfo(np.int64).max)
    np.minimum.at(best, points, grids)
    chosen = np.where(best == np.iinfo(np.int64).max, -1, best)
    outside = np.flatnonzero(chosen < 0)
    if len(outside):
        chosen[outside] = tree.nearest(shapely.points(lonlat[outside]))
    return chosen

