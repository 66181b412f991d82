// The MapLibre style of the dashboard, built from GET /tiles (one vector source per layer)
// and coloured by the legends of GET /api/reference.
import { finalStatuses, legendOf, overdueColour } from "./reference.js";

export const AREA_LAYERS = ["districts", "streets", "communities", "grids"];
export const LAYER_OF_LEVEL = {
  district: "districts", street: "streets", community: "communities", grid: "grids",
  building: "buildings",
};

export const FONT = ["Noto Sans CJK SC Regular"];
export const LOCAL_FONTS = "'PingFang SC', 'Microsoft YaHei', 'Noto Sans CJK SC', sans-serif";

const BACKGROUND = "#e8edf1";
export const EMPTY = { type: "FeatureCollection", features: [] };
const NEUTRAL_FILL = "#cfd8e0";
export const CLUSTER_OPEN = "#e69138";
export const CLUSTER_CLOSED = "#8a9bab";

const AREA_LINES = {
  districts: { color: "#2b3f55", width: ["interpolate", ["linear"], ["zoom"], 8, 1.6, 14, 3] },
  streets: { color: "#3f5b7a", width: ["interpolate", ["linear"], ["zoom"], 10, 1, 15, 2.2] },
  communities: { color: "#5f7fa0", width: 1.2, dash: [3, 2] },
  grids: { color: "#7f9bb6", width: ["interpolate", ["linear"], ["zoom"], 12, 0.6, 17, 1.6] },
};

/** Every map layer remembers which tile layer it draws, for the layer switcher. */
function owned(sourceId, layer) {
  return { ...layer, source: sourceId, "source-layer": sourceId,
    metadata: { "blockgrid:layer": sourceId } };
}

function areaLayers(id) {
  const line = AREA_LINES[id];
  return [
    owned(id, {
      id: `${id}-fill`, type: "fill",
      paint: { "fill-color": NEUTRAL_FILL, "fill-opacity": 0 },
    }),
    owned(id, {
      id: `${id}-line`, type: "line",
      layout: { "line-join": "round" },
      paint: { "line-color": line.color, "line-width": line.width,
        ...(line.dash ? { "line-dasharray": line.dash } : {}) },
    }),
    owned(id, {
      id: `${id}-focus`, type: "line", filter: ["==", ["get", "code"], ""],
      layout: { "line-join": "round" },
      paint: { "line-color": "#0b5cad", "line-width": 3.5 },
    }),
  ];
}

function matchLegend(property, legend, fallback) {
  if (!legend.length) return fallback;
  return ["match", ["to-string", ["get", property]],
    ...legend.flatMap((entry) => [entry.value, entry.color]), fallback];
}

function buildingLayers(tile) {
  return [
    owned("buildings", {
      id: "buildings-fill", type: "fill",
      paint: { "fill-color": matchLegend("use_type", legendOf(tile.name), "#999999"),
        "fill-opacity": 0.85, "fill-outline-color": "#5d5d5d" },
    }),
    owned("buildings", {
      id: "buildings-line", type: "line", minzoom: 15,
      paint: { "line-color": "#4a4a4a", "line-width": 0.6 },
    }),
    owned("buildings", {
      id: "buildings-selected", type: "line", filter: ["==", ["get", "code"], ""],
      paint: { "line-color": "#0b5cad", "line-width": 3.5 },
    }),
  ];
}

export const OVERDUE_RING = "#d50000";

