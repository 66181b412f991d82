"""Emerging hot spots (新兴热点): how each unit's hot/cold status evolved over time.

Inspired by ArcGIS's Emerging Hot Spot Analysis, simplified: Gi* (normal p-values,
Benjamini–Hochberg per step) is computed on every time step of a units × steps count
matrix with spatial neighbours only (no space-time neighbours), the Mann-Kendall test
runs on each unit's Gi* z-score series (or on its counts), and fixed rules turn the
history into one pattern per unit. The rules are listed in :class:`EmergingPattern`
and ``docs/hotspots.md``. Gi* per step is one sparse product and a sort, so 52 weekly
steps over 20,000 grids cost well under a second; permutations are not used here.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from typing import Any, Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.special import ndtr

from gis.hotspots.gistar import benjamini_hochberg, gi_star_z
from gis.hotspots.trend import MannKendallResult, mann_kendall
from gis.hotspots.weights import check_neighbours

__all__ = ["EmergingPattern", "EmergingResult", "classify_history", "emerging_hotspots"]

BoolMatrix = NDArray[np.bool_]
BoolArray = NDArray[np.bool_]

#: Share of steps that makes a unit "mostly" hot (or cold), as in ArcGIS.
MOSTLY_SIGNIFICANT = 0.9


class EmergingPattern(IntEnum):
    """Pattern of a unit's history; the same rules hold for cold spots with signs swapped.

    Evaluated in this order, the first rule that holds wins ("hot" = significant hot
    spot in a step at the chosen confidence; "stronger" = the Mann-Kendall trend of the
    series is significantly upward for hot spots, downward for cold spots):

    1. NEW (新增): hot in the last step and in no earlier step.
    2. INTENSIFYING (加剧): hot in the last step and in the one before it (or in ≥ 90 %
       of steps), and the trend is significantly stronger.
    3. PERSISTENT (持续): hot in ≥ 90 % of steps including the last, no significant trend.
    4. DIMINISHING (减弱): hot in ≥ 90 % of steps, trend significantly weaker.
    5. CONSECUTIVE (连续): one uninterrupted run of ≥ 2 hot steps up to the last step,
       never hot before the run, hot in < 90 % of steps.
    6. HISTORICAL (历史): hot in ≥ 90 % of steps but not in the last one.
    7. OSCILLATING (振荡): hot in the last step and cold in some earlier step.
    8. SPORADIC (零星): hot in some steps, none of the above.
    0. NONE: never significant.
    """

    NONE = 0
    NEW = 1
    INTENSIFYING = 2
    PERSISTENT = 3
    DIMINISHING = 4
    CONSECUTIVE = 5
    HISTORICAL = 6
    OSCILLATING = 7
    SPORADIC = 8


_LABELS_EN = {
    EmergingPattern.NEW: "new",
    EmergingPattern.INTENSIFYING: "intensifying",
    EmergingPattern.PERSISTENT: "persistent",
    EmergingPattern.DIMINISHING: "diminishing",
    EmergingPattern.CONSECUTIVE: "consecutive",
    EmergingPattern.HISTORICAL: "historical",
    EmergingPattern.OSCILLATING: "oscillating",
    EmergingPattern.SPORADIC: "sporadic",
}
_LABELS_ZH = {
    EmergingPattern.NEW: "新增",
    EmergingPattern.INTENSIFYING: "加剧",
    EmergingPattern.PERSISTENT: "持续",
    EmergingPattern.DIMINISHING: "减弱",
    EmergingPattern.CONSECUTIVE: "连续",
    EmergingPattern.HISTORICAL: "历史",
    EmergingPattern.OSCILLATING: "振荡",
    EmergingPattern.SPORADIC: "零星",
}


@dataclass(frozen=True)
class EmergingResult:
    """Emerging hot-spot patterns of every unit, in the order of the input rows.

    Attributes
    ----------
    pattern : numpy.ndarray of int8
        :class:`EmergingPattern` value of each unit.
    side : numpy.ndarray of int8
        +1 hot-spot pattern, −1 cold-spot pattern, 0 none.
    status : numpy.ndarray of int8, shape (n_units, n_steps)
        Per step: +1 significant hot spot, −1 cold spot, 0 neither.
    z : numpy.ndarray of float, shape (n_units, n_steps)
        Gi* z-score of each unit and step.
    trend : MannKendallResult
        Mann-Kendall test of the series named by ``trend_of``.
    trend_of : {"zscore", "counts"}
        Which series the trend was computed on.
    """

    pattern: NDArray[np.int8]
    side: NDArray[np.int8]
    status: NDArray[np.int8]
    z: NDArray[np.float64]
    trend: MannKendallResult
    trend_of: Literal["zscore", "counts"]

    def labels(self, language: Literal["en", "zh"] = "en") -> list[str]:
        """Readable pattern of each unit, e.g. "intensifying hot spot" or "加剧热点"."""
        names = _LABELS_ZH if language == "zh" else _LABELS_EN
        out: list[str] = []
        for pattern, side in zip(self.pattern.tolist(), self.side.tolist(), strict=True):
            if pattern == EmergingPattern.NONE:
                out.append("无显著模式" if language == "zh" else "no pattern")
            elif language == "zh":
                out.append(names[EmergingPattern(pattern)] + ("热点" if side > 0 else "冷点"))
            else:
                spot = "hot spot" if side > 0 else "cold spot"
                out.append(f"{names[EmergingPattern(pattern)]} {spot}")
        return out


def emerging_hotspots(
    counts: ArrayLike,
    neighbours: Any,
    *,
    confidence: float = 0.95,
    trend_alpha: float = 0.05,
    trend_of: Literal["zscore", "counts"] = "zscore",
    fdr: bool = True,
) -> EmergingResult:
    """Classify each unit's hot/cold-spot history (:class:`EmergingPattern`).

    Parameters
    ----------
    counts : array_like of float, shape (n_units, n_steps)
        Events per unit and time step, oldest step first (:func:`count_per_step`).
        At least 4 steps; ArcGIS recommends 10 or more.
    neighbours : scipy sparse matrix or array, shape (n_units, n_units)
        Binary neighbour matrix without self-links.
    confidence : float, default 0.95
        A step is hot (cold) when its Gi* (FDR-adjusted) p-value is at most
        ``1 − confidence`` and its z-score is positive (negative).
    trend_alpha : float, default 0.05
        Significance level of the Mann-Kendall trend.
    trend_of : {"zscore", "counts"}, default "zscore"
        Test the trend of the Gi* z-scores (clustering intensity relative to the whole
        map, as ArcGIS does) or of the raw counts (absolute growth).
    fdr : bool, default True
        Adjust each step's p-values with Benjamini–Hochberg.

    Returns
    -------
    EmergingResult

    Raises
    ------
    ValueError
        On a matrix with fewer than 4 steps, non-finite counts, bad levels or neighbours.
    """
    matrix = np.asarray(counts, dtype=np.float64)
    if matrix.ndim != 2 or matrix.shape[1] < 4:
        raise ValueError(f"counts must be (n_units, n_steps >= 4), got shape {matrix.shape}")
    if not 0 < confidence < 1 or not 0 < trend_alpha < 1:
        raise ValueError("confidence and trend_alpha must lie strictly between 0 and 1")
    if trend_of not in ("zscore", "counts"):
        raise ValueError(f"trend_of must be 'zscore' or 'counts', not {trend_of!r}")
    weights = check_neighbours(neighbours, matrix.shape[0])
    z = np.column_stack([gi_star_z(matrix[:, step], weights) for step in range(matrix.shape[1])])
    p = 2.0 * ndtr(-np.abs(z))
    if fdr:
        p = np.column_stack([benjamini_hochberg(p[:, step]) for step in range(p.shape[1])])
    significant = p <= 1.0 - confidence
    hot, cold = significant & (z > 0), significant & (z < 0)
    trend = mann_kendall(z if trend_of == "zscore" else matrix)
    status = hot.astype(np.int8) - cold.astype(np.int8)
    pattern, side = classify_history(status, trend.direction(trend_alpha))
    return EmergingResult(pattern, side, status, z, trend, trend_of)


def classify_history(
    status: ArrayLike, trend: ArrayLike
) -> tuple[NDArray[np.int8], NDArray[np.int8]]:
    """Pattern and side of each unit from its per-step status and its trend (the rules).

    Parameters
    ----------
    status : array_like of int, shape (n_units, n_steps)
        Per step, oldest first: +1 significant hot spot, −1 cold spot, 0 neither.
        At least 2 steps.
    trend : array_like of int, shape (n_units,)
        +1 significant upward trend, −1 downward, 0 none
        (:meth:`MannKendallResult.direction`).

    Returns
    -------
    pattern : numpy.ndarray of int8
        :class:`EmergingPattern` values.
    side : numpy.ndarray of int8
        +1 hot, −1 cold, 0 none: the sign of the unit's most recent significant step.

    Examples
    --------
    >>> pattern, side = classify_history([[0, 0, 0, 1], [1, 1, 1, 1], [0, -1, 0, 0]], [1, 0, 0])
    >>> [EmergingPattern(code).name for code in pattern], side.tolist()
    (['NEW', 'PERSISTENT', 'SPORADIC'], [1, 1, -1])
    """
    steps = np.asarray(status, dtype=np.int8)
    direction = np.sign(np.asarray(trend, dtype=np.int64)).ravel()
    if steps.ndim != 2 or steps.shape[1] < 2 or direction.size != steps.shape[0]:
        raise ValueError(
            f"need status (n_units, n_steps >= 2) and one trend per unit, got "
            f"{steps.shape} and {direction.shape}"
        )
    hot, cold = steps > 0, steps < 0
    rising, falling = direction > 0, direction < 0
    side = _latest_side(steps)
    pattern = np.where(
        side > 0,
        _classify(hot, cold, stronger=rising, weaker=falling),
        np.where(side < 0, _classify(cold, hot, stronger=falling, weaker=rising), 0),
    ).astype(np.int8)
    return pattern, side


def _latest_side(status: NDArray[np.int8]) -> NDArray[np.int8]:
    """Sign of each unit's most recent significant step (0 if it never was)."""
    steps = status.shape[1]
    seen = status != 0
    last = steps - 1 - np.argmax(seen[:, ::-1], axis=1)
    side = status[np.arange(status.shape[0]), last]
    return np.where(seen.any(axis=1), side, 0).astype(np.int8)


