// Reference data of the views: the codes of events (statuses, priorities, sources, steps)
// and the map legends from GET /api/reference, categories by major class (GB/T 30428)
// and departments. The server holds the one list of each; nothing here repeats it.
import { api } from "./api.js";
import { isChinese, tOr } from "./i18n.js";

const UNKNOWN_COLOUR = "#999999";
const EMPTY_REFERENCE = {
  event_statuses: [], event_overdue: null, event_priorities: [], event_sources: [],
  event_actions: [], legends: {},
};
let reference = EMPTY_REFERENCE;
let loading = null;

/** GET /api/reference once per page (no login needed). */
export function loadReference() {
  if (!loading) {
    loading = api("/api/reference", { auth: false }).then(setReference).catch((error) => {
      loading = null;
      throw error;
    });
  }
  return loading;
}

/** Use ``data`` (a ReferenceRead) as the reference data of the page. */
export function setReference(data) {
  reference = { ...EMPTY_REFERENCE, ...data };
  return reference;
}

/** A term's label in the UI language: label_en in English, label_zh otherwise. */
export function termLabel(term) {
  return isChinese() ? term.label_zh : term.label_en || term.label_zh;
}

function find(list, code) {
  return list.find((term) => String(term.code) === String(code));
}

/** Every event status code, in workflow order. */
export function statusCodes() {
  return reference.event_statuses.map((s) => s.code);
}

/** The statuses no step leads on from (closed, rejected). */
export function finalStatuses() {
  return reference.event_statuses.filter((s) => s.final).map((s) => s.code);
}

/** {color, label} of an event status (or "overdue"), in the UI language. */
export function statusEntry(code) {
  const term = code === "overdue" ? reference.event_overdue : find(reference.event_statuses, code);
  return term ? { color: term.color, label: termLabel(term) }
    : { color: UNKNOWN_COLOUR, label: code ?? "—" };
}

/** The colour of overdue (超期) on the map. */
export function overdueColour() {
  return reference.event_overdue?.color || "#cc0000";
}

export function priorityCodes() {
  return reference.event_priorities.map((p) => p.code);
}

export function priorityLabel(code) {
  const term = find(reference.event_priorities, code);
  return term ? termLabel(term) : String(code ?? "—");
}

export function sourceCodes() {
  return reference.event_sources.map((s) => s.code);
}

export function sourceLabel(code) {
  const term = find(reference.event_sources, code);
  return term ? termLabel(term) : code ?? "—";
}

/** The label of a workflow step; ``labelZh`` (from the server's answer) if it is unknown. */
export function actionLabel(code, labelZh) {
  const term = find(reference.event_actions, code);
  if (term) return termLabel(term);
  return labelZh || code;
}

/** Whether a step needs a note saying why (the API answers 422 note_required otherwise). */
export function noteRequired(code) {
  return Boolean(find(reference.event_actions, code)?.note_required);
}

/** The legend of a map layer: [{value, label_zh, label_en, color}] (empty if it has none). */
export function legendOf(layerId) {
  return reference.legends[layerId] || [];
}

/** {color, label} of ``value`` in the legend of layer ``layerId`` (grey and the raw value if absent). */
export function legendEntry(layerId, value) {
  const entry = legendOf(layerId).find((item) => item.value === String(value));
  if (!entry) return { color: UNKNOWN_COLOUR, label: value ?? "—" };
  return { color: entry.color, label: termLabel(entry) };
}

let categories = null;
let categoryIndex = new Map();
const departments = new Map();
let departmentsLoaded = null;

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

/** Remember the departments named in events (before or without the list). */
export function rememberDepartments(events) {
  for (const event of events) {
    if (event.department_id && event.department) departments.set(event.department_id, event.department);
  }
}

/** Departments for the dispatch picker: GET /api/departments once, by id. */
export async function knownDepartments() {
  if (!departmentsLoaded) {
    departmentsLoaded = api("/api/departments")
      .then((list) => { for (const d of list) departments.set(d.id, d.name); })
      .catch(() => { departmentsLoaded = null; });
  }
  await departmentsLoaded;
  return [...departments.entries()].map(([id, name]) => ({ id, name }))
    .sort((a, b) => a.id - b.id);
}

export function departmentName(id) {
  return departments.get(id);
}
