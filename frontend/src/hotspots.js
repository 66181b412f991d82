// Hotspot mode (热点): Gi* hot and cold spots of events by grid, community or H3 hexagon,
// drawn from the hotspots tile layer; a unit opens its weekly counts, events and the
// repeat locations (重复发生地点) inside it.
import { api } from "./api.js";
import { tileLayer } from "./catalog.js";
import { barChart } from "./charts.js";
import { $, h, replace, swatch } from "./dom.js";
import { drillState, navigate } from "./drill.js";
import { eventRow, openEvent, openEvents } from "./events.js";
import { formatDateTime, formatDecimal, formatInt } from "./format.js";
import { t } from "./i18n.js";
import { areaInScope } from "./indicators.js";
import { showPanel } from "./panels.js";
import { legendOf, loadCategories, majorLabel, majorsOf, termLabel } from "./reference.js";
import { hotspotLayers } from "./style.js";

const WINDOWS = [7, 30, 90];
const UNITS = ["grid", "community", "h3"];
const LIST_LIMIT = 30;
const UNIT_LENGTH = { grid: 14, community: 12 };

const state = {
  map: null, user: null, unit: "grid", resolution: 9, window: 30, major: "", layerOn: true,
  data: null, dataKey: null, selected: null, showAll: false,
};

function params() {
  const p = new URLSearchParams({ unit: state.unit, window: String(state.window) });
  if (state.unit === "h3") p.set("resolution", String(state.resolution));
  if (state.major) p.set("major", state.major);
  return p;
}

// The deepest area each unit is analysed in: Gi* needs neighbours, so grids are compared
// at least across a street, communities across a district.
const DEEPEST = { grid: 9, community: 6, h3: 12 };

/** The area analysed: the drill-down area in scope, widened to hold enough units. */
function analysisArea() {
  const code = areaInScope(state.user).code.slice(0, DEEPEST[state.unit]);
  return code.startsWith(state.user.scope_code) ? code : state.user.scope_code;
}

function areaName(code) {
  const area = areaInScope(state.user);
  if (area.code === code) return area.name;
  const crumb = drillState().area?.breadcrumb?.find((ref) => ref.code === code);
  return crumb?.name || (code === state.user.scope_code ? state.user.scope_name : code);
}

// ---- the map layer ---------------------------------------------------------------------

/** The tiles of the run the list shows: GET /api/hotspots computed it, tiles only read it. */
function tileUrl() {
  return `${tileLayer("hotspots").tiles[0]}?run=${state.data.run_id}`;
}

/** Add (or re-point) the hotspots source and its layers below the area outlines. */
function showLayer() {
  const map = state.map;
  const tile = tileLayer("hotspots");
  if (!map || !tile || !state.data) return;
  const url = tileUrl();
  const source = map.getSource("hotspots");
  if (source) {
    if (source.tiles?.[0] !== url) source.setTiles([url]);
  } else {
    map.addSource("hotspots", { type: "vector", tiles: [url], minzoom: tile.minzoom,
      maxzoom: Math.min(tile.maxzoom, 16), bounds: tile.bounds, attribution: "blockgrid" });
    // Fills under the area outlines; the chosen unit's outline above them.
    const layers = map.getStyle().layers;
    const lines = layers.find((layer) => layer.id.endsWith("-line"))?.id;
    const focus = layers.find((layer) => layer.id.endsWith("-focus"))?.id;
    for (const layer of hotspotLayers()) {
      map.addLayer(layer, layer.id === "hotspots-selected" ? focus : lines);
    }
  }
  document.body.dataset.hotspots = "on";
  drawLegend();
}

function hideLayer() {
  const map = state.map;
  for (const id of ["hotspots-selected", "hotspots-line", "hotspots-fill"]) if (map?.getLayer(id)) map.removeLayer(id);
  if (map?.getSource("hotspots")) map.removeSource("hotspots");
  delete document.body.dataset.hotspots;
  $("#hotspot-legend").hidden = true;
}

function drawLegend() {
  const el = $("#hotspot-legend");
  replace(el, h("div.legend-title", t("hotspots.legend")),
    h("ul.legend", legendOf("hotspots").map((entry) => h("li", swatch(entry.color), termLabel(entry)))));
  el.hidden = false;
}

function highlight(unitId) {
  if (state.map?.getLayer("hotspots-selected")) {
    state.map.setFilter("hotspots-selected", ["==", ["get", "unit_id"], unitId || ""]);
  }
}

