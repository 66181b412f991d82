// The event views of the dashboard (issues 5 and 6), mounted by permission: the events
// panel, the department inbox, indicators, hotspots, reporting, and live updates.
import { eventsPanel, onEventChanges, openEvent } from "./events.js";
import { hotspotsPanel, mountHotspots, onHotspotClick } from "./hotspots.js";
import { inboxPanel, onInboxChange } from "./inbox.js";
import { indicatorsPanel, setIndicatorsUser } from "./indicators.js";
import { followChanges } from "./live.js";
import { registerPanel, showPanel } from "./panels.js";
import { isPicking, mountReporting, pickAt, reportPanel } from "./report.js";

const BATCH_MS = 300;

function refreshEventTiles(map) {
  if (map.getSource("events")) map.refreshTiles("events");
}

/** Collect the changes of ``ms`` and hand them over together. */
function batched(ms, handle) {
  let pending = [];
  let timer = null;
  return (change) => {
    pending.push(change);
    clearTimeout(timer);
    timer = setTimeout(() => {
      const changes = pending;
      pending = [];
      handle(changes);
    }, ms);
  };
}

/**
 * Register the panels ``user`` may use and wire the map; returns {onMapClick, relabel,
 * startPanel}. ``onMapClick(event, features)`` answers true when it handled the click.
 */
export function mountEventViews(map, user) {
  const can = (permission) => user.permissions.includes(permission);
  if (!can("events.read")) return { onMapClick: () => false, relabel: () => {}, startPanel: null };
  if (can("events.handle")) registerPanel("inbox", inboxPanel);
  registerPanel("events", eventsPanel);
  if (can("indicators.read")) {
    setIndicatorsUser(user);
    registerPanel("indicators", indicatorsPanel);
  }
  if (can("hotspots.read")) {
    mountHotspots(map, user);
    registerPanel("hotspots", hotspotsPanel);
  }
  let reportButton = null;
  if (can("events.report")) {
    registerPanel("report", reportPanel);
    reportButton = mountReporting(map, { onReported: () => refreshEventTiles(map) });
  }
  const refresh = (changes, { resync = false } = {}) => {
    refreshEventTiles(map);
    onEventChanges(changes, { resync });
    onInboxChange();
    window.dispatchEvent(new CustomEvent("blockgrid:events-changed", { detail: changes }));
  };
  followChanges(batched(BATCH_MS, refresh), { onResync: () => refresh([], { resync: true }) });
  function onMapClick(event, features) {
    if (isPicking()) {
      pickAt(event.lngLat);
      return true;
    }
    const point = features.find((f) => f.layer.id === "events-point" || f.layer.id === "events-overdue-halo");
    if (point?.properties.id) {
      openEvent(point.properties.id);
      return true;
    }
    const hotspot = features.find((f) => f.layer.id === "hotspots-fill");
    if (hotspot && !features.some((f) => f.layer.id === "events-cluster")) {
      onHotspotClick(hotspot);
      return true;
    }
    return false;
  }

  return {
    onMapClick,
    clickable: ["events-overdue-halo", "hotspots-fill"],
    relabel: () => reportButton?.relabel(),
    startPanel: can("events.handle") ? () => showPanel("inbox") : null,
  };
}

