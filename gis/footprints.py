"""Building footprints (建筑轮廓) from any GDAL vector source, checked and repaired, in WGS 84.

:func:`read_footprints` reads a GeoPackage, Shapefile, GeoJSON, FileGDB or OpenStreetMap
file through pyogrio and Arrow, recognises its CRS with :mod:`gis.crs` (a file without
one is taken as WGS 84 only when its coordinates are longitude/latitude in China),
refuses swapped latitude/longitude, converts to WGS 84, repairs the geometries
(:mod:`gis.footprint_shapes`) and maps the attributes (source id, use, floors, year, name,
address); geometry and attributes are worked on in parallel threads. Features that
cannot be used are returned as :class:`Reject` rows with a reason instead of failing
the file. No database here: the loader is ``api.buildings.importer``.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyogrio
import shapely
from numpy.typing import ArrayLike, NDArray

from gis.crs import WGS84_SRID, CrsLike, ResolvedCrs
from gis.dbf import readable_shapefile
from gis.footprint_shapes import clean_shapes, detect_crs
from gis.repair import (
    EMPTY,
    MIN_AREA_M2,
    NOT_POLYGON,
    REPAIRED,
    SLIVER,
    UNREPAIRABLE,
    repair_polygons,
)
from gis.wkb import wkb_array

__all__ = [
    "BATCH_FEATURES",
    "USE_TYPES",
    "FootprintError",
    "Footprints",
    "Reject",
    "concat_footprints",
    "detect_crs",
    "iter_footprints",
    "layer_size",
    "map_use_types",
    "parse_floors",
    "read_footprints",
    "repair_polygons",
    "write_rejects",
]

#: Building uses (楼栋用途); the same values as ``api.buildings.models.BUILDING_USES``.
USE_TYPES = (
    "residential",
    "urban_village",
    "commercial",
    "office",
    "industrial",
    "school",
    "medical",
    "public",
    "mixed",
    "other",
)
MAX_FLOORS = 200

_USE_ALIASES = {
    "residential": (
        "apartments",
        "house",
        "detached",
        "semidetached_house",
        "terrace",
        "dormitory",
        "bungalow",
        "residence",
        "housing",
        "住宅",
        "居住",
        "宿舍",
    ),
    "urban_village": ("urban village", "城中村", "农民房", "私宅", "村民自建房", "自建房"),
    "commercial": (
        "retail",
        "shop",
        "supermarket",
        "kiosk",
        "hotel",
        "mall",
        "商业",
        "商铺",
        "商场",
        "酒店",
    ),
    "office": ("offices", "写字楼", "办公"),
    "industrial": ("warehouse", "factory", "manufacture", "厂房", "工业", "仓库"),
    "school": ("university", "college", "kindergarten", "学校", "教育", "幼儿园"),
    "medical": ("hospital", "clinic", "healthcare", "医院", "医疗", "卫生"),
    "public": (
        "civic",
        "government",
        "public_building",
        "train_station",
        "transportation",
        "fire_station",
        "police",
        "community_centre",
        "公共",
        "公建",
        "政府",
        "公共建筑",
    ),
    "mixed": ("mixed_use", "mixed use", "商住", "综合"),
    "other": ("yes", "其他", "其它"),
}
_USE_OF = {alias: use for use, aliases in _USE_ALIASES.items() for alias in (use, *aliases)}

# Attribute names tried in order (compared case-insensitively).
ID_FIELDS = (
    "id",
    "osm_id",
    "fid",
    "objectid",
    "building_id",
    "bldg_id",
    "uuid",
    "gml_id",
    "编号",
    "建筑编号",
)
# A 4-character Chinese name is 12 bytes; a Shapefile keeps 10, so "建筑用途" arrives as
# "建筑用" (gis.dbf): the cut forms are names too.
_USE_FIELDS = (
    "use_type",
    "use",
    "usage",
    "type",
    "building",
    "function",
    "用途",
    "建筑用途",
    "建筑用",
)
_FLOOR_FIELDS = (
    "floors",
    "building:levels",
    "building_levels",
    "levels",
    "storeys",
    "num_floors",
    "层数",
    "地上层数",
    "地上层",
)
_YEAR_FIELDS = (
    "year_built",
    "year",
    "built_year",
    "construction_year",
    "start_date",
    "建成年份",
    "竣工年份",
    "建成年",
    "竣工年",
)
_NAME_FIELDS = ("name", "building_name", "bldg_name", "名称", "建筑名称", "建筑名")
_ADDRESS_FIELDS = ("address", "addr", "addr:full", "地址", "门牌地址", "门牌地")
_OSM_TAGS = ("building:levels", "start_date", "addr:full")
_FLOORS_TEXT = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(?:层|f|floors?|levels?)?\s*$", re.IGNORECASE)


class FootprintError(ValueError):
    """A source that cannot be read as footprints: no such layer or field, several layers."""


@dataclass(frozen=True)
class Reject:
    """A feature left out of the import, with its position in the file and why."""

    index: int  #: 0-based position of the feature in the layer
    source_id: str | None
    reason: str
    geometry: Any = None  #: WGS 84 when it got that far, for the rejects GeoPackage


@dataclass
class Footprints:
    """Clean footprints, one row per kept feature, plus the rejected ones.

    ``wkb`` holds each footprint as stored: a valid MultiPolygon in WGS 84, as
    little-endian WKB; ``anchor`` its point on surface (lon, lat), which places it in a
    grid; ``index`` points back to the feature's position in the layer; ``year_built``
    is 0 where unknown. Texts stay Arrow strings (null where there is none), so that no
    Python string is made per value between the file and the COPY. Shapely geometries
    are built only on request (:attr:`geometry`, :meth:`geometries`), except where
    repairs already made them.
    """

    wkb: pa.BinaryArray
    anchor: NDArray[np.float64]
    index: NDArray[np.int64]
    source_id: pa.StringArray
    use_type: pa.StringArray  # one of USE_TYPES
    floors: NDArray[np.int16]
    year_built: NDArray[np.int16]
    name: pa.StringArray
    address: pa.StringArray
    crs: ResolvedCrs
    read: int
    repaired: int
    rejects: list[Reject] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    #: The shapely MultiPolygon where the reader built one (None elsewhere).
    built: NDArray[np.object_] | None = None

    def __len__(self) -> int:
        return len(self.index)

    @property
    def geometry(self) -> NDArray[np.object_]:
        """Every footprint as a shapely MultiPolygon."""
        return self.geometries(np.arange(len(self)))

    def geometries(self, rows: NDArray[np.int64]) -> NDArray[np.object_]:
        """The footprints ``rows`` as shapely MultiPolygons (built from ``wkb`` if need be)."""
        rows = np.asarray(rows, dtype=np.int64)
        if self.built is None:
            self.built = np.full(len(self), None, dtype=object)
        missing = rows[shapely.is_missing(self.built[rows])]
        if len(missing):
            blobs = self.wkb.take(pa.array(missing)).to_numpy(zero_copy_only=False)
            self.built[missing] = shapely.from_wkb(blobs)
        return self.built[rows]


# -- reading ----------------------------------------------------------------------------
def _choose_layer(path: Path, layer: str | None, driver: str) -> str | None:
    if layer is not None or driver == "OSM":
        return layer or "multipolygons"
    layers = pyogrio.list_layers(path)
    polygonal = [str(name) for name, kind in layers if kind and "Polygon" in str(kind)]
    if len(layers) > 1 and len(polygonal) != 1:
        names = ", ".join(str(name) for name, _ in layers)
        raise FootprintError(f"{path.name} has several layers ({names}): choose one with --layer")
    return polygonal[0] if polygonal else None


_NO_GEOMETRY = (
    "{name} has no geometry: building footprints need polygons. Give a GeoPackage, "
    "Shapefile or GeoJSON, or add a column named WKT to the CSV holding each footprint "
    "as WKT (POLYGON((114.05 22.54, ...)))"
)
_NOT_UTF8 = (
    "{name} holds text that is not UTF-8 ({reason}): save it as UTF-8 (for a CSV from "
    "Excel: CSV UTF-8), or give a Shapefile a .cpg file naming its encoding (e.g. GBK)"
)

#: Features per batch when a layer is read batch by batch (:func:`iter_footprints`).
BATCH_FEATURES = 65_536


@dataclass
class _Stream:
    """What carries over from one batch of a layer to the next."""

    driver: str
    declared: str | None
    override: CrsLike | None
    id_field: str | None
    fields: list[str]
    crs: ResolvedCrs | None = None  # decided on the first batch
    offset: int = 0  # position in the layer of the batch's first feature
    first_of: dict[str, int] = field(default_factory=dict)  # source id → first feature


def layer_size(path: str | Path, layer: str | None = None) -> int | None:
    """Features in the layer as GDAL counts them without reading it (None: unknown)."""
    try:
        with readable_shapefile(Path(path)) as (readable, _):
            info = pyogrio.read_info(readable, layer=0 if layer is None else layer)
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError, OSError, ValueError):
        return None  # the reading reports it
    count = int(info.get("features", -1))
    return count if count >= 0 and info.get("driver") != "OSM" else None


def iter_footprints(
    path: str | Path,
    *,
    layer: str | None = None,
    crs: CrsLike | None = None,
    id_field: str | None = None,
    batch_features: int = BATCH_FEATURES,
) -> Iterator[Footprints]:
    """:func:`read_footprints` batch by batch: one :class:`Footprints` per batch of
    ``batch_features`` read.

    The CRS is decided on the first batch (its coordinates when the file declares
    none); a repeated source id is rejected whichever batch the first one was in.
    ``index`` and reject positions count from the start of the layer. An empty layer
    gives one empty batch. Raises as :func:`read_footprints` does, when it meets the
    batch that shows the problem.
    """
    path = Path(path)
    try:
        with readable_shapefile(path) as (readable, renamed):
            yield from _read_batches(readable, layer, crs, id_field, batch_features, renamed)
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError) as exc:
        raise FootprintError(f"cannot read {path}: {exc}") from exc
    except UnicodeDecodeError as exc:  # pyogrio decodes names and values as UTF-8
        raise FootprintError(_NOT_UTF8.format(name=path.name, reason=exc.reason)) from exc


def _read_batches(
    path: Path,
    layer: str | None,
    crs: CrsLike | None,
    id_field: str | None,
    batch_features: int,
    notes: list[str],
) -> Iterator[Footprints]:
    """The batches of one readable source; ``notes`` go with the first."""
    info = pyogrio.read_info(path, layer=0 if layer is None else layer)
    driver = str(info.get("driver", ""))
    if info.get("geometry_type") is None and driver != "OSM":
        raise FootprintError(_NO_GEOMETRY.format(name=path.name))
    layer = _choose_layer(path, layer, driver)
    where = "building IS NOT NULL AND building <> 'no'" if driver == "OSM" else None
    with pyogrio.open_arrow(
        path,
        layer=layer,
        where=where,
        return_fids=True,
        batch_size=batch_features,
        use_pyarrow=True,
    ) as (meta, reader):
        stream = _Stream(driver, meta.get("crs"), crs, id_field, [str(f) for f in meta["fields"]])
        batches = iter(reader)
        first = True
        while (batch := next(batches, None)) is not None:
            yield _noted(_footprints_of(batch, stream), notes if first else [])
            first = False
        if first:
            empty = pa.RecordBatch.from_pylist([], schema=reader.schema)
            yield _noted(_footprints_of(empty, stream), notes)


def _noted(footprints: Footprints, notes: list[str]) -> Footprints:
    footprints.notes.extend(note for note in notes if note not in footprints.notes)
    return footprints


def read_footprints(
    path: str | Path,
    *,
    layer: str | None = None,
    crs: CrsLike | None = None,
    id_field: str | None = None,
) -> Footprints:
    """Read, check, convert and repair the building footprints of a vector file.

    Parameters
    ----------
    path : str or Path
        Any source GDAL reads: GeoPackage, Shapefile, GeoJSON, FileGDB, ``.osm``/``.pbf``
        (the ``multipolygons`` layer, features with a ``building`` tag).
    layer : str, optional
        Layer name; required when the source has several polygon layers.
    crs : str, int or pyproj.CRS, optional
        The CRS of the coordinates when the file lacks or misstates it, or ``"gcj02"`` /
        ``"bd09"`` for coordinates taken from Chinese web maps.
    id_field : str, optional
        Attribute holding the stable source id; by default the first of
        :data:`ID_FIELDS`, then the GeoPackage/FileGDB feature id, then a hash of the
        geometry.

    Returns
    -------
    Footprints

    Raises
    ------
    FootprintError
        Unreadable source, ambiguous layer or unknown ``id_field``.
    CrsError
        Unsupported CRS, or no CRS and coordinates that are not lon/lat in China.
    CoordinateError
        Swapped latitude/longitude or coordinates that are not in China.
    """
    return concat_footprints(list(iter_footprints(path, layer=layer, crs=crs, id_field=id_field)))


def concat_footprints(parts: Sequence[Footprints]) -> Footprints:
    """One :class:`Footprints` of consecutive batches of a layer."""
    first = parts[0]
    return Footprints(
        wkb=pa.concat_arrays([part.wkb for part in parts]),
        anchor=np.concatenate([part.anchor for part in parts]),
        index=np.concatenate([part.index for part in parts]),
        source_id=pa.concat_arrays([part.source_id for part in parts]),
        use_type=pa.concat_arrays([part.use_type for part in parts]),
        floors=np.concatenate([part.floors for part in parts]),
        year_built=np.concatenate([part.year_built for part in parts]),
        name=pa.concat_arrays([part.name for part in parts]),
        address=pa.concat_arrays([part.address for part in parts]),
        crs=first.crs,
        read=sum(part.read for part in parts),
        repaired=sum(part.repaired for part in parts),
        rejects=[reject for part in parts for reject in part.rejects],
        notes=[note for part in parts for note in part.notes],
        built=np.concatenate(
            [
                part.built if part.built is not None else np.full(len(part), None, object)
                for part in parts
            ]
        ),
    )


def _footprints_of(batch: pa.RecordBatch, stream: _Stream) -> Footprints:
    """Check, convert, repair and map one batch of features."""
    names = batch.schema.names  # [fid,] fields..., geometry (names may repeat)
    first = len(names) - len(stream.fields) - 1
    n = batch.num_rows
    wkb = wkb_array(batch.column(len(names) - 1))
    fids = (
        batch.column(0).to_numpy(zero_copy_only=False)
        if first
        else np.arange(stream.offset, stream.offset + n)
    )
    frame = Columns(n, {name: batch.column(first + i) for i, name in enumerate(stream.fields)})
    notes: list[str] = []
    # Geometry work (numpy and shapely, mostly without the GIL) runs in a second thread
    # while this one maps the attributes (Arrow).
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="footprints") as pool:
        cleaning = pool.submit(
            clean_shapes, wkb, stream.declared, stream.override, notes, stream.crs
        )
        try:
            source_ids, unique = _source_ids(frame, fids, wkb, stream.driver, stream.id_field)
            tags = _osm_tags(frame)
            floor_values = _pick(frame, _FLOOR_FIELDS, tags)
            floors, floors_bad = (
                parse_floors(floor_values)
                if floor_values is not None
                else (np.ones(n, dtype=np.int16), np.zeros(n, dtype=bool))
            )
            use_types = map_use_types(_pick(frame, _USE_FIELDS, tags), n)
            years = _years(_pick(frame, _YEAR_FIELDS, tags), n)
            names_ = _texts(_pick(frame, _NAME_FIELDS, tags), 200, n)
            addresses = _texts(_pick(frame, _ADDRESS_FIELDS, tags), 300, n)
        except FootprintError:
            cleaning.result()  # a CRS or coordinate error is reported first, as it was
            raise
        shapes = cleaning.result()
    stream.crs = shapes.crs
    status = shapes.status
    offset, stream.offset = stream.offset, stream.offset + n
    reasons = np.full(n, None, dtype=object)  # the first reason that applies is reported
    _set_reason(reasons, status == EMPTY, "empty geometry")
    _set_reason(
        reasons,
        status == NOT_POLYGON,
        lambda i: f"not a polygon ({shapes.as_read[i].geom_type})",
    )
    _set_reason(reasons, shapes.outside, "outside China")
    _set_reason(reasons, status == UNREPAIRABLE, "invalid and unrepairable")
    _set_reason(reasons, status == SLIVER, f"area below {MIN_AREA_M2:g} m² (sliver)")
    if not unique:
        _reject_duplicates(reasons, source_ids, stream.first_of, offset)
    _set_reason(
        reasons,
        floors_bad,
        lambda i: f"floors is not a number: {floor_values[i].as_py()!r}",  # type: ignore[index]
    )
    keep = _none(reasons)
    kept = np.flatnonzero(keep)
    rejects = [
        Reject(
            int(i) + offset,
            source_ids[int(i)].as_py(),
            str(reasons[i]),
            shapes.geometry_as_read(int(i)),
        )
        for i in np.flatnonzero(~keep)
    ]
    rows = pa.array(kept)
    return Footprints(
        wkb=shapes.stored.take(rows),
        anchor=shapes.anchor[keep],
        index=(kept + offset).astype(np.int64),
        source_id=source_ids.take(rows),
        use_type=use_types.take(rows),
        floors=floors[keep],
        year_built=years[keep],
        name=names_.take(rows),
        address=addresses.take(rows),
        crs=shapes.crs,
        read=n,
        repaired=int(((status == REPAIRED) & keep).sum()),
        rejects=rejects,
        notes=notes,
        built=shapes.built[keep],
    )


def _set_reason(
    reasons: NDArray[np.object_], mask: ArrayLike, reason: str | Callable[[int], str]
) -> None:
    """Give ``reason`` (text, or a function of the feature index) to the features in
    ``mask`` that have none yet."""
    for i in np.flatnonzero(np.asarray(mask, dtype=bool) & _none(reasons)):
        reasons[i] = reason(int(i)) if callable(reason) else reason


# -- attributes ----------------------------------------------------------------------
@dataclass(frozen=True)
class Columns:
    """The attribute columns of a layer as Arrow arrays, found by case-insensitive name."""

    rows: int
    by_name: dict[str, pa.Array]

    def get(self, name: str) -> pa.Array | None:
        """The column called ``name`` whatever its case (the first such), or None."""
        wanted = name.lower()
        return next((v for k, v in self.by_name.items() if k.lower() == wanted), None)

    @property
    def names(self) -> list[str]:
        return list(self.by_name)


def _pick(frame: Columns, names: Sequence[str], tags: dict[str, pa.Array]) -> pa.Array | None:
    """The first attribute of ``names`` (or OSM tag) holding any value, else None."""
    for name in names:
        column = frame.get(name)
        if column is None:
            column = tags.get(name)
        if column is not None and column.null_count < len(column):
            return column
    return None


def _osm_tags(frame: Columns) -> dict[str, pa.Array]:
    """Tags hidden in the OSM driver's ``other_tags`` (``"key"=>"value",...``)."""
    other = frame.get("other_tags")
    if other is None:
        return {}
    text = _as_text(other)
    return {
        tag: pc.struct_field(pc.extract_regex(text, rf'"{re.escape(tag)}"=>"(?P<v>[^"]*)"'), [0])
        for tag in _OSM_TAGS
    }


