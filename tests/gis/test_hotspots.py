"""Hot-spot statistics (gis.hotspots): Gi*, FDR, weights, Mann-Kendall, emerging, counts."""

from __future__ import annotations

import itertools
import warnings
from datetime import datetime, timedelta, timezone

import esda
import numpy as np
import pymannkendall
import pytest
from libpysal.graph import Graph
from shapely.geometry import box

from gis.hotspots import (
    STANDARD_WINDOW_DAYS,
    EmergingPattern,
    TimeWindow,
    benjamini_hochberg,
    category_group_index,
    classify_history,
    confidence_bins,
    contiguity_weights,
    count_events,
    count_events_by_group,
    count_per_step,
    emerging_hotspots,
    gi_star,
    gi_star_z,
    islands,
    lattice_weights,
    mann_kendall,
    neighbours_from_pairs,
    permutation_p_values,
    rate_per,
    repeat_locations,
    unit_positions,
)

SIDE = 30
BLOCK = (slice(13, 16), slice(13, 16))  # a 3 × 3 block in the middle of the lattice
QUEEN = lattice_weights(SIDE, SIDE)


def planted_map(background: float, block_rate: float, seed: int) -> np.ndarray:
    """Poisson counts on the 30 × 30 lattice with the 3 × 3 block at another rate."""
    rate = np.full((SIDE, SIDE), background)
    rate[BLOCK] = block_rate
    return np.random.default_rng(seed).poisson(rate).ravel()


def block_bins(bins: np.ndarray) -> np.ndarray:
    return bins.reshape(SIDE, SIDE)[BLOCK]


# --- Gi* -------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", range(4))
def test_planted_cluster_is_hot_at_99_percent_with_fdr(seed: int) -> None:
    counts = planted_map(background=4.0, block_rate=20.0, seed=seed)
    result = gi_star(counts, QUEEN, seed=seed)
    assert result.fdr and result.p_value == "normal"
    assert (block_bins(result.bins) == 3).all()
    assert result.hot(0.99).sum() >= 9
    bins = result.bins.reshape(SIDE, SIDE)
    far = np.ones((SIDE, SIDE), dtype=bool)
    far[11:18, 11:18] = False  # the block and the units whose neighbourhood reaches it
    assert (bins[far] != 0).sum() <= 2


@pytest.mark.parametrize("seed", range(3))
def test_zero_block_in_high_background_is_cold(seed: int) -> None:
    counts = planted_map(background=20.0, block_rate=0.0, seed=seed)
    result = gi_star(counts, QUEEN, permutations=99, seed=seed)
    assert (block_bins(result.bins) == -3).all()
    assert result.cold(0.99)[14 * SIDE + 14] and result.hot(0.90).sum() <= 2


@pytest.mark.parametrize("mean", [1.0, 5.0])
def test_homogeneous_poisson_gives_few_significant_units(mean: float) -> None:
    shares = []
    for seed in range(5):
        counts = np.random.default_rng(100 + seed).poisson(mean, SIDE * SIDE)
        result = gi_star(counts, QUEEN, permutations=0)
        shares.append(float((result.bins != 0).mean()))
        assert (np.abs(result.bins) >= 2).mean() < 0.05
    assert np.mean(shares) < 0.02


def test_z_scores_match_esda_g_local_star() -> None:
    counts = planted_map(background=3.0, block_rate=9.0, seed=7)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        reference = esda.G_Local(
            counts.astype(float), Graph.from_sparse(QUEEN), transform="B", star=True,
            permutations=0,
        )  # fmt: skip
    np.testing.assert_allclose(gi_star_z(counts, QUEEN), reference.Zs, rtol=1e-10, atol=1e-12)


