// The dashboard's entry point: sign in, build the map and panels, open the home area.
import { accountPanel } from "./account.js";
import { api, clearToken, onUnauthorized } from "./api.js";
import { areaPanel } from "./areapanel.js";
import { auditPanel } from "./audit.js";
import { homeArea, isSignedIn, login, logout, me } from "./auth.js";
import { buildingPanel } from "./building.js";
import { setCatalog } from "./catalog.js";
import { savedMetric, saveMetric } from "./choropleth.js";
import { $, h, replace } from "./dom.js";
import { drillState, initDrill, navigate, redraw, route, setMetric, showAreaPanel } from "./drill.js";
import { mountEventViews } from "./eventsui.js";
import { isChinese, t, toggleLanguage, translatePage } from "./i18n.js";
import { choroplethLegend, LayersButton, renderLayersPanel, restoreVisibility } from "./layers.js";
import { createMap, maplibregl, whenIdle } from "./map.js";
import { toast } from "./notify.js";
import {
  activePanel, mountPanelHost, refreshPanel, registerPanel, setSheetState, showPanel, tuckSheet,
} from "./panels.js";
import { loadReference, statusEntry } from "./reference.js";
import { mountSearch } from "./search.js";
import { AREA_LAYERS } from "./style.js";

const FLASH_KEY = "blockgrid.flash";
const GCJ_NOTICE_KEY = "blockgrid.gcj02-notice";

function languageButtons() {
  for (const button of document.querySelectorAll("[data-lang-toggle]")) {
    button.textContent = t(window.innerWidth < 520 && button.dataset.langToggle === "short"
      ? "header.lang_short" : "header.lang");
  }
}

// ---- signing in -----------------------------------------------------------------------

function showLogin(config, flashKey) {
  $("#app").hidden = true;
  $("#login-view").hidden = false;
  const hint = $("#login-hint");
  hint.hidden = !config.demo;
  hint.textContent = config.demo ? t("login.demo_hint", { password: "blockgrid-demo" }) : "";
  const message = $("#login-message");
  message.textContent = flashKey ? t(flashKey) : "";
  message.hidden = !flashKey;
  $("#login-username").focus();
}

function wireLogin(config) {
  const form = $("#login-form");
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const button = $("#login-submit");
    const message = $("#login-message");
    button.disabled = true;
    button.textContent = t("login.busy");
    message.hidden = true;
    try {
      await login($("#login-username").value.trim(), $("#login-password").value);
      $("#login-password").value = "";
      await startApp(config);
    } catch (error) {
      message.textContent = error.display || String(error);
      message.hidden = false;
    } finally {
      button.disabled = false;
      button.textContent = t("login.submit");
    }
  });
}

// ---- the application ------------------------------------------------------------------

function roleLabel(user) {
  return isChinese() ? user.role_label : t(`role.${user.role}`);
}

function renderUser(user) {
  $("#user-name").textContent = user.display_name;
  $("#user-role").textContent = roleLabel(user);
}

function hasWebGL() {
  const canvas = document.createElement("canvas");
  return Boolean(canvas.getContext("webgl2") || canvas.getContext("webgl"));
}

function eventPopup(map, feature, lngLat) {
  const p = feature.properties;
  const status = statusEntry(p.status);
  const overdue = p.overdue === true || p.overdue === "true";
  const content = h("div.event-popup",
    h("strong", t("event.popup_title", { code: p.code || p.id })),
    h("div", `${t("event.category")}：${p.category ?? "—"}`),
    h("div", `${t("event.status")}：`, h("span.status-chip", { style: { "--chip": status.color } }, status.label),
      overdue ? h("span.badge.badge-alert", t("building.overdue")) : null),
    p.reported_at ? h("div", `${t("event.reported")}：${p.reported_at}`) : null);
  new maplibregl.Popup({ closeButton: true, maxWidth: "280px" })
    .setLngLat(lngLat).setDOMContent(content).addTo(map);
}

function clickableLayers(map, extra) {
  return ["events-cluster", "events-point", ...extra, "buildings-fill",
    ...AREA_LAYERS.map((id) => `${id}-fill`)]
    .filter((id) => map.getLayer(id) && map.getLayoutProperty(id, "visibility") !== "none");
}

/** Map clicks: the event views first (reporting, event points, hotspots), then drill-down. */
function wireMapClicks(map, views) {
  const extra = views.clickable || [];
  map.on("click", (event) => {
    const features = map.queryRenderedFeatures(event.point, { layers: clickableLayers(map, extra) });
    const byLayer = (id) => features.find((f) => f.layer.id === id);
    if (views.onMapClick(event, features)) return;
    const cluster = byLayer("events-cluster");
    if (cluster) {
      map.easeTo({ center: event.lngLat, zoom: Math.min(map.getZoom() + 2, 16) });
      return;
    }
    const point = byLayer("events-point");
    if (point) {
      eventPopup(map, point, event.lngLat);
      return;
    }
    const building = byLayer("buildings-fill");
    if (building?.properties.code) {
      navigate({ building: String(building.properties.code) });
      return;
    }
    const area = features.find((f) => f.layer.id.endsWith("-fill") && f.properties.code);
    if (area) navigate({ area: String(area.properties.code) });
  });
  map.on("dragstart", () => tuckSheet());
  map.on("mousemove", (event) => {
    if (document.body.dataset.picking) return;
    const hit = map.queryRenderedFeatures(event.point, { layers: clickableLayers(map, extra) }).length > 0;
    map.getCanvas().style.cursor = hit ? "pointer" : "";
  });
}

