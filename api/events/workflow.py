"""The case workflow (数字城管七步法, 采办分离) as data: the permission each step needs, from where.

    report → accept (立案) | reject (不予立案) → dispatch (派遣) → start (处置)
    → report_done (处置反馈) → verify_pass (核查通过) → close (结案)
                             ↘ verify_fail (返工) → dispatched again
    return (退回): the department sends a mis-dispatched case back to the command centre
    postpone (缓办/挂账) ↔ resume; escalate (督办) on open cases; merge (重复合并)

Collection and handling are kept apart (采办分离) by the permissions each step names:
grid workers hold events.verify, the command centre events.accept / dispatch / close /
postpone / escalate, departments events.handle (the roles table grants them). This table
is the one place that says what a step needs; the API checks nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

OPEN_STATUSES = ("reported", "accepted", "dispatched", "handling", "handled", "verified")
EVENT_STATUSES_ALL = (*OPEN_STATUSES, "postponed", "closed", "rejected")
FINAL_STATUSES = ("closed", "rejected")

# The permissions several steps share (the others name theirs in the table).
ACCEPT = "events.accept"  # 受理: accept, reject, merge
HANDLE = "events.handle"  # 处置: the department's steps
VERIFY = "events.verify"  # 核查: the collectors'
POSTPONE = "events.postpone"  # 缓办 and its resumption

# The status a postponed case resumes to is the one it left (kept in its history).
RESUME = "resume"
STAY = "="


@dataclass(frozen=True)
class Step:
    """One workflow action: from which states, to which state, with which permission."""

    action: str
    sources: tuple[str, ...]
    target: str
    permission: str
    label_zh: str
    note_required: bool = False


STEPS: dict[str, Step] = {
    step.action: step
    for step in (
        Step("accept", ("reported",), "accepted", ACCEPT, "受理立案"),
        Step("reject", ("reported",), "rejected", ACCEPT, "不予立案", note_required=True),
        Step("merge", ("reported",), "rejected", ACCEPT, "合并重复案件"),
        Step("dispatch", ("accepted",), "dispatched", "events.dispatch", "派遣"),
        Step("return", ("dispatched", "handling"), "accepted", HANDLE, "退回", note_required=True),
        Step("start", ("dispatched",), "handling", HANDLE, "开始处置"),
        Step("report_done", ("dispatched", "handling"), "handled", HANDLE, "处置反馈"),
        Step("verify_pass", ("handled",), "verified", VERIFY, "核查通过"),
        Step(
            "verify_fail",
            ("handled",),
            "dispatched",
            VERIFY,
            "核查不通过，返工",
            note_required=True,
        ),
        Step("close", ("verified",), "closed", "events.close", "结案"),
        Step(
            "postpone",
            ("accepted", "dispatched", "handling"),
            "postponed",
            POSTPONE,
            "缓办",
            note_required=True,
        ),
        Step("resume", ("postponed",), RESUME, POSTPONE, "恢复办理"),
        Step(
            "escalate",
            ("accepted", "dispatched", "handling", "handled"),
            STAY,
            "events.escalate",
            "督办",
        ),
    )
}

STATUS_LABELS_ZH = {
    "reported": "待受理",
    "accepted": "已立案",
    "rejected": "不予立案",
    "dispatched": "已派遣",
    "handling": "处置中",
    "handled": "待核查",
    "verified": "待结案",
    "postponed": "缓办",
    "closed": "已结案",
}


class TransitionError(ValueError):
    """The action is not allowed from the event's current state."""


class StepNotPermitted(PermissionError):
    """The caller lacks the permission the step names."""


class Permissions(Protocol):
    """Whoever acts: anything that answers ``can(permission)`` (an API principal)."""

    def can(self, permission: str) -> bool: ...


def step_for(action: str) -> Step:
    try:
        return STEPS[action]
    except KeyError:
        raise TransitionError(f"unknown action {action!r}; actions: {', '.join(STEPS)}") from None


def next_status(step: Step, current: str, *, resumed_to: str | None = None) -> str:
    """The status after ``step`` from ``current``; raises when the step is illegal there.

    Examples
    --------
    >>> next_status(STEPS["accept"], "reported")
    'accepted'
    >>> next_status(STEPS["close"], "handled")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    api.events.workflow.TransitionError: cannot close (结案) an event that is handled ...
    """
    if current not in step.sources:
        raise TransitionError(
            f"cannot {step.action} ({step.label_zh}) an event that is {current} "
            f"({STATUS_LABELS_ZH.get(current, current)}); allowed from: {', '.join(step.sources)}"
        )
    if step.target == STAY:
        return current
    if step.target == RESUME:
        return resumed_to or "accepted"
    return step.target


def check_permission(step: Step, actor: Permissions) -> None:
    """Raise :class:`StepNotPermitted` unless ``actor`` holds the permission ``step`` names."""
    if not actor.can(step.permission):
        raise StepNotPermitted(
            f"{step.action} ({step.label_zh}) needs the {step.permission} permission"
        )


def allowed_actions(status: str, actor: Permissions) -> list[str]:
    """The actions ``actor`` may take on an event in ``status`` (for the UI's buttons)."""
    return [s.action for s in STEPS.values() if status in s.sources and actor.can(s.permission)]