def _as_text(values: pa.Array) -> pa.Array:
    """Arrow values as strings: integral floats lose their ``.0``."""
    if pa.types.is_floating(values.type):
        values = pc.if_else(pc.is_nan(values), pa.scalar(None, values.type), values)
        number = values.to_numpy(zero_copy_only=False)
        known = number[~np.isnan(number)]
        if np.isfinite(known).all() and (np.mod(known, 1) == 0).all():
            return pc.cast(pc.cast(values, pa.int64(), safe=False), pa.string())
    if pa.types.is_dictionary(values.type):
        values = values.dictionary_decode()
    return pc.cast(values, pa.string())


def _trimmed(values: pa.Array) -> pa.Array:
    """Stripped text with blanks (empty, whitespace only) as nulls."""
    text = pc.utf8_trim_whitespace(_as_text(values))
    return pc.if_else(pc.equal(text, ""), pa.scalar(None, pa.string()), text)


def _none(values: NDArray[Any]) -> NDArray[np.bool_]:
    return np.asarray(pd.isna(np.asarray(values, dtype=object)), dtype=bool)


def _blank(values: NDArray[np.object_]) -> NDArray[np.bool_]:
    """None, NaN and whitespace-only strings."""
    missing = np.asarray(pd.isna(values), dtype=bool)
    if values.dtype == object:
        present = np.flatnonzero(~missing)
        text = pd.Series(values[present], dtype=object).astype(str).str.strip() == ""
        missing[present[text.to_numpy(dtype=bool)]] = True
    return missing


