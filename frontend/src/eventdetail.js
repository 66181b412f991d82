// One event (事件详情): facts, photos, the history as a timeline, and buttons for exactly
// the workflow steps the user may take now (allowed_actions), sent with If-Match.
import { api, apiBlob, apiResponse } from "./api.js";
import { h, replace } from "./dom.js";
import { drillState, navigate } from "./drill.js";
import { formatDateTime, formatDuration, formatLonLat } from "./format.js";
import { t, tOr } from "./i18n.js";
import { toast } from "./notify.js";
import {
  actionLabel, categoryById, categoryName, departmentName, knownDepartments, loadCategories,
  majorLabel, noteRequired, priorityLabel, rememberDepartments, sourceLabel, statusEntry,
} from "./reference.js";
import { EMPTY } from "./style.js";

// Forward steps get the primary colour; the others are plain.
const FORWARD = ["accept", "dispatch", "start", "report_done", "verify_pass", "close", "resume"];

const shown = {
  id: null, detail: null, etag: null, form: null, notice: null, body: null,
  isCurrent: () => false, onBack: null, photos: new Map(),
};

export function eventDetailShown() {
  return shown.body?.isConnected && shown.isCurrent() ? shown.id : null;
}

/** Render event ``id`` into ``body``; ``onBack`` returns to where the user came from. */
export async function renderEventDetail(body, { id, onBack, isCurrent }) {
  if (shown.id !== id) {
    forgetPhotos();
    shown.form = null;
    shown.notice = null;
  }
  Object.assign(shown, { id, body, isCurrent, onBack });
  replace(body, h("p.loading", t("panel.loading")));
  try {
    await Promise.all([fetchDetail(), loadCategories().catch(() => null)]);
  } catch (error) {
    if (!isCurrent()) return;
    replace(body, h("div.panel-error",
      h("p", { "data-testid": "event-error" }, error.display || String(error)),
      h("button.btn", { type: "button", onclick: onBack }, t("event.back"))));
    return;
  }
  if (!isCurrent()) return;
  draw();
  focusOnMap(shown.detail, { fly: true });
}

async function fetchDetail() {
  const { data, etag } = await apiResponse(`/api/events/${shown.id}`);
  shown.detail = data;
  shown.etag = etag;
  rememberDepartments([data]);
}

/**
 * Read the event again after ``change`` (none: the stream reconnected); a half-written step
 * stays open, with a note that the event moved on (sending it would meet a 412).
 */
export async function reloadEventDetail(change) {
  if (!eventDetailShown() || (change && change.version <= shown.detail?.version)) return;
  if (shown.form) {
    if (!change) return;
    shown.notice = { kind: "warn", text: t("event.changed_elsewhere"), reload: true };
    draw();
    return;
  }
  try {
    await fetchDetail();
  } catch (error) {
    shown.notice = { kind: "error", text: error.display || String(error) };
  }
  if (eventDetailShown()) draw();
}

function focusOnMap(event, { fly = false } = {}) {
  const map = drillState().map;
  if (!map) return;
  map.getSource("event-focus")?.setData(event ? {
    type: "FeatureCollection",
    features: [{ type: "Feature", geometry: { type: "Point", coordinates: [event.lon, event.lat] },
      properties: { id: event.id } }],
  } : EMPTY);
  if (!event || !fly) return;
  const bounds = map.getBounds();
  if (map.getZoom() < 15 || !bounds.contains([event.lon, event.lat])) {
    map.easeTo({ center: [event.lon, event.lat], zoom: Math.max(map.getZoom(), 16.5), duration: 600 });
  }
}

/** Forget the map highlight (the panel closed). */
export function clearEventFocus() {
  focusOnMap(null);
}

// ---- drawing ---------------------------------------------------------------------------

function fact(label, value, { wide = false, alert = false } = {}) {
  return h(`div.fact${wide ? ".fact-wide" : ""}${alert ? ".fact-alert" : ""}`,
    h("div.fact-label", label), h("div.fact-value", value ?? "—"));
}

