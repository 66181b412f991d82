"""Workflow histories (案件流转记录) of generated events, replayed with the live rules.

Every event walks the steps of :mod:`api.events.workflow` — report → accept → dispatch
→ start → report_done → verify_pass → close — with the usual detours: rejection at
filing (不予立案), return of a mis-dispatched case (退回) and dispatch to the right
department, postponement (缓办) and resumption, and verification failures that send
the case back (返工). Each step sets the deadlines exactly as :mod:`api.events.flows`
does (``stage_due_at`` per step, ``due_at`` at dispatch), in working time for the
categories counted in working hours; when a stage runs past its deadline, the overdue
sweeper's automatic escalation (超期自动督办, one per stage) appears a few minutes after
it. Histories are simulated to the end and cut at "now": older events are closed,
recent ones stop at whatever step they have reached.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from api.events.calendar import WorkCalendar
from api.events.models import EVENT_ACTIONS, EVENT_SOURCES
from api.events.workflow import EVENT_STATUSES_ALL, OPEN_STATUSES, STEPS
from democity.events import CategoryTable, EventDraft
from democity.rhythms import MICROS_PER_DAY

__all__ = ["NOTES", "ROLES", "Histories", "simulate_histories"]

ROLES = (
    "grid_worker",
    "street_supervisor",
    "district_supervisor",
    "dept_handler",
    "system",
    *EVENT_SOURCES,
)
NOTES = (
    "网格员巡查上报",
    "街道督查发现",
    "12345热线转办",
    "市民通过Open311上报",
    "物联感知设备告警",
    "批量导入",
    "已受理立案",
    "不予立案：重复上报",
    "派遣至责任部门",
    "非本部门职责，申请退回",
    "已到场处置",
    "已处置完毕，请核查",
    "现场核查通过",
    "现场核查未通过，问题仍存在",
    "需协调产权单位，申请缓办",
    "恢复办理",
    "超期自动督办",
    "结案",
    "不予立案：不属于受理范围",
)
_REPORT_ROLE = {"patrol": "grid_worker", "supervisor": "street_supervisor"}
_MINUTE = 60 * 1_000_000
_A = {name: EVENT_ACTIONS.index(name) for name in EVENT_ACTIONS}
_S = {name: EVENT_STATUSES_ALL.index(name) for name in EVENT_STATUSES_ALL}
_R = {name: ROLES.index(name) for name in ROLES}
_TARGET = {name: _S[step.target] for name, step in STEPS.items() if step.target in _S}
_SWEEPABLE = frozenset(_S[s] for s in OPEN_STATUSES)
#: the limit (accept, dispatch, handle, verify) that sets the next stage's deadline, as in
#: api.events.flows; start and escalate keep the deadline, reject/close/postpone clear it
_NEXT_LIMIT = {
    "accept": 1,
    "dispatch": 2,
    "return": 1,
    "report_done": 3,
    "verify_pass": 0,
    "verify_fail": 2,
    "resume": 2,
}


@dataclass(frozen=True)
class Histories:
    """Event state after the history, and the history itself (one row per action).

    Times are µs since 1970 UTC; -1 stands for NULL.
    """

    status: NDArray[np.int64]
    department: NDArray[np.int64]
    accepted: NDArray[np.int64]
    dispatched: NDArray[np.int64]
    handled: NDArray[np.int64]
    closed: NDArray[np.int64]
    due: NDArray[np.int64]
    stage_due: NDArray[np.int64]
    escalation: NDArray[np.int64]
    rework: NDArray[np.int64]
    version: NDArray[np.int64]
    action_event: NDArray[np.int64]
    action: NDArray[np.int64]  # index into EVENT_ACTIONS
    action_from: NDArray[np.int64]  # index into EVENT_STATUSES_ALL, -1 for the report
    action_to: NDArray[np.int64]
    action_at: NDArray[np.int64]
    action_role: NDArray[np.int64]  # index into ROLES
    action_department: NDArray[np.int64]
    action_note: NDArray[np.int64]  # index into NOTES
    action_stage_due: NDArray[np.int64]  # deadline of the stage the action completed


class _Case:
    """One event being replayed: its state, its deadlines and the rows it has written."""

    def __init__(
        self,
        index: int,
        reported: int,
        source: int,
        limits: tuple[int, ...],
        working: bool,
        clock: WorkCalendar,
        as_of: int,
        sweep_delay: int,
    ) -> None:
        self.index, self.limits, self.working, self.clock = index, limits, working, clock
        self.as_of, self.sweep_delay = as_of, sweep_delay
        self.rows: list[tuple[int, ...]] = []
        self.status, self.department = _S["reported"], -1
        self.fields = {
            "accepted": -1,
            "dispatched": -1,
            "handled": -1,
            "closed": -1,
            "due": -1,
            "escalation": 0,
            "rework": 0,
        }
        self.stage_due = self.deadline(reported, limits[0])
        self.escalated = False
        self.postponed_from = -1
        self.stopped = False
        role = _R.get(
            _REPORT_ROLE.get(EVENT_SOURCES[source], EVENT_SOURCES[source]), _R["grid_worker"]
        )
        self.rows.append((index, _A["report"], -1, self.status, reported, role, -1, source, -1))

    def deadline(self, at: int, minutes: int) -> int:
        return self.clock.add_micros(at, minutes, working_hours=self.working)

    def act(self, action: str, at: int, role: str, note: int, *, department: int = -1) -> bool:
        """Take ``action`` at ``at`` (unless that is after now); False once the case stops."""
        if self.stopped:
            return False
        self._sweep(min(at, self.as_of + 1))
        if at > self.as_of:
            self.stopped = True
            return False
        code = _A[action]
        before, stage_due = self.status, self.stage_due
        if action == "dispatch":
            self.department = department
        target = self.postponed_from if action == "resume" else _TARGET[action]
        self.rows.append(
            (self.index, code, before, target, at, _R[role], self.department, note, stage_due)
        )
        self.status = target
        limit = _NEXT_LIMIT.get(action)
        if limit is not None:
            self.stage_due = self.deadline(at, self.limits[limit])
        elif action in ("reject", "close", "postpone"):
            self.stage_due = -1
        if self.stage_due != stage_due:
            self.escalated = False
        f = self.fields
        if action == "accept":
            f["accepted"] = at
        elif action == "dispatch":
            f["dispatched"] = at
            f["due"] = self.deadline(at, self.limits[2] + self.limits[3])
        elif action == "report_done":
            f["handled"] = at
        elif action == "verify_fail":
            f["handled"] = -1
            f["rework"] += 1
        elif action in ("reject", "close"):
            f["closed"] = at
        elif action == "postpone":
            self.postponed_from = before
        return True

    def _sweep(self, until: int) -> None:
        """The sweeper's escalation if the current stage went overdue before ``until``."""
        if self.escalated or self.stage_due < 0 or self.status not in _SWEEPABLE:
            return
        at = self.stage_due + self.sweep_delay
        if at < until:
            self.rows.append(
                (
                    self.index,
                    _A["escalate"],
                    self.status,
                    self.status,
                    at,
                    _R["system"],
                    -1,
                    16,
                    self.stage_due,
                )
            )
            self.fields["escalation"] += 1
            self.escalated = True

    def finish(self) -> None:
        """Escalate a case left overdue at "now"."""
        if not self.stopped:
            self._sweep(self.as_of + 1)


