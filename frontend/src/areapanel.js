// The statistics panel of one area (逐级下钻): key figures, the level below, details.
import { metricById } from "./choropleth.js";
import { h, replace, swatch } from "./dom.js";
import { buildingTitle, formatDateTime, formatInt, formatRate, formatShare } from "./format.js";
import { t } from "./i18n.js";
import { legendEntry } from "./reference.js";

function kpi(label, value, { alert = false, note } = {}) {
  return h(`div.kpi${alert ? ".kpi-alert" : ""}`,
    h("div.kpi-value", value), h("div.kpi-label", label), note ? h("div.kpi-note", note) : null);
}

function statRow(label, value, share) {
  return h("div.stat-row",
    h("span.stat-label", label),
    h("span.stat-value", value),
    share !== undefined ? h("span.stat-share", share) : null);
}

function section(titleKey, rows, { open = true } = {}) {
  return h("details.section", { open },
    h("summary", t(titleKey)), h("div.section-body", rows));
}

function headline(area) {
  const meta = [];
  if (area.level === "grid") {
    meta.push(h("span", `${t("panel.workers")}：`,
      area.workers?.length ? area.workers.join("、") : t("panel.no_worker")));
    if (area.household_target) {
      meta.push(h("span", t("panel.household_target", { n: formatInt(area.household_target) })));
    }
  }
  return h("header.area-head",
    h("div.area-level", `${t(`level.${area.level}`)} · ${area.code}`),
    h("h2.area-name", { "data-testid": "area-name" }, area.name),
    meta.length ? h("div.area-meta", meta) : null);
}

function keyFigures(stats) {
  return h("div.kpis", { "data-testid": "kpis" },
    kpi(t("stat.residents"), formatInt(stats.residents)),
    kpi(t("stat.households"), formatInt(stats.households)),
    kpi(t("stat.age_60_plus"), formatInt(stats.age_60_plus),
      { note: formatShare(stats.age_60_plus, stats.residents) }),
    kpi(t("stat.elderly_alone"), formatInt(stats.elderly_alone)),
    kpi(t("stat.events_open"), formatInt(stats.events_open)),
    kpi(t("stat.events_overdue"), formatInt(stats.events_overdue),
      { alert: stats.events_overdue > 0 }),
    kpi(t("stat.closure_rate"), formatRate(stats.closure_rate)),
    kpi(t("stat.on_time_closure_rate"), formatRate(stats.on_time_closure_rate)));
}

function details(stats) {
  const share = (n) => formatShare(n, stats.residents);
  const people = section("section.people", [
    statRow(t("stat.residents_hukou"), formatInt(stats.residents_hukou), share(stats.residents_hukou)),
    statRow(t("stat.residents_non_hukou"), formatInt(stats.residents_non_hukou),
      share(stats.residents_non_hukou)),
    statRow(t("stat.age_0_6"), formatInt(stats.age_0_6), share(stats.age_0_6)),
    statRow(t("stat.age_7_17"), formatInt(stats.age_7_17), share(stats.age_7_17)),
    statRow(t("stat.age_60_plus"), formatInt(stats.age_60_plus), share(stats.age_60_plus)),
    statRow(t("stat.age_80_plus"), formatInt(stats.age_80_plus), share(stats.age_80_plus)),
    statRow(t("stat.disabled"), formatInt(stats.disabled)),
    statRow(t("stat.special_care"), formatInt(stats.special_care)),
  ]);
  const housing = section("section.housing", [
    statRow(t("stat.buildings"), formatInt(stats.buildings)),
    statRow(t("stat.rooms"), formatInt(stats.rooms)),
    statRow(t("stat.rooms_rented"), formatInt(stats.rooms_rented),
      formatShare(stats.rooms_rented, stats.rooms)),
    statRow(t("stat.grids"), formatInt(stats.grids)),
  ]);
  const entities = section("section.entities", [
    statRow(t("stat.entities"), formatInt(stats.entities)),
    ...Object.entries(stats.entities_by_type || {}).map(([type, n]) =>
      statRow(t(`entity.${type}`), formatInt(n), formatShare(n, stats.entities))),
  ], { open: false });
  const components = section("section.components", [
    statRow(t("stat.components"), formatInt(stats.components)),
    statRow(t("stat.components_damaged"), formatInt(stats.components_damaged),
      formatShare(stats.components_damaged, stats.components)),
    ...Object.entries(stats.components_by_state || {}).map(([state, n]) => {
      const entry = legendEntry("components", state);
      return statRow([swatch(entry.color, "dot"), entry.label], formatInt(n));
    }),
  ], { open: false });
  const events = section("section.events", [
    statRow(t("stat.events_open"), formatInt(stats.events_open)),
    statRow(t("stat.events_overdue"), formatInt(stats.events_overdue)),
    statRow(t("stat.events_closed_this_month"), formatInt(stats.events_closed_this_month)),
    statRow(t("stat.closure_rate"), formatRate(stats.closure_rate)),
    statRow(t("stat.on_time_closure_rate"), formatRate(stats.on_time_closure_rate)),
  ], { open: false });
  return [people, housing, events, entities, components];
}

