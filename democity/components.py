"""City components (部件) along the streets of one community (SPEC §2.3, GB/T 30428 classes).

About 2.5 components per building stand on the pavements around the built blocks:
street lamps, manhole covers of every utility, hydrants, bins, street trees, signs,
CCTV... Most are intact (完好); a few are damaged (破损), lost (丢失) or occupied (占用).
Their 17-digit ids (district + class + 6-digit sequence) are numbered by the loader,
which keeps one counter per district and class across communities.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from api.components.models import COMPONENT_STATES

__all__ = ["COMPONENTS_PER_BUILDING", "COMPONENT_MIX", "Components", "make_components"]

COMPONENTS_PER_BUILDING = 2.5

#: (major, minor, relative frequency, responsible department code; "district" = the district's
#: city-management bureau)
COMPONENT_MIX: tuple[tuple[str, str, float, str], ...] = (
    ("01", "001", 7, "water"),
    ("01", "002", 7, "water"),
    ("01", "003", 8, "water"),
    ("01", "004", 5, "power"),
    ("01", "005", 6, "telecom"),
    ("01", "006", 3, "gas"),
    ("01", "007", 16, "district"),
    ("01", "008", 4, "fire"),
    ("01", "009", 2, "power"),
    ("01", "010", 6, "water"),
    ("02", "001", 0.5, "transport"),
    ("02", "002", 1, "transport"),
    ("02", "003", 0.2, "transport"),
    ("02", "004", 0.1, "transport"),
    ("02", "005", 1.5, "traffic-police"),
    ("02", "006", 3, "transport"),
    ("02", "007", 2, "transport"),
    ("02", "008", 2, "transport"),
    ("03", "001", 0.4, "district"),
    ("03", "002", 6, "district"),
    ("03", "003", 0.2, "district"),
    ("03", "004", 4, "district"),
    ("03", "005", 1.5, "district"),
    ("04", "001", 0.2, "district"),
    ("04", "002", 12, "district"),
    ("04", "003", 1, "district"),
    ("04", "004", 1.5, "district"),
    ("04", "005", 0.2, "district"),
    ("05", "001", 4, "police"),
    ("05", "002", 1, "district"),
    ("05", "003", 0.3, "district"),
    ("05", "004", 0.8, "district"),
)
_WEIGHTS = np.array([w for _, _, w, _ in COMPONENT_MIX])
_STATE_P = {"intact": 0.92, "damaged": 0.045, "lost": 0.01, "occupied": 0.025}
_DAYS_PER_YEAR = 365.2425


@dataclass(frozen=True)
class Components:
    """Components of a community; ``component_class`` indexes :data:`COMPONENT_MIX`."""

    lonlat: NDArray[np.float64]
    component_class: NDArray[np.int64]
    state: NDArray[np.int64]  # index into COMPONENT_STATES
    installed: NDArray[np.int64]  # days since 1970-01-01


def make_components(
    rng: np.random.Generator, points: NDArray[np.float64], as_of_day: int
) -> Components:
    """Give each pavement point in ``points`` a class, a state and an installation date."""
    n = len(points)
    component_class = rng.choice(len(COMPONENT_MIX), n, p=_WEIGHTS / _WEIGHTS.sum())
    state = rng.choice(len(COMPONENT_STATES), n, p=[_STATE_P[s] for s in COMPONENT_STATES])
    years = rng.uniform(0.2, 22, n)
    installed = as_of_day - np.floor(years * _DAYS_PER_YEAR).astype(np.int64)
    return Components(points, component_class.astype(np.int64), state.astype(np.int64), installed)