/** Zoom to a unit drawn on the map (its tile pieces' extent), if its tiles are loaded. */
function zoomToUnit(unitId) {
  const map = state.map;
  if (!map?.getSource("hotspots")) return false;
  const pieces = map.querySourceFeatures("hotspots", { sourceLayer: "hotspots", filter: ["==", ["get", "unit_id"], unitId] });
  let box = null;
  for (const piece of pieces) {
    const rings = piece.geometry.type === "Polygon" ? piece.geometry.coordinates : piece.geometry.coordinates.flat();
    for (const [x, y] of rings.flat()) {
      box = box ? [Math.min(box[0], x), Math.min(box[1], y), Math.max(box[2], x), Math.max(box[3], y)] : [x, y, x, y];
    }
  }
  if (!box) return false;
  map.fitBounds([[box[0], box[1]], [box[2], box[3]]], { padding: 80, maxZoom: 15.5, duration: 600 });
  return true;
}

// ---- the panel -------------------------------------------------------------------------

function segmented(name, values, current, label, onPick) {
  return h("fieldset.segmented", { "data-testid": `hotspot-${name}` },
    h("legend", t(`hotspots.${name}`)),
    values.map((v) => h("label", h("input", { type: "radio", name: `hotspot-${name}`, value: String(v),
      checked: String(v) === String(current), onchange: () => onPick(v) }), h("span", label(v)))));
}

function change(patch) {
  Object.assign(state, patch, { selected: null, showAll: false });
  highlight(null);
  showPanel("hotspots"); // draws the new run once it is loaded
}

function controls(majors) {
  return h("div.hotspot-controls",
    segmented("unit", UNITS, state.unit, (u) => t(`hotspots.unit_${u}`), (unit) => change({ unit })),
    state.unit === "h3" ? h("label.inline-field", h("span", t("hotspots.resolution")),
      h("select", { id: "hotspot-resolution", onchange: (e) => change({ resolution: Number(e.target.value) }) },
        [7, 8, 9, 10].map((r) => h("option", { value: String(r), selected: r === state.resolution }, String(r))))) : null,
    segmented("window", WINDOWS, state.window, (w) => t("hotspots.days", { n: w }), (window) => change({ window })),
    h("div.filter-toggles",
      h("select", { id: "hotspot-major", "aria-label": t("events.major"), onchange: (e) => change({ major: e.target.value }) },
        h("option", { value: "" }, t("events.all_majors")),
        majors.map((m) => h("option", { value: m.major, selected: m.major === state.major }, majorLabel(m.major, m.name)))),
      h("label.chip-toggle", { for: "hotspot-layer-toggle" },
        h("input", { type: "checkbox", id: "hotspot-layer-toggle", checked: state.layerOn, onchange: (e) => {
          state.layerOn = e.target.checked;
          if (state.layerOn) showLayer();
          else hideLayer();
        } }),
        h("span", t("hotspots.on_map")))));
}

function binEntry(bin) {
  const entry = legendOf("hotspots").find((e) => e.value === String(bin));
  return { color: entry?.color || "#f7f7f7", label: entry ? termLabel(entry) : String(bin) };
}

function unitTitle(unit) {
  if (state.data?.params.unit === "h3") return t("hotspots.hexagon", { id: unit.unit_id });
  return unit.name ? `${unit.name}` : unit.unit_id;
}

// Grid units are named "第01网格" in every community: their community's name goes first.
const communityNames = new Map();

function communityName(code) {
  if (!communityNames.has(code)) {
    communityNames.set(code, api(`/api/areas/${code}`).then((area) => area.short_name || area.name)
      .catch(() => null));
  }
  return communityNames.get(code);
}

/** Put the community's name before the grid's in the rows and headers under ``root``. */
function nameGrids(root) {
  if (state.data?.params.unit !== "grid") return;
  for (const el of root.querySelectorAll("[data-grid-title]")) {
    const code = el.dataset.gridTitle;
    communityName(code.slice(0, 12)).then((name) => {
      if (name && !el.textContent.startsWith(name)) el.textContent = `${name}${el.textContent}`;
    });
  }
}

function titleOf(unit, tag = "span.row-title") {
  const grid = state.data?.params.unit === "grid";
  return h(tag, grid ? { "data-grid-title": unit.unit_id } : {}, unitTitle(unit));
}