function deadline(event) {
  if (!event.stage_due_at) return "—";
  const due = new Date(event.stage_due_at);
  const left = due.getTime() - Date.now();
  const when = formatDateTime(event.stage_due_at);
  if (event.overdue) return `${when}（${t("event.overdue_by", { time: formatDuration(left) })}）`;
  return left > 0 ? `${when}（${t("event.due_in", { time: formatDuration(left) })}）` : when;
}

function facts(event) {
  const category = categoryById(event.category_id);
  return h("div.facts.event-facts",
    fact(t("event.category"), category ? `${majorLabel(category.major, category.major_name)} › ${categoryName(event)}` : event.category, { wide: true }),
    fact(t("event.source"), sourceLabel(event.source)),
    fact(t("event.priority"), priorityLabel(event.priority)),
    fact(t("event.reported"), formatDateTime(event.reported_at)),
    fact(t("event.stage_due"), deadline(event), { alert: event.overdue }),
    fact(t("event.due"), formatDateTime(event.due_at)),
    fact(t("event.department"), event.department || "—"),
    fact(t("event.grid"), event.grid_code),
    event.rework_count ? fact(t("event.rework"), String(event.rework_count)) : null,
    event.escalation_level ? fact(t("event.escalation"), String(event.escalation_level)) : null);
}

function place(event) {
  return h("div.event-place",
    h("span.event-address", event.address || formatLonLat(event.lon, event.lat)),
    h("span.event-place-actions",
      h("button.btn.btn-small", { type: "button", onclick: () => focusOnMap(event, { fly: true }),
        "data-testid": "event-locate" }, t("event.locate")),
      event.building_code ? h("button.btn.btn-small", { type: "button", "data-testid": "event-building",
        onclick: () => navigate({ building: event.building_code }, { fly: true }) }, t("event.building")) : null));
}

function forgetPhotos() {
  for (const url of shown.photos.values()) if (url) URL.revokeObjectURL(url);
  shown.photos = new Map();
}

function openLightbox(url, name) {
  const close = () => { box.remove(); document.removeEventListener("keydown", onKey); };
  const onKey = (event) => { if (event.key === "Escape") close(); };
  const box = h("div.lightbox", { role: "dialog", "aria-label": name, onclick: close },
    h("img", { src: url, alt: name }),
    h("button.icon-button.lightbox-close", { type: "button", "aria-label": t("event.close_photo") }, "×"));
  document.addEventListener("keydown", onKey);
  document.body.append(box);
}

/** Thumbnails: each photo fetched with the bearer token and shown as an object URL. */
function photos(event) {
  if (!event.attachments.length) return null;
  const items = event.attachments.map((photo) => {
    const img = h("img", { alt: photo.filename, loading: "lazy" });
    const button = h("button.photo", { type: "button", title: photo.filename, disabled: true,
      onclick: () => openLightbox(img.src, photo.filename) }, img);
    const known = shown.photos.get(photo.url);
    if (known) {
      img.src = known;
      button.disabled = false;
    } else if (!shown.photos.has(photo.url)) {
      shown.photos.set(photo.url, null);
      apiBlob(photo.url).then((blob) => {
        const url = URL.createObjectURL(blob);
        shown.photos.set(photo.url, url);
        img.src = url;
        button.disabled = false;
      }).catch(() => shown.photos.delete(photo.url));
    }
    return h("li", button);
  });
  return h("section.event-section",
    h("h3.section-title", t("event.photos", { count: event.attachments.length })),
    h("ul.photo-grid", { "data-testid": "event-photos" }, items));
}