function eventLayers() {
  const overdue = overdueColour();
  const statuses = legendOf("events").filter((e) => e.value !== "overdue");
  const statusColour = matchLegend("status", statuses, "#999");
  const clustered = ["has", "point_count"];
  const settled = ["in", ["get", "status"], ["literal", finalStatuses()]];
  const overduePoint = ["all", ["!", clustered], ["==", ["get", "overdue"], true]];
  const overdueCluster = ["all", clustered, [">", ["to-number", ["get", "overdue"], 0], 0]];
  const clusterRadius = ["step", ["get", "point_count"], 11, 10, 15, 50, 20, 200, 26];
  return [
    // Overdue (超期) has a style of its own: a red ring around the point or the cluster.
    owned("events", {
      id: "events-cluster-overdue", type: "circle", filter: overdueCluster,
      paint: {
        "circle-radius": ["+", clusterRadius, 5], "circle-color": "rgba(213,0,0,0.12)",
        "circle-stroke-color": OVERDUE_RING, "circle-stroke-width": 2.5,
      },
    }),
    owned("events", {
      id: "events-cluster", type: "circle", filter: clustered,
      paint: {
        "circle-color": ["case",
          [">", ["to-number", ["get", "overdue"], 0], 0], overdue,
          [">", ["to-number", ["get", "open"], 0], 0], CLUSTER_OPEN,
          CLUSTER_CLOSED],
        "circle-opacity": 0.88,
        "circle-radius": clusterRadius,
        "circle-stroke-color": "#ffffff", "circle-stroke-width": 2,
      },
    }),
    owned("events", {
      id: "events-cluster-count", type: "symbol", filter: clustered,
      layout: { "text-field": ["to-string", ["get", "point_count"]], "text-font": FONT,
        "text-size": 12, "text-allow-overlap": true },
      paint: { "text-color": "#ffffff" },
    }),
    owned("events", {
      id: "events-overdue-halo", type: "circle", filter: overduePoint,
      paint: {
        "circle-radius": ["interpolate", ["linear"], ["zoom"], 14, 9, 18, 15],
        "circle-color": "rgba(213,0,0,0.16)",
        "circle-stroke-color": OVERDUE_RING, "circle-stroke-width": 2.5,
      },
    }),
    owned("events", {
      id: "events-point", type: "circle", filter: ["!", clustered],
      paint: {
        // Status colour inside; the ring above says overdue.
        "circle-color": statusColour,
        // Settled cases stay on the map, quieter than the ones still to handle.
        "circle-radius": ["interpolate", ["linear"], ["zoom"],
          14, ["case", settled, 3, 5], 18, ["case", settled, 5, 9]],
        "circle-opacity": ["case", settled, 0.55, 1],
        "circle-stroke-color": "#ffffff", "circle-stroke-width": ["case", settled, 0.5, 1.5],
      },
    }),
  ];
}

/**
 * The hotspot analysis (热点): a fill per unit coloured by its Gi* class (its legend in GET
 * /api/reference), an outline, and the outline of the chosen unit. Added while hotspot mode is on.
 */
export function hotspotLayers() {
  const colour = matchLegend("gi_bin", legendOf("hotspots"), "#f7f7f7");
  const significant = ["!=", ["to-number", ["get", "gi_bin"], 0], 0];
  return [
    { id: "hotspots-fill", type: "fill", source: "hotspots", "source-layer": "hotspots",
      metadata: { "blockgrid:analysis": "hotspots" },
      paint: { "fill-color": colour, "fill-opacity": ["case", significant, 0.78, 0.45] } },
    { id: "hotspots-line", type: "line", source: "hotspots", "source-layer": "hotspots",
      metadata: { "blockgrid:analysis": "hotspots" },
      paint: { "line-color": "#6b6b6b", "line-width": 0.6, "line-opacity": 0.6 } },
    { id: "hotspots-selected", type: "line", source: "hotspots", "source-layer": "hotspots",
      metadata: { "blockgrid:analysis": "hotspots" }, filter: ["==", ["get", "unit_id"], ""],
      paint: { "line-color": "#0b5cad", "line-width": 3 } },
  ];
}

function pointLayers(tile) {
  if (tile.name === "components") {
    return [owned("components", {
      id: "components-point", type: "circle",
      paint: { "circle-color": matchLegend("state", legendOf(tile.name), "#777777"),
        "circle-radius": ["interpolate", ["linear"], ["zoom"], 15, 3, 19, 6],
        "circle-stroke-color": "#ffffff", "circle-stroke-width": 1 },
    })];
  }
  return [owned(tile.name, {
    id: `${tile.name}-point`, type: "circle",
    paint: { "circle-color": "#34495e",
      "circle-radius": ["interpolate", ["linear"], ["zoom"], 15, 2.5, 19, 5],
      "circle-stroke-color": "#ffffff", "circle-stroke-width": 1 },
  })];
}

