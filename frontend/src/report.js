// Reporting an event on the map (事件上报): tap the place, fill in the form, send it once
// (Idempotency-Key per form, reused on retry), then upload the photos.
import { apiResponse, randomId } from "./api.js";
import { $, h, replace, swatch } from "./dom.js";
import { drillState } from "./drill.js";
import { openEvent } from "./events.js";
import { formatDateTime, formatLonLat } from "./format.js";
import { t } from "./i18n.js";
import { maplibregl } from "./map.js";
import { toast } from "./notify.js";
import { setSheetState, showPanel } from "./panels.js";
import {
  categoryLabel, loadCategories, majorLabel, majorsOf, priorityCodes, priorityLabel, statusEntry,
} from "./reference.js";

const MAX_PHOTOS = 9;
const MAX_BYTES = 5 * 2 ** 20;
const PHOTO_TYPES = ["image/jpeg", "image/png", "image/webp"];

const state = { map: null, picking: false, marker: null, form: null, onReported: () => {} };

export function isPicking() {
  return state.picking;
}

function newForm(lngLat) {
  return {
    lngLat, key: randomId(), categoryId: "", title: "", titleTouched: false, description: "",
    priority: null, priorityTouched: false, files: [], busy: false, message: null,
    created: null, uploads: [],
  };
}

// ---- choosing the place ----------------------------------------------------------------

function banner(show) {
  const el = $("#pick-banner");
  el.hidden = !show;
  if (show) {
    replace(el, h("span", t("report.pick")),
      h("button.btn.btn-small", { type: "button", id: "pick-cancel", onclick: stopPicking }, t("report.cancel")));
  }
}

function onKey(event) {
  if (event.key === "Escape") stopPicking();
}

export function startPicking() {
  if (!state.map) return;
  state.picking = true;
  document.body.dataset.picking = "true";
  state.map.getCanvas().style.cursor = "crosshair";
  banner(true);
  setSheetState("min");
  document.addEventListener("keydown", onKey);
}

export function stopPicking() {
  state.picking = false;
  delete document.body.dataset.picking;
  if (state.map) state.map.getCanvas().style.cursor = "";
  banner(false);
  document.removeEventListener("keydown", onKey);
}

function placeMarker(lngLat) {
  if (!state.marker) {
    state.marker = new maplibregl.Marker({ color: "#c62828", draggable: true });
    state.marker.on("dragend", () => {
      if (!state.form) return;
      state.form.lngLat = state.marker.getLngLat().toArray();
      const where = $("#report-where");
      if (where) where.textContent = whereText(state.form.lngLat);
    });
  }
  state.marker.setLngLat(lngLat).addTo(state.map);
}

function removeMarker() {
  state.marker?.remove();
}

/** A map click while picking: put the marker there and open the form. */
export function pickAt(lngLat) {
  const point = [Number(lngLat.lng.toFixed(7)), Number(lngLat.lat.toFixed(7))];
  stopPicking();
  placeMarker(point);
  if (state.form && !state.form.created) state.form.lngLat = point;
  else state.form = newForm(point);
  setSheetState("full");
  showPanel("report");
}

// ---- the form --------------------------------------------------------------------------

function whereText([lon, lat]) {
  const area = drillState().area;
  return `${formatLonLat(lon, lat)}${area ? ` · ${area.name}` : ""}`;
}

function categorySelect(categories, form) {
  const groups = majorsOf(categories).map((m) => h("optgroup", { label: majorLabel(m.major, m.name) },
    categories.filter((c) => c.major === m.major).map((c) => h("option", {
      value: String(c.id), selected: String(c.id) === form.categoryId,
    }, categoryLabel(c)))));
  return h("select", { id: "report-category", required: true, onchange: (event) => {
    form.categoryId = event.target.value;
    const category = categories.find((c) => String(c.id) === form.categoryId);
    if (category && !form.titleTouched) {
      form.title = categoryLabel(category);
      $("#report-title").value = form.title;
    }
    if (category && !form.priorityTouched) {
      form.priority = category.priority;
      for (const input of document.querySelectorAll("input[name=report-priority]")) {
        input.checked = Number(input.value) === form.priority;
      }
    }
  } }, h("option", { value: "", disabled: true, selected: !form.categoryId }, t("report.choose_category")), groups);
}

