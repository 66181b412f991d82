// Address search (标准地址查询): type a building name or code, pick one, fly there.
import { api } from "./api.js";
import { debounce, h, replace } from "./dom.js";
import { t } from "./i18n.js";

/** Wire the search box; ``onPick(address)`` gets an AddressRead. */
export function mountSearch(form, { onPick }) {
  const input = form.querySelector("input");
  const list = form.querySelector(".search-results");
  let results = [];
  let highlighted = -1;
  let controller = null;

  function close() {
    list.hidden = true;
    highlighted = -1;
    input.setAttribute("aria-expanded", "false");
  }

  function pick(index) {
    const address = results[index];
    if (!address) return;
    close();
    input.value = address.address;
    input.blur();
    onPick(address);
  }

  function show(items, message) {
    results = items;
    highlighted = items.length ? 0 : -1;
    replace(list, items.length
      ? items.map((item, i) => h("li", { role: "option", "aria-selected": String(i === highlighted) },
        h("button.search-hit", { type: "button", "data-code": item.building_code,
          onmousedown: (event) => event.preventDefault(), onclick: () => pick(i) },
        h("span.hit-title", item.address), h("span.hit-code", item.code))))
      : h("li.search-empty", message));
    list.hidden = false;
    input.setAttribute("aria-expanded", "true");
  }

  const lookup = debounce(async (query) => {
    controller?.abort();
    if (query.length < 2) {
      close();
      return;
    }
    controller = new AbortController();
    try {
      const found = await api(`/api/addresses?q=${encodeURIComponent(query)}&limit=8`,
        { signal: controller.signal });
      if (input.value.trim() === query) show(found, t("search.none"));
    } catch (error) {
      if (error.name !== "AbortError") show([], error.display || t("search.failed"));
    }
  }, 250);

  input.addEventListener("input", () => lookup(input.value.trim()));
  input.addEventListener("keydown", (event) => {
    if (list.hidden || !results.length) return;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      const step = event.key === "ArrowDown" ? 1 : -1;
      highlighted = (highlighted + step + results.length) % results.length;
      list.querySelectorAll("li").forEach((li, i) => li.setAttribute("aria-selected", String(i === highlighted)));
    } else if (event.key === "Escape") {
      close();
    }
  });
  input.addEventListener("blur", () => setTimeout(close, 150));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    if (results.length) pick(Math.max(highlighted, 0));
  });
}
