"""Export Shenzhen's areas (real districts, synthetic streets and communities) as GeoJSON.

The polygons are rebuilt from the shipped data on every run of ``build_shenzhen`` (about
a second), so nothing is cached in the repository; this script writes them out for a
look in QGIS or geojson.io, and prints the tiling check of every level.

Usage::

    python scripts/synthesise_areas.py [--seed 0] [--level community] [-o areas.geojson]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import shapely

from grids.codes import Level
from grids.coverage import check_tiling
from grids.hierarchy import Area, build_shenzhen

LEVELS = [Level.CITY, Level.DISTRICT, Level.STREET, Level.COMMUNITY]


def feature(area: Area) -> dict[str, object]:
    """One GeoJSON feature with the area's code, names, level and parent."""
    return {
        "type": "Feature",
        "id": area.code,
        "properties": {
            "code": area.code,
            "name": area.name,
            "short_name": area.short_name,
            "level": area.level.value,
            "parent_code": area.parent_code,
        },
        "geometry": json.loads(shapely.to_geojson(area.geometry)),
    }


def report_tiling(areas: list[Area]) -> bool:
    """Print the worst gap and overlap per level; return whether every level tiles."""
    children: dict[str, dict[str, shapely.Geometry]] = {}
    for area in areas:
        if area.parent_code is not None:
            children.setdefault(area.parent_code, {})[area.code] = area.geometry
    ok = True
    for level in LEVELS[:-1]:
        reports = [check_tiling(a.geometry, children[a.code]) for a in areas if a.level == level]
        worst_gap = max(r.gap_area_m2 for r in reports)
        worst_overlap = max(r.overlap_area_m2 for r in reports)
        fragmented = sorted({code for r in reports for code in r.non_contiguous})
        print(
            f"children of each {level.value}: worst gap {worst_gap:.3g} m², "
            f"worst overlap {worst_overlap:.3g} m², in pieces: {fragmented or 'none'}"
        )
        ok &= worst_gap <= 1.0 and worst_overlap <= 1.0
    return ok


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=0, help="synthesis seed (default 0)")
    parser.add_argument(
        "--level",
        choices=[level.value for level in LEVELS],
        action="append",
        help="levels to export (repeatable; default all)",
    )
    parser.add_argument("-o", "--output", type=Path, default=Path("shenzhen_areas.geojson"))
    args = parser.parse_args(argv)
    started = time.perf_counter()
    areas = build_shenzhen(args.seed)
    print(f"built {len(areas)} areas in {time.perf_counter() - started:.2f} s (seed {args.seed})")
    ok = report_tiling(areas)
    levels = set(args.level or [level.value for level in LEVELS])
    features = [feature(area) for area in areas if area.level.value in levels]
    collection = {"type": "FeatureCollection", "features": features}
    args.output.write_text(json.dumps(collection, ensure_ascii=False), encoding="utf-8")
    print(f"wrote {len(features)} features to {args.output}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
