import assert from "node:assert/strict";
import { afterEach, describe, it } from "node:test";

import { getLanguage, isChinese, layerTitle, t, tOr, useLanguage } from "../src/i18n.js";

afterEach(() => useLanguage("zh-CN"));

describe("i18n", () => {
  it("starts in Chinese when nothing is remembered", () => {
    assert.equal(getLanguage(), "zh-CN");
    assert.equal(isChinese(), true);
    assert.equal(t("login.submit"), "登录");
  });

  it("switches to English and ignores unknown languages", () => {
    assert.equal(useLanguage("en"), true);
    assert.equal(t("login.submit"), "Sign in");
    assert.equal(useLanguage("en"), false, "already in use");
    assert.equal(useLanguage("fr"), false);
    assert.equal(getLanguage(), "en");
  });

  it("fills placeholders and leaves unknown ones visible", () => {
    assert.equal(t("layers.zoom_hint", { zoom: 14 }), "14 级以上可见");
    assert.equal(t("layers.zoom_hint"), "{zoom} 级以上可见");
    useLanguage("en");
    assert.equal(t("error.generic", { status: 503 }), "Request failed (503)");
  });

  it("falls back to Chinese, then to the key itself", () => {
    useLanguage("en");
    assert.equal(t("no.such.key"), "no.such.key");
    assert.equal(tOr("no.such.key", "fallback"), "fallback");
    assert.equal(tOr("login.submit", "fallback"), "Sign in");
  });

  it("reads the dictionaries of the event and account views too", () => {
    assert.notEqual(t("inbox.title"), "inbox.title");
    assert.notEqual(t("audit.lead"), "audit.lead");
  });

  it("gives a layer title in the UI language", () => {
    const layer = { title_zh: "楼栋", title_en: "Buildings" };
    assert.equal(layerTitle(layer), "楼栋");
    useLanguage("en");
    assert.equal(layerTitle(layer), "Buildings");
  });
});

describe("the dictionaries", () => {
  it("translate every Chinese string into English", async () => {
    // A key missing in English falls back to Chinese and shows Chinese to English readers.
    // (English-only keys are fine: e.g. major.* where Chinese shows the server's names.)
    const { default: fs } = await import("node:fs/promises");
    const keysOf = async (file) => {
      const text = await fs.readFile(new URL(`../src/${file}`, import.meta.url), "utf8");
      const [zhPart, enPart] = text.split(/\nconst en = \{|\nexport const en = \{/);
      const keys = (part) => new Set([...part.matchAll(/"([\w.]+)":\s/g)].map((m) => m[1]));
      return { zh: keys(zhPart), en: keys(enPart) };
    };
    for (const file of ["i18n.js", "i18n-events.js", "i18n-account.js"]) {
      const { zh, en } = await keysOf(file);
      assert.ok(zh.size > 10, `${file}: keys found`);
      assert.deepEqual([...zh].filter((k) => !en.has(k)), [], `${file}: missing in English`);
    }
  });
});