def test_permutation_p_values_match_exact_conditional_distribution() -> None:
    values = np.array([0.0, 1, 2, 3, 5, 8, 13, 21])
    weights = neighbours_from_pairs([0, 0, 1], [6, 7, 2], 8)  # unit 0 sees the two largest
    p = permutation_p_values(values, weights, permutations=99_999, seed=1)
    others = values[1:]
    sums = np.array([a + b for a, b in itertools.combinations(others, 2)])
    observed = values[6] + values[7]
    exact = min(1.0, 2 * min((sums >= observed).mean(), (sums <= observed).mean()))
    assert exact == pytest.approx(2 / 21)
    assert p[0] == pytest.approx(exact, abs=0.01)
    assert p[3] == 1.0  # unit 3 has no neighbour: nothing to permute


def test_permutation_mode_on_a_small_map_with_many_permutations() -> None:
    rate = np.full((12, 12), 4.0)
    rate[4:8, 4:8] = 20.0
    counts = np.random.default_rng(0).poisson(rate).ravel()
    weights = lattice_weights(12, 12)
    result = gi_star(counts, weights, p_value="permutation", permutations=9999, seed=0)
    assert result.p_permutation is not None and result.p.min() == pytest.approx(2 / 10_000)
    bins = result.bins.reshape(12, 12)
    # 99 % after FDR needs >= 3 of 144 units at the smallest p: reached, but only just.
    assert (bins[5:7, 5:7] >= 2).all() and (bins[5:7, 5:7] == 3).any()
    assert (bins[3:9, 3:9] > 0).sum() == (bins > 0).sum()  # hot only around the block


def test_same_seed_same_permutations() -> None:
    counts = planted_map(background=2.0, block_rate=6.0, seed=3)
    first = permutation_p_values(counts, QUEEN, permutations=199, seed=5)
    np.testing.assert_array_equal(
        first, permutation_p_values(counts, QUEEN, permutations=199, seed=5)
    )


def test_values_without_spread_are_not_significant() -> None:
    result = gi_star(np.full(SIDE * SIDE, 0.1), QUEEN, permutations=9)
    assert (result.z == 0).all() and (result.bins == 0).all()


def test_gi_star_rejects_bad_input() -> None:
    with pytest.raises(ValueError, match="finite"):
        gi_star([1.0, np.nan, 2.0], lattice_weights(1, 3))
    with pytest.raises(ValueError, match="shape"):
        gi_star([1.0, 2.0], lattice_weights(1, 3))
    with pytest.raises(ValueError, match="binary"):
        gi_star([1.0, 2.0, 3.0], lattice_weights(1, 3) * 0.5)
    with pytest.raises(ValueError, match="permutation"):
        gi_star([1.0, 2.0, 3.0], lattice_weights(1, 3), p_value="permutation", permutations=0)


# --- FDR and bins -------------------------------------------------------------------------


def test_benjamini_hochberg_by_hand() -> None:
    q = benjamini_hochberg([0.001, 0.008, 0.039, 0.041, 0.042, 0.06, 0.074, 0.205, 0.212, 0.216])
    expected = [0.01, 0.04, 0.084, 0.084, 0.084, 0.1, 0.10571429, 0.216, 0.216, 0.216]
    np.testing.assert_allclose(q, expected, rtol=1e-6)
    assert benjamini_hochberg([]).size == 0


@pytest.mark.parametrize("seed", range(5))
def test_benjamini_hochberg_rejects_what_esda_fdr_rejects(seed: int) -> None:
    rng = np.random.default_rng(seed)
    p = np.concatenate([rng.uniform(0, 1, 400), rng.uniform(0, 0.002, 40)])
    q = benjamini_hochberg(p)
    for alpha in (0.01, 0.05, 0.10):
        threshold = esda.fdr(p, alpha)
        np.testing.assert_array_equal(q <= alpha, p <= threshold)


def test_confidence_bins_follow_arcgis_gi_bin() -> None:
    bins = confidence_bins(
        [3.0, 2.0, 1.0, -3.0, -2.0, -1.0, 0.5], [0.001, 0.03, 0.08, 0.01, 0.05, 0.1, 0.5]
    )
    assert bins.tolist() == [3, 2, 1, -3, -2, -1, 0]


# --- weights ------------------------------------------------------------------------------


