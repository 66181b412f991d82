// The panel host: one side panel on a desktop, a bottom sheet on a phone.
//
// Panels register themselves by id (area statistics, building card, events, inbox,
// indicators, hotspots, the report form). A panel is an object with
// ``render(body, props, {isCurrent})``; for a tab of its own, ``tab: "i18n.key"`` and
// ``open()``; ``followsArea: true`` keeps it open (re-rendered) when the user drills to
// another area, instead of switching to the area panel; ``leave()`` runs when another
// panel replaces it; ``tabOf`` names the tab to highlight for a panel without one.
import { h, replace } from "./dom.js";
import { t } from "./i18n.js";

const registry = new Map();
let active = { id: null, props: null, generation: 0 };
let host = null;

export function registerPanel(id, panel) {
  registry.set(id, panel);
  if (host) renderTabs();
}

export function activePanel() {
  return active.id;
}

/** Whether the panel shown now wants to stay open when the drill-down area changes. */
export function activeFollowsArea() {
  return Boolean(active.id && registry.get(active.id)?.followsArea);
}

/** The sheet's state: "peek", "full" or "min". */
export function sheetState() {
  return host?.sheet.dataset.state;
}

/** Mount the host on the sheet element; the handle toggles the sheet on phones. */
export function mountPanelHost(sheet) {
  host = {
    sheet,
    tabs: sheet.querySelector("#panel-tabs"),
    body: sheet.querySelector("#panel-body"),
    handle: sheet.querySelector("#sheet-handle"),
  };
  host.handle.addEventListener("click", () => {
    setSheetState(sheet.dataset.state === "peek" ? "full" : "peek");
  });
  renderTabs();
}

/** "peek" (about 40% of a phone screen), "full" or "min" (only the breadcrumb shows). */
export function setSheetState(state) {
  if (!host) return;
  host.sheet.dataset.state = state;
  host.handle.setAttribute("aria-expanded", String(state === "full"));
}

/** On a phone, a new panel comes up half-open so the map shows where it is. */
export function revealMap() {
  if (host && host.sheet.dataset.state !== "peek") setSheetState("peek");
}

/** On a phone, panning the map tucks the sheet away to its breadcrumb. */
export function tuckSheet() {
  if (host?.sheet.dataset.state === "peek" && PHONE.matches) setSheetState("min");
}

const PHONE = window.matchMedia("(max-width: 767px)");

/** Show panel ``id`` with ``props``; an older render still running is told it lost. */
export async function showPanel(id, props = {}) {
  const panel = registry.get(id);
  if (!panel || !host) throw new Error(`no panel ${id}`);
  if (active.id && active.id !== id) registry.get(active.id)?.leave?.();
  active = { id, props, generation: active.generation + 1 };
  const generation = active.generation;
  host.body.scrollTop = 0;
  host.sheet.dataset.panel = id;
  renderTabs();
  await panel.render(host.body, props, { isCurrent: () => active.generation === generation });
}

/** Draw the active panel again (after a language switch or a metric change). */
export async function refreshPanel(extraProps = {}) {
  if (!active.id) return;
  active.props = { ...active.props, ...extraProps };
  renderTabs();
  const panel = registry.get(active.id);
  const generation = active.generation;
  await panel.render(host.body, active.props, { isCurrent: () => active.generation === generation });
}

function renderTabs() {
  if (!host) return;
  const tabs = [...registry.entries()].filter(([, panel]) => panel.tab);
  host.tabs.hidden = tabs.length < 2;
  const current = registry.get(active.id)?.tabOf || active.id;
  replace(host.tabs, tabs.map(([id, panel]) => h("button.tab", {
    type: "button", "aria-pressed": String(current === id), "data-panel": id,
    onclick: () => panel.open?.(),
  }, t(panel.tab))));
}

/** How much of the map the sheet covers, as fitBounds padding. */
export function mapPadding(mapElement) {
  const base = { top: 56, right: 56, bottom: 40, left: 40 };
  if (!host) return base;
  const map = mapElement.getBoundingClientRect();
  const sheet = host.sheet.getBoundingClientRect();
  const overlapsBottom = sheet.top > map.top && sheet.left <= map.left + 1 && sheet.right >= map.right - 1;
  if (overlapsBottom) base.bottom = Math.max(40, Math.round(map.bottom - sheet.top) + 24);
  base.top = Math.min(base.top, Math.max(16, map.height / 6));
  const limit = Math.max(0, map.height - base.top - 80);
  base.bottom = Math.min(base.bottom, limit);
  return base;
}
