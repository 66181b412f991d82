// The building card (楼栋卡片): rooms with masked residents, entities, components, events.
import { h, replace, swatch } from "./dom.js";
import { buildingTitle, formatDateTime, formatDecimal, formatInt } from "./format.js";
import { t, tOr } from "./i18n.js";
import { legendEntry, statusEntry } from "./reference.js";

function fact(label, value) {
  return h("div.fact", h("div.fact-label", label), h("div.fact-value", value));
}

function resident(person) {
  const tags = person.care_tags.map((tag) => h("span.tag", tOr(`care.${tag}`, tag)));
  return h("li.person",
    h("span.person-name", person.name),
    h("span.person-meta", [tOr(`sex.${person.sex}`, person.sex), t("building.age", { age: person.age }),
      tOr(`hukou.${person.hukou_type}`, person.hukou_type)].join(" · ")),
    h("span.person-id", person.id_number),
    person.phone ? h("span.person-phone", person.phone) : null,
    tags.length ? h("span.person-tags", tags) : null);
}

function roomItem(room) {
  return h("li.room",
    h("div.room-head",
      h("span.room-door", `${room.floor}-${room.door}`),
      room.area_m2 ? h("span.room-area", t("unit.m2", { n: formatDecimal(room.area_m2) })) : null,
      room.is_rental ? h("span.tag.tag-rental", t("building.rental")) : null),
    room.residents.length
      ? h("ul.people", room.residents.map(resident))
      : h("p.room-empty", t("building.vacant")));
}

function rooms(card) {
  const units = new Map();
  const ordered = [...card.rooms].sort((a, b) => a.unit.localeCompare(b.unit, "zh-CN", { numeric: true })
    || a.floor - b.floor || a.door.localeCompare(b.door, "zh-CN", { numeric: true }));
  for (const room of ordered) {
    if (!units.has(room.unit)) units.set(room.unit, []);
    units.get(room.unit).push(room);
  }
  const groups = [...units.entries()].map(([unit, list], i) => h("details.unit", { open: i === 0 && list.length <= 24 },
    h("summary", `${unit && unit !== "0" ? t("building.unit", { unit }) : t("building.no_unit")} · ${formatInt(list.length)}`),
    h("ul.room-list", list.map(roomItem))));
  return h("details.section", { open: true },
    h("summary", t("building.rooms", { count: formatInt(card.rooms.length) })),
    h("div.section-body", h("p.privacy", t("building.masked")),
      groups.length ? groups : h("p.empty", t("building.none"))));
}

function listSection(titleKey, items, renderItem, open = true) {
  return h("details.section", { open },
    h("summary", t(titleKey, { count: formatInt(items.length) })),
    h("div.section-body", items.length ? h("ul.plain", items.map(renderItem)) : h("p.empty", t("building.none"))));
}

function entityItem(entity) {
  return h("li.item",
    h("span.item-title", entity.name),
    h("span.item-meta", [tOr(`entity.${entity.entity_type}`, entity.entity_type), entity.credit_code,
      entity.employees !== null ? t("building.employees", { n: formatInt(entity.employees) }) : null]
      .filter(Boolean).join(" · ")));
}

function componentItem(component) {
  const state = legendEntry("components", component.state);
  return h("li.item",
    h("span.item-title", swatch(state.color, "dot"), ` ${component.name}`),
    h("span.item-meta", `${state.label} · ${t("building.distance", { m: formatInt(component.distance_m) })} · ${component.id}`));
}

function eventItem(event) {
  const status = statusEntry(event.status);
  return h("li.item",
    h("span.item-title", swatch(status.color, "dot"), ` ${event.title}`),
    h("span.item-meta",
      h("span.status-chip", { style: { "--chip": status.color } }, status.label),
      event.overdue ? h("span.badge.badge-alert", t("building.overdue")) : null,
      ` ${event.category} · ${formatDateTime(event.reported_at)} · ${event.code}`));
}

/** The names of the areas holding the building, to shorten its address. */
export function locationNames(card) {
  return card.location.map((ref) => ref.name);
}

export const buildingPanel = {
  render(body, { card, onClose }) {
    const use = legendEntry("buildings", card.use_type);
    const floors = t("building.floors_value", { above: card.floors })
      + (card.floors_below ? t("building.floors_below", { below: card.floors_below }) : "");
    replace(body, h("article.building-card", { "data-code": card.code, "data-testid": "building-card" },
      h("header.card-head",
        h("div.card-titles",
          h("div.area-level", `${t("level.building")} · ${card.code}`),
          h("h2.area-name", buildingTitle(card, locationNames(card))),
          card.address && card.address !== buildingTitle(card, locationNames(card))
            ? h("div.card-address", card.address) : null),
        h("button.icon-button.card-close", {
          type: "button", "aria-label": t("building.close"), title: t("building.close"), onclick: onClose,
        }, "×")),
      h("div.facts",
        fact(t("building.use_type"), [swatch(use.color), ` ${use.label}`]),
        fact(t("building.floors"), floors),
        fact(t("building.year_built"), card.year_built ?? "—"),
        fact(t("building.footprint"), t("unit.m2", { n: formatInt(card.footprint_m2) })),
        fact(t("building.residents"), formatInt(card.residents)),
        fact(t("building.households"), formatInt(card.households))),
      listSection("building.events", card.events, eventItem),
      rooms(card),
      listSection("building.entities", card.entities, entityItem),
      listSection("building.components", card.components_nearby, componentItem, false)));
  },
};

export function loadingCard(body) {
  replace(body, h("p.loading", t("building.loading")));
}