def test_queen_contiguity_of_polygons_counts_corners() -> None:
    cells = [box(x, y, x + 1, y + 1) for y in range(3) for x in range(3)]
    weights = contiguity_weights(cells)
    np.testing.assert_array_equal(weights.toarray(), lattice_weights(3, 3).toarray())
    assert (weights != weights.T).nnz == 0


def test_contiguity_tolerance_bridges_slivers() -> None:
    cells = [box(0, 0, 1, 1), box(1.0004, 0, 2, 1)]
    assert contiguity_weights(cells, connect_islands=False).nnz == 0
    assert contiguity_weights(cells, tolerance=0.001).nnz == 2


def test_islands_are_joined_to_their_nearest_unit_or_kept() -> None:
    cells = [box(x, 0, x + 1, 1) for x in range(4)] + [box(10, 0, 11, 1)]
    joined = contiguity_weights(cells)
    assert islands(joined).size == 0 and joined[4, 3] == 1 and joined[3, 4] == 1
    kept = contiguity_weights(cells, connect_islands=False)
    assert islands(kept).tolist() == [4]
    result = gi_star([1, 2, 1, 2, 40], kept, permutations=99, seed=0)
    assert np.isfinite(result.z).all() and result.p_permutation is not None
    assert result.p_permutation[4] == 1.0
    assert result.z[4] == pytest.approx((40 - 9.2) / np.std([1, 2, 1, 2, 40]))


def test_lattice_weights_rook_and_queen() -> None:
    rook, queen = lattice_weights(4, 5, queen=False), lattice_weights(4, 5)
    assert rook.sum() == 2 * (4 * 4 + 3 * 5)
    assert queen.sum() == rook.sum() + 2 * 2 * 3 * 4
    assert (queen != queen.T).nnz == 0 and queen.diagonal().sum() == 0


# --- Mann-Kendall -------------------------------------------------------------------------


def test_mann_kendall_by_hand() -> None:
    result = mann_kendall([1, 2, 2, 3, 5, 4, 6])
    # 21 pairs: 19 increasing, 1 decreasing (5 > 4), 1 tie (2 = 2) -> S = 18.
    assert result.s[0] == 18
    assert result.var_s[0] == pytest.approx((7 * 6 * 19 - 2 * 1 * 9) / 18)
    assert result.z[0] == pytest.approx(17 / np.sqrt(43 + 1 / 3))
    assert result.slope is not None and result.slope[0] == pytest.approx(0.8)
    assert result.direction().tolist() == [1]


def test_mann_kendall_matches_pymannkendall() -> None:
    rng = np.random.default_rng(11)
    series = np.vstack([
        rng.poisson(3, 26),  # many ties
        rng.poisson(np.linspace(2, 9, 26)),  # upward
        np.linspace(5, 1, 26) + rng.normal(0, 0.5, 26),  # downward, no ties
        np.r_[np.zeros(20), np.ones(6)],  # long ties
        np.full(26, 4.0),  # constant: no trend at all
    ])  # fmt: skip
    result = mann_kendall(series)
    for row, values in enumerate(series):
        reference = pymannkendall.original_test(values)
        assert result.s[row] == pytest.approx(reference.s)
        assert result.var_s[row] == pytest.approx(reference.var_s)
        assert result.z[row] == pytest.approx(reference.z, abs=1e-12)
        assert result.p[row] == pytest.approx(reference.p, abs=1e-12)
        assert result.tau[row] == pytest.approx(reference.Tau)
        assert result.slope is not None and result.slope[row] == pytest.approx(reference.slope)


# --- emerging hot spots -------------------------------------------------------------------

TEXTURE = 10.0 + np.indices((20, 20)).sum(axis=0) % 3  # uneven background rates
CENTRE = 10 * 20 + 10
LATTICE_20 = lattice_weights(20, 20)


