// The layer switcher (图层) with the legends of GET /api/reference, and the choropleth metric picker.
import { catalog } from "./catalog.js";
import { METRICS, NO_DATA } from "./choropleth.js";
import { h, replace, swatch } from "./dom.js";
import { formatInt } from "./format.js";
import { layerTitle, t } from "./i18n.js";
import { legendOf, overdueColour, termLabel } from "./reference.js";
import { AREA_LAYERS, CLUSTER_CLOSED, CLUSTER_OPEN, isDrawn, OVERDUE_RING } from "./style.js";

const VISIBILITY_KEY = "blockgrid.layers";
const HIDDEN_BY_DEFAULT = ["entities", "components"];

function savedVisibility() {
  try {
    return JSON.parse(localStorage.getItem(VISIBILITY_KEY) || "{}");
  } catch {
    return {};
  }
}

function isVisible(id) {
  const saved = savedVisibility();
  return id in saved ? saved[id] : !HIDDEN_BY_DEFAULT.includes(id);
}

function mapLayersOf(map, id) {
  return map.getStyle().layers.filter((layer) => layer.metadata?.["blockgrid:layer"] === id);
}

function setVisible(map, id, visible) {
  for (const layer of mapLayersOf(map, id)) {
    map.setLayoutProperty(layer.id, "visibility", visible ? "visible" : "none");
  }
  const saved = savedVisibility();
  saved[id] = visible;
  try {
    localStorage.setItem(VISIBILITY_KEY, JSON.stringify(saved));
  } catch { /* not remembered */ }
}

/** Apply the remembered visibility of every layer (call once the style has loaded). */
export function restoreVisibility(map) {
  for (const layer of catalog().filter(isDrawn)) {
    if (!isVisible(layer.name)) setVisible(map, layer.name, false);
  }
}

function legendFor(layer) {
  const legend = legendOf(layer.name);
  if (layer.name === "events") {
    return [
      h("li", swatch(overdueColour(), "dot"), t("layers.cluster_overdue")),
      h("li", swatch(CLUSTER_OPEN, "dot"), t("layers.cluster_open")),
      h("li", swatch(CLUSTER_CLOSED, "dot"), t("layers.cluster_closed")),
      ...legend.filter((entry) => entry.value !== "overdue")
        .map((entry) => h("li", swatch(entry.color, "dot"), termLabel(entry))),
      h("li", swatch(OVERDUE_RING, "ring"), t("layers.overdue_ring")),
    ];
  }
  const shape = layer.geometry_type === "Point" ? "dot" : "square";
  return legend.map((entry) => h("li", swatch(entry.color, shape), termLabel(entry)));
}

function layerRow(map, layer) {
  const id = `layer-toggle-${layer.name}`;
  const legend = legendFor(layer);
  return h("li.layer-row",
    h("label.layer-label", { for: id },
      h("input", { type: "checkbox", id, checked: isVisible(layer.name), "data-layer": layer.name,
        onchange: (event) => setVisible(map, layer.name, event.target.checked) }),
      h("span.layer-title", layerTitle(layer)),
      layer.minzoom > 0 && !AREA_LAYERS.includes(layer.name)
        ? h("span.layer-zoom", t("layers.zoom_hint", { zoom: layer.minzoom })) : null),
    legend.length ? h("ul.legend", legend) : null);
}

/** Legend of the choropleth: one line per class, min–max of the values in it. */
export function choroplethLegend(metricId, classes) {
  if (!classes.length) return null;
  return h("div.choropleth-legend", { "data-testid": "choropleth-legend" },
    h("div.legend-title", t(`metric.${metricId}`)),
    h("ul.legend", classes.map((c) => h("li", swatch(c.color),
      c.min === c.max ? formatInt(c.min) : `${formatInt(c.min)} – ${formatInt(c.max)}`)),
    h("li", swatch(NO_DATA), t("layers.choropleth_nodata"))));
}

/**
 * The layers panel: a metric select, the choropleth legend and one row per tile layer.
 * ``state`` holds {metricId, classes}; ``onMetric`` is called with a new metric id.
 */
export function renderLayersPanel(panel, map, { metricId, classes, onMetric, onClose }) {
  replace(panel,
    h("div.layers-head", h("h2", t("layers.title")),
      h("button.icon-button", { type: "button", "aria-label": t("layers.close"), onclick: onClose }, "×")),
    h("label.metric-picker", h("span", t("layers.metric")),
      h("select", { id: "metric-select", onchange: (event) => onMetric(event.target.value) },
        METRICS.map((m) => h("option", { value: m.id, selected: m.id === metricId }, t(`metric.${m.id}`))))),
    choroplethLegend(metricId, classes) || h("p.layers-hint", t("layers.metric_buildings")),
    h("ul.layer-list", catalog().filter(isDrawn).map((layer) => layerRow(map, layer))));
}

/** A map control (top right) that opens and closes the layers panel. */
export class LayersButton {
  constructor(onToggle) {
    this.onToggle = onToggle;
  }

  onAdd() {
    this.button = h("button.layers-button", { type: "button", id: "layers-button",
      "aria-controls": "layers-panel", onclick: () => this.onToggle() }, t("layers.button"));
    this.container = h("div.maplibregl-ctrl.maplibregl-ctrl-group.layers-ctrl", this.button);
    return this.container;
  }

  relabel() {
    if (this.button) this.button.textContent = t("layers.button");
  }

  onRemove() {
    this.container.remove();
  }
}