function priorityPicker(form) {
  return h("fieldset.segmented", { "aria-label": t("event.priority") },
    h("legend", t("event.priority")),
    priorityCodes().map((p) => h("label", h("input", {
      type: "radio", name: "report-priority", value: String(p), checked: form.priority === p,
      onchange: () => { form.priority = p; form.priorityTouched = true; },
    }), h("span", priorityLabel(p)))));
}

function photoPicker(form) {
  const list = h("ul.photo-grid.photo-picks", { "data-testid": "report-photos" }, form.files.map((file, i) => h("li",
    h("span.photo", h("img", { src: file.preview, alt: file.file.name })),
    h("button.photo-remove", { type: "button", "aria-label": t("report.remove_photo"), onclick: () => {
      URL.revokeObjectURL(file.preview);
      form.files.splice(i, 1);
      showPanel("report");
    } }, "×"))));
  const input = h("input", { type: "file", id: "report-photos", accept: PHOTO_TYPES.join(","), multiple: true,
    hidden: true, onchange: (event) => {
      const problems = [];
      for (const file of event.target.files) {
        if (form.files.length >= MAX_PHOTOS) { problems.push(t("report.too_many", { max: MAX_PHOTOS })); break; }
        if (!PHOTO_TYPES.includes(file.type)) { problems.push(t("report.bad_type", { name: file.name })); continue; }
        if (file.size > MAX_BYTES) { problems.push(t("report.too_big", { name: file.name })); continue; }
        form.files.push({ file, preview: URL.createObjectURL(file) });
      }
      form.message = problems.join(" ") || null;
      showPanel("report");
    } });
  return h("div.field",
    h("span", t("report.photos", { max: MAX_PHOTOS })),
    list,
    form.files.length < MAX_PHOTOS ? h("label.btn.btn-small.photo-add", { for: "report-photos" }, `＋ ${t("report.add_photo")}`) : null,
    input);
}

function formView(categories) {
  const form = state.form;
  return h("form.report-form", { "data-testid": "report-form", novalidate: true,
    onsubmit: (event) => { event.preventDefault(); submit(); } },
  h("header.card-head",
    h("div.card-titles",
      h("div.area-level", t("report.kicker")),
      h("h2.area-name", t("report.title"))),
    h("button.icon-button", { type: "button", "aria-label": t("report.cancel"), title: t("report.cancel"),
      onclick: cancel }, "×")),
  h("div.form-body",
    h("div.report-where",
      h("span.where-label", swatch("#c62828", "dot"), ` ${t("report.where")}`),
      h("span", { id: "report-where" }, whereText(form.lngLat)),
      h("button.btn.btn-small", { type: "button", id: "report-repick", onclick: startPicking }, t("report.repick"))),
    h("label.field", h("span", t("event.category")), categorySelect(categories, form)),
    h("label.field", h("span", t("report.title_label")),
      h("input", { id: "report-title", value: form.title, maxlength: 200, required: true,
        oninput: (event) => { form.title = event.target.value; form.titleTouched = true; } })),
    h("label.field", h("span", t("report.description")),
      h("textarea", { id: "report-description", rows: 3, maxlength: 4000,
        placeholder: t("report.description_hint"),
        oninput: (event) => { form.description = event.target.value; } }, form.description)),
    priorityPicker(form),
    photoPicker(form),
    form.message ? h("p.form-message", { role: "alert", "data-testid": "report-message" }, form.message) : null,
    h("button.btn.btn-primary.btn-block", { type: "submit", id: "report-submit", disabled: form.busy },
      form.busy ? t("report.sending") : t("report.submit"))));
}

