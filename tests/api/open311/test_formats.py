"""GeoReport v2 in XML, as the spec shows it, and discovery: parsed with the standard library."""

from __future__ import annotations

from xml.etree import ElementTree

from tests.api.open311.conftest import FUTIAN_POINT


def xml_of(response) -> ElementTree.Element:
    assert response.headers["content-type"].startswith("text/xml"), response.headers
    return ElementTree.fromstring(response.content)  # noqa: S314 - our own server's answer


async def test_services_in_xml(client):
    root = xml_of(await client.get("/open311/v2/services.xml"))
    assert root.tag == "services"
    services = root.findall("service")
    assert len(services) == 46
    garbage = next(s for s in services if s.findtext("service_code") == "06001")
    assert [child.tag for child in garbage] == [
        "service_code",
        "service_name",
        "description",
        "metadata",
        "type",
        "keywords",
        "group",
    ]
    assert (garbage.findtext("service_name"), garbage.findtext("metadata")) == ("暴露垃圾", "true")


async def test_a_service_definition_in_xml(client):
    root = xml_of(await client.get("/open311/v2/services/06001.xml"))
    assert root.tag == "service_definition"
    assert root.findtext("service_code") == "06001"
    [attribute] = root.findall("attributes/attribute")
    assert (attribute.findtext("code"), attribute.findtext("variable")) == ("priority", "true")
    assert attribute.findtext("required") == "false"
    values = [(v.findtext("key"), v.findtext("name")) for v in attribute.findall("values/value")]
    assert values == [("1", "紧急 (urgent)"), ("2", "一般 (normal)"), ("3", "不急 (low)")]


async def test_post_and_read_requests_in_xml(client, hotline_key):
    posted = await client.post(
        "/open311/v2/requests.xml",
        data={
            "api_key": hotline_key,
            "service_code": "06001",
            **FUTIAN_POINT,
            "description": "垃圾",
        },
    )
    assert posted.status_code == 200, posted.text
    receipt = xml_of(posted)
    assert receipt.tag == "service_requests"
    [request] = receipt.findall("request")
    request_id = request.findtext("service_request_id")
    assert request_id.startswith("E")
    assert request.findtext("account_id") == ""  # present and empty

    one = xml_of(await client.get(f"/open311/v2/requests/{request_id}.xml"))
    [found] = one.findall("request")
    assert (found.findtext("service_code"), found.findtext("status")) == ("06001", "open")
    assert (found.findtext("lat"), found.findtext("long")) == ("22.5332", "114.0032")
    assert found.findtext("description") == "垃圾"
    listed = xml_of(await client.get("/open311/v2/requests.xml", params={"status": "open"}))
    assert request_id in [r.findtext("service_request_id") for r in listed.findall("request")]


async def test_errors_in_xml(client):
    response = await client.get("/open311/v2/requests/E209901010000001.xml")
    assert response.status_code == 404
    root = xml_of(response)
    assert root.tag == "errors"
    [error] = root.findall("error")
    assert (error.findtext("code"), error.findtext("description")) == (
        "404",
        "no service request E209901010000001",
    )
    refused = await client.post("/open311/v2/requests.xml", data={"service_code": "06001"})
    assert refused.status_code == 403
    assert xml_of(refused).findtext("error/code") == "403"


async def test_an_unknown_format_is_404(client):
    response = await client.get("/open311/v2/services.html")
    assert response.status_code == 404
    assert response.json() == [{"code": 404, "description": "use the extension .json or .xml"}]


async def test_discovery_in_json_and_xml(client):
    document = (await client.get("/open311/discovery.json")).json()
    assert set(document) == {"changeset", "contact", "key_service", "endpoints"}
    [endpoint] = document["endpoints"]
    assert endpoint == {
        "specification": "http://wiki.open311.org/GeoReport_v2",
        "url": "http://testserver/open311/v2",
        "changeset": document["changeset"],
        "type": "test",
        "formats": ["text/xml", "application/json"],
    }
    root = xml_of(await client.get("/open311/discovery.xml"))
    assert root.tag == "discovery"
    assert root.findtext("endpoints/endpoint/url") == "http://testserver/open311/v2"
    assert [f.text for f in root.findall("endpoints/endpoint/formats/format")] == [
        "text/xml",
        "application/json",
    ]


async def test_json_bodies_are_the_documented_models(client, hotline_key, post_request):
    from pydantic import TypeAdapter

    from api.open311 import schemas

    def check(model, response) -> None:
        assert response.status_code < 300, response.text
        TypeAdapter(model).validate_python(response.json())  # extra fields are refused

    request_id = await post_request(hotline_key, media_url="https://img.example.cn/1.jpg")
    check(list[schemas.GeoService], await client.get("/open311/v2/services.json"))
    check(schemas.GeoServiceDefinition, await client.get("/open311/v2/services/06001.json"))
    check(list[schemas.GeoRequest], await client.get("/open311/v2/requests.json"))
    check(
        list[schemas.GeoRequest],
        await client.get(
            f"/open311/v2/requests/{request_id}.json", params={"api_key": hotline_key}
        ),
    )
    check(schemas.GeoDiscovery, await client.get("/open311/discovery.json"))
    receipt = await client.post(
        "/open311/v2/requests.json",
        data={"api_key": hotline_key, "service_code": "06001", **FUTIAN_POINT},
    )
    check(list[schemas.GeoReceipt], receipt)
    missing = await client.get("/open311/v2/requests/E1.json")
    TypeAdapter(list[schemas.GeoReportError]).validate_python(missing.json())

    document = (await client.get("/openapi.json")).json()
    ok = document["paths"]["/open311/v2/services.{fmt}"]["get"]["responses"]["200"]["content"]
    assert set(ok) == {"application/json", "text/xml"}
    assert ok["application/json"]["schema"]["items"] == {"$ref": "#/components/schemas/GeoService"}