function unitRow(unit) {
  const bin = binEntry(unit.gi_bin);
  return h("li", h("button.row.hotspot-row", { type: "button", "data-unit": unit.unit_id, "data-bin": unit.gi_bin,
    onclick: () => selectUnit(unit.unit_id) },
  swatch(bin.color),
  h("span.row-main",
    titleOf(unit),
    h("span.row-meta", [unit.unit_id !== unitTitle(unit) ? unit.unit_id : null, `z ${formatDecimal(unit.z, 2)}`,
      unit.pattern_label].filter(Boolean).join(" · "))),
  h("span.row-figure", h("span.row-value", t("hotspots.events", { n: formatInt(unit.events) })),
    h("span.hotspot-class", bin.label)),
  h("span.chevron", { "aria-hidden": "true" }, "›")));
}

function repeatRows(repeats) {
  return h("ul.rows", { "data-testid": "repeat-locations" }, repeats.map((r) => h("li", h("button.row.repeat-row", {
    type: "button", "data-code": r.building_code, onclick: () => navigate({ building: r.building_code }, { fly: true }),
  }, h("span.row-main", h("span.row-title", r.name || r.address || r.building_code), h("span.row-meta", r.building_code)),
  h("span.row-figure", h("span.row-value", t("hotspots.events", { n: formatInt(r.events) }))),
  h("span.chevron", { "aria-hidden": "true" }, "›")))));
}

function summary(data) {
  const bins = { hot_99: 3, hot_95: 2, hot_90: 1, cold_90: -1, cold_95: -2, cold_99: -3 };
  const chips = Object.keys(bins).map((name) => [name, data.summary[name] || 0]).filter(([, n]) => n > 0);
  return h("div.hotspot-summary", { "data-testid": "hotspot-summary" },
    chips.length ? chips.map(([name, n]) => h("span.summary-chip", swatch(binEntry(bins[name]).color),
      `${binEntry(bins[name]).label} ${n}`)) : h("span", t("hotspots.none_significant")),
    h("p.panel-lead", t("hotspots.lead", { total: formatInt(data.units_total),
      significant: formatInt(data.units_significant), permutations: data.params.permutations })));
}

function listView(data, majors) {
  const units = state.showAll ? data.units : data.units.slice(0, LIST_LIMIT);
  return [
    controls(majors),
    summary(data),
    h("ul.rows", { "data-testid": "hotspot-list" }, units.map(unitRow)),
    data.units.length > units.length ? h("button.btn.btn-link", { type: "button", onclick: () => {
      state.showAll = true;
      showPanel("hotspots");
    } }, t("hotspots.show_all", { count: formatInt(data.units.length) })) : null,
    h("section.children",
      h("h3.list-title", t("hotspots.repeats", { min: data.params.repeat_min })),
      data.repeat_locations.length ? repeatRows(data.repeat_locations) : h("p.empty", t("hotspots.no_repeats"))),
  ];
}

function weekLabels(data, count) {
  const end = Date.parse(data.params.end);
  return Array.from({ length: count }, (_, i) => {
    const day = new Date(end - (count - i) * 7 * 86_400_000);
    return `${day.getMonth() + 1}/${day.getDate()}`;
  });
}

function unitEventsFilter(data) {
  const filters = { reportedFrom: data.params.window_start, major: data.params.major || "",
    reportedLabel: t("hotspots.days_label", { n: data.params.window_days }) };
  return data.params.unit === "h3" ? filters : { ...filters, followArea: true };
}

async function unitEvents(container, data, unit) {
  const isH3 = data.params.unit === "h3";
  const p = new URLSearchParams({ area: isH3 ? data.params.area : unit.unit_id,
    reported_from: data.params.window_start, limit: "20" });
  if (data.params.major) p.set("major", data.params.major);
  try {
    const page = await api(`/api/events?${p}`);
    replace(container,
      isH3 ? h("p.panel-lead", t("hotspots.h3_events_note")) : null,
      page.items.length ? h("ul.rows", { "data-testid": "hotspot-events" }, page.items.map((e) =>
        eventRow(e, (id) => openEvent(id, { back: () => showPanel("hotspots") })))) : h("p.empty", t("events.none")),
      h("button.btn.btn-small.more-events", { type: "button", "data-testid": "hotspot-open-events", onclick: () => {
        const filters = unitEventsFilter(data);
        openEvents({ filters });
        if (!isH3) navigate({ area: unit.unit_id });
      } }, t("hotspots.all_events", { count: formatInt(page.total) })));
  } catch (error) {
    replace(container, h("p.empty", error.display || String(error)));
  }
}

