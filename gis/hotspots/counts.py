"""Event counts per unit, category group and time window; rates; repeat locations.

The units are whatever the map shows: basic grids (基础网格), communities (社区) or H3
hexagons (:mod:`gis.hexagons`). Events arrive as parallel arrays — one unit id, time,
category code and building id per event — and are counted with ``numpy.bincount``, so
millions of events take well under a second. Times are ``datetime64`` values on one
clock (store and pass UTC; timezone-aware ``datetime`` bounds are converted to UTC).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Final

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

__all__ = [
    "STANDARD_WINDOW_DAYS",
    "RepeatLocations",
    "TimeWindow",
    "category_group_index",
    "count_events",
    "count_events_by_group",
    "count_per_step",
    "rate_per",
    "repeat_locations",
    "unit_positions",
]

IntArray = NDArray[np.int64]
FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]
TimeLike = np.datetime64 | datetime | str

#: The windows the dashboard offers (days): last week, month and quarter.
STANDARD_WINDOW_DAYS: Final = (7, 30, 90)

_TIME_UNIT = "datetime64[us]"


def _as_time(value: TimeLike) -> np.datetime64:
    """One instant as ``datetime64[us]``; aware datetimes are converted to naive UTC."""
    if isinstance(value, datetime) and value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    instant = np.datetime64(value).astype(_TIME_UNIT)
    if np.isnat(instant):
        raise ValueError(f"not a time: {value!r}")
    return instant


def _as_times(times: ArrayLike) -> NDArray[np.datetime64]:
    array = np.asarray(times)
    if not np.issubdtype(array.dtype, np.datetime64):
        array = array.astype(_TIME_UNIT)
    return array.astype(_TIME_UNIT)


@dataclass(frozen=True)
class TimeWindow:
    """A half-open time window ``[start, end)`` (统计时段).

    Examples
    --------
    >>> window = TimeWindow.last_days(7, end="2024-06-08")
    >>> str(window.start), window.days
    ('2024-06-01T00:00:00.000000', 7.0)
    >>> window.contains(np.array(["2024-06-01", "2024-06-08"], dtype="datetime64[s]")).tolist()
    [True, False]
    """

    start: np.datetime64
    end: np.datetime64

    def __post_init__(self) -> None:
        start, end = _as_time(self.start), _as_time(self.end)
        if not start < end:
            raise ValueError(f"time window must end after it starts: {start} .. {end}")
        object.__setattr__(self, "start", start)
        object.__setattr__(self, "end", end)

    @classmethod
    def last_days(cls, days: float, *, end: TimeLike) -> TimeWindow:
        """The ``days`` days before ``end`` (e.g. 7, 30 or 90; fractions allowed)."""
        if not days > 0:
            raise ValueError(f"days must be positive, got {days}")
        stop = _as_time(end)
        return cls(stop - np.timedelta64(round(days * 86_400_000_000), "us"), stop)

    @classmethod
    def between(cls, start: TimeLike, end: TimeLike) -> TimeWindow:
        """A custom window from ``start`` (inclusive) to ``end`` (exclusive)."""
        return cls(_as_time(start), _as_time(end))

    @property
    def days(self) -> float:
        """Length of the window in days."""
        return float((self.end - self.start) / np.timedelta64(1, "D"))

    def contains(self, times: ArrayLike) -> BoolArray:
        """Which ``times`` fall inside the window (NaT never does)."""
        values = _as_times(times)
        return (values >= self.start) & (values < self.end)


def unit_positions(event_units: ArrayLike, unit_ids: ArrayLike) -> IntArray:
    """Position of each event's unit in ``unit_ids``; −1 when it is not listed.

    Parameters
    ----------
    event_units : array_like
        The unit id of each event (grid code, community code, H3 cell...). Missing
        values (None, NaN) give −1.
    unit_ids : array_like
        The units of the map, unique, in the order the counts should have.

    Returns
    -------
    numpy.ndarray of int64

    Raises
    ------
    ValueError
        When ``unit_ids`` holds duplicates.

    Examples
    --------
    >>> unit_positions(["b", "a", "x", "b"], ["a", "b", "c"]).tolist()
    [1, 0, -1, 1]
    """
    index = pd.Index(np.asarray(unit_ids).ravel())
    if not index.is_unique:
        raise ValueError("unit_ids must be unique")
    return np.asarray(index.get_indexer(np.asarray(event_units).ravel()), dtype=np.int64)


def _event_units(unit_index: ArrayLike, n_units: int) -> IntArray:
    """Unit positions as int64, checked against ``n_units`` (−1 stays: not counted)."""
    units = np.asarray(unit_index, dtype=np.int64).ravel()
    if units.size and units.max() >= n_units:
        raise ValueError(f"unit index {int(units.max())} out of range for {n_units} units")
    return units


def _event_mask(where: ArrayLike | None, n_events: int) -> BoolArray:
    if where is None:
        return np.ones(n_events, dtype=bool)
    mask = np.asarray(where, dtype=bool).ravel()
    if mask.size != n_events:
        raise ValueError(f"where has {mask.size} entries for {n_events} events")
    return mask


def count_events(
    unit_index: ArrayLike, n_units: int, *, where: ArrayLike | None = None
) -> IntArray:
    """Number of events in each unit.

    Parameters
    ----------
    unit_index : array_like of int
        Position of each event's unit (:func:`unit_positions`); −1 events are skipped.
    n_units : int
        Number of units of the map (units without events count 0).
    where : array_like of bool, optional
        Events to count, e.g. ``window.contains(times) & (group == 2)``.

    Returns
    -------
    numpy.ndarray of int64, shape (n_units,)

    Examples
    --------
    >>> count_events([0, 2, 2, -1], 4).tolist()
    [1, 0, 2, 0]
    """
    units = _event_units(unit_index, n_units)
    keep = _event_mask(where, units.size) & (units >= 0)
    return np.bincount(units[keep], minlength=n_units).astype(np.int64)


def count_events_by_group(
    unit_index: ArrayLike,
    group_index: ArrayLike,
    n_units: int,
    n_groups: int,
    *,
    where: ArrayLike | None = None,
) -> IntArray:
    """Number of events in each unit and category group (units × groups).

    Parameters
    ----------
    unit_index : array_like of int
        Position of each event's unit; −1 events are skipped.
    group_index : array_like of int
        Group of each event (:func:`category_group_index`); −1 events are skipped.
    n_units, n_groups : int
        Table size.
    where : array_like of bool, optional
        Events to count (e.g. a time window).

    Returns
    -------
    numpy.ndarray of int64, shape (n_units, n_groups)

    Examples
    --------
    >>> count_events_by_group([0, 0, 1], [1, -1, 0], 2, 2).tolist()
    [[0, 1], [1, 0]]
    """
    units = _event_units(unit_index, n_units)
    groups = np.asarray(group_index, dtype=np.int64).ravel()
    if groups.shape != units.shape:
        raise ValueError(f"group_index has {groups.size} entries for {units.size} events")
    if groups.size and groups.max() >= n_groups:
        raise ValueError(f"group index {int(groups.max())} out of range for {n_groups} groups")
    keep = _event_mask(where, units.size) & (units >= 0) & (groups >= 0)
    cells = units[keep] * n_groups + groups[keep]
    return np.bincount(cells, minlength=n_units * n_groups).reshape(n_units, n_groups)


def category_group_index(categories: ArrayLike, groups: Mapping[str, Sequence[str]]) -> IntArray:
    """Group of each event by category-code prefix (e.g. major class ``"06"`` 市容环境).

    Parameters
    ----------
    categories : array_like of str
        Category code of each event (2-digit major + 3-digit minor, GB/T 30428 style).
    groups : mapping of str to sequence of str
        Group name → code prefixes. An event goes to the first group (in mapping order)
        with a matching prefix.

    Returns
    -------
    numpy.ndarray of int64
        Position of the group in ``groups`` for each event, −1 when none matches.

    Examples
    --------
    >>> groups = {"facilities": ["01", "02", "03"], "order": ["09", "0601"]}
    >>> category_group_index(["01001", "09002", "06012", "06001"], groups).tolist()
    [0, 1, 1, -1]
    """
    codes, uniques = pd.factorize(np.asarray(categories, dtype=object).ravel())
    lookup = np.full(len(uniques) + 1, -1, dtype=np.int64)
    prefixes = [tuple(str(prefix) for prefix in members) for members in groups.values()]
    for position, value in enumerate(uniques):
        text = str(value)
        for group, members in enumerate(prefixes):
            if text.startswith(members):
                lookup[position] = group
                break
    return lookup[np.asarray(codes, dtype=np.int64)]  # code −1 (missing) reads lookup[-1]


def count_per_step(
    unit_index: ArrayLike,
    times: ArrayLike,
    n_units: int,
    *,
    end: TimeLike,
    steps: int,
    step_days: float = 7.0,
    where: ArrayLike | None = None,
) -> IntArray:
    """Events per unit and time step: the units × steps matrix of emerging hot spots.

    Step ``t`` (0-based, oldest first) covers ``[end − (steps − t) Δ, end − (steps − t − 1) Δ)``
    with ``Δ = step_days``, so the last column is the most recent step.

    Parameters
    ----------
    unit_index : array_like of int
        Position of each event's unit; −1 events are skipped.
    times : array_like of datetime64
        Time of each event.
    n_units : int
        Number of units.
    end : datetime64, datetime or str
        End (exclusive) of the last step.
    steps : int
        Number of steps (e.g. 26 weeks).
    step_days : float, default 7.0
        Length of a step in days (7: weekly counts).
    where : array_like of bool, optional
        Events to count (e.g. one category group).

    Returns
    -------
    numpy.ndarray of int64, shape (n_units, steps)

    Examples
    --------
    >>> times = np.array(["2024-01-01", "2024-01-09", "2024-01-14"], dtype="datetime64[D]")
    >>> count_per_step([0, 0, 1], times, 2, end="2024-01-15", steps=2).tolist()
    [[1, 1], [0, 1]]
    """
    if steps < 1 or not step_days > 0:
        raise ValueError(f"need steps >= 1 and step_days > 0, got {steps}, {step_days}")
    units = _event_units(unit_index, n_units)
    moments = _as_times(times).ravel()
    if moments.shape != units.shape:
        raise ValueError(f"times has {moments.size} entries for {units.size} events")
    step = round(step_days * 86_400_000_000)
    before_end = (_as_time(end) - moments).astype(np.int64)  # microseconds before ``end``
    back = (before_end - 1) // step  # 0 for the most recent step
    keep = _event_mask(where, units.size) & (units >= 0) & ~np.isnat(moments)
    keep &= (before_end > 0) & (back < steps)
    cells = units[keep] * steps + (steps - 1 - back[keep])
    return np.bincount(cells, minlength=n_units * steps).reshape(n_units, steps)


def rate_per(
    counts: ArrayLike, population: ArrayLike, *, per: float = 1000.0, empty: float = np.nan
) -> FloatArray:
    """Events per ``per`` residents (or per building with ``per=1``) of each unit.

    Parameters
    ----------
    counts : array_like of float
        Events per unit.
    population : array_like of float
        Residents (or buildings) per unit, non-negative.
    per : float, default 1000.0
        Rate base: 1000 for "per 1,000 residents", 1 for "per building".
    empty : float, default NaN
        Rate of a unit with zero population (a park, a construction site). Gi* needs
        finite values, so pass e.g. ``empty=0.0`` or analyse counts there.

    Returns
    -------
    numpy.ndarray of float

    Raises
    ------
    ValueError
        On a negative or missing population, or arrays of different shapes.

    Examples
    --------
    >>> rate_per([3, 0, 2], [1500, 0, 0], empty=0.0).tolist()
    [2.0, 0.0, 0.0]
    """
    events = np.asarray(counts, dtype=np.float64)
    people = np.asarray(population, dtype=np.float64)
    if events.shape != people.shape:
        raise ValueError(f"counts {events.shape} and population {people.shape} differ in shape")
    if not (people >= 0).all():
        raise ValueError("population must be non-negative and not missing")
    rate = np.full(events.shape, empty, dtype=np.float64)
    inhabited = people > 0
    rate[inhabited] = events[inhabited] * per / people[inhabited]
    return rate


@dataclass(frozen=True)
class RepeatLocations:
    """Buildings with repeated events (重复发生地), most events first.

    Attributes
    ----------
    building_ids : numpy.ndarray of object
        Building codes (19-digit 建筑物编码 or whatever ids were given).
    counts : numpy.ndarray of int64
        Events at each building.
    """

    building_ids: NDArray[np.object_]
    counts: IntArray


def repeat_locations(
    building_ids: ArrayLike, *, min_events: int = 2, where: ArrayLike | None = None
) -> RepeatLocations:
    """Buildings with at least ``min_events`` events, sorted by count then id.

    Parameters
    ----------
    building_ids : array_like
        Building id of each event; None, NaN and "" (events not at a building) are skipped.
    min_events : int, default 2
        Smallest count listed.
    where : array_like of bool, optional
        Events to consider (e.g. a time window).

    Returns
    -------
    RepeatLocations

    Examples
    --------
    >>> found = repeat_locations(["B2", "B1", None, "B2", "B1", "B2", "B3"])
    >>> found.building_ids.tolist(), found.counts.tolist()
    (['B2', 'B1'], [3, 2])
    """
    if min_events < 1:
        raise ValueError(f"min_events must be at least 1, got {min_events}")
    ids = pd.Series(np.asarray(building_ids, dtype=object).ravel())
    if where is not None:
        ids = ids[np.asarray(where, dtype=bool).ravel()]
    ids = ids[ids.notna() & (ids.astype(str) != "")]
    counts = ids.value_counts()
    counts = counts[counts >= min_events]
    labels = counts.index.to_numpy(dtype=object)
    numbers = counts.to_numpy(dtype=np.int64)
    order = np.lexsort((labels.astype(str), -numbers))
    return RepeatLocations(labels[order], numbers[order])
