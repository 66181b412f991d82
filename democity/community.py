"""Generate all block data (块数据) of one community, ready for binary COPY.

:func:`generate_community` is what the loader's worker processes run: it lays out the
buildings, cuts the community into basic grids, issues building and room codes, fills
the rooms with households and people (encrypting their ID numbers and phones), adds
entities, components and events with their histories, and encodes every column that
does not depend on database ids, as binary COPY data (:mod:`democity.chunks`); the
loader only fills in ids from its running offsets, so ids are dense and follow the
community order whichever worker finishes first.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely
from numpy.typing import NDArray
from shapely.geometry import MultiPolygon, Polygon

from api.buildings.models import ROOM_USES
from api.events.calendar import WorkCalendar
from api.privacy import cipher_for
from democity.addresses import BuildingLabels, label_buildings
from democity.buildings import (
    BuildingSpecs,
    Rooms,
    building_sequence,
    door_labels,
    draw_specs,
    expand_rooms,
)
from democity.chunks import PackedChunk, pack_chunk
from democity.columns import ascii_rows, digits
from democity.components import COMPONENTS_PER_BUILDING, make_components
from democity.entities import make_entities
from democity.events import CategoryTable, draw_events
from democity.hotspots import PLANTED_HOTSPOTS, PlantedHotspot
from democity.layout import Layout, place_buildings, sidewalk_points
from democity.plan import CommunityPlan
from democity.population import populate
from democity.profiles import KIND_NAMES
from democity.tables import (
    encode_actions,
    encode_buildings,
    encode_components,
    encode_entities,
    encode_events,
    encode_grids,
    encode_rooms,
)
from democity.workflow import simulate_histories
from grids.partition import BasicGrid, partition_community

__all__ = ["CommunityBlock", "GeneratorContext", "Site", "generate_community", "lay_out_site"]

_RESIDENTIAL_KINDS = ("uv", "tower", "walkup", "mixed", "dorm")
_RESIDENTIAL, _COMMERCIAL = ROOM_USES.index("residential"), ROOM_USES.index("commercial")
_HOTSPOT_MIN_BUILDINGS = 12
_SOCIAL_ORGANISATIONS = 13_000  # at scale 1.0 (SPEC §2.5)
_MICROS_PER_DAY = 86_400 * 1_000_000


@dataclass(frozen=True)
class GeneratorContext:
    """What every community needs besides its own plan (sent once to each worker)."""

    scale: float
    seed: int
    as_of_us: int  # "now", µs since 1970 UTC
    start_us: int  # first moment of the event history
    data_key: bytes
    categories: CategoryTable
    department_ids: dict[str, int]
    household_target: tuple[int, int]
    residents_total: float  # planned residents of the whole city at this scale
    work_calendar: WorkCalendar  # with the exceptions of the work_calendar table


@dataclass
class CommunityBlock:
    """Everything generated for one community, table by table, in foreign-key order."""

    ordinal: int
    code: str
    chunks: list[PackedChunk]
    dropped_buildings: int


@dataclass(frozen=True)
class Site:
    """A community's buildings in code order, with their rooms and basic grids."""

    layout: Layout
    order: NDArray[np.int64]  # layout index of each building (code order)
    kind: NDArray[np.int64]
    specs: BuildingSpecs
    rooms: Rooms
    grids: list[BasicGrid]
    grid_of: NDArray[np.int64]  # grid index of each building
    code: NDArray[np.uint8]  # (n, 19) building codes
    centroids: NDArray[np.float64]

    @property
    def grid_codes(self) -> NDArray[np.uint8]:
        """(grids, 14) ASCII grid codes."""
        return np.array([g.code for g in self.grids]).astype("S14").view(np.uint8).reshape(-1, 14)


def lay_out_site(
    plan: CommunityPlan,
    polygon: Polygon | MultiPolygon,
    rng: np.random.Generator,
    *,
    target: tuple[int, int],
    hotspot: PlantedHotspot | None = None,
) -> Site:
    """Place the buildings, divide them into rooms, cut the grids and issue building codes."""
    counts = dict(plan.buildings)
    if hotspot is not None:
        counts[hotspot.kind] = max(counts.get(hotspot.kind, 0), _HOTSPOT_MIN_BUILDINGS)
    layout = place_buildings(
        polygon,
        counts,
        rng,
        centre=hotspot.centre if hotspot else None,
        first_kind=hotspot.kind if hotspot else None,
    )
    specs = draw_specs(layout.kind, rng)
    rooms = expand_rooms(specs, rng)
    households = np.bincount(rooms.building[rooms.use == _RESIDENTIAL], minlength=len(layout.kind))
    centroids = layout.centroids_lonlat()
    grids = partition_community(plan.code, polygon, centroids, households, target=target)
    grid_of = np.zeros(len(layout.kind), dtype=np.int64)
    for index, grid in enumerate(grids):
        grid_of[grid.building_indices] = index
    sequence = building_sequence(grid_of, centroids)
    order = np.lexsort((sequence, grid_of))
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    grid_codes = np.array([g.code for g in grids]).astype("S14").view(np.uint8).reshape(-1, 14)
    code = ascii_rows(grid_codes[grid_of[order]], digits(sequence[order], 5))
    return Site(
        layout,
        order,
        layout.kind[order],
        specs.take(order),
        rooms.renumber(rank),
        grids,
        grid_of[order],
        code,
        centroids[order],
    )


