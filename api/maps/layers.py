"""The map layers (图层) of blockgrid: one registry for vector tiles and OGC API – Features.

Each layer reads a table through the caller's row-level security, so tiles and OGC
items are limited to the caller's area like every other read. Population is only ever
published aggregated (by grid, or in square bins), never as individual points.
"""

from __future__ import annotations

from dataclasses import dataclass

from api.events.statuses import OVERDUE, STATUSES
from api.events.workflow import FINAL_STATUSES, OPEN_STATUSES
from gis.tiles import LayerSpec

AREA_STAT_PROPERTIES = {
    "residents": "s.residents",
    "households": "s.households",
    "elderly": "s.age_60_plus",
    "elderly_alone": "s.elderly_alone",
    "events_open": "s.events_open",
    "events_overdue": "s.events_overdue",
    "buildings": "s.buildings",
    "entities": "s.entities",
}


@dataclass(frozen=True)
class LegendEntry:
    """One class of a layer's legend: the property value, its labels and its colour."""

    value: str
    label_zh: str
    label_en: str
    color: str

    def as_json(self) -> dict[str, str]:
        return {
            "value": self.value,
            "label_zh": self.label_zh,
            "label_en": self.label_en,
            "color": self.color,
        }


def _legend(*entries: tuple[str, str, str, str]) -> tuple[LegendEntry, ...]:
    return tuple(LegendEntry(*entry) for entry in entries)


@dataclass(frozen=True)
class Layer:
    """A published layer: its tile spec, titles, OGC geometry column and cache dependencies."""

    spec: LayerSpec
    title_zh: str
    title_en: str
    description: str
    geometry_type: str
    geom_4326: str
    id_column: str
    tables: tuple[str, ...]
    legend_entries: tuple[LegendEntry, ...] = ()
    ogc_where: str | None = None  # OGC filter when the tile ``where`` uses tile parameters
    analysis: bool = False  # drawn from a hotspot run chosen per request; not an OGC collection
    minute_bound: bool = False  # properties depend on the clock (overdue): cache per minute

    @property
    def id(self) -> str:
        return self.spec.name

    @property
    def legend(self) -> tuple[tuple[str, str, str], ...]:
        """(value, zh label, colour) of each legend class, as the TileJSON lists them."""
        return tuple((e.value, e.label_zh, e.color) for e in self.legend_entries)

    def legend_json(self) -> list[dict[str, str]]:
        """The legend with both labels, as ``GET /api/reference`` serves it."""
        return [entry.as_json() for entry in self.legend_entries]


def _area_layer(level: str, title_zh: str, title_en: str, minzoom: int, maxzoom: int) -> Layer:
    return Layer(
        spec=LayerSpec(
            name=f"{level}s" if level != "community" else "communities",
            source="areas t LEFT JOIN area_stats s ON s.area_code = t.code",
            geom_3857="t.geom_3857",
            properties={
                "code": "t.code",
                "name": "t.short_name",
                "level": "t.level",
                **AREA_STAT_PROPERTIES,
            },
            minzoom=minzoom,
            maxzoom=maxzoom,
            where=f"t.level = '{level}'",
            simplify=True,
        ),
        title_zh=title_zh,
        title_en=title_en,
        description=f"{title_en} with live statistics for choropleths",
        geometry_type="MultiPolygon",
        geom_4326="t.geom",
        id_column="t.code",
        tables=("areas", "area_stats"),
    )


BUILDING_USE_LEGEND = _legend(
    ("residential", "住宅", "Residential", "#f2c14e"),
    ("urban_village", "城中村", "Urban village", "#e07a5f"),
    ("commercial", "商业", "Commercial", "#3d85c6"),
    ("office", "办公", "Office", "#6fa8dc"),
    ("industrial", "工业", "Industrial", "#8e7cc3"),
    ("school", "学校", "School", "#6aa84f"),
    ("medical", "医疗", "Medical", "#cc0000"),
    ("public", "公共设施", "Public facility", "#76a5af"),
    ("mixed", "商住混合", "Mixed use", "#e69138"),
    ("other", "其他", "Other", "#999999"),
)
# The workflow's rules as SQL: not yet settled; overdue as events.service.is_overdue says.
_NOT_FINAL = f"t.status NOT IN {FINAL_STATUSES!r}"
_OVERDUE = f"t.status IN {OPEN_STATUSES!r} AND t.stage_due_at < now()"
# Every event status (待结案 included) and overdue, from the one list in api.events.statuses.
EVENT_STATUS_LEGEND = tuple(
    LegendEntry(str(term.code), term.label_zh, term.label_en, term.color or "#999999")
    for term in (*STATUSES, OVERDUE)
)
HOTSPOT_LEGEND = _legend(
    ("3", "热点 99%", "Hot spot 99%", "#b2182b"),
    ("2", "热点 95%", "Hot spot 95%", "#ef8a62"),
    ("1", "热点 90%", "Hot spot 90%", "#fddbc7"),
    ("0", "不显著", "Not significant", "#f7f7f7"),
    ("-1", "冷点 90%", "Cold spot 90%", "#d1e5f0"),
    ("-2", "冷点 95%", "Cold spot 95%", "#67a9cf"),
    ("-3", "冷点 99%", "Cold spot 99%", "#2166ac"),
)
COMPONENT_STATE_LEGEND = _legend(
    ("intact", "完好", "Intact", "#6aa84f"),
    ("damaged", "破损", "Damaged", "#e69138"),
    ("lost", "丢失", "Lost", "#cc0000"),
    ("occupied", "占用", "Occupied", "#674ea7"),
)

