import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { classify, metricById, METRICS } from "../src/choropleth.js";

describe("choropleth classes", () => {
  it("split values at quantiles, each class with its smallest and largest value", () => {
    const classes = classify([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], "blue");
    assert.deepEqual(classes.map((c) => [c.min, c.max]), [[1, 2], [3, 4], [5, 6], [7, 8], [9, 10]]);
    assert.deepEqual(classes.map((c) => c.color),
      ["#eff3ff", "#bdd7e7", "#6baed6", "#3182bd", "#08519c"]);
  });

  it("merge classes when values repeat, and ignore missing values", () => {
    const classes = classify([0, 0, 0, 0, 0, 0, 5, 5, 5, 5, null, Number.NaN], "red");
    assert.deepEqual(classes.map((c) => [c.min, c.max]), [[0, 0], [5, 5]]);
    assert.deepEqual(classes.map((c) => c.color), ["#fee5d9", "#a50f15"], "ends of the palette");
  });

  it("give one middle colour for a single value and nothing for no values", () => {
    assert.deepEqual(classify([7, 7, 7], "blue"), [{ from: -Infinity, min: 7, max: 7, color: "#6baed6" }]);
    assert.deepEqual(classify([], "blue"), []);
  });

  it("fall back to the first metric for an unknown id", () => {
    assert.equal(metricById("elderly").stat, "age_60_plus");
    assert.equal(metricById("nope"), METRICS[0]);
  });
});
