"""The case workflow (数字城管七步法, 采办分离) as data: who may take which step from where.

    report → accept (立案) | reject (不予立案) → dispatch (派遣) → start (处置)
    → report_done (处置反馈) → verify_pass (核查通过) → close (结案)
                             ↘ verify_fail (返工) → dispatched again
    return (退回): the department sends a mis-dispatched case back to the command centre
    postpone (缓办/挂账) ↔ resume; escalate (督办) on open cases; merge (重复合并)

Collection and handling are kept apart (采办分离): grid workers report and verify, the
command centre accepts, dispatches and closes, departments handle.
"""

from __future__ import annotations

from dataclasses import dataclass

OPEN_STATUSES = ("reported", "accepted", "dispatched", "handling", "handled", "verified")
EVENT_STATUSES_ALL = (*OPEN_STATUSES, "postponed", "closed", "rejected")
FINAL_STATUSES = ("closed", "rejected")
COMMAND_CENTRE = ("street_supervisor", "district_supervisor", "city_admin")
REPORTERS = ("grid_worker", "community_admin", *COMMAND_CENTRE)
VERIFIERS = ("grid_worker", "community_admin")  # 采办分离: the collectors verify
HANDLERS = ("dept_handler",)

# The status a postponed case resumes to is the one it left (kept in its history).
RESUME = "resume"
STAY = "="


@dataclass(frozen=True)
class Step:
    """One workflow action: from which states, to which state, by which roles."""

    action: str
    sources: tuple[str, ...]
    target: str
    roles: tuple[str, ...]
    label_zh: str
    note_required: bool = False


STEPS: dict[str, Step] = {
    step.action: step
    for step in (
        Step("accept", ("reported",), "accepted", COMMAND_CENTRE, "受理立案"),
        Step("reject", ("reported",), "rejected", COMMAND_CENTRE, "不予立案", note_required=True),
        Step("merge", ("reported",), "rejected", COMMAND_CENTRE, "合并重复案件"),
        Step("dispatch", ("accepted",), "dispatched", COMMAND_CENTRE, "派遣"),
        Step(
            "return", ("dispatched", "handling"), "accepted", HANDLERS, "退回", note_required=True
        ),
        Step("start", ("dispatched",), "handling", HANDLERS, "开始处置"),
        Step("report_done", ("dispatched", "handling"), "handled", HANDLERS, "处置反馈"),
        Step("verify_pass", ("handled",), "verified", VERIFIERS, "核查通过"),
        Step(
            "verify_fail",
            ("handled",),
            "dispatched",
            VERIFIERS,
            "核查不通过，返工",
            note_required=True,
        ),
        Step("close", ("verified",), "closed", COMMAND_CENTRE, "结案"),
        Step(
            "postpone",
            ("accepted", "dispatched", "handling"),
            "postponed",
            COMMAND_CENTRE,
            "缓办",
            note_required=True,
        ),
        Step("resume", ("postponed",), RESUME, COMMAND_CENTRE, "恢复办理"),
        Step(
            "escalate",
            ("accepted", "dispatched", "handling", "handled"),
            STAY,
            COMMAND_CENTRE,
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


class RoleError(PermissionError):
    """The caller's role may not take this action."""


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


def check_role(step: Step, role: str) -> None:
    if role not in step.roles:
        raise RoleError(
            f"role {role} may not {step.action} ({step.label_zh}); roles: {', '.join(step.roles)}"
        )


def allowed_actions(status: str, role: str) -> list[str]:
    """The actions a role may take on an event in ``status`` (for the UI's buttons)."""
    return [s.action for s in STEPS.values() if status in s.sources and role in s.roles]
