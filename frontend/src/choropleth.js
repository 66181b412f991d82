// Choropleth (专题图) of the level below the current area: quantile classes of one metric.
import { formatInt } from "./format.js";
import { AREA_LAYERS, EMPTY, LAYER_OF_LEVEL } from "./style.js";

/** Metrics present on the area tiles, and the AreaRead.stats field holding the same number. */
export const METRICS = [
  { id: "residents", stat: "residents", palette: "blue" },
  { id: "households", stat: "households", palette: "blue" },
  { id: "elderly", stat: "age_60_plus", palette: "purple" },
  { id: "elderly_alone", stat: "elderly_alone", palette: "purple" },
  { id: "events_open", stat: "events_open", palette: "orange" },
  { id: "events_overdue", stat: "events_overdue", palette: "red" },
];

const PALETTES = {
  blue: ["#eff3ff", "#bdd7e7", "#6baed6", "#3182bd", "#08519c"],
  purple: ["#f2f0f7", "#cbc9e2", "#9e9ac8", "#756bb1", "#54278f"],
  orange: ["#feedde", "#fdbe85", "#fd8d3c", "#e6550d", "#a63603"],
  red: ["#fee5d9", "#fcae91", "#fb6a4a", "#de2d26", "#a50f15"],
};
export const NO_DATA = "#cfd8e0";
const METRIC_KEY = "blockgrid.metric";

export function metricById(id) {
  return METRICS.find((metric) => metric.id === id) || METRICS[0];
}

export function savedMetric() {
  try {
    return metricById(localStorage.getItem(METRIC_KEY)).id;
  } catch {
    return METRICS[0].id;
  }
}

export function saveMetric(id) {
  try {
    localStorage.setItem(METRIC_KEY, id);
  } catch { /* not remembered */ }
}

/**
 * Split ``values`` into at most ``count`` classes at quantiles; each class is
 * {color, min, max} (the smallest and largest value that falls in it).
 */
export function classify(values, paletteName, count = 5) {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (!sorted.length) return [];
  const thresholds = [];
  for (let i = 1; i < count; i += 1) {
    const value = sorted[Math.floor((i * sorted.length) / count)];
    if (value > sorted[0] && value > (thresholds.at(-1) ?? -Infinity)) thresholds.push(value);
  }
  const palette = PALETTES[paletteName];
  const classes = [];
  const bounds = [-Infinity, ...thresholds, Infinity];
  for (let i = 0; i < bounds.length - 1; i += 1) {
    const members = sorted.filter((v) => v >= bounds[i] && v < bounds[i + 1]);
    if (!members.length) continue;
    classes.push({ from: bounds[i], min: members[0], max: members.at(-1) });
  }
  const step = classes.length > 1 ? (palette.length - 1) / (classes.length - 1) : 0;
  return classes.map((c, i) => ({
    ...c, color: palette[classes.length > 1 ? Math.round(i * step) : 2],
  }));
}

function colourExpression(metricId, classes) {
  if (!classes.length) return NO_DATA;
  if (classes.length === 1) return ["case", ["has", metricId], classes[0].color, NO_DATA];
  const value = ["to-number", ["get", metricId], 0];
  const step = ["step", value, classes[0].color];
  for (const c of classes.slice(1)) step.push(c.from, c.color);
  return ["case", ["has", metricId], step, NO_DATA];
}

function childrenOf(code) {
  return ["==", ["slice", ["to-string", ["get", "code"]], 0, code.length], code];
}

const HIDDEN = ["==", ["get", "code"], "\u0000"];

/**
 * Colour the children of ``area`` by ``metricId`` on the map, outline ``area`` itself.
 * ``children`` are the AreaRead objects from /api/areas/{code}/children. Returns the
 * classes for the legend (empty when the children are buildings).
 */
export function applyChoropleth(map, { area, childLevel, children, metricId, opacity = 0.62 }) {
  const metric = metricById(metricId);
  const values = children.filter((c) => c.stats).map((c) => c.stats[metric.stat]);
  const classes = classify(values, metric.palette);
  const target = LAYER_OF_LEVEL[childLevel];
  const own = LAYER_OF_LEVEL[area.level];
  for (const id of AREA_LAYERS) {
    if (!map.getLayer(`${id}-fill`)) continue;
    const isTarget = id === target;
    map.setFilter(`${id}-fill`, isTarget ? childrenOf(area.code) : HIDDEN);
    map.setPaintProperty(`${id}-fill`, "fill-color", isTarget ? colourExpression(metric.id, classes) : NO_DATA);
    map.setPaintProperty(`${id}-fill`, "fill-opacity", isTarget ? opacity : 0);
    map.setFilter(`${id}-focus`, id === own ? ["==", ["get", "code"], area.code] : HIDDEN);
  }
  map.getSource("area-labels")?.setData(AREA_LAYERS.includes(target) ? labelPoints(children, metric) : EMPTY);
  return AREA_LAYERS.includes(target) ? classes : [];
}

function labelPoints(children, metric) {
  return {
    type: "FeatureCollection",
    features: children.filter((c) => c.centroid?.length === 2).map((c) => ({
      type: "Feature",
      geometry: { type: "Point", coordinates: c.centroid },
      properties: { code: c.code, name: c.short_name || c.name,
        value: c.stats ? formatInt(c.stats[metric.stat]) : "" },
    })),
  };
}
