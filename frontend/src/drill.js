// Drill-down (逐级下钻): city › district › street › community › grid › building.
//
// The URL hash holds where the user is (#area=440304, #building=…), so the browser's
// back button goes back up and a reload comes back to the same place.
import { api } from "./api.js";
import { loadingPanel } from "./areapanel.js";
import { loadingCard, locationNames } from "./building.js";
import { applyChoropleth } from "./choropleth.js";
import { h, replace } from "./dom.js";
import { buildingTitle } from "./format.js";
import { t } from "./i18n.js";
import { fitBbox } from "./map.js";
import { activeFollowsArea, activePanel, mapPadding, refreshPanel, revealMap, showPanel } from "./panels.js";

const state = {
  map: null, mapElement: null, breadcrumb: null, body: null, home: null,
  area: null, listing: null, card: null, metricId: "residents", classes: [],
  onClasses: () => {}, flyToBuilding: false, basemap: false,
};

export function drillState() {
  return state;
}

export function initDrill(options) {
  Object.assign(state, options);
  window.addEventListener("hashchange", () => route());
}

function parseHash() {
  const params = new URLSearchParams(window.location.hash.slice(1));
  if (/^\d{19}$/.test(params.get("building") || "")) return { building: params.get("building") };
  if (/^\d{4,14}$/.test(params.get("area") || "")) return { area: params.get("area") };
  return null;
}

/** Go to an area or a building; ``fly`` moves the map to a building picked off the map. */
export function navigate(target, { fly = false } = {}) {
  state.flyToBuilding = fly;
  const hash = target.building ? `#building=${target.building}` : `#area=${target.area}`;
  if (window.location.hash === hash) route();
  else window.location.hash = hash;
}

/** Open what the hash says, or the user's home area. */
export async function route() {
  const target = parseHash();
  if (target?.building) return openBuilding(target.building);
  return openArea(target?.area || state.home);
}

function crumbButton(ref, onClick) {
  return h("button.crumb", { type: "button", "data-code": ref.code, onclick: onClick }, ref.name);
}

function renderBreadcrumb(refs, building) {
  const items = [];
  refs.forEach((ref, i) => {
    const last = i === refs.length - 1 && !building;
    if (i > 0) items.push(h("span.crumb-sep", { "aria-hidden": "true" }, "›"));
    items.push(last
      ? h("span.crumb.crumb-current", { "aria-current": "page", "data-code": ref.code }, ref.name)
      : crumbButton(ref, () => navigate({ area: ref.code })));
  });
  if (building) {
    items.push(h("span.crumb-sep", { "aria-hidden": "true" }, "›"));
    items.push(h("span.crumb.crumb-current", { "aria-current": "page", "data-code": building.code },
      buildingTitle(building, locationNames(building))));
  }
  replace(state.breadcrumb, h("ol.crumbs", items.map((item) => h("li", item))));
  state.breadcrumb.scrollLeft = state.breadcrumb.scrollWidth;
}

function showError(error, retry) {
  replace(state.body, h("div.panel-error",
    h("p", error.display || String(error)),
    h("button.btn", { type: "button", onclick: retry }, t("panel.up"))));
}

function recolour() {
  if (!state.listing) return;
  state.classes = applyChoropleth(state.map, {
    area: state.listing.area, childLevel: state.listing.child_level,
    children: state.listing.children, metricId: state.metricId,
    opacity: state.basemap ? 0.5 : 0.62,
  });
  state.onClasses(state.classes);
}

async function loadListing(code) {
  if (state.listing?.area.code === code) return state.listing;
  const listing = await api(`/api/areas/${code}/children`);
  state.listing = listing;
  state.area = listing.area;
  recolour();
  return listing;
}

function areaProps() {
  const listing = state.listing;
  return {
    area: listing.area, childLevel: listing.child_level, children: listing.children,
    buildings: listing.buildings, metricId: state.metricId,
    onArea: (code) => navigate({ area: code }),
    onBuilding: (code) => navigate({ building: code }, { fly: true }),
  };
}

export async function openArea(code, { fit = true } = {}) {
  state.card = null;
  state.map.setFilter("buildings-selected", ["==", ["get", "code"], ""]);
  if (state.listing?.area.code !== code) loadingPanel(state.body);
  let listing;
  try {
    listing = await loadListing(code);
  } catch (error) {
    if (code !== state.home) showError(error, () => navigate({ area: state.home }));
    else showError(error, () => route());
    return;
  }
  renderBreadcrumb(listing.area.breadcrumb, null);
  revealMap();
  // Events, indicators and hotspots stay open and follow the area; otherwise its statistics.
  if (activeFollowsArea()) await refreshPanel({ area: listing.area });
  else await showPanel("area", areaProps());
  if (fit) {
    const grid = listing.area.level === "grid";
    fitBbox(state.map, listing.area.bbox, { padding: mapPadding(state.mapElement),
      maxZoom: grid ? 17 : 16, minZoom: grid ? 14 : 0 });
  }
}

function inView(map, lngLat) {
  const point = map.project(lngLat);
  const { clientWidth: width, clientHeight: height } = map.getContainer();
  const padding = mapPadding(state.mapElement);
  return point.x > padding.left && point.x < width - padding.right
    && point.y > padding.top && point.y < height - padding.bottom;
}

export async function openBuilding(code) {
  const fly = state.flyToBuilding;
  state.flyToBuilding = false;
  loadingCard(state.body);
  let card;
  try {
    card = await api(`/api/buildings/${code}`);
    await loadListing(card.grid_code);
  } catch (error) {
    showError(error, () => navigate({ area: state.area?.code || state.home }));
    return;
  }
  state.card = card;
  renderBreadcrumb(card.location, card);
  revealMap();
  await showPanel("building", { card, onClose: () => navigate({ area: card.grid_code }) });
  state.map.setFilter("buildings-selected", ["==", ["get", "code"], card.code]);
  const zoom = state.map.getZoom();
  if (fly || zoom < 15 || !inView(state.map, card.centroid)) {
    const padding = mapPadding(state.mapElement);
    state.map.easeTo({ center: card.centroid, zoom: Math.max(zoom, 17), duration: 700,
      offset: [(padding.left - padding.right) / 2, (padding.top - padding.bottom) / 2] });
  }
}

/** Show the statistics of the current area (the 概况 tab). */
export async function showAreaPanel() {
  if (state.card) {
    renderBreadcrumb(state.card.location, state.card);
    return showPanel("building", { card: state.card, onClose: () => navigate({ area: state.card.grid_code }) });
  }
  if (!state.listing) return route();
  renderBreadcrumb(state.listing.area.breadcrumb, null);
  return showPanel("area", areaProps());
}

export function setMetric(metricId) {
  state.metricId = metricId;
  recolour();
}

/** Redraw the current panel (after a language switch). */
export async function redraw() {
  if (!["area", "building", null].includes(activePanel())) {
    if (state.card) renderBreadcrumb(state.card.location, state.card);
    else if (state.listing) renderBreadcrumb(state.listing.area.breadcrumb, null);
    await refreshPanel();
  } else if (state.card) {
    renderBreadcrumb(state.card.location, state.card);
    await showPanel("building", { card: state.card, onClose: () => navigate({ area: state.card.grid_code }) });
  } else if (state.listing) {
    renderBreadcrumb(state.listing.area.breadcrumb, null);
    await showPanel("area", areaProps());
  }
  state.onClasses(state.classes);
}
