"""XML answers stay well-formed whatever text a request carries (XML 1.0 has no C0 controls)."""

from __future__ import annotations

from xml.etree import ElementTree

from api.open311.formats import to_xml

# A vertical tab and an ANSI colour escape, as pasted from a terminal or an old hotline system
CONTROLS = "垃圾\x0b满溢\x1b[31m严重"
SHOWN = "垃圾\ufffd满溢\ufffd[31m严重"


async def test_a_request_with_control_characters_keeps_the_xml_list_readable(
    client, hotline_key, post_request
):
    request_id = await post_request(hotline_key, description=CONTROLS)
    for path in ("/open311/v2/requests.xml", f"/open311/v2/requests/{request_id}.xml"):
        response = await client.get(path)
        assert response.status_code == 200, response.text
        root = ElementTree.fromstring(response.content)  # noqa: S314 - our own server's answer
        [found] = [
            r for r in root.findall("request") if r.findtext("service_request_id") == request_id
        ]
        assert found.findtext("description") == SHOWN
    # JSON can carry every character: it shows the text as posted
    [read] = (await client.get(f"/open311/v2/requests/{request_id}.json")).json()
    assert read["description"] == CONTROLS


def test_tab_newline_and_every_legal_character_are_kept():
    text = "第一行\n\t第二行\n😀\ud7ff\ue000\ufffd"
    root = ElementTree.fromstring(to_xml("request", {"description": text}))  # noqa: S314
    assert root.findtext("description") == text
    shown = to_xml("request", {"description": "\ufffe\uffff\x7f"})
    assert ElementTree.fromstring(shown).findtext("description") == "\ufffd\ufffd\x7f"  # noqa: S314