def generate_community(
    plan: CommunityPlan, geometry: bytes, ctx: GeneratorContext
) -> CommunityBlock:
    """Generate the community of ``plan`` (``geometry`` is its WGS 84 WKB)."""
    rng = np.random.default_rng([ctx.seed, plan.ordinal, 0xB10C])
    polygon = shapely.from_wkb(geometry)
    hotspot = next((h for h in PLANTED_HOTSPOTS if h.community_code == plan.code), None)
    site = lay_out_site(plan, polygon, rng, target=ctx.household_target, hotspot=hotspot)
    names = {
        "district": plan.district_name,
        "street": plan.street_name,
        "community": plan.name,
        "stem": plan.name.removesuffix("社区") or plan.name,
    }
    labels = _labels(site, names, rng)
    as_of_day = ctx.as_of_us // _MICROS_PER_DAY
    rooms, kind = site.rooms, site.kind
    room_kind = np.array(KIND_NAMES)[kind[rooms.building]]
    housed = np.flatnonzero((rooms.use == _RESIDENTIAL) & np.isin(room_kind, _RESIDENTIAL_KINDS))
    population = populate(
        rng,
        room=housed,
        kind=room_kind[housed],
        area_m2=rooms.area_cents[housed] / 100,
        district=plan.code[:6],
        ordinal=plan.ordinal,
        as_of_day=as_of_day,
    )
    age_days = as_of_day - population.birth
    adults = np.flatnonzero(
        (population.moved_out < 0) & (age_days > 22 * 365) & (age_days < 65 * 365)
    )
    share = plan.residents_expected / max(ctx.residents_total, 1.0)
    entities = make_entities(
        rng,
        ordinal=plan.ordinal,
        district=plan.code[:6],
        names=names,
        hosts_street_office=plan.hosts_street_office,
        building_kind=kind,
        building_name=labels.name,
        room_building=rooms.building,
        room_use=rooms.use,
        room_floor=rooms.floor,
        adults=adults,
        social_organisations=int(rng.poisson(_SOCIAL_ORGANISATIONS * ctx.scale * share)),
        as_of_day=as_of_day,
    )
    tree = shapely.STRtree(np.array([g.polygon for g in site.grids], dtype=object))
    wanted = int(rng.poisson(COMPONENTS_PER_BUILDING * len(kind)))
    components = make_components(rng, sidewalk_points(site.layout, polygon, wanted, rng), as_of_day)
    weight = (
        1.0
        + 0.3 * np.bincount(rooms.building, weights=rooms.use == _RESIDENTIAL, minlength=len(kind))
        + 0.6 * np.bincount(rooms.building, weights=rooms.use == _COMMERCIAL, minlength=len(kind))
    )
    draft = draw_events(
        rng,
        ctx.categories,
        count=plan.events,
        building_kind=kind,
        building_weight=weight,
        building_lonlat=site.centroids,
        component_class=components.component_class,
        component_damaged=components.state != 0,
        component_lonlat=components.lonlat,
        start_us=ctx.start_us,
        end_us=ctx.as_of_us,
        hotspot=hotspot,
        scale=ctx.scale,
    )
    histories = simulate_histories(
        rng,
        draft,
        ctx.categories,
        department_ids=ctx.department_ids,
        district=plan.code[:6],
        as_of_us=ctx.as_of_us,
        clock=ctx.work_calendar,
    )
    event_grid = _grid_of_points(tree, draft.lonlat)
    event_grid = np.where(event_grid < 0, site.grid_of[np.maximum(draft.building, 0)], event_grid)
    building_grid = site.grid_codes[site.grid_of]
    chunks = [
        encode_grids(plan, site.grids, ctx.household_target),
        encode_buildings(
            site.code, building_grid, site.layout, site.order, kind, site.specs, labels
        ),
        *encode_rooms(
            site.code,
            rooms,
            building_grid,
            door_labels(rooms),
            population,
            cipher_for(ctx.data_key),
        ),
        encode_entities(entities, building_grid),
        encode_components(
            components,
            site.grid_codes,
            _grid_of_points(tree, components.lonlat),
            ctx.department_ids,
            plan.code[:6],
        ),
        encode_events(
            plan,
            draft,
            histories,
            ctx.categories,
            site.grid_codes[event_grid],
            labels.address,
            names,
        ),
        encode_actions(histories),
    ]
    return CommunityBlock(
        plan.ordinal, plan.code, [pack_chunk(c) for c in chunks], site.layout.dropped
    )


def _labels(site: Site, names: dict[str, str], rng: np.random.Generator) -> BuildingLabels:
    """Names and addresses of the site's buildings (house numbers in code order)."""
    blocks = site.layout.blocks
    centres = (blocks[:, :2] + blocks[:, 2:]) / 2
    offsets = centres - centres.mean(axis=0) if len(centres) else centres
    angle = np.degrees(np.arctan2(offsets[:, 1], offsets[:, 0]))
    side = (((-angle + 45) % 360) // 90).astype(np.int64) % 4  # 0 东, 1 南, 2 西, 3 北
    return label_buildings(
        rng,
        prefix=f"深圳市{names['district']}{names['street']}{names['community']}",
        stem=names["stem"],
        district_short=names["district"],
        kind=site.kind,
        block=site.layout.block[site.order],
        block_row=site.layout.block_row,
        block_side=side,
    )


def _grid_of_points(tree: shapely.STRtree, lonlat: NDArray[np.float64]) -> NDArray[np.int64]:
    """Index of the grid covering each point (lowest on shared edges), else the nearest."""
    if len(lonlat) == 0:
        return np.zeros(0, dtype=np.int64)
    points = shapely.points(lonlat)
    hit, grid = tree.query(points, predicate="covered_by")
    none = np.iinfo(np.int64).max
    best = np.full(len(lonlat), none)
    np.minimum.at(best, hit, grid)
    outside = np.flatnonzero(best == none)
    if len(outside):
        best[outside] = tree.nearest(points[outside])
    return best