def parse_floors(
    values: ArrayLike | pa.Array | None,
) -> tuple[NDArray[np.int16], NDArray[np.bool_]]:
    """Floors (层数) as 1..200 (default 1) and a mask of values that are not numbers.

    Examples
    --------
    >>> floors, bad = parse_floors([3, "12", "5层", None, 0, 450, "many", 2.6])
    >>> floors.tolist(), bad.tolist()
    ([3, 12, 5, 1, 1, 200, 1, 3], [False, False, False, False, False, False, True, False])
    """
    if values is None:
        return np.zeros(0, dtype=np.int16), np.zeros(0, dtype=bool)
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    if isinstance(values, pa.Array) and (
        pa.types.is_integer(values.type) or pa.types.is_floating(values.type)
    ):
        number = pc.cast(values, pa.float64()).to_numpy(zero_copy_only=False)
        bad = np.zeros(len(number), dtype=bool)
    else:
        if isinstance(values, pa.Array):
            values = values.to_numpy(zero_copy_only=False)
        series = pd.Series(values)
        number = pd.to_numeric(series, errors="coerce").to_numpy(dtype=np.float64, copy=True)
        bad = np.zeros(len(series), dtype=bool)
        if not pd.api.types.is_numeric_dtype(series.dtype) and not np.isfinite(number).all():
            retry = ~np.isfinite(number) & ~_blank(series.to_numpy(dtype=object))
            text = series[retry].astype(str).str.extract(_FLOORS_TEXT, expand=False)
            number[retry] = pd.to_numeric(text, errors="coerce").to_numpy(dtype=np.float64)
            bad = retry & ~np.isfinite(number)
    number = np.asarray(number, dtype=np.float64)
    floors = np.where(np.isfinite(number), np.floor(number + 0.5), 1.0)
    return np.clip(floors, 1, MAX_FLOORS).astype(np.int16), bad


