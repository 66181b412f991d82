// Short messages at the top of the map (操作提示), gone after a few seconds.
import { $ } from "./dom.js";

let timer = null;

export function toast(message, { ms = 5000 } = {}) {
  const el = $("#toast");
  if (!el) return;
  el.textContent = message;
  el.hidden = false;
  clearTimeout(timer);
  timer = setTimeout(() => { el.hidden = true; }, ms);
}
