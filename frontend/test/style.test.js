import assert from "node:assert/strict";
import { beforeEach, describe, it } from "node:test";

import { setReference } from "../src/reference.js";
import { buildStyle, isDrawn, layersFor } from "../src/style.js";
import { REFERENCE } from "./fixtures.js";

beforeEach(() => setReference(REFERENCE));

const tile = (name, extra = {}) => ({
  name, tiles: [`http://x/tiles/${name}/{z}/{x}/{y}.mvt`], minzoom: 0, maxzoom: 22,
  bounds: [114, 22.5, 114.1, 22.6], geometry_type: "MultiPolygon", ...extra,
});

function layer(style, id) {
  return style.layers.find((l) => l.id === id);
}

describe("the map style", () => {
  it("colours event points by every status of the reference legend", () => {
    const style = buildStyle([tile("events", { geometry_type: "Point" })], null);
    const point = layer(style, "events-point");
    assert.deepEqual(point.paint["circle-color"],
      ["match", ["to-string", ["get", "status"]], "open_a", "#111111", "done", "#333333", "#999"]);
    // Settled (final) cases are drawn quieter: the list comes from the reference data.
    assert.deepEqual(point.paint["circle-opacity"],
      ["case", ["in", ["get", "status"], ["literal", ["done"]]], 0.55, 1]);
    const cluster = layer(style, "events-cluster");
    assert.equal(cluster.paint["circle-color"][2], "#cc0000", "overdue clusters in overdue red");
  });

  it("colours buildings by use and falls back to grey without a legend", () => {
    const [fill] = layersFor(tile("buildings"));
    assert.deepEqual(fill.paint["fill-color"],
      ["match", ["to-string", ["get", "use_type"]], "school", "#6aa84f", "#999999"]);
    setReference({});
    assert.equal(layersFor(tile("buildings"))[0].paint["fill-color"], "#999999");
  });

  it("draws known layers in order, events on top, and skips the unknown", () => {
    const tiles = [tile("events", { geometry_type: "Point" }), tile("grids"), tile("districts"),
      tile("hotspots")];
    assert.equal(isDrawn(tile("hotspots")), false, "added in hotspot mode only");
    const style = buildStyle(tiles, null);
    assert.deepEqual(Object.keys(style.sources),
      ["districts", "grids", "events", "event-focus", "area-labels"]);
    const ids = style.layers.map((l) => l.id);
    assert.equal(ids[0], "background");
    assert.ok(ids.indexOf("districts-fill") < ids.indexOf("grids-line"), "fills below lines");
    assert.ok(ids.indexOf("area-labels") < ids.indexOf("events-point"), "events above labels");
    assert.equal(ids.at(-1), "event-focus");
  });

  it("adds an XYZ basemap under everything when one is configured", () => {
    const basemap = { url: "https://t.example.cn/{z}/{x}/{y}.png", max_zoom: 18, attribution: "©" };
    const style = buildStyle([tile("grids")], basemap);
    assert.deepEqual(style.layers.slice(0, 2).map((l) => l.id), ["background", "basemap"]);
    assert.equal(style.sources.basemap.maxzoom, 18);
  });
});
