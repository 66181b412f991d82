"""The landing page's service-desc is a valid OpenAPI 3.0 document, as conformance declares."""

from __future__ import annotations

from openapi_spec_validator import OpenAPIV30SpecValidator, validate

OAS30 = "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30"
MEDIA_TYPE = "application/vnd.oai.openapi+json;version=3.0"


async def service_desc(client) -> dict:
    landing = (await client.get("/ogc")).json()
    link = next(link for link in landing["links"] if link["rel"] == "service-desc")
    assert link["type"] == MEDIA_TYPE
    response = await client.get(link["href"])  # public, like the landing page
    assert response.status_code == 200
    assert response.headers["content-type"] == MEDIA_TYPE
    return response.json()


async def test_conformance_declares_oas30_and_the_service_desc_is_openapi_30(client):
    conformance = (await client.get("/ogc/conformance")).json()["conformsTo"]
    assert OAS30 in conformance
    document = await service_desc(client)
    assert document["openapi"] == "3.0.3"
    validate(document, cls=OpenAPIV30SpecValidator)  # raises on any 3.0 schema error
    assert document["servers"] == [{"url": "http://testserver/ogc"}]


async def test_the_definition_covers_every_ogc_route_and_its_parameters(client, as_user):
    document = await service_desc(client)
    assert sorted(document["paths"]) == [
        "/",
        "/api",
        "/collections",
        "/collections/{collectionId}",
        "/collections/{collectionId}/items",
        "/collections/{collectionId}/items/{featureId}",
        "/conformance",
    ]
    parameters = document["components"]["parameters"]
    items = document["paths"]["/collections/{collectionId}/items"]["get"]["parameters"]
    names = [parameters[ref["$ref"].rsplit("/", 1)[1]]["name"] for ref in items]
    assert names == ["collectionId", "bbox", "bbox-crs", "datetime", "limit", "offset", "crs", "f"]
    # what GDAL 3.8+ and QGIS read as their page size
    assert parameters["limit"]["schema"] == {
        "type": "integer",
        "minimum": 1,
        "maximum": 1000,
        "default": 100,
    }
    listed = (await client.get("/ogc/collections", headers=await as_user("admin"))).json()
    assert parameters["collectionId"]["schema"]["enum"] == [c["id"] for c in listed["collections"]]
    assert document["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    assert document["paths"]["/"]["get"]["security"] == []
