import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, it } from "node:test";

import { useLanguage } from "../src/i18n.js";
import {
  actionLabel, finalStatuses, legendEntry, legendOf, noteRequired, overdueColour, priorityCodes,
  priorityLabel, setReference, sourceCodes, sourceLabel, statusCodes, statusEntry, termLabel,
} from "../src/reference.js";
import { REFERENCE } from "./fixtures.js";

beforeEach(() => setReference(REFERENCE));
afterEach(() => useLanguage("zh-CN"));

describe("event statuses", () => {
  it("come in the server's order, the final ones marked", () => {
    assert.deepEqual(statusCodes(), ["open_a", "open_b", "done"]);
    assert.deepEqual(finalStatuses(), ["done"]);
  });

  it("have a colour and a label in the UI language", () => {
    assert.deepEqual(statusEntry("open_a"), { color: "#111111", label: "甲" });
    useLanguage("en");
    assert.deepEqual(statusEntry("open_a"), { color: "#111111", label: "A" });
    assert.equal(statusEntry("open_b").label, "乙", "no English: the Chinese label");
    assert.deepEqual(statusEntry("overdue"), { color: "#cc0000", label: "Overdue" });
  });

  it("show an unknown code as itself, in grey", () => {
    assert.deepEqual(statusEntry("new_status"), { color: "#999999", label: "new_status" });
    assert.equal(statusEntry(undefined).label, "—");
  });
});

describe("priorities, sources and steps", () => {
  it("look priorities up by number or by text", () => {
    assert.deepEqual(priorityCodes(), [1, 2]);
    assert.equal(priorityLabel(1), "紧急");
    assert.equal(priorityLabel("2"), "一般");
    assert.equal(priorityLabel(9), "9");
  });

  it("label sources, unknown ones by their code", () => {
    assert.deepEqual(sourceCodes(), ["patrol"]);
    useLanguage("en");
    assert.equal(sourceLabel("patrol"), "Patrol");
    assert.equal(sourceLabel("fax"), "fax");
  });

  it("label steps and say which need a note", () => {
    assert.equal(actionLabel("go"), "前进");
    assert.equal(actionLabel("jump", "跳"), "跳", "unknown: the server's Chinese label");
    assert.equal(actionLabel("jump"), "jump");
    assert.equal(noteRequired("stop"), true);
    assert.equal(noteRequired("go"), false);
    assert.equal(noteRequired("jump"), false);
  });
});

describe("legends", () => {
  it("are the server's, per layer", () => {
    assert.equal(legendOf("buildings").length, 1);
    assert.deepEqual(legendOf("entities"), [], "a layer without a legend");
    assert.deepEqual(legendEntry("buildings", "school"), { color: "#6aa84f", label: "学校" });
    useLanguage("en");
    assert.equal(legendEntry("hotspots", -1).label, "Cold", "values compare as text");
    assert.deepEqual(legendEntry("buildings", "castle"), { color: "#999999", label: "castle" });
  });

  it("fall back to plain defaults before the reference data has loaded", () => {
    setReference({});
    assert.deepEqual(statusCodes(), []);
    assert.equal(overdueColour(), "#cc0000");
    assert.deepEqual(legendOf("events"), []);
    assert.equal(termLabel({ label_zh: "甲", label_en: "A" }), "甲");
  });
});
