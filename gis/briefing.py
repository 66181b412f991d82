"""Printable, offline briefing maps (网格工作图) rendered with folium on local Leaflet.

folium's own templates point at CDNs; government networks are often offline, so the map
loads only Leaflet, from the URL the caller serves it at (e.g. ``/vendor/leaflet``), and
uses plain GeoJSON and circle markers (no jQuery, Bootstrap or icon fonts).
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from typing import Any

import folium

USE_COLOURS: Mapping[str, str] = {
    "residential": "#f2c14e",
    "urban_village": "#e07a5f",
    "commercial": "#3d85c6",
    "office": "#6fa8dc",
    "industrial": "#8e7cc3",
    "school": "#6aa84f",
    "medical": "#cc0000",
    "public": "#76a5af",
    "mixed": "#e69138",
    "other": "#999999",
}
STATUS_COLOURS: Mapping[str, str] = {
    "reported": "#f1c232",
    "accepted": "#e69138",
    "dispatched": "#3d85c6",
    "handling": "#674ea7",
    "handled": "#45818e",
    "verified": "#6aa84f",
    "postponed": "#999999",
}
STATE_COLOURS: Mapping[str, str] = {
    "intact": "#6aa84f",
    "damaged": "#e69138",
    "lost": "#cc0000",
    "occupied": "#674ea7",
}


def render_grid_briefing(
    *,
    title: str,
    boundary: Mapping[str, Any],
    buildings: Sequence[Mapping[str, Any]],
    events: Sequence[Mapping[str, Any]],
    components: Sequence[Mapping[str, Any]],
    bbox: Sequence[float],
    leaflet_base: str,
) -> str:
    """Render one grid's briefing map as a single HTML document.

    Parameters
    ----------
    title : str
        Shown in the page title and the legend box.
    boundary : dict
        GeoJSON geometry of the grid (WGS 84).
    buildings : sequence of dict
        Each with ``geometry`` (GeoJSON), ``code``, ``name``, ``use_type``, ``floors``.
    events : sequence of dict
        Each with ``lon``, ``lat``, ``code``, ``category``, ``status``, ``overdue``.
    components : sequence of dict
        Each with ``lon``, ``lat``, ``id``, ``name``, ``state``.
    bbox : sequence of float
        (min lon, min lat, max lon, max lat) to fit.
    leaflet_base : str
        URL folder holding ``leaflet.js`` and ``leaflet.css``.

    Returns
    -------
    str
        The HTML page; it references no host other than ``leaflet_base``.
    """
    fmap = folium.Map(tiles=None, control_scale=True, prefer_canvas=True)
    fmap.default_js = [("leaflet", f"{leaflet_base}/leaflet.js")]
    fmap.default_css = [("leaflet_css", f"{leaflet_base}/leaflet.css")]
    folium.GeoJson(
        boundary,
        name="网格边界",
        style_function=lambda _: {"color": "#c00000", "weight": 3, "fill": False},
    ).add_to(fmap)
    layer = folium.FeatureGroup(name="楼栋").add_to(fmap)
    for building in buildings:
        colour = USE_COLOURS.get(building["use_type"], "#999999")
        folium.GeoJson(
            building["geometry"],
            style_function=lambda _, c=colour: {
                "color": "#555555",
                "weight": 0.6,
                "fillColor": c,
                "fillOpacity": 0.75,
            },
            tooltip=html.escape(
                f"{building.get('name') or ''} {building['code']} {building['floors']}层"
            ),
        ).add_to(layer)
    layer = folium.FeatureGroup(name="城市部件").add_to(fmap)
    for component in components:
        folium.CircleMarker(
            (component["lat"], component["lon"]),
            radius=3,
            weight=1,
            color="#333333",
            fill=True,
            fill_color=STATE_COLOURS.get(component["state"], "#999999"),
            fill_opacity=0.9,
            tooltip=html.escape(f"{component['name']} {component['id']}"),
        ).add_to(layer)
    layer = folium.FeatureGroup(name="在办事件").add_to(fmap)
    for event in events:
        folium.CircleMarker(
            (event["lat"], event["lon"]),
            radius=7,
            weight=3 if event["overdue"] else 1,
            color="#cc0000" if event["overdue"] else "#333333",
            fill=True,
            fill_color=STATUS_COLOURS.get(event["status"], "#999999"),
            fill_opacity=0.9,
            tooltip=html.escape(
                f"{event['code']} {event['category']}" + (" 超期" if event["overdue"] else "")
            ),
        ).add_to(layer)
    folium.LayerControl(collapsed=False).add_to(fmap)
    fmap.fit_bounds([(bbox[1], bbox[0]), (bbox[3], bbox[2])])
    root: Any = fmap.get_root()  # a folium Figure (typed as a branca Element)
    root.header.add_child(
        folium.Element(
            f"<title>{html.escape(title)}</title>"
            "<style>@media print {.leaflet-control-layers {display: none}}</style>"
        )
    )
    root.html.add_child(folium.Element(_legend(title)))
    return root.render()


def _legend(title: str) -> str:
    uses = "".join(
        f'<div><span style="background:{colour};display:inline-block;width:12px;height:12px;'
        f'margin-right:4px"></span>{name}</div>'
        for name, colour in (
            ("住宅", USE_COLOURS["residential"]),
            ("城中村", USE_COLOURS["urban_village"]),
            ("商业/办公", USE_COLOURS["commercial"]),
            ("工业", USE_COLOURS["industrial"]),
            ("学校/医疗", USE_COLOURS["school"]),
        )
    )
    return (
        '<div style="position:fixed;top:10px;left:50px;z-index:1000;background:white;'
        'padding:8px 12px;border:1px solid #888;font:13px sans-serif;max-width:260px">'
        f"<b>{html.escape(title)}</b>{uses}"
        "<div>● 在办事件（红圈：超期）</div><div>· 城市部件</div></div>"
    )
