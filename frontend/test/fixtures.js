// A small, made-up GET /api/reference answer: the tests check the lookups, not the lists
// (those live on the server and are tested there, tests/api/test_reference.py).
export const REFERENCE = {
  event_statuses: [
    { code: "open_a", label_zh: "甲", label_en: "A", color: "#111111", open: true, final: false },
    { code: "open_b", label_zh: "乙", label_en: "", color: "#222222", open: true, final: false },
    { code: "done", label_zh: "办结", label_en: "Done", color: "#333333", open: false, final: true },
  ],
  event_overdue: { code: "overdue", label_zh: "超期", label_en: "Overdue", color: "#cc0000" },
  event_priorities: [
    { code: 1, label_zh: "紧急", label_en: "Urgent", color: "#cc0000" },
    { code: 2, label_zh: "一般", label_en: "Normal", color: "#3d85c6" },
  ],
  event_sources: [{ code: "patrol", label_zh: "巡查", label_en: "Patrol", color: null }],
  event_actions: [
    { code: "go", label_zh: "前进", label_en: "Go", color: null, note_required: false },
    { code: "stop", label_zh: "停止", label_en: "Stop", color: null, note_required: true },
  ],
  legends: {
    events: [
      { value: "open_a", label_zh: "甲", label_en: "A", color: "#111111" },
      { value: "done", label_zh: "办结", label_en: "Done", color: "#333333" },
      { value: "overdue", label_zh: "超期", label_en: "Overdue", color: "#cc0000" },
    ],
    buildings: [{ value: "school", label_zh: "学校", label_en: "School", color: "#6aa84f" }],
    hotspots: [
      { value: "1", label_zh: "热点", label_en: "Hot", color: "#ff0000" },
      { value: "-1", label_zh: "冷点", label_en: "Cold", color: "#0000ff" },
    ],
  },
};