def simulate_histories(
    rng: np.random.Generator,
    draft: EventDraft,
    categories: CategoryTable,
    *,
    department_ids: dict[str, int],
    district: str,
    as_of_us: int,
    clock: WorkCalendar | None = None,
) -> Histories:
    """Run every event of ``draft`` through the workflow and cut the histories at ``as_of_us``."""
    clock = clock or WorkCalendar()
    n = len(draft.category)
    c = draft.category
    district_bureau = department_ids.get(f"city-management-{district}")
    own = np.array(
        [
            district_bureau if d == "city-management" and district_bureau else department_ids[d]
            for d in categories.departments
        ],
        dtype=np.int64,
    )[c]
    all_departments = np.array(sorted(department_ids.values()), dtype=np.int64)
    pick = rng.integers(0, len(all_departments), n)
    pick = np.where(all_departments[pick] == own, (pick + 1) % len(all_departments), pick)
    wrong = all_departments[pick]
    u = rng.random((n, 6))
    factor = rng.lognormal(np.log(0.3), 0.55, (n, 6))  # share of a stage's time limit used
    handling = rng.lognormal(np.log(0.45), 0.57, n)  # about 8 % finish after the deadline
    stuck = u[:, 5] < 0.03  # a few cases drag on for weeks
    handling[stuck] *= rng.uniform(8, 80, int(stuck.sum()))
    pause = (rng.lognormal(np.log(20), 0.7, n) * MICROS_PER_DAY).astype(np.int64)
    reworks = np.select([u[:, 3] < 0.015, u[:, 3] < 0.105], [2, 1], default=0)
    sweep_delay = rng.integers(1, 6 * 60, n) * 1_000_000
    limits = np.column_stack(
        [
            categories.accept_minutes,
            categories.dispatch_minutes,
            categories.handle_minutes,
            categories.verify_minutes,
        ]
    )[c]
    working = categories.working_hours[c]
    cases = []
    for i in range(n):
        case = _Case(
            i,
            int(draft.reported[i]),
            int(draft.source[i]),
            tuple(int(x) for x in limits[i]),
            bool(working[i]),
            clock,
            as_of_us,
            int(sweep_delay[i]),
        )
        _walk(
            case,
            int(draft.reported[i]),
            u[i],
            factor[i],
            float(handling[i]),
            int(pause[i]),
            int(reworks[i]),
            int(own[i]),
            int(wrong[i]),
        )
        case.finish()
        cases.append(case)
    return _collect(cases)


