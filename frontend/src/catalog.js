// The layer catalogue from GET /tiles: titles, zoom ranges and legends, shared by the UI.
import { legendLabel } from "./i18n.js";

let layers = [];

export function setCatalog(tileLayers) {
  layers = tileLayers;
}

export function catalog() {
  return layers;
}

export function tileLayer(id) {
  return layers.find((layer) => layer.name === id);
}

/** {color, label} of ``value`` in the legend of layer ``id`` (grey and the raw value if absent). */
export function legendEntry(id, value) {
  const entry = tileLayer(id)?.legend?.find((item) => item.value === value);
  if (!entry) return { color: "#999999", label: value ?? "—" };
  return { color: entry.color, label: legendLabel(id, entry) };
}