function resultView() {
  const form = state.form;
  const created = form.created;
  const status = statusEntry(created.status);
  const failed = form.uploads.filter((u) => u.error);
  return h("div.report-result", { "data-testid": "report-result", "data-id": created.id, "data-code": created.code },
    h("header.card-head", h("div.card-titles",
      h("div.area-level", `${t("event.label")} · ${created.code}`),
      h("h2.area-name", t("report.done")),
      h("div.event-chips", h("span.status-chip", { style: { "--chip": status.color } }, status.label)))),
    h("div.form-body",
      h("p", created.title),
      form.files.length ? h("p.report-uploads", { "data-testid": "report-uploads" },
        t("report.uploaded", { done: form.uploads.filter((u) => u.done).length, total: form.files.length })) : null,
      failed.length ? h("p.form-message", failed.map((u) => `${u.name}：${u.error}`).join("；"),
        h("button.btn.btn-small", { type: "button", onclick: uploadPhotos }, t("report.retry_upload"))) : null,
      created.possible_duplicates?.length ? h("section.duplicates", { "data-testid": "report-duplicates" },
        h("h3.section-title", t("report.duplicates")),
        h("p.panel-lead", t("report.duplicates_hint")),
        h("ul.plain", created.possible_duplicates.map((d) => h("li", h("button.btn-link.duplicate-link", {
          type: "button", "data-id": d.id, onclick: () => openEvent(d.id),
        }, `${d.code} · ${d.title} · ${statusEntry(d.status).label} · ${formatDateTime(d.reported_at)}`))))) : null,
      h("div.form-buttons",
        h("button.btn", { type: "button", id: "report-again", onclick: () => { finish(); startPicking(); } }, t("report.again")),
        h("button.btn.btn-primary", { type: "button", id: "report-open", onclick: () => {
          const id = created.id;
          finish();
          openEvent(id);
        } }, t("report.open")))));
}

function cancel() {
  stopPicking();
  finish();
  showPanel("events");
}

function finish() {
  for (const file of state.form?.files || []) URL.revokeObjectURL(file.preview);
  state.form = null;
  removeMarker();
}

// ---- sending ---------------------------------------------------------------------------

async function submit() {
  const form = state.form;
  if (!form || form.busy) return;
  const title = form.title.trim();
  if (!form.categoryId) form.message = t("report.need_category");
  else if (title.length < 2) form.message = t("report.need_title");
  else form.message = null;
  if (form.message) {
    showPanel("report");
    return;
  }
  form.busy = true;
  showPanel("report");
  const [lon, lat] = form.lngLat;
  const body = { category_id: Number(form.categoryId), title, lon, lat,
    description: form.description.trim() || null, priority: form.priority || null };
  try {
    const { data } = await apiResponse("/api/events", {
      method: "POST", json: body, headers: { "Idempotency-Key": form.key },
    });
    form.created = data;
    form.uploads = form.files.map((f) => ({ name: f.file.name, done: false, error: null }));
    removeMarker();
    await uploadPhotos();
    state.onReported(data);
    toast(t("report.toast", { code: data.code }));
  } catch (error) {
    if (error.code === "idempotency_key_reused") form.key = randomId();
    form.message = error.status === 0 ? t("report.network") : error.display || String(error);
  } finally {
    form.busy = false;
  }
  if (state.form === form) showPanel("report");
}

/** Upload the photos not yet stored (multipart field ``file``), one at a time. */
async function uploadPhotos() {
  const form = state.form;
  if (!form?.created) return;
  for (const [i, upload] of form.uploads.entries()) {
    if (upload.done) continue;
    const data = new FormData();
    data.append("file", form.files[i].file, form.files[i].file.name);
    try {
      await apiResponse(`/api/events/${form.created.id}/attachments`, { method: "POST", body: data });
      upload.done = true;
      upload.error = null;
    } catch (error) {
      upload.error = error.display || String(error);
    }
  }
  if (state.form === form) showPanel("report");
}

export const reportPanel = {
  tabOf: "events",
  async render(body, _props, { isCurrent }) {
    if (!state.form) {
      replace(body, h("p.empty", t("report.nothing")));
      return;
    }
    if (state.form.created) {
      replace(body, resultView());
      return;
    }
    let categories;
    try {
      categories = await loadCategories();
    } catch (error) {
      replace(body, h("div.panel-error", h("p", error.display || String(error))));
      return;
    }
    if (isCurrent()) replace(body, formView(categories));
  },
};

/** The 上报事件 button on the map (top right), for users who may report. */
class ReportButton {
  onAdd() {
    this.button = h("button.report-button", { type: "button", id: "report-button", "data-testid": "report-button",
      onclick: () => (state.picking ? stopPicking() : startPicking()) }, t("report.button"));
    this.container = h("div.maplibregl-ctrl.maplibregl-ctrl-group.report-ctrl", this.button);
    return this.container;
  }

  relabel() {
    if (this.button) this.button.textContent = t("report.button");
  }

  onRemove() {
    this.container.remove();
  }
}

/** Wire reporting on ``map``; ``onReported(created)`` runs after each new event. */
export function mountReporting(map, { onReported }) {
  state.map = map;
  state.onReported = onReported;
  const button = new ReportButton();
  map.addControl(button, "top-right");
  return button;
}
