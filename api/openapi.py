"""The OpenAPI document: readable operation ids and our error body on every operation.

FastAPI documents 422 with its own ``HTTPValidationError``; our handlers render
:class:`api.errors.ErrorBody` instead, so the document says so. Every operation also lists
the errors its dependencies can raise: 401 when it needs a token, 403 when it checks a
permission, 404 when it reads an object by path, 422 when it takes parameters or a body,
503 when the database is unavailable. Routes add their own (409, 412, 428…) with
:func:`api.errors.error_responses`.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute

from api.errors import ERROR_DESCRIPTIONS, ErrorBody
from api.validation import INT64_MAX, NUL_FREE

_ERROR_REF = {"$ref": "#/components/schemas/ErrorBody"}
# GeoReport v2 (/open311/…) answers every error with its list of {code, description}.
_GEO_REPORT_PREFIX = "/open311/"
_GEO_REPORT_ERRORS = {
    "type": "array",
    "items": {"$ref": "#/components/schemas/GeoReportError"},
}
_FASTAPI_VALIDATION = ("HTTPValidationError", "ValidationError")
_METHODS = ("get", "put", "post", "delete", "patch", "head", "options")


def operation_id(route: APIRoute) -> str:
    """The endpoint's function name (``read_event``): short and readable for clients."""
    return route.name


def default_errors(operation: dict[str, Any]) -> list[int]:
    """The errors any operation of this shape can answer with."""
    statuses = []
    if operation.get("security"):
        statuses += [401, 403]  # a token is needed; permissions and area scope are checked
    parameters = operation.get("parameters", [])
    if any(p.get("in") == "path" for p in parameters):
        statuses.append(404)
    if "requestBody" in operation or parameters:
        statuses.append(400)  # a body that does not parse, a value refused by a rule
    if parameters or "requestBody" in operation:
        statuses.append(422)
    statuses.append(503)
    return statuses


def document_preconditions(operation: dict[str, Any]) -> None:
    """If-Match is required where it is taken: without it the server answers 428."""
    for parameter in operation.get("parameters", []):
        if parameter.get("in") == "header" and parameter.get("name", "").lower() == "if-match":
            parameter["required"] = True
            schema = parameter.get("schema", {})
            options = schema.pop("anyOf", None)
            if options:  # drop the null option of an Optional header
                schema.update(next(o for o in options if o.get("type") != "null"))
            schema.setdefault("minLength", 1)
            operation.setdefault("responses", {}).setdefault(
                "428", {"description": ERROR_DESCRIPTIONS[428]}
            )


def _string_schemas(schema: dict[str, Any]) -> list[dict[str, Any]]:
    options = schema.get("anyOf") or [schema]
    return [o for o in options if o.get("type") == "string"]


def document_nul_free(operation: dict[str, Any]) -> None:
    """No path or query value may hold NUL (api/edge.py refuses it): the strings say so."""
    for parameter in operation.get("parameters", []):
        if parameter.get("in") in ("path", "query"):
            for schema in _string_schemas(parameter.get("schema", {})):
                schema.setdefault("pattern", NUL_FREE)


def exact_integer_bounds(node: Any) -> None:
    """Body schemas carry integer bounds as floats (2^63 − 1 becomes 2^63): write them exact."""
    if isinstance(node, dict):
        if node.get("type") == "integer":
            for key in ("minimum", "maximum"):
                bound = node.get(key)
                if isinstance(bound, float):
                    node[key] = INT64_MAX if bound >= INT64_MAX else int(bound)
        for value in node.values():
            exact_integer_bounds(value)
    elif isinstance(node, list):
        for value in node:
            exact_integer_bounds(value)


def _declares_own_body(response: dict[str, Any]) -> bool:
    """A route that documents an error body of its own (Open311's list of {code,
    description}) keeps it; FastAPI's validation body and bare errors get ours."""
    content = response.get("content") or {}
    text = repr(content)
    return bool(content) and not any(name in text for name in _FASTAPI_VALIDATION)


def document_errors(document: dict[str, Any]) -> dict[str, Any]:
    """Put our error body (GeoReport's under /open311/) on every error response and the
    usual errors on every operation."""
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    schemas["ErrorBody"] = ErrorBody.model_json_schema(ref_template="#/components/schemas/{model}")
    for name in _FASTAPI_VALIDATION:
        schemas.pop(name, None)
    exact_integer_bounds(document)
    for path, item in document.get("paths", {}).items():
        error_schema = _GEO_REPORT_ERRORS if path.startswith(_GEO_REPORT_PREFIX) else _ERROR_REF
        for method in _METHODS:
            operation = item.get(method)
            if operation is None:
                continue
            document_preconditions(operation)
            document_nul_free(operation)
            responses = operation.setdefault("responses", {})
            for status in default_errors(operation):
                responses.setdefault(str(status), {"description": ERROR_DESCRIPTIONS[status]})
            for status, response in responses.items():
                if status.startswith(("4", "5")):
                    if status == "422" or response.get("description") == "Validation Error":
                        response["description"] = ERROR_DESCRIPTIONS[422]
                    if not _declares_own_body(response):
                        response["content"] = {"application/json": {"schema": error_schema}}
    for path, item in document.get("paths", {}).items():
        if path.endswith(".{fmt}"):  # GeoReport: every answer also in XML
            for method in _METHODS:
                for response in (item.get(method) or {}).get("responses", {}).values():
                    response.setdefault("content", {}).setdefault("text/xml", {})
    return document


def install_openapi(app: FastAPI) -> None:
    """Serve the document with our error bodies (generated once, on first request)."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = document_errors(
                get_openapi(
                    title=app.title,
                    version=app.version,
                    openapi_version=app.openapi_version,
                    summary=app.summary,
                    description=app.description,
                    routes=app.routes,
                    tags=app.openapi_tags,
                    servers=app.servers,
                )
            )
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