function timeline(actions) {
  return h("section.event-section",
    h("h3.section-title", t("event.history")),
    h("ol.timeline", { "data-testid": "timeline" }, actions.map((a) => {
      const to = statusEntry(a.to_status);
      const moved = a.from_status && a.from_status !== a.to_status;
      return h("li.timeline-item", { "data-action": a.action, style: { "--chip": to.color } },
        h("span.timeline-dot", { "aria-hidden": "true" }),
        h("div.timeline-body",
          h("div.timeline-head",
            h("strong.timeline-label", actionLabel(a.action, a.label_zh)),
            h("time.timeline-time", { datetime: a.at }, formatDateTime(a.at))),
          h("div.timeline-meta", [a.actor, a.actor_role ? tOr(`role.${a.actor_role}`, a.actor_role) : null, a.department]
            .filter(Boolean).join(" · ") || "—"),
          h("div.timeline-status", moved
            ? `${statusEntry(a.from_status).label} → ${to.label}` : to.label),
          a.note ? h("p.timeline-note", a.note) : null));
    })));
}

function notice() {
  const n = shown.notice;
  if (!n) return null;
  return h(`div.event-notice.event-notice-${n.kind}`, { role: "alert", "data-testid": "event-message" },
    h("span", n.text),
    n.reload ? h("button.btn.btn-small", { type: "button", onclick: () => {
      shown.form = null;
      shown.notice = null;
      reloadEventDetail();
    } }, t("event.reload")) : null,
    h("button.icon-button.notice-close", { type: "button", "aria-label": t("event.dismiss"),
      onclick: () => { shown.notice = null; draw(); } }, "×"));
}

function actionBar(event) {
  const allowed = event.allowed_actions;
  if (!allowed.length) return h("p.event-no-actions", t("event.no_actions"));
  return h("div.action-bar", { "data-testid": "event-actions" }, allowed.map((action) => h(
    `button.btn.action-btn${FORWARD.includes(action) ? ".btn-primary" : ""}`, {
      type: "button", "data-action": action, "aria-pressed": String(shown.form?.action === action),
      onclick: () => {
        shown.form = shown.form?.action === action ? null : { action, note: "", message: null };
        draw();
        shown.body.querySelector("#action-note")?.focus();
      },
    }, actionLabel(action))));
}

function actionForm(event) {
  const form = shown.form;
  if (!form) return null;
  const required = noteRequired(form.action) || form.noteRequired;
  const extra = [];
  if (form.action === "dispatch") {
    const routed = h("option", { value: "" }, t("action.by_routing"));
    const select = h("select", { id: "action-department", onchange: (e) => { form.departmentId = e.target.value; } },
      routed);
    knownDepartments().then((list) => {
      const fallback = departmentName(categoryById(event.category_id)?.default_department_id);
      if (fallback) routed.textContent = t("action.by_routing_default", { name: fallback });
      for (const d of list) {
        select.append(h("option", { value: String(d.id), selected: String(d.id) === form.departmentId }, d.name));
      }
    });
    extra.push(h("label.field", h("span", t("action.department")), select));
  }
  if (form.action === "merge") {
    extra.push(h("label.field", h("span", t("action.duplicate_of")),
      h("input", { id: "action-duplicate", value: form.duplicate || "", placeholder: "E2026…",
        oninput: (e) => { form.duplicate = e.target.value; } })));
  }
  return h("form.action-form", { "data-action": form.action, "data-testid": "action-form", novalidate: true,
    onsubmit: (e) => { e.preventDefault(); submit(); } },
  h("h3.section-title", actionLabel(form.action)),
  extra,
  h("label.field",
    h("span", required ? t("action.note_required") : t("action.note")),
    h("textarea", { id: "action-note", rows: 3, maxlength: 2000, required,
      oninput: (e) => { form.note = e.target.value; } }, form.note)),
  form.message ? h("p.form-message", { role: "alert", "data-testid": "action-message" }, form.message) : null,
  h("div.form-buttons",
    h("button.btn", { type: "button", onclick: () => { shown.form = null; draw(); } }, t("action.cancel")),
    h("button.btn.btn-primary", { type: "submit", id: "action-submit", disabled: form.busy },
      form.busy ? t("action.busy") : t("action.confirm", { action: actionLabel(form.action) }))));
}