function wireLayers(map) {
  const panel = $("#layers-panel");
  const state = drillState();
  const chip = $("#legend-chip");
  const close = () => { panel.hidden = true; };
  const render = () => renderLayersPanel(panel, map, {
    metricId: state.metricId, classes: state.classes, onClose: close,
    onMetric: (id) => {
      saveMetric(id);
      setMetric(id);
      if (activePanel() === "area") refreshPanel({ metricId: id });
    },
  });
  const button = new LayersButton(() => {
    panel.hidden = !panel.hidden;
    if (!panel.hidden) render();
  });
  map.addControl(button, "top-right");
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && !panel.hidden) close();
  });
  state.onClasses = (classes) => {
    const legend = choroplethLegend(state.metricId, classes);
    chip.hidden = !legend;
    replace(chip, legend);
    if (!panel.hidden) render();
  };
  return { relabel: () => { button.relabel(); if (!panel.hidden) render(); } };
}

function gcjNotice(config) {
  if (!config.basemap?.gcj02 || sessionStorage.getItem(GCJ_NOTICE_KEY)) return;
  const notice = $("#notice");
  replace(notice, h("span", "⚠ ", t("basemap.gcj02")),
    h("button.btn.btn-small", { type: "button", onclick: () => {
      notice.hidden = true;
      sessionStorage.setItem(GCJ_NOTICE_KEY, "seen");
    } }, t("basemap.dismiss")));
  notice.hidden = false;
}

/** The panels every account has (my account) and those of auditors (the audit trail). */
function registerAccountPanels(user) {
  registerPanel("account", accountPanel({
    user,
    expectSignOut: (expected) => {
      if (expected) sessionStorage.setItem(FLASH_KEY, "account.changed");
      else sessionStorage.removeItem(FLASH_KEY);
    },
    onChanged: () => {
      clearToken(); // the server ended every session of this account
      window.location.reload();
    },
  }));
  if (user.permissions.includes("audit.read")) registerPanel("audit", auditPanel);
  $("#user-menu").onclick = () => showPanel("account");
}

/** Accounts without a map (auditors): the panels alone, full width. */
async function startDesk(user) {
  document.body.dataset.mode = "desk";
  $("#login-view").hidden = true;
  $("#app").hidden = false;
  renderUser(user);
  languageButtons();
  registerAccountPanels(user);
  mountPanelHost($("#sheet"));
  setSheetState("full");
  await showPanel(user.permissions.includes("audit.read") ? "audit" : "account");
  window.addEventListener("blockgrid:language", () => {
    renderUser(user);
    languageButtons();
    refreshPanel({});
  });
  window.blockgrid = { user };
  document.body.dataset.ready = "true";
}

async function startApp(config) {
  const [user] = await Promise.all([me(), loadReference()]);
  if (!user.permissions.includes("areas.read")) { // no map for this account
    await startDesk(user);
    return;
  }
  const tiles = await api("/tiles");
  setCatalog(tiles.layers);
  $("#login-view").hidden = true;
  $("#app").hidden = false;
  renderUser(user);
  languageButtons();
  registerAccountPanels(user);
  if (!hasWebGL()) {
    toast(t("error.webgl"));
    return;
  }
  const mapElement = $("#map");
  const map = await createMap(mapElement, { tiles: tiles.layers, config, onError: toast });
  restoreVisibility(map);
  registerPanel("area", { ...areaPanel, open: () => showAreaPanel() });
  registerPanel("building", { ...buildingPanel, tabOf: "area" });
  const views = mountEventViews(map, user);
  mountPanelHost($("#sheet"));
  setSheetState("peek");
  const layers = wireLayers(map);
  wireMapClicks(map, views);
  initDrill({
    map, mapElement, breadcrumb: $("#breadcrumb"), body: $("#panel-body"),
    home: homeArea(user), metricId: savedMetric(), basemap: Boolean(config.basemap),
  });
  mountSearch($("#search"), {
    onPick: (address) => navigate({ building: address.building_code }, { fly: true }),
  });
  gcjNotice(config);
  window.addEventListener("blockgrid:language", () => {
    renderUser(user);
    languageButtons();
    layers.relabel();
    views.relabel();
    redraw();
  });
  window.addEventListener("resize", () => { map.resize(); languageButtons(); });
  // Hooks for the browser tests and for people poking around in the console.
  window.blockgrid = { map, user, navigate, state: drillState(), whenIdle: () => whenIdle(map) };
  await route();
  if (views.startPanel) await views.startPanel();
  document.body.dataset.ready = "true";
}

async function boot() {
  translatePage();
  languageButtons();
  for (const button of document.querySelectorAll("[data-lang-toggle]")) {
    button.addEventListener("click", () => toggleLanguage());
  }
  window.addEventListener("blockgrid:language", () => {
    languageButtons();
    const hint = $("#login-hint");
    if (!hint.hidden) hint.textContent = t("login.demo_hint", { password: "blockgrid-demo" });
  });
  let config = { basemap: null, demo: false };
  try {
    config = await api("/api/config", { auth: false });
  } catch { /* no config: no basemap */ }
  onUnauthorized(() => {
    if (!sessionStorage.getItem(FLASH_KEY)) sessionStorage.setItem(FLASH_KEY, "login.expired");
    window.location.reload();
  });
  $("#logout").addEventListener("click", async () => {
    await logout();
    sessionStorage.setItem(FLASH_KEY, "login.logged_out");
    window.history.replaceState(null, "", window.location.pathname);
    window.location.reload();
  });
  wireLogin(config);
  const flash = sessionStorage.getItem(FLASH_KEY);
  sessionStorage.removeItem(FLASH_KEY);
  if (!isSignedIn()) {
    showLogin(config, flash);
    return;
  }
  try {
    await startApp(config);
  } catch (error) {
    showLogin(config, null);
    const message = $("#login-message");
    message.textContent = error.display || String(error);
    message.hidden = false;
  }
}

boot();
