"""Events (事件): the case workflow of digital city management.

models (ORM), schemas, service (report, read, list; the façade the views call), flows
(workflow steps, one ETag one winner) over workflow (the step table: sources, target and
the permission each step needs), views. Helpers by concern: intake (locate and file a
report; shared with Open311 and the hotline import), routing and calendar (who handles,
by when), photos, hotline_import, live (the change stream), indicators, sweeper.
"""