function unitView(data, unit) {
  const bin = binEntry(unit.gi_bin);
  const canvas = h("canvas", { "data-testid": "hotspot-chart", role: "img", "aria-label": t("hotspots.weekly") });
  const events = h("div.unit-events", h("p.loading", t("panel.loading")));
  const length = UNIT_LENGTH[data.params.unit];
  const repeats = length ? data.repeat_locations.filter((r) => r.grid_code?.startsWith(unit.unit_id)) : [];
  queueMicrotask(() => {
    barChart(canvas, { labels: weekLabels(data, unit.weekly.length), values: unit.weekly,
      colors: "#e6550d", title: t("hotspots.weekly") });
    unitEvents(events, data, unit);
  });
  return h("article.hotspot-unit", { "data-testid": "hotspot-unit", "data-unit": unit.unit_id },
    h("header.card-head",
      h("button.icon-button.back-button", { type: "button", "aria-label": t("hotspots.back"), title: t("hotspots.back"),
        onclick: () => { state.selected = null; highlight(null); showPanel("hotspots"); } }, "‹"),
      h("div.card-titles",
        h("div.area-level", `${t(`hotspots.unit_${data.params.unit}`)} · ${unit.unit_id}`),
        titleOf(unit, "h2.area-name"),
        h("div.event-chips", h("span.status-chip", { style: { "--chip": bin.color } }, bin.label),
          unit.pattern_label ? h("span.tag", unit.pattern_label) : null))),
    h("div.facts",
      h("div.fact", h("div.fact-label", t("hotspots.events_window", { n: data.params.window_days })), h("div.fact-value", formatInt(unit.events))),
      h("div.fact", h("div.fact-label", "Gi* z"), h("div.fact-value", formatDecimal(unit.z, 2))),
      h("div.fact", h("div.fact-label", t("hotspots.q")), h("div.fact-value", unit.q < 0.001 ? "<0.001" : formatDecimal(unit.q, 3)))),
    h("section.event-section",
      h("h3.section-title", t("hotspots.weekly_title", { n: unit.weekly.length })),
      h("div.chart-box.chart-weekly", canvas)),
    h("section.event-section", h("h3.section-title", t("hotspots.unit_events", { n: data.params.window_days })), events),
    repeats.length ? h("section.event-section", h("h3.section-title", t("hotspots.repeats", { min: data.params.repeat_min })),
      repeatRows(repeats)) : null);
}

/** Open a unit (from the list or the map). */
export function selectUnit(unitId) {
  state.selected = unitId;
  highlight(unitId);
  zoomToUnit(unitId);
  return showPanel("hotspots");
}

async function load() {
  const p = params();
  p.set("area", analysisArea());
  const key = p.toString();
  if (state.dataKey !== key) {
    state.data = await api(`/api/hotspots?${key}`);
    state.dataKey = key;
  }
  return state.data;
}

export const hotspotsPanel = {
  tab: "panel.tab.hotspots",
  followsArea: true,
  open: () => showPanel("hotspots"),
  async render(body, _props, { isCurrent }) {
    const head = h("header.panel-head", h("div.card-titles",
      h("div.area-level", `${areaName(analysisArea())} · ${t("hotspots.days", { n: state.window })}`),
      h("h2.panel-title", t("hotspots.title"))));
    replace(body, h("div.hotspots-panel", head, h("p.loading", t("hotspots.computing"))));
    let data;
    let majors = [];
    try {
      [data, majors] = await Promise.all([load(), loadCategories().then(majorsOf).catch(() => [])]);
    } catch (error) {
      if (!isCurrent()) return;
      replace(body, h("div.hotspots-panel", head, controls(majors),
        h("div.panel-error", h("p", { "data-testid": "hotspot-error" }, error.display || String(error)))));
      return;
    }
    if (state.layerOn) showLayer(); // the run just loaded (the tiles draw it by its id)
    if (!isCurrent()) return;
    const unit = state.selected && data.units.find((u) => u.unit_id === state.selected);
    replace(body, h("div.hotspots-panel", { "data-unit-type": data.params.unit, "data-area": data.params.area,
      "data-computed": formatDateTime(data.computed_at) },
    unit ? unitView(data, unit) : [head, listView(data, majors)]));
    nameGrids(body);
  },
};

/** A click on the hotspots layer: open that unit. */
export function onHotspotClick(feature) {
  const id = feature.properties.unit_id;
  if (!id) return;
  state.selected = String(id);
  highlight(state.selected);
  showPanel("hotspots");
}

export function mountHotspots(map, user) {
  state.map = map;
  state.user = user;
}
