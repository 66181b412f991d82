"""Benchmark of the hot-spot kernels (gis.hotspots, gis.hexagons) on a synthetic city.

Run by ``bench/hotspots_bench.py`` (``blockgrid bench hotspots``, ``make bench``).

Speed targets are checked here, never in unit tests: H3 resolution-9 aggregation of
3 million events in ≤ 3 s (coordinates to cells plus counting), and Gi* with 999
permutations over every basic grid of a city (15–20k units) in ≤ 5 s on 2 cores.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from typing import Any, TypeVar

import numpy as np
import shapely
from scipy.spatial import cKDTree
from shapely.geometry import box

from gis.hexagons import cells_in_polygon, count_points_in_cells, hexagon_weights, points_to_cells
from gis.hotspots.counts import count_events
from gis.hotspots.emerging import emerging_hotspots
from gis.hotspots.gistar import gi_star
from gis.hotspots.trend import mann_kendall
from gis.hotspots.weights import contiguity_weights

__all__ = ["benchmark_hotspots"]

T = TypeVar("T")

#: Synthetic city extent (lon/lat), about Shenzhen's size: 90 km × 45 km.
CITY_BOUNDS = (113.75, 22.45, 114.62, 22.86)
_DEGREES_PER_METRE = 1.0 / 111_000.0


def _timed(timings: dict[str, float], name: str, work: Callable[[], T]) -> T:
    start = time.perf_counter()
    result = work()
    timings[name] = round(time.perf_counter() - start, 3)
    return result


def _synthetic_events(n_events: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Event points: 70 % in 300 Gaussian clusters (150–1500 m), 30 % spread uniformly."""
    west, south, east, north = CITY_BOUNDS
    clustered = int(n_events * 0.7)
    centres = rng.uniform((west, south), (east, north), size=(300, 2))
    sigma = rng.uniform(150, 1500, size=300) * _DEGREES_PER_METRE
    which = rng.integers(0, 300, size=clustered)
    points = centres[which] + rng.normal(size=(clustered, 2)) * sigma[which, None]
    spread = rng.uniform((west, south), (east, north), size=(n_events - clustered, 2))
    points = np.clip(np.vstack([points, spread]), (west, south), (east, north))
    return points[:, 0], points[:, 1]


def benchmark_hotspots(
    n_units: int = 20_000, n_events: int = 3_000_000, seed: int = 0
) -> dict[str, Any]:
    """Time each step of the hot-spot pipeline on a synthetic city; seconds per step.

    The units are Voronoi polygons of random points (irregular, about six neighbours
    each, like basic grids); events are clustered points. Times are wall-clock seconds
    of one run in this process (the first run includes module warm-up).

    Parameters
    ----------
    n_units : int, default 20000
        Number of grid units.
    n_events : int, default 3000000
        Number of event points.
    seed : int, default 0
        Seed of the synthetic data and the permutations.

    Returns
    -------
    dict
        Sizes (``n_units``, ``n_events``, ``n_hexagons``, ``cpus``) and timings in
        seconds: ``h3_res9_points_to_cells_s``, ``h3_res9_count_s``,
        ``h3_res9_aggregation_s`` (their sum, target ≤ 3), ``hexagon_weights_s``,
        ``gi_star_hexagons_999_s``, ``contiguity_weights_s``, ``count_events_s``,
        ``gi_star_units_999_s`` (target ≤ 5), ``gi_star_units_no_permutation_s``,
        ``mann_kendall_52_weeks_s``, ``emerging_52_weeks_s``, and the share of units
        found hot or cold at 95 %.
    """
    rng = np.random.default_rng(seed)
    timings: dict[str, float] = {}
    lon, lat = _synthetic_events(n_events, rng)

    cells = _timed(timings, "h3_res9_points_to_cells_s", lambda: points_to_cells(lon, lat, 9))
    area = cells_in_polygon(box(*CITY_BOUNDS), 9)
    hex_counts = _timed(timings, "h3_res9_count_s", lambda: count_points_in_cells(cells, area))
    timings["h3_res9_aggregation_s"] = round(
        timings["h3_res9_points_to_cells_s"] + timings["h3_res9_count_s"], 3
    )
    hex_w = _timed(timings, "hexagon_weights_s", lambda: hexagon_weights(area))
    _timed(timings, "gi_star_hexagons_999_s", lambda: gi_star(hex_counts, hex_w, seed=seed))

    west, south, east, north = CITY_BOUNDS
    seeds = rng.uniform((west, south), (east, north), size=(n_units, 2))
    voronoi = shapely.voronoi_polygons(shapely.multipoints(seeds), extend_to=box(*CITY_BOUNDS))
    polygons = shapely.intersection(shapely.get_parts(voronoi), box(*CITY_BOUNDS))
    # Voronoi parts come in arbitrary order: number the units after their seed points.
    owner = cKDTree(seeds).query(shapely.get_coordinates(shapely.point_on_surface(polygons)))[1]
    units = np.empty(n_units, dtype=object)
    units[owner] = polygons
    unit_w = _timed(timings, "contiguity_weights_s", lambda: contiguity_weights(units))
    event_unit = cKDTree(seeds).query(np.column_stack([lon, lat]))[1]
    unit_counts = _timed(timings, "count_events_s", lambda: count_events(event_unit, n_units))
    result = _timed(timings, "gi_star_units_999_s", lambda: gi_star(unit_counts, unit_w, seed=seed))
    _timed(
        timings,
        "gi_star_units_no_permutation_s",
        lambda: gi_star(unit_counts, unit_w, permutations=0),
    )

    weekly = rng.poisson(unit_counts[:, None] / 52.0 * np.linspace(0.7, 1.3, 52)[None, :])
    _timed(timings, "mann_kendall_52_weeks_s", lambda: mann_kendall(weekly))
    _timed(timings, "emerging_52_weeks_s", lambda: emerging_hotspots(weekly, unit_w))
    return {
        "n_units": n_units,
        "n_events": n_events,
        "n_hexagons": int(area.size),
        "cpus": os.cpu_count(),
        **timings,
        "share_hot_95": round(float(result.hot(0.95).mean()), 4),
        "share_cold_95": round(float(result.cold(0.95).mean()), 4),
    }
