import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { DEFAULT_FILTERS, eventListQuery } from "../src/eventfilters.js";

const query = (filters, options = {}) =>
  Object.fromEntries(new URLSearchParams(eventListQuery(filters, { limit: 20, ...options })));

describe("the events list query", () => {
  it("asks for one page of the area when nothing is filtered", () => {
    assert.deepEqual(query(DEFAULT_FILTERS, { areaCode: "440304", offset: 40 }),
      { area: "440304", limit: "20", offset: "40" });
    assert.deepEqual(query({}), { limit: "20", offset: "0" }, "no area yet");
  });

  it("sends each filter that is set", () => {
    const filters = { status: "dispatched", open: true, overdue: true, major: "06",
      source: "hotline", reportedFrom: "2026-11-01T00:00:00Z" };
    assert.deepEqual(query(filters, { areaCode: "440304" }), {
      status: "dispatched", open: "true", overdue: "true", major: "06", source: "hotline",
      area: "440304", reported_from: "2026-11-01T00:00:00Z", limit: "20", offset: "0",
    });
  });

  it("searches from two characters, trimmed", () => {
    assert.equal(query({ q: " 井" }).q, undefined);
    assert.equal(query({ q: " 井盖 " }).q, "井盖");
  });

  it("leaves the area out when the list does not follow the map", () => {
    assert.equal(query({ followArea: false }, { areaCode: "440304" }).area, undefined);
  });
});