def _years(values: pa.Array | None, n: int) -> NDArray[np.int16]:
    """Four-digit years 1800–2100 found in the values (``"1998-05"`` → 1998); 0 elsewhere."""
    if values is None:
        return np.zeros(n, dtype=np.int16)
    if pa.types.is_integer(values.type) or pa.types.is_floating(values.type):
        years = pc.fill_null(pc.cast(values, pa.float64()), 0).to_numpy(zero_copy_only=False)
    else:
        found = pc.extract_regex(_as_text(values), r"(?P<y>(?:18|19|20|21)\d\d)")
        text = pc.struct_field(found, [0])
        years = pc.fill_null(pc.cast(text, pa.float64()), 0).to_numpy(zero_copy_only=False)
    years = np.nan_to_num(np.asarray(years, dtype=np.float64))
    return np.where((years >= 1800) & (years <= 2100), years, 0).astype(np.int16)


def _texts(values: pa.Array | None, limit: int, n: int) -> pa.StringArray:
    """Stripped text cut to ``limit`` characters; null for blanks."""
    if values is None:
        return pa.nulls(n, pa.string())
    return pc.utf8_slice_codeunits(_trimmed(values), 0, limit)


def map_use_types(values: ArrayLike | pa.Array | None, n: int = 0) -> pa.StringArray:
    """Map use attributes (OSM ``building=*``, Chinese 用途 names) to :data:`USE_TYPES`.

    Examples
    --------
    >>> map_use_types(["apartments", "厂房", "yes", None, "Office", "spaceport"]).to_pylist()
    ['residential', 'industrial', 'other', 'other', 'office', 'other']
    """
    if values is None:
        return pa.array(["other"] * n, pa.string())
    if not isinstance(values, pa.Array):
        listed = np.asarray(values, dtype=object).tolist()
        values = pa.array([None if v is None else str(v) for v in listed], pa.string())
    encoded = pc.dictionary_encode(_as_text(values))
    words = encoded.dictionary.to_pylist()
    mapped = pa.array(
        [_USE_OF.get(str(word).strip().lower(), "other") for word in words] + ["other"],
        pa.string(),
    )
    return mapped.take(pc.fill_null(encoded.indices, len(words)))