def _walk(
    case: _Case,
    reported: int,
    u: NDArray,
    f: NDArray,
    handling: float,
    pause: int,
    reworks: int,
    own: int,
    wrong: int,
) -> None:
    """The steps of one event, each after a share of the time its deadline allows."""
    m = _MINUTE

    def after(at: int, share: float) -> int:
        return at + max(m, int(share * max(case.stage_due - at, 10 * m)))

    t = after(reported, f[0])
    if u[0] < 0.035:
        case.act("reject", t, "street_supervisor", 7 if u[1] < 0.6 else 18)
        return
    if not case.act("accept", t, "street_supervisor", 6):
        return
    t = after(t, f[1])
    if u[2] < 0.05:  # sent to the wrong department first (准确派遣率 < 100 %)
        if not case.act("dispatch", t, "street_supervisor", 8, department=wrong):
            return
        t = after(t, 0.2 * f[2])
        if not case.act("return", t, "dept_handler", 9):
            return
        t = after(t, f[2])
    if not case.act("dispatch", t, "street_supervisor", 8, department=own):
        return
    dispatched = t
    t = after(t, 0.1 * f[3])
    if not case.act("start", t, "dept_handler", 10):
        return
    if u[4] < 0.03:  # 缓办: the clock stops, the stage restarts on resumption
        t += m * int(10 + 110 * u[1])
        if not case.act("postpone", t, "street_supervisor", 14):
            return
        t += pause
        if not case.act("resume", t, "street_supervisor", 15):
            return
        dispatched = t
    t = max(t, dispatched) + m + int(handling * max(case.stage_due - dispatched, 30 * m))
    if not case.act("report_done", t, "dept_handler", 11):
        return
    for _ in range(reworks):
        t = after(t, f[4])
        if not case.act("verify_fail", t, "grid_worker", 13):
            return
        rework_start = t
        t = after(t, 0.1 * f[3])
        if not case.act("start", t, "dept_handler", 10):
            return
        t += m + int(0.6 * handling * max(case.stage_due - rework_start, 30 * m))
        if not case.act("report_done", t, "dept_handler", 11):
            return
    t = after(t, f[4])
    if not case.act("verify_pass", t, "grid_worker", 12):
        return
    case.act("close", after(t, f[5]), "street_supervisor", 17)


def _collect(cases: list[_Case]) -> Histories:
    n = len(cases)

    def column(name: str) -> NDArray[np.int64]:
        return np.fromiter((case.fields[name] for case in cases), dtype=np.int64, count=n)

    rows = np.array([row for case in cases for row in case.rows], dtype=np.int64).reshape(-1, 9)
    return Histories(
        status=np.fromiter((case.status for case in cases), dtype=np.int64, count=n),
        department=np.fromiter((case.department for case in cases), dtype=np.int64, count=n),
        accepted=column("accepted"),
        dispatched=column("dispatched"),
        handled=column("handled"),
        closed=column("closed"),
        due=column("due"),
        stage_due=np.fromiter((case.stage_due for case in cases), dtype=np.int64, count=n),
        escalation=column("escalation"),
        rework=column("rework"),
        version=np.fromiter((len(case.rows) for case in cases), dtype=np.int64, count=n),
        action_event=rows[:, 0],
        action=rows[:, 1],
        action_from=rows[:, 2],
        action_to=rows[:, 3],
        action_at=rows[:, 4],
        action_role=rows[:, 5],
        action_department=rows[:, 6],
        action_note=rows[:, 7],
        action_stage_due=rows[:, 8],
    )