def _classify(
    spot: BoolMatrix, opposite: BoolMatrix, *, stronger: BoolArray, weaker: BoolArray
) -> NDArray[np.int8]:
    """Pattern of every unit from its same-side and opposite-side significance history."""
    steps = spot.shape[1]
    final = spot[:, -1]
    mostly = spot.mean(axis=1) >= MOSTLY_SIGNIFICANT - 1e-12
    reversed_spot = spot[:, ::-1]
    run = np.where(reversed_spot.all(axis=1), steps, np.argmin(reversed_spot, axis=1))
    before_run = (spot & (np.arange(steps)[None, :] < (steps - run)[:, None])).any(axis=1)
    rules = [
        (final & ~spot[:, :-1].any(axis=1), EmergingPattern.NEW),
        (final & (spot[:, -2] | mostly) & stronger, EmergingPattern.INTENSIFYING),
        (final & mostly & ~stronger & ~weaker, EmergingPattern.PERSISTENT),
        (mostly & weaker, EmergingPattern.DIMINISHING),
        (final & (run >= 2) & ~before_run & ~mostly, EmergingPattern.CONSECUTIVE),
        (~final & mostly, EmergingPattern.HISTORICAL),
        (final & opposite[:, :-1].any(axis=1), EmergingPattern.OSCILLATING),
        (spot.any(axis=1), EmergingPattern.SPORADIC),
    ]
    return np.select([rule for rule, _ in rules], [int(code) for _, code in rules], 0).astype(
        np.int8
    )
