// All UI strings (界面文字), zh-CN by default, English on request; the choice is remembered.
import { en as accountEn, zh as accountZh } from "./i18n-account.js";
import { en as eventsEn, zh as eventsZh } from "./i18n-events.js";

const STORAGE_KEY = "blockgrid.lang";
export const LANGUAGES = ["zh-CN", "en"];

const zh = {
  "app.title": "blockgrid · 网格化管理",
  "app.subtitle": "块数据指挥平台",
  "login.title": "登录",
  "login.lead": "网格化管理 · 块数据平台",
  "login.username": "用户名",
  "login.password": "密码",
  "login.submit": "登录",
  "login.busy": "正在登录…",
  "login.demo_hint": "演示账号：demo-worker（网格员）、demo-futian（区指挥中心），密码 {password}",
  "login.expired": "登录已失效，请重新登录",
  "login.logged_out": "已安全退出",
  "header.search": "搜索楼栋名称或编码",
  "header.logout": "退出",
  "header.lang": "English",
  "header.lang_short": "EN",
  "search.none": "未找到匹配的楼栋",
  "search.failed": "搜索失败",
  "layers.button": "图层",
  "layers.title": "图层与图例",
  "layers.metric": "专题图指标",
  "layers.close": "关闭",
  "layers.cluster_overdue": "聚合：含超期",
  "layers.cluster_open": "聚合：含在办",
  "layers.cluster_closed": "聚合：均已办结",
  "layers.choropleth_nodata": "无数据",
  "layers.metric_buildings": "网格内的楼栋按用途着色；专题图用于区、街道、社区和网格。",
  "layers.zoom_hint": "{zoom} 级以上可见",
  "metric.residents": "实有人口",
  "metric.households": "户数",
  "metric.elderly": "60岁以上老人",
  "metric.elderly_alone": "独居老人",
  "metric.events_open": "在办事件",
  "metric.events_overdue": "超期事件",
  "level.city": "市",
  "level.district": "区",
  "level.street": "街道",
  "level.community": "社区",
  "level.grid": "网格",
  "level.building": "楼栋",
  "panel.toggle": "展开或收起面板",
  "panel.breadcrumb": "当前位置",
  "panel.loading": "加载中…",
  "panel.out_of_scope": "该区划不在您的管辖范围内，仅用于定位导航。",
  "panel.children": "下级{level}（{count}）",
  "panel.buildings": "楼栋（{count}）",
  "panel.no_children": "暂无下级数据",
  "panel.workers": "网格员",
  "panel.no_worker": "未配备",
  "panel.refreshed": "数据更新于 {time}",
  "panel.household_target": "标准户数 {n}",
  "panel.up": "返回上级",
  "panel.tab.area": "概况",
  "section.people": "人口",
  "section.housing": "房屋",
  "section.entities": "法人单位",
  "section.components": "城市部件",
  "section.events": "事件",
  "section.age": "年龄结构",
  "stat.residents": "实有人口",
  "stat.residents_hukou": "户籍人口",
  "stat.residents_non_hukou": "流动人口",
  "stat.households": "户数",
  "stat.age_0_6": "0–6 岁",
  "stat.age_7_17": "7–17 岁",
  "stat.age_60_plus": "60 岁以上",
  "stat.age_80_plus": "80 岁以上",
  "stat.elderly_alone": "独居老人",
  "stat.disabled": "残疾人",
  "stat.special_care": "优抚对象",
  "stat.buildings": "楼栋",
  "stat.rooms": "房屋",
  "stat.rooms_rented": "出租屋",
  "stat.rental_rate": "出租率",
  "stat.entities": "法人单位",
  "stat.components": "部件总数",
  "stat.components_damaged": "破损/丢失",
  "stat.events_open": "在办事件",
  "stat.events_overdue": "超期事件",
  "stat.events_closed_this_month": "本月结案",
  "stat.closure_rate": "本月结案率",
  "stat.on_time_closure_rate": "按期结案率",
  "stat.grids": "网格数",
  "building.loading": "正在读取楼栋卡片…",
  "building.code": "楼栋编码",
  "building.use_type": "用途",
  "building.floors": "层数",
  "building.floors_value": "地上 {above} 层",
  "building.floors_below": "，地下 {below} 层",
  "building.year_built": "建成年份",
  "building.footprint": "占地面积",
  "building.residents": "实有人口",
  "building.households": "户数",
  "building.rooms": "房屋与住户（{count}）",
  "building.unit": "{unit} 单元",
  "building.floor": "{floor} 层",
  "building.rental": "出租",
  "building.vacant": "无登记住户",
  "building.masked": "个人信息已脱敏显示",
  "building.entities": "法人单位（{count}）",
  "building.components": "周边部件（50 米内，{count}）",
  "building.events": "事件（{count}）",
  "building.none": "无",
  "building.overdue": "超期",
  "building.distance": "{m} 米",
  "building.employees": "{n} 人",
  "building.close": "关闭楼栋卡片",
  "building.age": "{age} 岁",
  "event.popup_title": "事件 {code}",
  "basemap.gcj02": "底图为 GCJ-02（火星坐标）瓦片，未做纠偏：与业务数据（WGS 84）存在约 100–700 米偏移，位置以业务图层为准。",
  "basemap.dismiss": "知道了",
  "error.network": "网络连接失败，请稍后重试",
  "error.generic": "请求失败（{status}）",
  "error.map": "地图加载失败：{message}",
  "error.webgl": "浏览器不支持 WebGL，无法显示地图",
  "unit.m2": "{n} 平方米",
  "unit.people": "{n} 人",
  "sex.M": "男",
  "sex.F": "女",
  "hukou.local": "户籍",
  "hukou.non_local": "非户籍",
  "care.elderly_alone": "独居老人",
  "care.disabled": "残疾人",
  "care.special_care": "优抚对象",
  "care.low_income": "低保",
  "care.left_behind_child": "留守儿童",
  "care.community_correction": "社区矫正",
  "care.mental_health": "精神障碍",
  "building.no_unit": "无单元",
  "entity.enterprise": "企业",
  "entity.individual_business": "个体工商户",
  "entity.social_organisation": "社会组织",
  "entity.public_institution": "事业单位",
  "entity.government": "机关",
  "role.city_admin": "市级管理员",
  "role.district_supervisor": "区指挥中心",
  "role.street_supervisor": "街道指挥中心",
  "role.community_admin": "社区管理员",
  "role.grid_worker": "网格员",
  "role.dept_handler": "职能部门处置人员",
  "role.auditor": "审计员",
  "app.loading": "正在加载地图…",
  "event.status": "状态",
  "event.category": "类别",
  "event.reported": "上报时间",
};