def history_map(
    block_rates: list[float], seed: int, background: np.ndarray = TEXTURE
) -> np.ndarray:
    """Poisson counts (units × steps); the 3 × 3 block around CENTRE has its own rate per step."""
    rng = np.random.default_rng(seed)
    steps = []
    for rate in block_rates:
        counts = rng.poisson(background)
        counts[9:12, 9:12] = rng.poisson(rate, (3, 3))
        steps.append(counts.ravel())
    return np.column_stack(steps)


@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize(
    ("block_rates", "expected"),
    [
        ([10.0] * 11 + [50.0], EmergingPattern.NEW),
        (list(np.linspace(30, 120, 12)), EmergingPattern.INTENSIFYING),
        ([50.0] * 12, EmergingPattern.PERSISTENT),
        (list(np.linspace(120, 30, 12)), EmergingPattern.DIMINISHING),
    ],
    ids=["new", "intensifying", "persistent", "diminishing"],
)
def test_emerging_patterns_of_constructed_series(
    block_rates: list[float], expected: EmergingPattern, seed: int
) -> None:
    result = emerging_hotspots(history_map(block_rates, seed), LATTICE_20)
    assert result.side[CENTRE] == 1
    assert EmergingPattern(result.pattern[CENTRE]) is expected
    assert result.labels()[CENTRE] == f"{expected.name.lower()} hot spot"
    corner = result.status[0]
    assert (corner == 0).all() and result.pattern[0] == EmergingPattern.NONE


def test_emerging_cold_spot_and_chinese_labels() -> None:
    result = emerging_hotspots(history_map([0.0] * 12, 0, TEXTURE + 20), LATTICE_20)
    assert result.side[CENTRE] == -1 and result.pattern[CENTRE] == EmergingPattern.PERSISTENT
    assert result.labels("zh")[CENTRE] == "持续冷点"


def test_emerging_trend_on_counts() -> None:
    rising = history_map(list(np.linspace(30, 120, 12)), 0)
    result = emerging_hotspots(rising, LATTICE_20, trend_of="counts")
    assert result.trend_of == "counts" and result.trend.direction()[CENTRE] == 1
    assert result.pattern[CENTRE] == EmergingPattern.INTENSIFYING


@pytest.mark.parametrize(
    ("status", "trend", "expected", "side"),
    [
        ([0, 0, 0, 0, 0, 0, 0, 0, 0, 1], 1, EmergingPattern.NEW, 1),
        ([0, 0, 0, 0, 0, 0, 0, 0, 1, 1], 1, EmergingPattern.INTENSIFYING, 1),
        ([1, 1, 1, 1, 1, 1, 1, 1, 0, 1], 1, EmergingPattern.INTENSIFYING, 1),
        ([1, 1, 1, 1, 1, 1, 1, 1, 1, 1], 0, EmergingPattern.PERSISTENT, 1),
        ([1, 1, 1, 1, 1, 1, 1, 1, 1, 1], -1, EmergingPattern.DIMINISHING, 1),
        ([1, 1, 1, 1, 1, 1, 1, 1, 1, 0], -1, EmergingPattern.DIMINISHING, 1),
        ([0, 0, 0, 0, 0, 0, 0, 1, 1, 1], 0, EmergingPattern.CONSECUTIVE, 1),
        ([1, 1, 1, 1, 1, 1, 1, 1, 1, 0], 0, EmergingPattern.HISTORICAL, 1),
        ([-1, 0, 1, 0, 0, 1, 0, 0, 0, 1], 0, EmergingPattern.OSCILLATING, 1),
        ([0, 1, 0, 0, 1, 0, 0, 1, 0, 1], 0, EmergingPattern.SPORADIC, 1),
        ([0, 1, 0, 0, 1, 0, 0, 0, 0, 0], 0, EmergingPattern.SPORADIC, 1),
        ([0, 0, 0, 0, 0, 0, 0, 0, 0, 0], 1, EmergingPattern.NONE, 0),
        ([0, 0, 0, 0, 0, 0, 0, 0, 0, -1], 0, EmergingPattern.NEW, -1),
        ([-1, -1, -1, -1, -1, -1, -1, -1, -1, -1], -1, EmergingPattern.INTENSIFYING, -1),
        ([-1, -1, -1, -1, -1, -1, -1, -1, -1, -1], 1, EmergingPattern.DIMINISHING, -1),
        ([1, 0, -1, 0, 0, -1, 0, 0, 0, -1], 0, EmergingPattern.OSCILLATING, -1),
    ],
)
def test_classify_history_rules(
    status: list[int], trend: int, expected: EmergingPattern, side: int
) -> None:
    pattern, sides = classify_history([status], [trend])
    assert EmergingPattern(pattern[0]) is expected and sides[0] == side


