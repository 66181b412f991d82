// Numbers with thousands separators, rates as percentages, dates in the UI language.
import { getLanguage, t } from "./i18n.js";

const integerFormats = new Map();

export function formatInt(value) {
  if (value === null || value === undefined || Number.isNaN(value)) return "—";
  const lang = getLanguage();
  if (!integerFormats.has(lang)) {
    integerFormats.set(lang, new Intl.NumberFormat(lang, { maximumFractionDigits: 0 }));
  }
  return integerFormats.get(lang).format(value);
}

/** 0.8734 → "87.3%"; null (no denominator) → "—". */
export function formatRate(rate, digits = 1) {
  if (rate === null || rate === undefined || Number.isNaN(rate)) return "—";
  return `${(rate * 100).toFixed(digits)}%`;
}

/** part / whole as a percentage, "—" when whole is 0. */
export function formatShare(part, whole, digits = 1) {
  return whole > 0 ? formatRate(part / whole, digits) : "—";
}

export function formatDecimal(value, digits = 1) {
  if (value === null || value === undefined) return "—";
  return new Intl.NumberFormat(getLanguage(), {
    minimumFractionDigits: 0, maximumFractionDigits: digits,
  }).format(value);
}

/** ISO timestamp → "2026-11-22 14:05" (local time). */
export function formatDateTime(iso) {
  if (!iso) return "—";
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const pad = (n) => String(n).padStart(2, "0");
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} `
    + `${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

/** Compact numbers for legends: 12,345 → "1.2万" (zh) or "12.3k" (en). */
export function formatCompact(value) {
  if (value === null || value === undefined) return "—";
  return new Intl.NumberFormat(getLanguage(), { notation: "compact", maximumFractionDigits: 1 })
    .format(value);
}

/**
 * A building's name for lists and the breadcrumb: its name, else its standard address
 * without the leading area names (深圳市福田区沙头街道上沙社区上沙村东一坊13号 → 上沙村东一坊13号).
 */
export function buildingTitle(building, areaNames = []) {
  if (building.name) return building.name;
  let address = building.address || "";
  for (const name of areaNames) {
    if (name && address.startsWith(name)) address = address.slice(name.length);
  }
  return address || building.code;
}

/** A span of time in the largest sensible unit: "45 分钟", "3 小时", "2 天". */
export function formatDuration(ms) {
  const minutes = Math.max(1, Math.round(Math.abs(ms) / 60_000));
  if (minutes < 90) return t("unit.minutes", { n: minutes });
  const hours = minutes / 60;
  if (hours < 48) return t("unit.hours", { n: formatDecimal(hours, hours < 10 ? 1 : 0) });
  return t("unit.days", { n: formatDecimal(hours / 24, 0) });
}

/** "2026-11" → "2026年11月" (zh) or "Nov 2026" (en). */
export function formatMonth(period) {
  const [year, month] = period.split("-").map(Number);
  return new Intl.DateTimeFormat(getLanguage(), { year: "numeric", month: "long" })
    .format(new Date(year, month - 1, 1));
}

/** A WGS 84 position for people: "114.05105°E, 22.52865°N" (东经/北纬 in Chinese). */
export function formatLonLat(lon, lat) {
  return t("unit.lonlat", { lon: lon.toFixed(5), lat: lat.toFixed(5) });
}