const en = {
  "app.title": "blockgrid · Grid governance",
  "app.subtitle": "Block-data command centre",
  "login.title": "Sign in",
  "login.lead": "Grid governance on block data",
  "login.username": "Username",
  "login.password": "Password",
  "login.submit": "Sign in",
  "login.busy": "Signing in…",
  "login.demo_hint": "Demo accounts: demo-worker (grid worker), demo-futian (district command centre), password {password}",
  "login.expired": "Your session has expired: please sign in again",
  "login.logged_out": "You have signed out",
  "header.search": "Search a building by name or code",
  "header.logout": "Sign out",
  "header.lang": "中文",
  "header.lang_short": "中",
  "search.none": "No matching building",
  "search.failed": "Search failed",
  "layers.button": "Layers",
  "layers.title": "Layers and legends",
  "layers.metric": "Choropleth metric",
  "layers.close": "Close",
  "layers.cluster_overdue": "Cluster: some overdue",
  "layers.cluster_open": "Cluster: some open",
  "layers.cluster_closed": "Cluster: all settled",
  "layers.choropleth_nodata": "No data",
  "layers.metric_buildings": "Inside a grid, buildings are coloured by use; the choropleth applies to districts, streets, communities and grids.",
  "layers.zoom_hint": "from zoom {zoom}",
  "metric.residents": "Residents",
  "metric.households": "Households",
  "metric.elderly": "Elderly (60+)",
  "metric.elderly_alone": "Elderly living alone",
  "metric.events_open": "Open events",
  "metric.events_overdue": "Overdue events",
  "level.city": "City",
  "level.district": "District",
  "level.street": "Street",
  "level.community": "Community",
  "level.grid": "Grid",
  "level.building": "Building",
  "panel.toggle": "Expand or collapse the panel",
  "panel.breadcrumb": "Where you are",
  "panel.loading": "Loading…",
  "panel.out_of_scope": "This area is outside your responsibility: shown for orientation only.",
  "panel.children": "Next level: {level} ({count})",
  "panel.buildings": "Buildings ({count})",
  "panel.no_children": "Nothing below this level",
  "panel.workers": "Grid workers",
  "panel.no_worker": "none assigned",
  "panel.refreshed": "Data refreshed {time}",
  "panel.household_target": "target {n} households",
  "panel.up": "Up one level",
  "panel.tab.area": "Overview",
  "section.people": "People",
  "section.housing": "Housing",
  "section.entities": "Legal entities",
  "section.components": "City components",
  "section.events": "Events",
  "section.age": "Age structure",
  "stat.residents": "Residents",
  "stat.residents_hukou": "Registered (hukou)",
  "stat.residents_non_hukou": "Non-hukou (floating)",
  "stat.households": "Households",
  "stat.age_0_6": "Aged 0–6",
  "stat.age_7_17": "Aged 7–17",
  "stat.age_60_plus": "Aged 60+",
  "stat.age_80_plus": "Aged 80+",
  "stat.elderly_alone": "Elderly living alone",
  "stat.disabled": "Disabled",
  "stat.special_care": "Special care",
  "stat.buildings": "Buildings",
  "stat.rooms": "Rooms",
  "stat.rooms_rented": "Rented rooms",
  "stat.rental_rate": "Rental rate",
  "stat.entities": "Legal entities",
  "stat.components": "Components",
  "stat.components_damaged": "Damaged or lost",
  "stat.events_open": "Open events",
  "stat.events_overdue": "Overdue events",
  "stat.events_closed_this_month": "Closed this month",
  "stat.closure_rate": "Closure rate (month)",
  "stat.on_time_closure_rate": "On-time closure rate",
  "stat.grids": "Grids",
  "building.loading": "Loading the building card…",
  "building.code": "Building code",
  "building.use_type": "Use",
  "building.floors": "Floors",
  "building.floors_value": "{above} above ground",
  "building.floors_below": ", {below} below",
  "building.year_built": "Built",
  "building.footprint": "Footprint",
  "building.residents": "Residents",
  "building.households": "Households",
  "building.rooms": "Rooms and residents ({count})",
  "building.unit": "Unit {unit}",
  "building.floor": "Floor {floor}",
  "building.rental": "rented",
  "building.vacant": "no registered residents",
  "building.masked": "Personal data is masked",
  "building.entities": "Legal entities ({count})",
  "building.components": "Components within 50 m ({count})",
  "building.events": "Events ({count})",
  "building.none": "None",
  "building.overdue": "overdue",
  "building.distance": "{m} m",
  "building.employees": "{n} staff",
  "building.close": "Close the building card",
  "building.age": "age {age}",
  "event.popup_title": "Event {code}",
  "basemap.gcj02": "The basemap uses GCJ-02 tiles without correction: it is offset by about 100–700 m from the data (WGS 84); trust the data layers for positions.",
  "basemap.dismiss": "Got it",
  "error.network": "Network error: please try again",
  "error.generic": "Request failed ({status})",
  "error.map": "The map failed to load: {message}",
  "error.webgl": "This browser has no WebGL: the map cannot be shown",
  "unit.m2": "{n} m²",
  "unit.people": "{n}",
  "sex.M": "M",
  "sex.F": "F",
  "hukou.local": "hukou",
  "hukou.non_local": "non-hukou",
  "care.elderly_alone": "elderly alone",
  "care.disabled": "disabled",
  "care.special_care": "special care",
  "care.low_income": "low income",
  "care.left_behind_child": "left-behind child",
  "care.community_correction": "community correction",
  "care.mental_health": "mental health care",
  "building.no_unit": "No unit",
  "entity.enterprise": "Enterprise",
  "entity.individual_business": "Individual business",
  "entity.social_organisation": "Social organisation",
  "entity.public_institution": "Public institution",
  "entity.government": "Government body",
  "role.city_admin": "City administrator",
  "role.district_supervisor": "District command centre",
  "role.street_supervisor": "Street command centre",
  "role.community_admin": "Community administrator",
  "role.grid_worker": "Grid worker",
  "role.dept_handler": "Department handler",
  "role.auditor": "Auditor",
  "app.loading": "Loading the map…",
  "event.status": "Status",
  "event.category": "Category",
  "event.reported": "Reported",
};

