// Evaluation (综合评价): the five rates of SPEC §2.4 for the current area and a month, the
// counts behind them, and the department league table (按期结案率 first).
import { api } from "./api.js";
import { barChart } from "./charts.js";
import { h, replace } from "./dom.js";
import { drillState } from "./drill.js";
import { formatDecimal, formatInt, formatMonth, formatRate } from "./format.js";
import { t } from "./i18n.js";
import { showPanel } from "./panels.js";

const RATES = [
  { id: "closure_rate", numerator: "closed", denominator: (c) => c.due - c.postponed },
  { id: "on_time_closure_rate", numerator: "closed_on_time", denominator: (c) => c.due - c.postponed },
  { id: "rework_rate", numerator: "reworked", denominator: (c) => c.dispatched, lowerIsBetter: true },
  { id: "on_time_filing_rate", numerator: "filed_on_time", denominator: (c) => c.filed },
  { id: "accurate_dispatch_rate", numerator: (c) => c.dispatched - c.returned, denominator: (c) => c.dispatched },
];
const COUNTS = ["filed", "filed_on_time", "dispatched", "returned", "reworked", "due", "closed",
  "closed_on_time", "postponed", "closed_in_period"];
const MONTHS_BACK = 24;

const state = { period: monthOf(new Date()), user: null };

function monthOf(date) {
  return `${date.getFullYear()}-${String(date.getMonth() + 1).padStart(2, "0")}`;
}

function shiftMonth(period, step) {
  const [year, month] = period.split("-").map(Number);
  return monthOf(new Date(year, month - 1 + step, 1));
}

function recentMonths() {
  const now = monthOf(new Date());
  return Array.from({ length: MONTHS_BACK }, (_, i) => shiftMonth(now, -i));
}

/** The drill-down area when it lies in the user's scope, else the scope itself. */
export function areaInScope(user) {
  const area = drillState().area;
  if (area && area.code.startsWith(user.scope_code)) return { code: area.code, name: area.name };
  return { code: user.scope_code, name: user.scope_name || user.scope_code };
}

function setPeriod(period) {
  state.period = period;
  showPanel("indicators");
}

function periodPicker() {
  const latest = monthOf(new Date());
  return h("div.period-picker",
    h("button.btn.btn-small", { type: "button", id: "period-prev", "aria-label": t("indicators.prev"),
      onclick: () => setPeriod(shiftMonth(state.period, -1)) }, "‹"),
    h("select", { id: "indicator-period", "aria-label": t("indicators.period"),
      onchange: (event) => setPeriod(event.target.value) },
    recentMonths().map((p) => h("option", { value: p, selected: p === state.period }, formatMonth(p)))),
    h("button.btn.btn-small", { type: "button", id: "period-next", "aria-label": t("indicators.next"),
      disabled: state.period >= latest, onclick: () => setPeriod(shiftMonth(state.period, 1)) }, "›"));
}

function value(counts, part) {
  return typeof part === "function" ? part(counts) : counts[part];
}

function rateCard(rate, data) {
  const figure = data.rates[rate.id];
  const numerator = value(data.counts, rate.numerator);
  const denominator = rate.denominator(data.counts);
  const weak = figure !== null && (rate.lowerIsBetter ? figure > 0.1 : figure < 0.8);
  return h(`div.rate-card${weak ? ".rate-weak" : ""}`, { "data-rate": rate.id },
    h("div.rate-value", formatRate(figure)),
    h("div.rate-label", t(`rate.${rate.id}`)),
    h("div.rate-formula", `${formatInt(numerator)} / ${formatInt(denominator)}`),
    h("span.bar", h("span.bar-fill", { style: { width: `${Math.round((figure ?? 0) * 100)}%` } })));
}

function countsTable(counts) {
  return h("details.section",
    h("summary", t("indicators.counts")),
    h("div.section-body", COUNTS.map((key) => h("div.stat-row",
      h("span.stat-label", t(`count.${key}`)), h("span.stat-value", formatInt(counts[key])), h("span")))));
}