def _source_ids(
    frame: Columns,
    fids: NDArray[Any],
    wkb: pa.BinaryArray,
    driver: str,
    id_field: str | None,
) -> tuple[pa.StringArray, bool]:
    """Stable ids: ``id_field`` or a usual id attribute, else the FID, else a WKB hash;
    and whether they are unique by construction (feature ids of a GeoPackage or
    FileGDB layer, its primary key), which spares the duplicate check."""
    n = frame.rows
    ids = pa.nulls(n, pa.string())
    unique = False
    if id_field is not None:
        column = frame.get(id_field)
        if column is None:
            raise FootprintError(
                f"no field {id_field!r} in the layer; its fields are: "
                f"{', '.join(frame.names) or '(none)'}"
            )
        ids = _trimmed(column)
    elif driver == "OSM":
        for name, kind in (("osm_way_id", "way"), ("osm_id", "relation")):
            if (column := frame.get(name)) is not None:
                prefixed = pc.binary_join_element_wise(f"{kind}/", _trimmed(column), "")
                ids = pc.coalesce(ids, prefixed)
    elif (
        column := next((c for c in map(frame.get, ID_FIELDS) if c is not None), None)
    ) is not None:
        ids = _trimmed(column)
    elif driver in ("GPKG", "OpenFileGDB", "FileGDB"):
        ids = pc.cast(pa.array(np.asarray(fids)), pa.string())
        unique = True
    ids = pc.utf8_slice_codeunits(ids, 0, 200)
    if not ids.null_count:
        return ids, unique
    out = ids.to_pylist()
    for i in np.flatnonzero(ids.is_null().to_numpy(zero_copy_only=False)):
        blob = wkb[int(i)].as_py() or b""
        out[i] = "wkb:" + hashlib.blake2b(blob, digest_size=10).hexdigest()
    return pa.array(out, pa.string()), unique


