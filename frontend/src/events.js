// The events panel (事件): a filtered, paged list of the events in the current area, and
// the detail of one (eventdetail.js). It follows the drill-down area.
import { api } from "./api.js";
import { h, replace } from "./dom.js";
import { drillState } from "./drill.js";
import { DEFAULT_FILTERS, eventListQuery } from "./eventfilters.js";
import { clearEventFocus, eventDetailShown, reloadEventDetail, renderEventDetail } from "./eventdetail.js";
import { formatDateTime, formatInt } from "./format.js";
import { t } from "./i18n.js";
import { activePanel, showPanel } from "./panels.js";
import {
  categoryName, loadCategories, majorLabel, majorsOf, rememberDepartments, sourceCodes, sourceLabel,
  statusCodes, statusEntry,
} from "./reference.js";

const PAGE = 20;
const state = {
  view: "list", eventId: null, back: null, filters: { ...DEFAULT_FILTERS }, offset: 0,
  areaCode: null, list: null, page: null, request: 0,
};

/** Show the list, optionally with new filters (e.g. from a hotspot: window and major). */
export function openEvents({ filters } = {}) {
  state.view = "list";
  if (filters) {
    state.filters = { ...DEFAULT_FILTERS, ...filters };
    state.offset = 0;
  }
  return showPanel("events");
}

/** Show one event; ``back`` is where the back button goes (the list by default). */
export function openEvent(id, { back } = {}) {
  state.view = "detail";
  state.eventId = Number(id);
  state.back = back || null;
  return showPanel("events");
}

function currentArea() {
  return drillState().area;
}

function listQuery() {
  return eventListQuery(state.filters,
    { areaCode: currentArea()?.code, limit: PAGE, offset: state.offset });
}

/** One row of an event list (shared with the inbox and the hotspot view). */
export function eventRow(event, onOpen, { extra } = {}) {
  const status = statusEntry(event.status);
  return h("li", h(`button.row.event-row${event.overdue ? ".is-overdue" : ""}`, {
    type: "button", "data-id": event.id, "data-code": event.code, "data-status": event.status,
    "data-overdue": String(event.overdue), onclick: () => onOpen(event.id),
  },
  h("span.status-dot", { style: { "--chip": status.color }, "aria-hidden": "true" }),
  h("span.row-main",
    h("span.row-title", event.title),
    h("span.row-meta", `${event.code} · ${categoryName(event)} · ${formatDateTime(event.reported_at)}`),
    extra ? h("span.row-meta", extra) : null),
  h("span.row-status",
    h("span.status-chip", { style: { "--chip": status.color } }, status.label),
    event.overdue ? h("span.badge.badge-alert", t("event.overdue")) : null),
  h("span.chevron", { "aria-hidden": "true" }, "›")));
}

function option(value, label, selected) {
  return h("option", { value, selected: value === selected }, label);
}

function toggle(id, key, label) {
  return h("label.chip-toggle", { for: id },
    h("input", { type: "checkbox", id, checked: state.filters[key],
      onchange: (event) => setFilter(key, event.target.checked) }),
    h("span", label));
}

let searchTimer = null;

function filterForm(majors) {
  const f = state.filters;
  const area = currentArea();
  return h("form.event-filters", { "data-testid": "event-filters", onsubmit: (event) => event.preventDefault() },
    h("input.filter-search", {
      type: "search", id: "event-q", value: f.q, placeholder: t("events.search"),
      "aria-label": t("events.search"), enterkeyhint: "search",
      oninput: (event) => {
        clearTimeout(searchTimer);
        searchTimer = setTimeout(() => setFilter("q", event.target.value), 300);
      },
    }),
    h("div.filter-grid",
      h("select", { id: "event-status", "aria-label": t("event.status"),
        onchange: (event) => setFilter("status", event.target.value) },
      option("", t("events.all_statuses"), f.status),
      statusCodes().map((s) => option(s, statusEntry(s).label, f.status))),
      h("select", { id: "event-major", "aria-label": t("events.major"),
        onchange: (event) => setFilter("major", event.target.value) },
      option("", t("events.all_majors"), f.major),
      majors.map((m) => option(m.major, majorLabel(m.major, m.name), f.major))),
      h("select", { id: "event-source", "aria-label": t("events.source"),
        onchange: (event) => setFilter("source", event.target.value) },
      option("", t("events.all_sources"), f.source),
      sourceCodes().map((s) => option(s, sourceLabel(s), f.source)))),
    h("div.filter-toggles",
      toggle("event-open", "open", t("events.open_only")),
      toggle("event-overdue", "overdue", t("events.overdue_only")),
      area ? toggle("event-area", "followArea", t("events.in_area", { area: area.name })) : null,
      f.reportedFrom ? h("button.chip-toggle.chip-clear", {
        type: "button", title: t("events.clear"), onclick: () => {
          state.filters = { ...state.filters, reportedFrom: null, reportedLabel: null };
          state.offset = 0;
          showPanel("events");
        },
      }, h("span", f.reportedLabel || t("events.since", { date: formatDateTime(f.reportedFrom) })), " ×") : null));
}

