"""Workflow histories (案件流转记录) of generated events, consistent with SPEC §2.4.

Every event walks the seven steps — report → accept → dispatch → start →
report_done → verify_pass → close — with the usual detours: rejection at filing
(不予立案), return of a mis-dispatched case (退回) and dispatch to the right department,
postponement (缓办, the clock stops) and resumption, escalation when handling runs past
the deadline (督办), and verification failures that send the case back (返工). The
history is simulated to the end and cut at "now": older events are closed, recent ones
stop at whatever step they have reached. Time limits come from the event category;
working-hour limits count 09:00–12:00 and 13:30–18:30, Monday to Friday (holidays are
not modelled).

:data:`TRANSITIONS` lists every (action, from, to) this generator writes.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from api.demo.events import CategoryTable, EventDraft
from api.demo.rhythms import LOCAL_OFFSET_US, MICROS_PER_DAY
from api.events.models import EVENT_ACTIONS, EVENT_STATUSES

__all__ = ["TRANSITIONS", "Histories", "add_working_minutes", "simulate_histories"]

#: (action, from_status, to_status); escalate keeps the status it finds
TRANSITIONS: tuple[tuple[str, str | None, str], ...] = (
    ("report", None, "reported"),
    ("accept", "reported", "accepted"),
    ("reject", "reported", "rejected"),
    ("dispatch", "accepted", "dispatched"),
    ("return", "dispatched", "accepted"),
    ("start", "dispatched", "handling"),
    ("postpone", "handling", "postponed"),
    ("resume", "postponed", "handling"),
    ("escalate", "handling", "handling"),
    ("report_done", "handling", "handled"),
    ("verify_fail", "handled", "dispatched"),
    ("verify_pass", "handled", "handled"),
    ("close", "handled", "closed"),
)
ROLES = ("grid_worker", "street_supervisor", "hotline", "citizen", "sensor", "dept_handler")
NOTES = (
    "网格员巡查上报", "街道督查发现", "12345热线转办", "市民通过Open311上报", "物联感知设备告警",
    "导入", "已受理立案", "不予立案：重复上报", "派遣至责任部门", "非本部门职责，申请退回",
    "已到场处置", "已处置完毕，请核查", "现场核查通过", "现场核查未通过，问题仍存在",
    "需协调产权单位，申请缓办", "恢复办理", "超期督办", "结案", "不予立案：不属于受理范围",
)
_REPORT_ROLE = (0, 1, 2, 3, 4, 1)  # by source: patrol, supervisor, hotline, open311, sensor, import
_MINUTE = 60 * 1_000_000
_A = {name: EVENT_ACTIONS.index(name) for name in EVENT_ACTIONS}
_S = {name: EVENT_STATUSES.index(name) for name in EVENT_STATUSES}
_WORK_BLOCKS = ((9 * 60, 12 * 60), (13 * 60 + 30, 18 * 60 + 30))  # local minutes of the day


def add_working_minutes(at_us: int, minutes: int) -> int:
    """``at_us`` plus ``minutes`` of working time (Mon–Fri 09:00–12:00, 13:30–18:30 local)."""
    local = at_us + LOCAL_OFFSET_US
    day, within = divmod(local, MICROS_PER_DAY)
    now = within / _MINUTE
    left = float(minutes)
    while True:
        if (day + 3) % 7 < 5:  # Monday..Friday (1970-01-01 was a Thursday)
            for start, end in _WORK_BLOCKS:
                if now < end:
                    begin = max(now, start)
                    if begin + left <= end:
                        return int(day * MICROS_PER_DAY + (begin + left) * _MINUTE
                                   - LOCAL_OFFSET_US)
                    left -= end - begin
                    now = end
        day, now = day + 1, 0.0


@dataclass(frozen=True)
class Histories:
    """Event state after the history, and the history itself (one row per action)."""

    status: NDArray[np.int64]
    department: NDArray[np.int64]  # department id or -1
    accepted: NDArray[np.int64]  # µs or -1
    dispatched: NDArray[np.int64]
    handled: NDArray[np.int64]
    closed: NDArray[np.int64]
    due: NDArray[np.int64]
    stage_due: NDArray[np.int64]
    escalation: NDArray[np.int64]
    rework: NDArray[np.int64]
    version: NDArray[np.int64]
    action_event: NDArray[np.int64]
    action: NDArray[np.int64]
    action_from: NDArray[np.int64]  # -1 for the report
    action_to: NDArray[np.int64]
    action_at: NDArray[np.int64]
    action_role: NDArray[np.int64]  # index into ROLES
    action_department: NDArray[np.int64]
    action_note: NDArray[np.int64]  # index into NOTES


def simulate_histories(
    rng: np.random.Generator,
    draft: EventDraft,
    categories: CategoryTable,
    *,
    department_ids: dict[str, int],
    district: str,
    as_of_us: int,
) -> Histories:
    """Run every event of ``draft`` through the workflow and cut the histories at ``as_of_us``."""
    n = len(draft.category)
    c = draft.category
    cols = {name: np.full(n, -1, dtype=np.int64) for name in (
        "status", "department", "accepted", "dispatched", "handled", "closed", "due",
        "stage_due", "escalation", "rework", "version")}
    own = np.array([department_ids.get(f"city-management-{district}", department_ids[d])
                    if d == "city-management" else department_ids[d]
                    for d in categories.departments])[c]
    wrong = np.array(sorted(department_ids.values()))[rng.integers(0, len(department_ids), n)]
    wrong = np.where(wrong == own, np.array(sorted(department_ids.values()))[0], wrong)
    u = rng.random((n, 8))
    delays = rng.lognormal(0.0, 0.8, (n, 6))  # factors on the typical delay of each step
    handle_factor = np.exp(rng.normal(np.log(0.45), 0.6, n))
    handle_factor[u[:, 5] < 0.02] *= rng.uniform(8, 60, int((u[:, 5] < 0.02).sum()))
    postpone_days = rng.lognormal(np.log(12), 0.7, n)
    reworks = np.select([u[:, 3] < 0.015, u[:, 3] < 0.09], [2, 1], default=0)
    rows: list[tuple[int, int, int, int, int, int, int, int]] = []
    accept_m, dispatch_m = categories.accept_minutes[c], categories.dispatch_minutes[c]
    handle_m, verify_m = categories.handle_minutes[c], categories.verify_minutes[c]
    working = categories.working_hours[c]
    for i in range(n):
        history = _history(
            int(draft.reported[i]), int(draft.source[i]), u[i], delays[i],
            float(handle_factor[i]), float(postpone_days[i]), int(reworks[i]),
            int(accept_m[i]), int(dispatch_m[i]), int(handle_m[i]), int(verify_m[i]),
            bool(working[i]), int(own[i]), int(wrong[i]))
        kept = [step for step in history[0] if step[2] <= as_of_us]
        due = history[1]
        for action, from_s, at, role, dept, note in kept:
            rows.append((i, action, from_s, _TO[action, from_s], at, role, dept, note))
        _summarise(cols, i, kept, due, int(verify_m[i]), int(accept_m[i]), int(dispatch_m[i]))
    actions = np.array(rows, dtype=np.int64).reshape(-1, 8)
    return Histories(**cols, action_event=actions[:, 0], action=actions[:, 1],
                     action_from=actions[:, 2], action_to=actions[:, 3], action_at=actions[:, 4],
                     action_role=actions[:, 5], action_department=actions[:, 6],
                     action_note=actions[:, 7])


_TO = {(_A[a], -1 if f is None else _S[f]): _S[t] for a, f, t in TRANSITIONS}
Step = tuple[int, int, int, int, int, int]  # action, from, at, role, department, note


def _history(reported: int, source: int, u: NDArray, delays: NDArray, handle_factor: float,
             postpone_days: float, reworks: int, accept_m: int, dispatch_m: int, handle_m: int,
             verify_m: int, working: bool, own: int, wrong: int) -> tuple[list[Step], int]:
    """The full history of one event and its deadline (due_at)."""
    supervisor, handler, worker = 1, 5, 0
    m = _MINUTE
    steps: list[Step] = [(_A["report"], -1, reported, _REPORT_ROLE[source], -1, source)]
    t = reported + int(accept_m * 0.35 * delays[0] * m) + m
    start_clock = reported + (accept_m + dispatch_m) * m
    due = (add_working_minutes(start_clock, handle_m) if working
           else start_clock + handle_m * m)
    if u[0] < 0.035:
        note = 7 if u[1] < 0.6 else 18
        steps.append((_A["reject"], _S["reported"], t, supervisor, -1, note))
        return steps, due
    steps.append((_A["accept"], _S["reported"], t, supervisor, -1, 6))
    t += int(dispatch_m * 0.3 * delays[1] * m) + m
    if u[2] < 0.05:  # sent to the wrong department first
        steps.append((_A["dispatch"], _S["accepted"], t, supervisor, wrong, 8))
        t += int(90 * delays[2] * m) + m
        steps.append((_A["return"], _S["dispatched"], t, handler, wrong, 9))
        t += int(10 * delays[3] * m) + m
    steps.append((_A["dispatch"], _S["accepted"], t, supervisor, own, 8))
    span = max(due - t, 30 * m)
    t += int(span * 0.08 * delays[4]) + m
    steps.append((_A["start"], _S["dispatched"], t, handler, own, 10))
    resumed = t
    if u[4] < 0.03:
        t += int(60 * delays[5] * m) + m
        steps.append((_A["postpone"], _S["handling"], t, supervisor, own, 14))
        pause = int(postpone_days * MICROS_PER_DAY)
        t += pause
        due += pause
        resumed = t
        steps.append((_A["resume"], _S["postponed"], t, supervisor, own, 15))
    done = t + int(span * handle_factor) + m
    for level, extra in ((1, 0), (2, 2 * MICROS_PER_DAY)):
        at = max(due + extra + int(u[6] * 120 * m), resumed + m * level)
        if at < done:
            steps.append((_A["escalate"], _S["handling"], at, supervisor, -1, 16))
    steps.append((_A["report_done"], _S["handling"], done, handler, own, 11))
    t = done
    for _ in range(reworks):
        t += int(verify_m * 0.5 * delays[5] * m) + m
        steps.append((_A["verify_fail"], _S["handled"], t, worker, -1, 13))
        t += int(120 * delays[2] * m) + m
        steps.append((_A["start"], _S["dispatched"], t, handler, own, 10))
        t += int(span * 0.5 * handle_factor) + m
        steps.append((_A["report_done"], _S["handling"], t, handler, own, 11))
    t += int(verify_m * 0.5 * delays[5] * m) + m
    steps.append((_A["verify_pass"], _S["handled"], t, worker, -1, 12))
    t += int(20 * u[7] * m) + m
    steps.append((_A["close"], _S["handled"], t, supervisor, -1, 17))
    return steps, due


def _summarise(cols: dict[str, NDArray[np.int64]], i: int, kept: list[Step], due: int,
               verify_m: int, accept_m: int, dispatch_m: int) -> None:
    """Fill the event's columns from the steps that have happened."""
    status = -1
    for action, from_s, at, _, dept, _ in kept:
        status = _TO[action, from_s]
        if action == _A["accept"]:
            cols["accepted"][i] = at
        elif action == _A["dispatch"]:
            cols["dispatched"][i], cols["department"][i] = at, dept
        elif action == _A["report_done"]:
            cols["handled"][i] = at
        elif action == _A["close"]:
            cols["closed"][i] = at
    cols["status"][i] = status
    cols["due"][i] = due
    cols["escalation"][i] = sum(1 for step in kept if step[0] == _A["escalate"])
    cols["rework"][i] = sum(1 for step in kept if step[0] == _A["verify_fail"])
    cols["version"][i] = len(kept)
    last = kept[-1][2]
    m = _MINUTE
    stage = {_S["reported"]: last + accept_m * m, _S["accepted"]: last + dispatch_m * m,
             _S["dispatched"]: due, _S["handling"]: due,
             _S["handled"]: cols["handled"][i] + verify_m * m}
    cols["stage_due"][i] = stage.get(status, -1)