LAYERS: dict[str, Layer] = {
    layer.id: layer
    for layer in (
        _area_layer("district", "区", "Districts", 0, 22),
        _area_layer("street", "街道", "Streets", 9, 22),
        _area_layer("community", "社区", "Communities", 11, 22),
        _area_layer("grid", "基础网格", "Basic grids", 12, 22),
        Layer(
            spec=LayerSpec(
                name="buildings",
                source="buildings t LEFT JOIN building_stats s ON s.building_id = t.id",
                geom_3857="t.footprint_3857",
                search_4326="t.footprint",
                properties={
                    "code": "t.code",
                    "name": "t.name",
                    "use_type": "t.use_type",
                    "floors": "t.floors",
                    "year_built": "t.year_built",
                    "residents": "coalesce(s.residents, 0)",
                    "events_open": "coalesce(s.events_open, 0)",
                },
                minzoom=14,
                simplify=True,
            ),
            title_zh="楼栋",
            title_en="Buildings",
            description="Building footprints by use",
            geometry_type="MultiPolygon",
            geom_4326="t.footprint",
            id_column="t.code",
            tables=("buildings", "building_stats"),
            legend_entries=BUILDING_USE_LEGEND,
        ),
        Layer(
            spec=LayerSpec(
                name="entities",
                source="entities t JOIN buildings b ON b.id = t.building_id",
                geom_3857="ST_PointOnSurface(b.footprint_3857)",
                properties={
                    "id": "t.id",
                    "name": "t.name",
                    "entity_type": "t.entity_type",
                    "industry": "t.industry",
                    "status": "t.status",
                },
                minzoom=15,
                where="t.status = 'active'"
                " AND b.footprint && ST_Transform(ST_TileEnvelope($1, $2, $3), 4326)",
            ),
            title_zh="法人单位",
            title_en="Legal entities",
            description="Entities at their building",
            geometry_type="Point",
            geom_4326="ST_PointOnSurface(b.footprint)",
            id_column="t.id",
            tables=("entities", "buildings"),
            ogc_where="t.status = 'active'",
        ),
        Layer(
            spec=LayerSpec(
                name="components",
                source="components t JOIN component_classes c"
                " ON c.major = t.major AND c.minor = t.minor",
                geom_3857="t.geom_3857",
                properties={
                    "id": "t.id",
                    "major": "t.major",
                    "minor": "t.minor",
                    "name": "c.name",
                    "state": "t.state",
                },
                minzoom=15,
            ),
            title_zh="城市部件",
            title_en="City components",
            description="Manholes, lamps, hydrants, shelters, toilets, trees...",
            geometry_type="Point",
            geom_4326="t.geom",
            id_column="t.id",
            tables=("components",),
            legend_entries=COMPONENT_STATE_LEGEND,
        ),
        Layer(
            spec=LayerSpec(
                name="events",
                source="events t JOIN event_categories c ON c.id = t.category_id",
                geom_3857="t.geom_3857",
                properties={
                    "id": "t.id",
                    "code": "t.code",
                    "major": "c.major",
                    "category": "c.name",
                    "status": "t.status",
                    "priority": "t.priority",
                    "overdue": f"({_OVERDUE})",
                    "reported_at": "to_char(t.reported_at, 'YYYY-MM-DD HH24:MI')",
                },
                minzoom=10,
                cluster_below=15,  # z14 tiles of every event over 3 years reach 500 KB
                cluster_properties={
                    "open": f"count(*) FILTER (WHERE {_NOT_FINAL})",
                    "overdue": f"count(*) FILTER (WHERE {_OVERDUE})",
                },
                where="t.status <> 'rejected'",
            ),
            title_zh="事件",
            title_en="Events",
            description="Cases by status, clustered below z15",
            geometry_type="Point",
            geom_4326="t.geom",
            id_column="t.id",
            tables=("events",),
            legend_entries=EVENT_STATUS_LEGEND,
        ),
        Layer(
            spec=LayerSpec(
                name="hotspots",
                source="hotspot_results t",
                geom_3857="t.geom_3857",
                properties={
                    "unit_id": "t.unit_id",
                    "name": "t.name",
                    "events": "t.events",
                    "rate": "t.rate",
                    "z": "round(t.z::numeric, 2)",
                    "gi_bin": "t.gi_bin",
                    "pattern": "t.pattern",
                },
                where="t.run_id = $4",  # the run id, bound by api.maps.service.tile
                simplify=True,
            ),
            title_zh="热点分析",
            title_en="Hotspots",
            description="Gi* classes of a computed hotspot run (run: run_id of /api/hotspots)",
            geometry_type="MultiPolygon",
            geom_4326="ST_Transform(t.geom_3857, 4326)",
            id_column="t.unit_id",
            tables=("hotspot_results",),
            legend_entries=HOTSPOT_LEGEND,
            analysis=True,
        ),
    )
}


OGC_LAYERS: dict[str, Layer] = {key: layer for key, layer in LAYERS.items() if not layer.analysis}
