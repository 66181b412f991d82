"""OWSLib's OGC API – Features client reads the API as any user of it would: no workarounds."""

from __future__ import annotations

import pytest
from owslib.ogcapi.features import Features

from tests.api.ogc.test_documents import LAYER_IDS


@pytest.fixture
def owslib_api(live_server, monkeypatch) -> Features:
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    token = live_server.token("admin")
    return Features(f"{live_server.base}/ogc/", headers={"Authorization": f"Bearer {token}"})


def test_owslib_reads_the_definition_conformance_and_collections(owslib_api):
    assert (
        "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30"
        in (owslib_api.conformance()["conformsTo"])
    )
    definition = owslib_api.api()  # the service-desc link typed OpenAPI 3.0 JSON
    assert definition["openapi"] == "3.0.3"
    assert owslib_api.feature_collections() == LAYER_IDS
    grids = owslib_api.collection("grids")
    assert grids["title"] == "基础网格"
    assert grids["extent"]["spatial"]["bbox"] == [[113.98, 22.5, 114.04, 22.54]]


def test_owslib_reads_items_with_bbox_limit_offset_and_datetime(owslib_api):
    page = owslib_api.collection_items("grids", bbox=[113.9, 22.4, 114.1, 22.6], limit=2, offset=1)
    assert (page["numberMatched"], page["numberReturned"]) == (4, 2)
    assert [f["id"] for f in page["features"]] == ["44030400100102", "44030400100201"]
    # grids have no temporal property: datetime matches every feature (fc-time-response C)
    dated = owslib_api.collection_items("grids", datetime_="2026-01-01T00:00:00Z/..")
    assert dated["numberMatched"] == 4
    # no event was reported before 2000: the filter runs and matches nothing
    assert (
        owslib_api.collection_items("events", datetime_="../2000-01-01T00:00:00Z")["features"] == []
    )
    feature = owslib_api.collection_item("grids", "44030400100101")
    assert (feature["id"], feature["properties"]["name"]) == ("44030400100101", "滨江社区第01网格")