def _reject_duplicates(
    reasons: NDArray[np.object_], ids: pa.StringArray, first_of: dict[str, int], offset: int
) -> None:
    """Reject every repeat of a source id (the first feature with it is kept).

    ``first_of`` maps the ids of the earlier batches to their first feature and learns
    this batch's; ``offset`` is the position of the batch in the layer.
    """
    values = ids.to_pylist()
    first = [first_of.setdefault(value, offset + i) for i, value in enumerate(values)]
    repeat = np.asarray(first, dtype=np.int64) != offset + np.arange(len(ids))
    _set_reason(
        reasons,
        repeat,
        lambda i: f"duplicate source id {values[i]!r} (first at feature {first[i]})",
    )


# -- rejects report ---------------------------------------------------------------------
def write_rejects(rejects: Sequence[Reject], path: str | Path) -> Path:
    """Write the rejects report: CSV (feature, source_id, reason) or, for ``.gpkg``, a layer.

    The GeoPackage keeps the WGS 84 geometry of each rejected feature where there is one.
    """
    path = Path(path)
    frame = pd.DataFrame(
        {
            "feature": [r.index for r in rejects],
            "source_id": [r.source_id for r in rejects],
            "reason": [r.reason for r in rejects],
        }
    )
    if path.suffix.lower() == ".gpkg":
        import geopandas

        geometry = geopandas.GeoSeries([r.geometry for r in rejects], crs=WGS84_SRID)
        geopandas.GeoDataFrame(frame, geometry=geometry).to_file(
            path, layer="rejects", driver="GPKG"
        )
    else:
        frame.to_csv(path, index=False, encoding="utf-8")
    return path