function childList(children, childLevel, metricId, onArea) {
  const metric = metricById(metricId);
  const values = children.map((c) => (c.stats ? c.stats[metric.stat] : null));
  const max = Math.max(1, ...values.filter((v) => v !== null));
  const rows = children.map((child, i) => {
    const value = values[i];
    const meta = child.level === "grid" && child.workers?.length ? child.workers.join("、") : null;
    return h("li", h("button.row.child-row", {
      type: "button", "data-code": child.code, onclick: () => onArea(child.code),
    },
    h("span.row-main", h("span.row-title", child.short_name || child.name),
      meta ? h("span.row-meta", meta) : null),
    h("span.row-figure", h("span.row-value", value === null ? "—" : formatInt(value)),
      h("span.bar", h("span.bar-fill", { style: { width: `${value === null ? 0 : (100 * value) / max}%` } }))),
    h("span.chevron", { "aria-hidden": "true" }, "›")));
  });
  return h("section.children",
    h("h3.list-title", t("panel.children", { level: t(`level.${childLevel}`), count: children.length }),
      h("span.list-metric", t(`metric.${metric.id}`))),
    rows.length ? h("ul.rows", { "data-testid": "children" }, rows) : h("p.empty", t("panel.no_children")));
}

function buildingList(buildings, areaNames, onBuilding) {
  const rows = buildings.map((b) => {
    const use = legendEntry("buildings", b.use_type);
    return h("li", h("button.row.building-row", {
      type: "button", "data-code": b.code, onclick: () => onBuilding(b.code),
    },
    h("span.row-main", h("span.row-title", buildingTitle(b, areaNames)),
      h("span.row-meta", swatch(use.color), ` ${use.label} · ${t("building.floors_value", { above: b.floors })}`)),
    h("span.row-figure",
      h("span.row-value", t("unit.people", { n: formatInt(b.residents) })),
      b.events_open ? h("span.badge.badge-warn", formatInt(b.events_open)) : null),
    h("span.chevron", { "aria-hidden": "true" }, "›")));
  });
  return h("section.children",
    h("h3.list-title", t("panel.buildings", { count: buildings.length })),
    rows.length ? h("ul.rows", { "data-testid": "buildings" }, rows) : h("p.empty", t("panel.no_children")));
}

export const areaPanel = {
  tab: "panel.tab.area",
  render(body, { area, childLevel, children = [], buildings = [], metricId, onArea, onBuilding }) {
    const parts = [headline(area)];
    if (!area.stats) {
      parts.push(h("p.notice-inline", t("panel.out_of_scope")));
    } else {
      parts.push(keyFigures(area.stats));
    }
    const areaNames = [...area.breadcrumb.map((ref) => ref.name), area.name];
    if (childLevel === "building") parts.push(buildingList(buildings, areaNames, onBuilding));
    else parts.push(childList(children, childLevel, metricId, onArea));
    if (area.stats) {
      parts.push(...details(area.stats));
      parts.push(h("p.refreshed", t("panel.refreshed", { time: formatDateTime(area.stats.refreshed_at) })));
    }
    replace(body, h("div.area-panel", { "data-code": area.code, "data-level": area.level }, parts));
  },
};

/** A placeholder while an area loads. */
export function loadingPanel(body) {
  replace(body, h("p.loading", t("panel.loading")));
}
