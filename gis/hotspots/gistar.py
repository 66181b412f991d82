"""Getis-Ord Gi* hot spots (热点/冷点) with a false-discovery-rate correction.

Gi* compares the sum of a unit's value and its neighbours' values with the sum that
the same number of units would have if the values were spread over the map at random.
A large positive z-score is a hot spot (高值聚集), a large negative one a cold spot
(低值聚集). Significance comes from the normal approximation of the Gi* z-score (as in
ArcGIS's Hot Spot Analysis) or from conditional permutations (as in GeoDa/esda); the
p-values are then corrected for multiple testing with Benjamini–Hochberg and binned
like ArcGIS's ``Gi_Bin``: ±3 at 99 %, ±2 at 95 %, ±1 at 90 % confidence, 0 otherwise.

Weights are binary neighbour matrices (see :mod:`gis.hotspots.weights`); Gi* adds each
unit to its own neighbourhood with weight 1. See ``docs/hotspots.md`` for the choices.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final, Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.special import ndtr

from gis.hotspots.weights import check_neighbours

__all__ = [
    "GI_BIN_CONFIDENCE",
    "HotspotResult",
    "PValueMethod",
    "benjamini_hochberg",
    "confidence_bins",
    "gi_star",
    "gi_star_z",
    "permutation_p_values",
]

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]
PValueMethod = Literal["normal", "permutation"]

#: Confidence level of each ``Gi_Bin`` magnitude (sign: + hot, − cold).
GI_BIN_CONFIDENCE: Final[dict[int, float]] = {3: 0.99, 2: 0.95, 1: 0.90}

_PERMUTATION_CHUNK_CELLS = 2_000_000  # gathered values per permutation chunk (~16 MB)
_RELATIVE_ZERO_SPREAD = 1e-12  # a standard deviation below this (relative) is no spread


@dataclass(frozen=True)
class HotspotResult:
    """Gi* statistics of every unit, in the order of the input values.

    Attributes
    ----------
    z : numpy.ndarray of float
        Gi* z-score (positive: higher than expected around the unit).
    p : numpy.ndarray of float
        Two-sided p-value used for the classification (``p_value`` method).
    q : numpy.ndarray of float
        Benjamini–Hochberg adjusted p-value (equal to ``p`` when ``fdr`` is False).
    bins : numpy.ndarray of int8
        ``Gi_Bin`` class: 3/2/1 hot spot at 99/95/90 %, −3/−2/−1 cold spot, 0 not significant.
    p_permutation : numpy.ndarray of float or None
        Two-sided conditional-permutation pseudo p-value, when permutations were run.
    p_value : {"normal", "permutation"}
        Which p-value ``p`` is.
    fdr : bool
        Whether ``q`` is FDR-adjusted.
    permutations : int
        Number of permutations run (0: none).
    """

    z: FloatArray
    p: FloatArray
    q: FloatArray
    bins: NDArray[np.int8]
    p_permutation: FloatArray | None
    p_value: PValueMethod
    fdr: bool
    permutations: int

    def hot(self, confidence: float = 0.95) -> BoolArray:
        """Units that are hot spots at ``confidence`` (0.90, 0.95 or 0.99) or above."""
        return self.bins >= _bin_level(confidence)

    def cold(self, confidence: float = 0.95) -> BoolArray:
        """Units that are cold spots at ``confidence`` (0.90, 0.95 or 0.99) or above."""
        return self.bins <= -_bin_level(confidence)


def _bin_level(confidence: float) -> int:
    for level, value in GI_BIN_CONFIDENCE.items():
        if np.isclose(confidence, value):
            return level
    raise ValueError(f"confidence must be one of 0.90, 0.95, 0.99, not {confidence!r}")


def _check_values(values: ArrayLike) -> FloatArray:
    y = np.asarray(values, dtype=np.float64)
    if y.ndim != 1 or y.size == 0:
        raise ValueError(f"values must be a non-empty 1-D array, got shape {y.shape}")
    if not np.isfinite(y).all():
        raise ValueError("values must be finite (fill missing rates before the analysis)")
    return y


def gi_star_z(values: ArrayLike, neighbours: Any) -> FloatArray:
    """Normal-theory Getis-Ord Gi* z-scores with binary weights and self-weight 1.

    Parameters
    ----------
    values : array_like of float, shape (n,)
        One value per unit (event counts or rates), finite.
    neighbours : scipy sparse matrix or array, shape (n, n)
        Binary neighbour matrix without self-links (:mod:`gis.hotspots.weights`).

    Returns
    -------
    numpy.ndarray of float, shape (n,)
        ``z_i = (Σ_j w_ij x_j − x̄ W_i) / (S √((n W_i − W_i²) / (n − 1)))`` where the
        sums run over the unit and its neighbours, ``W_i`` is their number, ``x̄`` and
        ``S`` the mean and (population) standard deviation of all values. Zero where it
        is undefined: values without spread, or a neighbourhood that is the whole map.

    Raises
    ------
    ValueError
        On non-finite values or a neighbour matrix of the wrong shape or content.

    Examples
    --------
    >>> from gis.hotspots.weights import lattice_weights
    >>> z = gi_star_z([0, 0, 0, 0, 9, 9, 0, 0, 0], lattice_weights(3, 3, queen=False))
    >>> z[:3].round(2).tolist()
    [-1.07, 0.17, 0.53]
    """
    y = _check_values(values)
    matrix = check_neighbours(neighbours, y.size)
    n = y.size
    centred = y - y.mean()
    spread = float(np.sqrt(np.mean(centred * centred)))
    if spread <= _RELATIVE_ZERO_SPREAD * max(float(np.abs(y).max()), 1.0) or n < 2:
        return np.zeros(n)
    weight = np.diff(matrix.indptr).astype(np.float64) + 1.0
    numerator = matrix @ centred + centred
    denominator = spread * np.sqrt(np.maximum(n * weight - weight * weight, 0.0) / (n - 1))
    z = np.zeros(n)
    defined = denominator > 0
    z[defined] = numerator[defined] / denominator[defined]
    return z


def permutation_p_values(
    values: ArrayLike,
    neighbours: Any,
    *,
    permutations: int = 999,
    seed: int | np.random.Generator | None = None,
) -> FloatArray:
    """Two-sided conditional-permutation pseudo p-values of Gi*.

    Each unit keeps its own value; its neighbours' values are replaced ``permutations``
    times by the same number of values drawn without replacement from the other units
    (one shared set of draws for all units, as in esda's ``crand``). The pseudo p-value
    is ``min(1, 2 (min(#sims ≥ obs, #sims ≤ obs) + 1) / (permutations + 1))``, so the
    smallest attainable value is ``2 / (permutations + 1)``. Islands get 1.

    Parameters
    ----------
    values : array_like of float, shape (n,)
        One finite value per unit.
    neighbours : scipy sparse matrix or array, shape (n, n)
        Binary neighbour matrix without self-links.
    permutations : int, default 999
        Number of random draws per unit, at least 1.
    seed : int or numpy.random.Generator, optional
        Seed of the draws; the same seed gives the same p-values.

    Returns
    -------
    numpy.ndarray of float, shape (n,)

    Raises
    ------
    ValueError
        On invalid values, neighbours or a non-positive number of permutations.
    """
    y = _check_values(values)
    matrix = check_neighbours(neighbours, y.size)
    p, _direction = _conditional_permutation(y, matrix, permutations, np.random.default_rng(seed))
    return p


def _conditional_permutation(
    y: FloatArray, matrix: Any, permutations: int, rng: np.random.Generator
) -> tuple[FloatArray, NDArray[np.int8]]:
    """Pseudo p-values and the tail (+1 high, −1 low) each unit's neighbour sum falls in."""
    if permutations < 1:
        raise ValueError(f"permutations must be at least 1, got {permutations}")
    n = y.size
    cardinality = np.diff(matrix.indptr)
    max_cardinality = int(cardinality.max()) if n else 0
    p = np.ones(n)
    direction = np.zeros(n, dtype=np.int8)
    if max_cardinality == 0:
        return p, direction
    draws = np.empty((permutations, max_cardinality), dtype=np.int64)
    for row in range(permutations):
        draws[row] = rng.choice(n - 1, size=max_cardinality, replace=False)
    observed = matrix @ y
    tolerance = 1e-9 * (np.abs(observed) + 1.0)
    for k in np.unique(cardinality[cardinality > 0]):
        sites = np.flatnonzero(cardinality == k)
        ids = draws[:, :k]
        chunk = max(1, _PERMUTATION_CHUNK_CELLS // (permutations * int(k)))
        for start in range(0, sites.size, chunk):
            site = sites[start : start + chunk]
            # Draw i from 0..n-2 stands for unit i, or i + 1 at and after the focal unit.
            shifted = ids[None, :, :] + (ids[None, :, :] >= site[:, None, None])
            sims = y[shifted].sum(axis=2)
            obs = observed[site, None]
            tol = tolerance[site, None]
            above = (sims >= obs - tol).sum(axis=1)
            below = (sims <= obs + tol).sum(axis=1)
            p[site] = np.minimum(1.0, 2.0 * (np.minimum(above, below) + 1) / (permutations + 1))
            direction[site] = np.where(above < below, 1, np.where(below < above, -1, 0))
    return p, direction


def benjamini_hochberg(p_values: ArrayLike) -> FloatArray:
    """Benjamini–Hochberg adjusted p-values (q-values) for a false discovery rate.

    A unit is significant at FDR level ``alpha`` when its q-value is at most ``alpha``;
    this rejects exactly the hypotheses that the BH step-up procedure at ``alpha``
    rejects (and the units with ``p <= esda.fdr(p, alpha)`` whenever esda finds a cut).

    Parameters
    ----------
    p_values : array_like of float, shape (n,)
        p-values in [0, 1].

    Returns
    -------
    numpy.ndarray of float, shape (n,)
        ``q_(i) = min_{j >= i} min(1, p_(j) n / j)`` over the p-values sorted ascending.

    Raises
    ------
    ValueError
        When a p-value is missing or outside [0, 1].

    Examples
    --------
    >>> benjamini_hochberg([0.01, 0.04, 0.03, 0.5]).round(4).tolist()
    [0.04, 0.0533, 0.0533, 0.5]
    """
    p = np.asarray(p_values, dtype=np.float64)
    if p.ndim != 1:
        raise ValueError(f"p_values must be 1-D, got shape {p.shape}")
    if p.size and not ((p >= 0) & (p <= 1)).all():
        raise ValueError("p_values must lie in [0, 1] (no NaN)")
    n = p.size
    order = np.argsort(p, kind="stable")
    scaled = p[order] * n / np.arange(1, n + 1)
    adjusted = np.minimum.accumulate(scaled[::-1])[::-1]
    q = np.empty(n)
    q[order] = np.minimum(adjusted, 1.0)
    return q


def confidence_bins(direction: ArrayLike, q_values: ArrayLike) -> NDArray[np.int8]:
    """ArcGIS-style ``Gi_Bin`` classes from a direction (sign) and (adjusted) p-values.

    Parameters
    ----------
    direction : array_like of float
        Positive for high (hot), negative for low (cold), e.g. the Gi* z-scores.
    q_values : array_like of float
        p-values, FDR-adjusted or not, of the same length.

    Returns
    -------
    numpy.ndarray of int8
        ±3 where ``q <= 0.01``, ±2 where ``q <= 0.05``, ±1 where ``q <= 0.10``, else 0.

    Examples
    --------
    >>> confidence_bins([2.9, -2.1, 1.7, 0.3], [0.004, 0.04, 0.09, 0.7]).tolist()
    [3, -2, 1, 0]
    """
    sign = np.sign(np.asarray(direction, dtype=np.float64)).astype(np.int8)
    q = np.asarray(q_values, dtype=np.float64)
    level = np.zeros(q.shape, dtype=np.int8)
    for magnitude, confidence in sorted(GI_BIN_CONFIDENCE.items()):
        level[q <= 1.0 - confidence + 1e-12] = magnitude
    return (sign * level).astype(np.int8)


def gi_star(
    values: ArrayLike,
    neighbours: Any,
    *,
    p_value: PValueMethod = "normal",
    fdr: bool = True,
    permutations: int = 999,
    seed: int | np.random.Generator | None = None,
) -> HotspotResult:
    """Hot and cold spots (热点/冷点): Gi* z-scores, p-values, FDR and ``Gi_Bin`` classes.

    Parameters
    ----------
    values : array_like of float, shape (n,)
        One finite value per unit: event counts, or rates (fill zero-population units).
    neighbours : scipy sparse matrix or array, shape (n, n)
        Binary neighbour matrix without self-links, from
        :func:`gis.hotspots.weights.contiguity_weights`, :func:`lattice_weights` or
        :func:`gis.hexagons.hexagon_weights`.
    p_value : {"normal", "permutation"}, default "normal"
        ``"normal"``: two-sided p of the Gi* z-score (ArcGIS). ``"permutation"``: the
        conditional-permutation pseudo p-value; with FDR it can only reach a level
        ``alpha`` when about ``2 n / (alpha (permutations + 1))`` units share the smallest
        p-value, so it suits small maps (see ``docs/hotspots.md``).
    fdr : bool, default True
        Adjust the p-values with Benjamini–Hochberg before binning.
    permutations : int, default 999
        Conditional permutations to run (0: none; then ``p_value`` must be "normal").
    seed : int or numpy.random.Generator, optional
        Seed of the permutations.

    Returns
    -------
    HotspotResult

    Raises
    ------
    ValueError
        On invalid values or neighbours, an unknown ``p_value``, or
        ``p_value="permutation"`` without permutations.

    Examples
    --------
    >>> from gis.hotspots.weights import lattice_weights
    >>> counts = np.zeros((9, 9)); counts[3:6, 3:6] = 10
    >>> result = gi_star(counts.ravel(), lattice_weights(9, 9), permutations=0)
    >>> int(result.bins[4 * 9 + 4]), int(result.bins[0])
    (3, 0)
    """
    if p_value not in ("normal", "permutation"):
        raise ValueError(f"p_value must be 'normal' or 'permutation', not {p_value!r}")
    if permutations < 0 or (p_value == "permutation" and permutations == 0):
        raise ValueError(
            f"permutations must be >= 0, and > 0 for p_value='permutation'; got {permutations}"
        )
    y = _check_values(values)
    matrix = check_neighbours(neighbours, y.size)
    z = gi_star_z(y, matrix)
    p_normal = 2.0 * ndtr(-np.abs(z))
    p_permutation: FloatArray | None = None
    direction: ArrayLike = z
    if permutations:
        rng = np.random.default_rng(seed)
        p_permutation, tail = _conditional_permutation(y, matrix, permutations, rng)
        if p_value == "permutation":
            direction = tail
    p = p_permutation if p_value == "permutation" and p_permutation is not None else p_normal
    q = benjamini_hochberg(p) if fdr else p.copy()
    return HotspotResult(
        z=z,
        p=p,
        q=q,
        bins=confidence_bins(direction, q),
        p_permutation=p_permutation,
        p_value=p_value,
        fdr=fdr,
        permutations=permutations,
    )
