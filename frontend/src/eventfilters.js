// The filters of the events list (事件筛选) and the GET /api/events query they make.

/** No filter but the drill-down area. */
export const DEFAULT_FILTERS = {
  q: "", status: "", open: false, overdue: false, major: "", source: "", followArea: true,
  reportedFrom: null, reportedLabel: null,
};

/** The query string of GET /api/events for ``filters`` within ``areaCode``, one page. */
export function eventListQuery(filters, { areaCode = null, limit, offset = 0 }) {
  const f = { ...DEFAULT_FILTERS, ...filters };
  const params = new URLSearchParams();
  if (f.status) params.append("status", f.status);
  if (f.open) params.set("open", "true");
  if (f.overdue) params.set("overdue", "true");
  if (f.major) params.set("major", f.major);
  if (f.source) params.set("source", f.source);
  if (f.q.trim().length >= 2) params.set("q", f.q.trim());
  if (f.followArea && areaCode) params.set("area", areaCode);
  if (f.reportedFrom) params.set("reported_from", f.reportedFrom);
  params.set("limit", String(limit));
  params.set("offset", String(offset));
  return params.toString();
}
