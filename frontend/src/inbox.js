// The department inbox (部门待办): a handler's dispatched and handling cases, overdue first.
import { api } from "./api.js";
import { h, replace } from "./dom.js";
import { eventRow, openEvent } from "./events.js";
import { formatDateTime, formatDuration, formatInt } from "./format.js";
import { t } from "./i18n.js";
import { activePanel, showPanel } from "./panels.js";
import { loadCategories, rememberDepartments } from "./reference.js";

const LIMIT = 100;
let shownBody = null;
let request = 0;

/** Overdue first (longest overdue on top), then the nearest deadline. */
function byUrgency(a, b) {
  if (a.overdue !== b.overdue) return a.overdue ? -1 : 1;
  const due = (e) => (e.stage_due_at ? Date.parse(e.stage_due_at) : Infinity);
  return due(a) - due(b) || b.id - a.id;
}

function deadlineText(event) {
  if (!event.stage_due_at) return null;
  const left = Date.parse(event.stage_due_at) - Date.now();
  if (event.overdue) return t("inbox.overdue_by", { time: formatDuration(left) });
  return t("inbox.due", { time: formatDateTime(event.stage_due_at) });
}

async function load(body, { quiet = false } = {}) {
  const mine = ++request;
  if (!quiet) replace(body, h("p.loading", t("panel.loading")));
  let page;
  try {
    [page] = await Promise.all([
      api(`/api/events?status=dispatched&status=handling&limit=${LIMIT}`),
      loadCategories().catch(() => null),
    ]);
  } catch (error) {
    if (mine === request) replace(body, h("div.panel-error", h("p", error.display || String(error))));
    return;
  }
  if (mine !== request || !body.isConnected) return;
  rememberDepartments(page.items);
  const items = [...page.items].sort(byUrgency);
  const overdue = items.filter((e) => e.overdue).length;
  replace(body, h("div.events-panel.inbox", { "data-view": "inbox" },
    h("header.panel-head",
      h("h2.panel-title", t("inbox.title")),
      h("span.list-count", { "data-testid": "inbox-total" }, t("events.total", { count: formatInt(page.total) })),
      h("span.live-dot", { title: t("events.live"), "aria-label": t("events.live") })),
    h("p.panel-lead", t("inbox.lead"),
      overdue ? h("span.badge.badge-alert", t("inbox.overdue_count", { count: overdue })) : null),
    items.length
      ? h("ul.rows", { "data-testid": "inbox-list" }, items.map((event) => eventRow(event,
        (id) => openEvent(id, { back: () => showPanel("inbox") }), { extra: deadlineText(event) })))
      : h("p.empty", { "data-testid": "inbox-empty" }, t("inbox.none")),
    page.total > LIMIT ? h("p.panel-lead", t("inbox.more", { count: formatInt(page.total - LIMIT) })) : null));
}

export const inboxPanel = {
  tab: "panel.tab.inbox",
  open: () => showPanel("inbox"),
  async render(body) {
    shownBody = body;
    await load(body);
  },
};

/** A live change: refresh the inbox if it is on screen. */
export function onInboxChange() {
  if (activePanel() === "inbox" && shownBody?.isConnected) load(shownBody, { quiet: true });
}
