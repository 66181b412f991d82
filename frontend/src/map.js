// The MapLibre map: our vector tiles with the bearer token, an optional XYZ basemap.
import * as maplibregl from "maplibre-gl";

import { getToken, notifyUnauthorized } from "./api.js";
import { t } from "./i18n.js";
import { buildStyle, LOCAL_FONTS } from "./style.js";

/** Origins that get the Authorization header: ours and the one the tile URLs name. */
function apiOrigins(tiles) {
  const origins = new Set([window.location.origin]);
  for (const layer of tiles) {
    for (const url of layer.tiles) {
      try {
        origins.add(new URL(url, window.location.href).origin);
      } catch { /* a malformed URL simply gets no token */ }
    }
  }
  return origins;
}

/**
 * Create the map in ``container`` for the layers of GET /tiles and the dashboard config.
 * Resolves once the style has loaded. ``onError`` receives messages worth showing.
 */
export function createMap(container, { tiles, config, onError }) {
  const origins = apiOrigins(tiles);
  const bounds = tiles[0]?.bounds;
  const map = new maplibregl.Map({
    container,
    style: buildStyle(tiles, config.basemap),
    bounds: bounds ? [[bounds[0], bounds[1]], [bounds[2], bounds[3]]] : undefined,
    center: bounds ? undefined : [114.06, 22.55],
    zoom: bounds ? undefined : 10,
    maxZoom: 20,
    minZoom: 3,
    attributionControl: { compact: true },
    localIdeographFontFamily: LOCAL_FONTS,
    dragRotate: false,
    pitchWithRotate: false,
    touchPitch: false,
    fadeDuration: 150,
    transformRequest: (url) => {
      let origin;
      try {
        origin = new URL(url, window.location.href).origin;
      } catch {
        return { url };
      }
      const token = getToken();
      if (token && origins.has(origin)) {
        return { url, headers: { Authorization: `Bearer ${token}` } };
      }
      return { url };
    },
  });
  map.touchZoomRotate.disableRotation();
  map.addControl(new maplibregl.NavigationControl({ showCompass: false }), "top-right");
  map.addControl(new maplibregl.ScaleControl({ maxWidth: 100, unit: "metric" }), "bottom-left");
  map.on("error", (event) => {
    const status = event.error?.status;
    if (status === 401) {
      notifyUnauthorized();
      return;
    }
    if (event.error?.name === "AbortError") return;
    // Tiles that fail once are retried on the next move; say it, but do not shout.
    console.warn("map:", event.error?.message || event);
    if (event.sourceId === undefined && onError) {
      onError(t("error.map", { message: event.error?.message || "?" }));
    }
  });
  return new Promise((resolve) => {
    map.once("load", () => resolve(map));
  });
}

/**
 * Fit ``bbox`` [minx, miny, maxx, maxy] with room for the panels; ``minZoom`` keeps a
 * small area close enough to show its buildings (they appear from zoom 14).
 */
export function fitBbox(map, bbox, { padding, maxZoom = 17, minZoom = 0, animate = true } = {}) {
  if (!bbox || bbox.length !== 4) return;
  const bounds = [[bbox[0], bbox[1]], [bbox[2], bbox[3]]];
  const camera = map.cameraForBounds(bounds, { padding: padding || 40, maxZoom });
  if (!camera) return;
  map.easeTo({ ...camera, zoom: Math.max(camera.zoom, minZoom), duration: animate ? 800 : 0 });
}

/** Resolves when the map has finished moving and drawing every visible tile. */
export function whenIdle(map) {
  return new Promise((resolve) => {
    if (map.loaded() && !map.isMoving() && map.areTilesLoaded()) resolve();
    else map.once("idle", () => resolve());
  });
}

export { maplibregl };
