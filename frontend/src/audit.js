// The audit trail (审计日志) for auditors: filters, newest first, older pages, CSV export.
import { api, apiBlob } from "./api.js";
import { h, replace } from "./dom.js";
import { formatDateTime, formatInt } from "./format.js";
import { t } from "./i18n.js";
import { toast } from "./notify.js";
import { showPanel } from "./panels.js";

const PAGE = 50;
const RESULTS = ["success", "failure", "denied"];
const state = { filters: { action: "", username: "", since: "", until: "", result: "" } };
let actions = null;

function query(extra = {}) {
  const f = state.filters;
  const params = new URLSearchParams();
  if (f.action) params.set("action", f.action);
  if (f.username) params.set("username", f.username.trim().toLowerCase());
  if (f.since) params.set("since", `${f.since}T00:00:00+08:00`);
  if (f.until) params.set("until", `${f.until}T23:59:59+08:00`);
  if (f.result) params.set("result", f.result);
  for (const [key, value] of Object.entries(extra)) params.set(key, value);
  return params.toString();
}

function labelOf(action) {
  return actions?.find((a) => a.action === action)?.label_zh ?? action;
}

function recordRow(record) {
  const object = record.object_type
    ? `${record.object_type} ${record.object_id ?? ""}`.trim() : null;
  return h("li.audit-row", { "data-result": record.result, "data-testid": "audit-row" },
    h("div.audit-head",
      h("strong", record.action_label || labelOf(record.action)),
      h("span.status-chip", { "data-result": record.result }, t(`audit.result.${record.result}`)),
      h("time", { datetime: record.at }, formatDateTime(record.at))),
    h("div.audit-meta",
      h("span", record.username ?? "—"),
      object ? h("span", `${t("audit.object")}：${object}`) : null,
      record.client_addr ? h("span", `${t("audit.from")}：${record.client_addr}`) : null),
    record.reason ? h("div.audit-reason", `${t("audit.reason")}：${record.reason}`) : null);
}

function field(label, input) {
  return h("label.field", h("span", label), input);
}

function filterForm(onSearch) {
  const f = state.filters;
  const bind = (key) => (event) => { f[key] = event.target.value; };
  const select = h("select", { onchange: bind("action"), "aria-label": t("audit.action") },
    h("option", { value: "" }, t("audit.any_action")),
    (actions || []).map((a) => h("option", { value: a.action, selected: a.action === f.action }, a.label_zh)));
  const result = h("select", { onchange: bind("result"), "aria-label": t("audit.result") },
    h("option", { value: "" }, t("audit.any_result")),
    RESULTS.map((r) => h("option", { value: r, selected: r === f.result }, t(`audit.result.${r}`))));
  return h("form.audit-filters", { "data-testid": "audit-filters", onsubmit: (event) => {
    event.preventDefault();
    onSearch();
  } },
    field(t("audit.action"), select),
    field(t("audit.username"), h("input", { value: f.username, oninput: bind("username"),
      autocapitalize: "off", spellcheck: "false" })),
    field(t("audit.since"), h("input", { type: "date", value: f.since, onchange: bind("since") })),
    field(t("audit.until"), h("input", { type: "date", value: f.until, onchange: bind("until") })),
    field(t("audit.result"), result),
    h("div.form-actions",
      h("button.btn.btn-primary", { type: "submit" }, t("audit.search")),
      h("button.btn", { type: "button", "data-testid": "audit-export", onclick: exportCsv },
        t("audit.export"))));
}

async function exportCsv() {
  try {
    const blob = await apiBlob(`/api/audit/export?${query()}`);
    const text = await blob.text();
    const rows = Math.max(0, text.split("\n").filter(Boolean).length - 1);
    const link = h("a", { href: URL.createObjectURL(blob), download: "audit.csv" });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
    toast(t("audit.exported", { count: formatInt(rows) }));
  } catch (error) {
    toast(error.display || String(error));
  }
}

async function render(body) {
  replace(body, h("p.loading", t("panel.loading")));
  try {
    actions ??= await api("/api/audit/actions");
  } catch (error) {
    replace(body, h("div.panel-error", h("p", error.display || String(error))));
    return;
  }
  const list = h("ul.rows.audit-list", { "data-testid": "audit-list" });
  const more = h("button.btn.btn-block", { type: "button", hidden: true }, t("audit.more"));
  let before = null;
  async function load({ reset }) {
    if (reset) {
      before = null;
      replace(list, h("li.loading", t("panel.loading")));
    }
    let page;
    try {
      page = await api(`/api/audit?${query({ limit: PAGE, ...(before ? { before_id: before } : {}) })}`);
    } catch (error) {
      replace(list, h("li.panel-error", error.display || String(error)));
      return;
    }
    if (reset) replace(list);
    list.append(...page.items.map(recordRow));
    if (!list.children.length) list.append(h("li.empty", t("audit.none")));
    before = page.next_before_id;
    more.hidden = !before;
  }
  more.addEventListener("click", () => load({ reset: false }));
  replace(body, h("div.audit-panel", { "data-view": "audit" },
    h("header.panel-head", h("h2.panel-title", t("audit.title"))),
    h("p.panel-lead", t("audit.lead")),
    filterForm(() => load({ reset: true })),
    list, more));
  await load({ reset: true });
}

export const auditPanel = {
  tab: "panel.tab.audit",
  open: () => showPanel("audit"),
  render,
};