/** Whether the dashboard has a style for this tile layer. */
export function isDrawn(tile) {
  return layersFor(tile).length > 0;
}

export function layersFor(tile) {
  if (AREA_LAYERS.includes(tile.name)) return areaLayers(tile.name);
  if (tile.name === "buildings") return buildingLayers(tile);
  if (tile.name === "events") return eventLayers();
  if (tile.geometry_type === "Point") return pointLayers(tile);
  return [];
}

// Drawing order, bottom to top (a layer unknown here is drawn above the known ones).
const ORDER = ["districts", "streets", "communities", "grids", "buildings", "components",
  "entities", "events"];

/** The full style: background, optional XYZ basemap, then every tile layer in ORDER. */
export function buildStyle(tiles, basemap) {
  const sources = {};
  const layers = [{ id: "background", type: "background",
    paint: { "background-color": BACKGROUND } }];
  if (basemap) {
    sources.basemap = { type: "raster", tiles: [basemap.url], tileSize: 256,
      maxzoom: basemap.max_zoom, attribution: basemap.attribution || "" };
    layers.push({ id: "basemap", type: "raster", source: "basemap",
      paint: { "raster-opacity": 0.9 } });
  }
  // Layers without a style here get no source, so their tiles are never requested; the
  // hotspots layer needs a chosen analysis and is added by hotspots.js in hotspot mode.
  const sorted = tiles.filter(isDrawn).sort((a, b) => rank(a.name) - rank(b.name));
  for (const tile of sorted) {
    sources[tile.name] = { type: "vector", tiles: tile.tiles, minzoom: tile.minzoom,
      maxzoom: tile.maxzoom, bounds: tile.bounds, attribution: "blockgrid" };
  }
  // The event open in the events panel: a ring above the event points.
  sources["event-focus"] = { type: "geojson", data: EMPTY };
  const focus = {
    id: "event-focus", type: "circle", source: "event-focus", metadata: {},
    paint: { "circle-radius": 13, "circle-color": "rgba(11,92,173,0.12)",
      "circle-stroke-color": "#0b5cad", "circle-stroke-width": 3 },
  };
  // One label per child area, at the point the API gives (tiles would repeat it per tile).
  sources["area-labels"] = { type: "geojson", data: EMPTY };
  const labels = {
    id: "area-labels", type: "symbol", source: "area-labels", metadata: {},
    layout: {
      "text-field": ["format", ["get", "name"], {}, "\n", {}, ["get", "value"], { "font-scale": 0.85 }],
      "text-font": FONT, "text-size": 13, "text-max-width": 9, "text-padding": 4,
    },
    paint: { "text-color": "#17202b", "text-halo-color": "rgba(255,255,255,0.92)",
      "text-halo-width": 1.6 },
  };
  // Area fills at the bottom, then lines, buildings and points, the current area's outline
  // and the area names, events on top.
  const drawn = [...sorted.flatMap(layersFor), labels];
  for (let pass = 0; pass < 4; pass += 1) {
    layers.push(...drawn.filter((layer) => drawingPass(layer) === pass));
  }
  layers.push(focus);
  return { version: 8, sources, layers };
}

function rank(name) {
  const index = ORDER.indexOf(name);
  return index === -1 ? ORDER.length : index;
}

function drawingPass(layer) {
  if (layer.id === "area-labels") return 2;
  const owner = layer.metadata["blockgrid:layer"];
  if (owner === "events") return 3;
  if (AREA_LAYERS.includes(owner)) {
    if (layer.id.endsWith("-fill")) return 0;
    if (layer.id.endsWith("-focus")) return 2; // the current area's outline above every line
  }
  return 1;
}