function setFilter(key, value) {
  state.filters = { ...state.filters, [key]: value };
  state.offset = 0;
  loadList();
}

function pager(page) {
  const first = page.total ? page.offset + 1 : 0;
  const last = page.offset + page.items.length;
  return h("nav.pager", { "aria-label": t("events.pages") },
    h("button.btn.btn-small", { type: "button", id: "events-prev", disabled: page.offset === 0,
      onclick: () => { state.offset = Math.max(0, state.offset - PAGE); loadList(); } }, t("events.prev")),
    h("span.pager-text", { "data-testid": "events-range" },
      t("events.range", { first: formatInt(first), last: formatInt(last),
        total: `${formatInt(page.total)}${page.total_capped ? "+" : ""}` })),
    h("button.btn.btn-small", { type: "button", id: "events-next", disabled: last >= page.total && !page.total_capped,
      onclick: () => { state.offset += PAGE; loadList(); } }, t("events.next")));
}

function drawList(page) {
  if (!state.list) return;
  const { rows, count, nav } = state.list;
  count.textContent = t("events.total", { count: `${formatInt(page.total)}${page.total_capped ? "+" : ""}` });
  replace(rows, page.items.length
    ? h("ul.rows", { "data-testid": "event-list" }, page.items.map((e) => eventRow(e, (id) => openEvent(id))))
    : h("p.empty", { "data-testid": "event-list-empty" }, t("events.none")));
  replace(nav, page.total > PAGE ? pager(page) : null);
}

/** Fetch the page for the current filters; older answers arriving late are ignored. */
async function loadList({ quiet = false } = {}) {
  if (!state.list) return;
  const request = ++state.request;
  if (!quiet) state.list.body.dataset.loading = "true";
  try {
    const page = await api(`/api/events?${listQuery()}`);
    if (request !== state.request || !state.list) return;
    rememberDepartments(page.items);
    state.page = page;
    drawList(page);
  } catch (error) {
    if (request !== state.request || !state.list) return;
    replace(state.list.rows, h("p.empty.panel-error-text", error.display || String(error)));
  } finally {
    if (request === state.request && state.list) delete state.list.body.dataset.loading;
  }
}

async function renderList(body, { isCurrent }) {
  let categories = [];
  try {
    categories = await loadCategories();
  } catch { /* filters without majors */ }
  if (!isCurrent()) return;
  const rows = h("div.event-rows");
  const count = h("span.list-count", { "data-testid": "events-total" });
  const nav = h("div");
  const panel = h("div.events-panel", { "data-view": "list" },
    h("header.panel-head",
      h("h2.panel-title", t("events.title")), count,
      h("span.live-dot", { title: t("events.live"), "aria-label": t("events.live") })),
    filterForm(majorsOf(categories)),
    rows, nav);
  state.list = { body: panel, rows, count, nav };
  replace(body, panel);
  await loadList();
}

export const eventsPanel = {
  tab: "panel.tab.events",
  followsArea: true,
  open: () => openEvents(),
  leave: () => clearEventFocus(),
  async render(body, _props, context) {
    const area = currentArea()?.code || null;
    if (state.view === "detail" && state.areaCode && area !== state.areaCode) state.view = "list";
    state.areaCode = area;
    state.list = null;
    if (state.view === "detail") {
      const back = state.back || (() => openEvents());
      await renderEventDetail(body, { id: state.eventId, onBack: back, isCurrent: context.isCurrent });
      return;
    }
    clearEventFocus();
    await renderList(body, context);
  },
};

/** Changes arrived on the live stream (or it reconnected): refresh what the panel shows. */
export function onEventChanges(changes, { resync = false } = {}) {
  if (activePanel() !== "events") return;
  if (state.view === "detail") {
    const shown = eventDetailShown();
    const latest = changes.filter((change) => change.id === shown).at(-1);
    if (latest || (resync && shown)) reloadEventDetail(latest);
  } else {
    loadList({ quiet: true });
  }
}
