"""Hot-spot statistics (热点分析) for grid governance: counts, Gi*, FDR, emerging trends.

A pure library (numpy arrays, shapely geometries, dataclasses in and out) that the API
layer calls after reading events from PostGIS:

- :mod:`gis.hotspots.counts` — events per unit, category group and time window; rates.
- :mod:`gis.hotspots.weights` — neighbour matrices (Queen contiguity, lattice); H3
  k-rings live in :mod:`gis.hexagons`.
- :mod:`gis.hotspots.gistar` — Getis-Ord Gi*, Benjamini–Hochberg FDR, ``Gi_Bin`` classes.
- :mod:`gis.hotspots.trend` — vectorised Mann-Kendall trend test and Sen's slope.
- :mod:`gis.hotspots.emerging` — emerging hot-spot patterns (new, intensifying, ...).

Its speed is measured by ``bench/hotspots_kernels.py`` (``make bench``), not here.

The rules (weights, FDR, classes, emerging patterns) are written up in
``docs/hotspots.md``.
"""

from gis.hotspots.counts import (
    STANDARD_WINDOW_DAYS,
    RepeatLocations,
    TimeWindow,
    category_group_index,
    count_events,
    count_events_by_group,
    count_per_step,
    rate_per,
    repeat_locations,
    unit_positions,
)
from gis.hotspots.emerging import (
    EmergingPattern,
    EmergingResult,
    classify_history,
    emerging_hotspots,
)
from gis.hotspots.gistar import (
    GI_BIN_CONFIDENCE,
    HotspotResult,
    PValueMethod,
    benjamini_hochberg,
    confidence_bins,
    gi_star,
    gi_star_z,
    permutation_p_values,
)
from gis.hotspots.trend import MannKendallResult, mann_kendall
from gis.hotspots.weights import (
    check_neighbours,
    contiguity_weights,
    islands,
    lattice_weights,
    neighbours_from_pairs,
)

__all__ = [
    "GI_BIN_CONFIDENCE",
    "STANDARD_WINDOW_DAYS",
    "EmergingPattern",
    "EmergingResult",
    "HotspotResult",
    "MannKendallResult",
    "PValueMethod",
    "RepeatLocations",
    "TimeWindow",
    "benjamini_hochberg",
    "category_group_index",
    "check_neighbours",
    "classify_history",
    "confidence_bins",
    "contiguity_weights",
    "count_events",
    "count_events_by_group",
    "count_per_step",
    "emerging_hotspots",
    "gi_star",
    "gi_star_z",
    "islands",
    "lattice_weights",
    "mann_kendall",
    "neighbours_from_pairs",
    "permutation_p_values",
    "rate_per",
    "repeat_locations",
    "unit_positions",
]