function hours(value) {
  return value === null || value === undefined ? "—" : t("unit.hours", { n: formatDecimal(value) });
}

function league(departments) {
  if (!departments.length) return h("p.empty", t("indicators.no_departments"));
  const canvas = h("canvas", { "data-testid": "league-chart", role: "img", "aria-label": t("indicators.league") });
  const chartBox = h("div.chart-box", { style: { height: `${Math.max(120, departments.length * 26 + 40)}px` } }, canvas);
  const rows = departments.map((d, i) => h("tr", { "data-department": d.department_id ?? "" },
    h("td.num", String(i + 1)),
    h("td", d.department),
    h("td.num", formatInt(d.counts.dispatched)),
    h("td.num", formatRate(d.rates.on_time_closure_rate)),
    h("td.num", formatRate(d.rates.closure_rate)),
    h("td.num", formatRate(d.rates.rework_rate)),
    h("td.num", hours(d.mean_handling_hours))));
  queueMicrotask(() => barChart(canvas, {
    labels: departments.map((d) => d.department),
    values: departments.map((d) => (d.rates.on_time_closure_rate === null ? 0 : Math.round(d.rates.on_time_closure_rate * 1000) / 10)),
    colors: departments.map((d) => ((d.rates.on_time_closure_rate ?? 0) >= 0.9 ? "#3182bd" : "#e6550d")),
    horizontal: true, max: 100, format: (v) => `${v}%`, title: t("rate.on_time_closure_rate"),
  }));
  return h("section.league",
    h("h3.list-title", t("indicators.league"), h("span.list-metric", t("rate.on_time_closure_rate"))),
    chartBox,
    h("div.table-wrap", h("table.league-table", { "data-testid": "league-table" },
      h("thead", h("tr", h("th", "#"), h("th", t("indicators.department")), h("th", t("count.dispatched")),
        h("th", t("rate.short.on_time_closure_rate")), h("th", t("rate.short.closure_rate")),
        h("th", t("rate.short.rework_rate")), h("th", t("indicators.mean_hours_short")))),
      h("tbody", rows))));
}

export const indicatorsPanel = {
  tab: "panel.tab.indicators",
  followsArea: true,
  open: () => showPanel("indicators"),
  async render(body, _props, { isCurrent }) {
    const area = areaInScope(state.user);
    replace(body, h("p.loading", t("panel.loading")));
    let data;
    try {
      data = await api(`/api/indicators?area=${area.code}&period=${state.period}`);
    } catch (error) {
      if (isCurrent()) replace(body, h("div.panel-error", h("p", error.display || String(error))));
      return;
    }
    if (!isCurrent()) return;
    replace(body, h("div.indicators-panel", { "data-area": data.area, "data-period": state.period },
      h("header.panel-head",
        h("div.card-titles",
          h("div.area-level", `${area.name} · ${formatMonth(state.period)}`),
          h("h2.panel-title", t("indicators.title")))),
      periodPicker(),
      h("div.rate-grid", { "data-testid": "indicator-rates" }, RATES.map((rate) => rateCard(rate, data))),
      h("div.kpis.kpis-3",
        h("div.kpi", h("div.kpi-value", formatInt(data.counts.filed)), h("div.kpi-label", t("count.filed"))),
        h("div.kpi", h("div.kpi-value", formatInt(data.counts.closed_in_period)), h("div.kpi-label", t("count.closed_in_period"))),
        h("div.kpi", { "data-testid": "mean-hours" }, h("div.kpi-value", hours(data.mean_handling_hours)),
          h("div.kpi-label", t("indicators.mean_hours")))),
      h("p.panel-lead", t("indicators.definition")),
      countsTable(data.counts),
      league(data.departments)));
  },
};

export function setIndicatorsUser(user) {
  state.user = user;
}
