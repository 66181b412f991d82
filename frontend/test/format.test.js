import assert from "node:assert/strict";
import { afterEach, describe, it } from "node:test";

import {
  buildingTitle, formatCompact, formatDateTime, formatDecimal, formatDuration, formatInt,
  formatLonLat, formatMonth, formatRate, formatShare,
} from "../src/format.js";
import { useLanguage } from "../src/i18n.js";

afterEach(() => useLanguage("zh-CN"));

describe("numbers", () => {
  it("group thousands and show a dash for no value", () => {
    assert.equal(formatInt(1234567), "1,234,567");
    assert.equal(formatInt(12.6), "13");
    for (const missing of [null, undefined, Number.NaN]) assert.equal(formatInt(missing), "—");
  });

  it("give rates and shares as percentages", () => {
    assert.equal(formatRate(0.8734), "87.3%");
    assert.equal(formatRate(1, 0), "100%");
    assert.equal(formatRate(null), "—");
    assert.equal(formatShare(1, 3), "33.3%");
    assert.equal(formatShare(1, 0), "—", "no denominator");
  });

  it("keep at most the digits asked for", () => {
    assert.equal(formatDecimal(2.25, 1), "2.3");
    assert.equal(formatDecimal(2, 1), "2");
    assert.equal(formatDecimal(null), "—");
  });

  it("compact large numbers in the UI language", () => {
    assert.equal(formatCompact(12345), "1.2万");
    useLanguage("en");
    assert.equal(formatCompact(12345), "12.3K");
    assert.equal(formatCompact(undefined), "—");
  });
});

describe("time", () => {
  it("writes local date and time to the minute", () => {
    assert.equal(formatDateTime("2026-11-22T14:05:59"), "2026-11-22 14:05");
    assert.equal(formatDateTime(""), "—");
    assert.equal(formatDateTime("not a date"), "not a date");
  });

  it("gives a span in the largest sensible unit", () => {
    assert.equal(formatDuration(45 * 60_000), "45 分钟");
    assert.equal(formatDuration(-45 * 60_000), "45 分钟", "overdue spans are negative");
    assert.equal(formatDuration(10 * 1000), "1 分钟", "never zero");
    assert.equal(formatDuration(3 * 3_600_000), "3 小时");
    assert.equal(formatDuration(2.5 * 3_600_000), "2.5 小时");
    assert.equal(formatDuration(3 * 86_400_000), "3 天");
  });

  it("names a month in the UI language", () => {
    assert.equal(formatMonth("2026-11"), "2026年11月");
    useLanguage("en");
    assert.equal(formatMonth("2026-11"), "November 2026");
  });
});

describe("places", () => {
  it("writes WGS 84 positions with five decimals", () => {
    assert.equal(formatLonLat(114.051049, 22.5286512), "东经 114.05105°，北纬 22.52865°");
    useLanguage("en");
    assert.equal(formatLonLat(114.051049, 22.5286512), "114.05105°E, 22.52865°N");
  });

  it("titles a building by its name, else its address without the area names", () => {
    assert.equal(buildingTitle({ name: "上沙大厦", address: "x", code: "1" }), "上沙大厦");
    const building = { name: null, address: "深圳市福田区沙头街道上沙村东一坊13号", code: "1" };
    assert.equal(buildingTitle(building, ["深圳市", "福田区", "沙头街道"]), "上沙村东一坊13号");
    assert.equal(buildingTitle(building, ["沙头街道"]), building.address, "only leading names");
    assert.equal(buildingTitle({ name: "", address: "", code: "4403040010010000001" }),
      "4403040010010000001");
  });
});
