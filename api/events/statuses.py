"""The words of a case for people: status, priority, source and step, in zh and en.

The codes come from the workflow (``api.events.workflow``) and the models' constraints;
this module gives each code its labels and map colour once. The map legend
(``api.maps.layers``), ``GET /api/reference`` and through it the dashboard read them here.
"""

from __future__ import annotations

from dataclasses import dataclass

from api.events.models import EVENT_ACTIONS, EVENT_SOURCES
from api.events.workflow import (
    EVENT_STATUSES_ALL,
    FINAL_STATUSES,
    OPEN_STATUSES,
    STATUS_LABELS_ZH,
    STEPS,
)


@dataclass(frozen=True)
class Term:
    """One code of an enumeration with its labels (and colour, where it is drawn)."""

    code: str | int
    label_zh: str
    label_en: str
    color: str | None = None


@dataclass(frozen=True)
class StatusTerm(Term):
    open: bool = False  # 在办: counted as open, shown in the open filter
    final: bool = False  # 办结: closed or rejected, drawn quieter on the map


@dataclass(frozen=True)
class ActionTerm(Term):
    note_required: bool = False  # the API answers 422 note_required without a note


# English label and map colour of each status; the Chinese label is the workflow's.
_STATUS_EN_COLOUR = {
    "reported": ("Reported", "#f1c232"),
    "accepted": ("Accepted", "#e69138"),
    "dispatched": ("Dispatched", "#3d85c6"),
    "handling": ("Handling", "#674ea7"),
    "handled": ("Awaiting verification", "#45818e"),
    "verified": ("Awaiting closure", "#93c47d"),
    "postponed": ("Postponed", "#999999"),
    "closed": ("Closed", "#6aa84f"),
    "rejected": ("Rejected", "#cccccc"),
}
STATUSES: tuple[StatusTerm, ...] = tuple(
    StatusTerm(
        code,
        STATUS_LABELS_ZH[code],
        *_STATUS_EN_COLOUR[code],
        open=code in OPEN_STATUSES,
        final=code in FINAL_STATUSES,
    )
    for code in EVENT_STATUSES_ALL
)
# Not a status: an open case past its stage deadline (超期), drawn as a red ring.
OVERDUE = Term("overdue", "超期", "Overdue", "#cc0000")

PRIORITIES: tuple[Term, ...] = (
    Term(1, "紧急", "Urgent", "#cc0000"),
    Term(2, "一般", "Normal", "#3d85c6"),
    Term(3, "较低", "Low", "#999999"),
)

_SOURCE_LABELS = {
    "patrol": ("网格员巡查", "Patrol"),
    "supervisor": ("指挥中心", "Command centre"),
    "hotline": ("12345 热线", "12345 hotline"),
    "open311": ("Open311 接口", "Open311"),
    "sensor": ("物联感知", "Sensor"),
    "import": ("批量导入", "Import"),
}
SOURCES: tuple[Term, ...] = tuple(Term(code, *_SOURCE_LABELS[code]) for code in EVENT_SOURCES)

# Reporting is not a workflow step (it creates the case): its label lives here.
_REPORT_ZH = "上报"
_ACTION_EN = {
    "report": "Reported",
    "accept": "Accept",
    "reject": "Reject",
    "dispatch": "Dispatch",
    "return": "Return",
    "start": "Start handling",
    "report_done": "Report done",
    "verify_pass": "Verified",
    "verify_fail": "Verification failed: rework",
    "postpone": "Postpone",
    "resume": "Resume",
    "escalate": "Escalate",
    "close": "Close",
    "merge": "Merge as duplicate",
}
ACTIONS: tuple[ActionTerm, ...] = tuple(
    ActionTerm(
        code,
        STEPS[code].label_zh if code in STEPS else _REPORT_ZH,
        _ACTION_EN[code],
        note_required=code in STEPS and STEPS[code].note_required,
    )
    for code in EVENT_ACTIONS
)