Object.assign(zh, eventsZh, accountZh);
Object.assign(en, eventsEn, accountEn);

const DICTIONARIES = { "zh-CN": zh, en };
let current = initialLanguage();

function initialLanguage() {
  try {
    const saved = localStorage.getItem(STORAGE_KEY);
    if (LANGUAGES.includes(saved)) return saved;
  } catch { /* storage may be disabled: fall back to Chinese */ }
  return "zh-CN";
}

export function getLanguage() {
  return current;
}

export function isChinese() {
  return current === "zh-CN";
}

/** Translate ``key``, filling ``{name}`` placeholders from ``vars``. */
export function t(key, vars = {}) {
  const text = DICTIONARIES[current][key] ?? zh[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => (name in vars ? String(vars[name]) : `{${name}}`));
}

/** A label that may be missing from the dictionary: fall back to ``fallback``. */
export function tOr(key, fallback) {
  return DICTIONARIES[current][key] ?? fallback;
}

/** A tile layer's title (title_zh / title_en from GET /tiles). */
export function layerTitle(layer) {
  return isChinese() ? layer.title_zh : layer.title_en;
}

const TRANSLATED_ATTRIBUTES = [
  ["data-i18n-placeholder", "placeholder"], ["data-i18n-title", "title"],
  ["data-i18n-aria-label", "aria-label"],
];

/** Apply the static translations of the page: data-i18n, -placeholder, -title, -aria-label. */
export function translatePage(root = document) {
  document.documentElement.lang = current;
  document.title = t("app.title");
  for (const el of root.querySelectorAll("[data-i18n]")) el.textContent = t(el.dataset.i18n);
  for (const [data, attr] of TRANSLATED_ATTRIBUTES) {
    for (const el of root.querySelectorAll(`[${data}]`)) el.setAttribute(attr, t(el.getAttribute(data)));
  }
}

/** Use ``lang`` and remember it; false when it is unknown or already in use (no DOM). */
export function useLanguage(lang) {
  if (!LANGUAGES.includes(lang) || lang === current) return false;
  current = lang;
  try {
    localStorage.setItem(STORAGE_KEY, lang);
  } catch { /* not remembered, still switched */ }
  return true;
}

/** Switch language, remember it, re-translate the page and tell dynamic parts to redraw. */
export function setLanguage(lang) {
  if (!useLanguage(lang)) return;
  translatePage();
  window.dispatchEvent(new CustomEvent("blockgrid:language", { detail: { lang } }));
}

export function toggleLanguage() {
  setLanguage(current === "zh-CN" ? "en" : "zh-CN");
}
