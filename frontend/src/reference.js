// Reference data of the event views: categories by major class (GB/T 30428), departments,
// and the labels of statuses, sources, priorities and workflow steps.
import { api } from "./api.js";
import { legendEntry } from "./catalog.js";
import { isChinese, t, tOr } from "./i18n.js";

export const STATUSES = ["reported", "accepted", "dispatched", "handling", "handled", "verified",
  "postponed", "closed", "rejected"];
export const SOURCES = ["patrol", "hotline", "open311", "sensor", "supervisor"];
/** Steps that need a note saying why (the API answers 422 note_required otherwise). */
export const NOTE_REQUIRED = ["reject", "return", "verify_fail", "postpone"];
// Statuses the events layer's legend may lack (待结案 has no colour of its own in GET /tiles).
const STATUS_COLOURS = { verified: "#93c47d" };

let categories = null;
let categoryIndex = new Map();
const departments = new Map();
let departmentsHarvested = null;

/** GET /api/event-categories once per page. */
export function loadCategories() {
  if (!categories) {
    categories = api("/api/event-categories").then((list) => {
      categoryIndex = new Map(list.map((c) => [c.id, c]));
      return list;
    }).catch((error) => {
      categories = null;
      throw error;
    });
  }
  return categories;
}

/** [{major, name}] in code order. */
export function majorsOf(list) {
  const seen = new Map();
  for (const c of list) if (!seen.has(c.major)) seen.set(c.major, c.major_name);
  return [...seen.entries()].map(([major, name]) => ({ major, name }));
}

export function majorLabel(major, nameZh) {
  return `${major} ${isChinese() ? nameZh : tOr(`major.${major}`, nameZh)}`;
}

export function categoryLabel(category) {
  return isChinese() ? category.name : category.name_en || category.name;
}

/** The category of an event (EventRead) in the UI language, once categories are loaded. */
export function categoryName(event) {
  const category = categoryIndex.get(event.category_id);
  return category ? categoryLabel(category) : event.category;
}

export function categoryById(id) {
  return categoryIndex.get(id);
}

/** {color, label} of an event status, in the UI language. */
export function statusEntry(status) {
  const entry = legendEntry("events", status);
  const known = entry.label !== status;
  return {
    color: known ? entry.color : STATUS_COLOURS[status] || entry.color,
    label: known ? entry.label : t(`status.${status}`),
  };
}

export function actionLabel(action, labelZh) {
  return isChinese() && labelZh ? labelZh : tOr(`action.${action}`, labelZh || action);
}

/** Remember the departments named in events (there is no department list API). */
export function rememberDepartments(events) {
  for (const event of events) {
    if (event.department_id && event.department) departments.set(event.department_id, event.department);
  }
}

/**
 * Departments for the dispatch picker: those seen so far plus those named in one page of
 * recent events (GET /api/departments does not exist yet).
 */
export async function knownDepartments() {
  if (!departmentsHarvested) {
    const statuses = ["dispatched", "handling", "handled", "closed"].map((s) => `status=${s}`).join("&");
    departmentsHarvested = api(`/api/events?${statuses}&limit=200`)
      .then((page) => rememberDepartments(page.items))
      .catch(() => { departmentsHarvested = null; });
  }
  await departmentsHarvested;
  return [...departments.entries()].map(([id, name]) => ({ id, name }))
    .sort((a, b) => a.id - b.id);
}

export function departmentName(id) {
  return departments.get(id);
}