# --- counts -------------------------------------------------------------------------------


def test_counts_per_unit_group_and_window() -> None:
    grids = ["440304001001", "440304001002", "440304001003"]
    events = np.array(["440304001002", "440304001001", "440304001002", "999", "440304001003"])
    unit = unit_positions(events, grids)
    assert unit.tolist() == [1, 0, 1, -1, 2]
    times = np.array(
        ["2024-05-01", "2024-05-30", "2024-05-31T23:59", "2024-05-31", "2024-06-01"],
        dtype="datetime64[m]",
    )
    window = TimeWindow.last_days(30, end="2024-06-01")
    assert count_events(unit, 3).tolist() == [1, 2, 1]
    assert count_events(unit, 3, where=window.contains(times)).tolist() == [1, 1, 0]
    groups = category_group_index(
        ["06001", "09002", "06003", "01001", "10001"], {"a": ["06"], "b": ["09", "10"]}
    )
    assert count_events_by_group(unit, groups, 3, 2).tolist() == [[0, 1], [2, 0], [0, 1]]
    with pytest.raises(ValueError, match="unique"):
        unit_positions(events, ["a", "a"])


def test_standard_windows_and_aware_times() -> None:
    shanghai = timezone(timedelta(hours=8))
    end = datetime(2024, 6, 1, 8, 0, tzinfo=shanghai)  # midnight UTC
    for days in STANDARD_WINDOW_DAYS:
        window = TimeWindow.last_days(days, end=end)
        assert window.days == days and str(window.end) == "2024-06-01T00:00:00.000000"
    custom = TimeWindow.between("2024-05-01", datetime(2024, 5, 15, 12))
    assert custom.days == 14.5
    inside = custom.contains(np.array(["2024-05-15T11:59", "NaT"], dtype="datetime64[m]"))
    assert inside.tolist() == [True, False]
    with pytest.raises(ValueError, match="after it starts"):
        TimeWindow.between("2024-06-02", "2024-06-01")


def test_count_per_step_assigns_step_boundaries() -> None:
    times = np.array(
        ["2024-01-01T00:00", "2024-01-07T23:59", "2024-01-08T00:00", "2024-01-14T23:59",
         "2024-01-15T00:00", "2023-12-31T23:59", "NaT"],
        dtype="datetime64[m]",
    )  # fmt: skip
    counts = count_per_step([0, 0, 1, 1, 1, 0, 0], times, 2, end="2024-01-15", steps=2)
    assert counts.tolist() == [[2, 0], [0, 2]]


def test_rates_handle_zero_population() -> None:
    rates = rate_per([4, 0, 3], [2000, 0, 0])
    assert rates[0] == 2.0 and np.isnan(rates[1:]).all()
    assert rate_per([6, 2], [3, 0], per=1.0, empty=0.0).tolist() == [2.0, 0.0]
    with pytest.raises(ValueError, match="non-negative"):
        rate_per([1], [-5])


def test_repeat_locations_lists_buildings_with_enough_events() -> None:
    first, second = "4403040010010100001", "4403040010010100002"  # 19-digit building codes
    ids = [first, second, None, first, "", first, second]
    found = repeat_locations(ids, min_events=2)
    assert found.building_ids.tolist() == [first, second]
    assert found.counts.tolist() == [3, 2]
    latest = repeat_locations(ids, min_events=2, where=[True] * 4 + [False] * 3)
    assert latest.building_ids.tolist() == [first]
