"""GeoReport v2 wire formats: JSON or XML bodies, its error lists, and form bodies in UTF-8.

XML follows the shapes on http://wiki.open311.org/GeoReport_v2: a root element holding
one element per item (``<services><service>…``), lists nested by their singular
(``<attributes><attribute>…``, ``<formats><format>…``), ``true``/``false`` for booleans
and an empty element for a missing value. Written with ``xml.etree``, never by hand.
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Any
from urllib.parse import parse_qsl
from xml.etree import ElementTree

from fastapi import Request
from fastapi.responses import JSONResponse, Response

from api.errors import BadRequest

# The element of one entry of a list field, by the list's name.
ITEM_TAGS = {
    "services": "service",
    "service_requests": "request",
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
    "errors": "error",
}
XML_MEDIA_TYPE = "text/xml; charset=utf-8"
FORM_MEDIA_TYPE = "application/x-www-form-urlencoded"
MAX_FORM_FIELDS = 100
# Characters XML 1.0 cannot carry (C0 controls but tab and newlines, surrogates, U+FFFE/F):
# written as U+FFFD so that an answer stays well-formed whatever text a request holds.
_NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


class Format(StrEnum):
    """The two formats of every GeoReport endpoint (the path's extension)."""

    json = "json"
    xml = "xml"


def format_of(request: Request) -> Format:
    """The format a request asked for by its extension (errors answer in the same)."""
    return Format.xml if request.url.path.endswith(".xml") else Format.json


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return _NOT_XML.sub("\ufffd", str(value))


def _fill(element: ElementTree.Element, value: Any) -> None:
    if isinstance(value, dict):
        for key, child in value.items():
            _fill(ElementTree.SubElement(element, key), child)
    elif isinstance(value, list):
        item_tag = ITEM_TAGS.get(element.tag, "item")
        for entry in value:
            _fill(ElementTree.SubElement(element, item_tag), entry)
    else:
        element.text = _text(value)


def to_xml(root: str, data: Any) -> bytes:
    """``data`` under the element ``root``: a dict's keys become elements, a list its items.

    >>> to_xml("services", [{"service_code": "06001", "metadata": True}]).split(b"\\n")[1]
    b'<services><service><service_code>06001</service_code><metadata>true</metadata></service></services>'
    """
    element = ElementTree.Element(root)
    _fill(element, data)
    return ElementTree.tostring(element, encoding="utf-8", xml_declaration=True)


def render(data: Any, fmt: Format, *, root: str, status_code: int = 200) -> Response:
    """``data`` as JSON, or as XML under ``root`` (``services``, ``service_requests``…)."""
    if fmt is Format.xml:
        return Response(to_xml(root, data), status_code=status_code, media_type=XML_MEDIA_TYPE)
    return JSONResponse(data, status_code=status_code)


def render_errors(status_code: int, description: str, fmt: Format) -> Response:
    """The GeoReport error list: ``[{"code": 404, "description": "..."}]`` or ``<errors>``."""
    return render(
        [{"code": status_code, "description": description}],
        fmt,
        root="errors",
        status_code=status_code,
    )


def _charset(content_type: str) -> str:
    for parameter in content_type.split(";")[1:]:
        name, _, value = parameter.strip().partition("=")
        if name.lower() == "charset" and value:
            return value.strip('"').lower()
    return "utf-8"


async def read_form(request: Request) -> dict[str, str]:
    """The posted fields, decoded as the client wrote them: UTF-8 unless it names a charset.

    Starlette reads urlencoded bytes as Latin-1, which garbles Chinese sent unescaped
    (``curl -d 'description=垃圾'``); percent-escapes and raw bytes are both read here in
    the body's charset. Multipart bodies are left to Starlette (their parts are UTF-8).
    """
    content_type = request.headers.get("content-type", "")
    if content_type.split(";")[0].strip().lower() != FORM_MEDIA_TYPE:
        if content_type.lower().startswith("multipart/form-data"):
            form = await request.form()
            return {k: v for k, v in form.items() if isinstance(v, str)}
        raise BadRequest(f"post the fields as {FORM_MEDIA_TYPE} (GeoReport v2)")
    charset = _charset(content_type)
    body = await request.body()
    try:
        decoded = body.decode(charset)
        pairs = parse_qsl(
            decoded,
            keep_blank_values=True,
            encoding=charset,
            errors="strict",
            max_num_fields=MAX_FORM_FIELDS,
        )
    except LookupError as exc:
        raise BadRequest(f"unknown charset {charset!r}") from exc
    except UnicodeDecodeError as exc:
        raise BadRequest(f"the form body is not valid {charset}") from exc
    except ValueError as exc:  # more than MAX_FORM_FIELDS fields
        raise BadRequest(str(exc)) from exc
    if any("\x00" in name or "\x00" in value for name, value in pairs):
        raise BadRequest("NUL characters are not allowed in form fields")
    return dict(pairs)