function draw() {
  const event = shown.detail;
  if (!event || !shown.body) return;
  const status = statusEntry(event.status);
  replace(shown.body, h("article.event-detail", {
    "data-id": event.id, "data-status": event.status, "data-version": event.version, "data-testid": "event-detail",
  },
  h("header.card-head",
    h("button.icon-button.back-button", { type: "button", "aria-label": t("event.back"),
      title: t("event.back"), onclick: () => { clearEventFocus(); shown.onBack(); } }, "‹"),
    h("div.card-titles",
      h("div.area-level", `${t("event.label")} · ${event.code}`),
      h("h2.area-name", event.title),
      h("div.event-chips",
        h("span.status-chip", { "data-testid": "event-status", style: { "--chip": status.color } }, status.label),
        event.overdue ? h("span.badge.badge-alert", t("event.overdue")) : null,
        event.priority === 1 ? h("span.tag.tag-urgent", priorityLabel(1)) : null))),
  notice(),
  facts(event),
  event.description ? h("p.event-description", event.description) : null,
  place(event),
  photos(event),
  h("section.event-section.event-actions",
    h("h3.section-title", t("event.actions")), actionBar(event), actionForm(event)),
  timeline(event.actions)));
}

// ---- taking a step ---------------------------------------------------------------------

async function duplicateId(text) {
  const value = (text || "").trim();
  if (/^\d+$/.test(value)) return Number(value);
  if (value.length < 2) return null;
  const page = await api(`/api/events?q=${encodeURIComponent(value)}&limit=5`);
  return page.items.find((e) => e.code === value)?.id ?? null;
}

async function submit() {
  const form = shown.form;
  const event = shown.detail;
  const required = noteRequired(form.action) || form.noteRequired;
  const note = (form.note || "").trim();
  if (required && !note) {
    form.message = t("action.note_needed");
    draw();
    shown.body.querySelector("#action-note")?.focus();
    return;
  }
  const body = { action: form.action, note: note || null };
  if (form.action === "dispatch" && form.departmentId) body.department_id = Number(form.departmentId);
  form.busy = true;
  form.message = null;
  draw();
  try {
    if (form.action === "merge") {
      body.duplicate_of = await duplicateId(form.duplicate);
      if (!body.duplicate_of) throw Object.assign(new Error(t("action.duplicate_missing")), { local: true });
    }
    const { data, etag } = await apiResponse(`/api/events/${event.id}/actions`, {
      method: "POST", json: body, headers: { "If-Match": shown.etag },
    });
    shown.detail = data;
    shown.etag = etag;
    shown.form = null;
    shown.notice = { kind: "ok", text: t("action.done", { action: actionLabel(body.action), status: statusEntry(data.status).label }) };
    rememberDepartments([data]);
    toast(shown.notice.text);
  } catch (error) {
    await failed(error, form);
  }
  if (shown.form) shown.form.busy = false;
  if (eventDetailShown() !== event.id) return;
  draw();
  if (shown.notice?.kind !== "ok") shown.body.querySelector("[data-testid=event-message]")?.scrollIntoView({ block: "nearest" });
}

async function failed(error, form) {
  if (error.status === 412) {
    // Someone changed the event since it was read: show the new state, ask again.
    shown.form = null;
    await fetchDetail().catch(() => {});
    shown.notice = { kind: "warn", text: t("event.stale") };
  } else if (error.status === 422 && error.code === "note_required") {
    form.noteRequired = true;
    form.message = error.display;
  } else if (error.status === 409) {
    shown.form = null;
    await fetchDetail().catch(() => {});
    shown.notice = { kind: "error", text: error.display };
  } else {
    form.message = error.local ? error.message : error.display || String(error);
  }
}
