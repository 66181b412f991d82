"""One error hierarchy, rendered as JSON with a stable ``code`` and a message (中文 too)."""

from __future__ import annotations

import logging
import re
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

log = logging.getLogger("blockgrid")


class BlockgridError(Exception):
    """Base of every error the API reports; subclasses fix the HTTP status and code.

    ``keep_changes`` makes the request's transaction commit before the error is sent:
    a failed login must still count the failure and write its audit record.
    """

    status_code = 500
    code = "internal_error"
    message_zh = "服务器内部错误"
    keep_changes = False

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        message_zh: str | None = None,
        details: Any = None,
        headers: dict[str, str] | None = None,
        keep_changes: bool | None = None,
    ) -> None:
        super().__init__(message)
        if keep_changes is not None:
            self.keep_changes = keep_changes
        self.message = message
        if code:
            self.code = code
        if message_zh:
            self.message_zh = message_zh
        self.details = details
        self.headers = headers

    def with_status(self, status_code: int) -> BlockgridError:
        self.status_code = status_code
        return self

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "code": self.code,
            "message": self.message,
            "message_zh": self.message_zh,
        }
        if self.details is not None:
            body["details"] = self.details
        return body


class BadRequest(BlockgridError):
    status_code, code, message_zh = 400, "bad_request", "请求有误"


class Unauthorized(BlockgridError):
    status_code, code, message_zh = 401, "not_authenticated", "未登录或登录已失效"

    def __init__(self, message: str, **kwargs: Any) -> None:
        kwargs.setdefault("headers", {"WWW-Authenticate": "Bearer"})
        super().__init__(message, **kwargs)


class LoginFailed(Unauthorized):
    code, message_zh, keep_changes = "login_failed", "用户名或密码错误", True


class AccountLocked(BlockgridError):
    status_code, code, message_zh, keep_changes = 423, "account_locked", "账号已锁定", True


class Forbidden(BlockgridError):
    status_code, code, message_zh = 403, "forbidden", "无权执行此操作"


class NotFound(BlockgridError):
    status_code, code, message_zh = 404, "not_found", "未找到"


class Conflict(BlockgridError):
    status_code, code, message_zh = 409, "conflict", "状态冲突"


class PreconditionFailed(BlockgridError):
    status_code, code, message_zh = 412, "precondition_failed", "数据已被他人修改，请刷新后重试"


class PayloadTooLarge(BlockgridError):
    status_code, code, message_zh = 413, "payload_too_large", "请求内容过大"


class Unprocessable(BlockgridError):
    status_code, code, message_zh = 422, "invalid", "数据校验失败"


class PreconditionRequired(BlockgridError):
    status_code, code, message_zh = 428, "precondition_required", "缺少 If-Match 版本标记"


class TooManyRequests(BlockgridError):
    status_code, code, message_zh = 429, "rate_limited", "操作过于频繁，请稍后再试"


class ServiceUnavailable(BlockgridError):
    status_code, code, message_zh = 503, "database_unavailable", "数据库暂不可用，请稍后重试"


class ErrorBody(BaseModel):
    """The body of every error response (4xx and 5xx)."""

    code: str = Field(description="stable machine-readable code", examples=["not_found"])
    message: str = Field(description="what went wrong, in English", examples=["no event 42"])
    message_zh: str = Field(description="the same in Chinese (中文)", examples=["未找到"])
    details: Any = Field(
        None,
        description="more about it: for 422, a list of {field, problem, type}; "
        "for 403, the missing permissions",
    )


ERROR_DESCRIPTIONS = {
    400: "The request is malformed or names something unknown (see `code`).",
    401: "No valid bearer token: sign in at POST /auth/token.",
    403: "Your role lacks a permission, or the object is outside your area.",
    404: "No such object in your area.",
    409: "The object's state does not allow this change.",
    412: "If-Match does not match the object's current ETag: read it again.",
    413: "The request body is too large.",
    422: "A parameter or field is invalid (`details` lists each problem).",
    423: "The account is locked after repeated failures.",
    428: "The change needs an If-Match header with the object's ETag.",
    429: "Too many requests: retry later (see Retry-After).",
    503: "The database is unavailable or the query took too long (see Retry-After).",
}


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` for the given error statuses, each with our error body."""
    return {
        status: {"model": ErrorBody, "description": ERROR_DESCRIPTIONS[status]}
        for status in statuses
    }


def render(error: BlockgridError) -> JSONResponse:
    """Our error body as a response (also used by ASGI checks that run before the routes)."""
    return JSONResponse(error.body(), status_code=error.status_code, headers=error.headers)


def _json(request: Request, error: BlockgridError) -> Response:
    """The error in the shape the matched route speaks: ours, unless the route renders its
    own (GeoReport routes answer with their ``[{"code", "description"}]`` list)."""
    render_error = getattr(request.scope.get("route"), "render_error", None)
    if render_error is not None:
        return render_error(request, error)
    return render(error)


def _describe_validation(exc: RequestValidationError) -> list[dict[str, Any]]:
    problems = []
    for item in exc.errors():
        where = ".".join(str(part) for part in item.get("loc", ()))
        problems.append(
            {"field": where, "problem": item.get("msg", "invalid"), "type": item.get("type")}
        )
    return problems


def install_error_handlers(app: FastAPI) -> None:
    """Register the handlers once: our errors, validation, HTTP, database outages, the rest."""

    @app.exception_handler(BlockgridError)
    async def _blockgrid_error(request: Request, exc: BlockgridError) -> Response:
        return _json(request, exc)

    @app.exception_handler(RequestValidationError)
    async def _validation_error(request: Request, exc: RequestValidationError) -> Response:
        allowed = allowed_methods(request.app, request.url.path)
        if allowed and request.method not in allowed:
            # GET /api/events/import: a literal path of another method, not a bad event id
            return _json(
                request,
                BlockgridError(
                    "Method Not Allowed",
                    code="method_not_allowed",
                    message_zh="不支持该请求方法",
                    headers={"Allow": ", ".join(allowed)},
                ).with_status(405),
            )
        problems = _describe_validation(exc)
        summary = "; ".join(f"{p['field']}: {p['problem']}" for p in problems)
        return _json(request, Unprocessable(f"invalid request: {summary}", details=problems))

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> Response:
        codes = {404: ("not_found", "未找到"), 405: ("method_not_allowed", "不支持该请求方法")}
        code, zh = codes.get(exc.status_code, ("http_error", "请求错误"))
        headers = dict(getattr(exc, "headers", None) or {})
        if exc.status_code == 405:  # every method of the path, not only the first route's
            headers["Allow"] = ", ".join(allowed_methods(request.app, request.url.path))
        error = BlockgridError(str(exc.detail), code=code, message_zh=zh, headers=headers)
        error.status_code = exc.status_code
        return _json(request, error)

    @app.exception_handler(OperationalError)
    @app.exception_handler(InterfaceError)
    @app.exception_handler(ConnectionError)
    @app.exception_handler(TimeoutError)
    async def _database_down(request: Request, exc: Exception) -> Response:
        if is_data_error(exc):
            return await _database_error(request, exc)
        log.warning("database unavailable: %s", exc.__class__.__name__)
        return _json(
            request,
            ServiceUnavailable(
                "the database is unavailable; try again shortly", headers={"Retry-After": "5"}
            ),
        )

    @app.exception_handler(DBAPIError)
    async def _database_error(request: Request, exc: Exception) -> Response:
        if is_data_error(exc):  # before the outage test: asyncpg's DataError is an InterfaceError
            log.warning("database refused a value: %s", _first_line(exc))
            return _json(
                request,
                Unprocessable(
                    "a value is out of range or not valid for the database",
                    code="invalid_value",
                    message_zh="数值超出范围或格式无效",
                ),
            )
        if getattr(exc, "connection_invalidated", False) or is_connection_failure(exc):
            return await _database_down(request, exc)
        orig = getattr(exc, "orig", None)
        if getattr(orig, "sqlstate", None) == "57014" or "QueryCanceled" in repr(orig):
            return _json(
                request,
                ServiceUnavailable(
                    "the query took too long and was cancelled; narrow the filters",
                    code="query_timeout",
                    message_zh="查询超时，请缩小查询范围",
                    headers={"Retry-After": "5"},
                ),
            )
        log.exception("database error")
        return _json(request, BlockgridError("internal error"))

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> Response:
        log.exception("unhandled error", exc_info=exc)
        return _json(request, BlockgridError("internal error"))


def allowed_methods(app: FastAPI, path: str) -> list[str]:
    """The methods the OpenAPI document lists for ``path`` (for a 405's Allow header)."""
    templates = getattr(app.state, "path_templates", None)
    if templates is None:
        templates = [
            (
                re.compile("^" + re.sub(r"\\\{[^/]+?\\\}", "[^/]+", re.escape(template)) + "$"),
                sorted(m.upper() for m in item if m in ("get", "put", "post", "delete", "patch")),
            )
            for template, item in app.openapi().get("paths", {}).items()
        ]
        app.state.path_templates = templates
    matches = [(pattern, found) for pattern, found in templates if pattern.match(path)]
    # a literal path (/api/events/import) hides the templates it also fits (/api/events/{id})
    fewest = min((p.pattern.count("[^/]+") for p, _ in matches), default=0)
    methods = {m for p, found in matches if p.pattern.count("[^/]+") == fewest for m in found}
    if "GET" in methods:
        methods.add("HEAD")
    return sorted(methods)


_CONNECTION_FAILURE_NAMES = (
    "ConnectionDoesNotExistError",
    "CannotConnectNowError",
    "ConnectionFailureError",
    "AdminShutdownError",
    "InterfaceError",
    "ConnectionRefusedError",
)


def _chain(exc: BaseException) -> list[BaseException]:
    seen: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in seen:
        seen.append(current)
        current = getattr(current, "orig", None) or current.__cause__ or current.__context__
    return seen


def _first_line(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


def is_data_error(exc: BaseException) -> bool:
    """Tell whether the database (or its driver) refused a value: SQLSTATE class 22.

    Numeric out of range, invalid datetime, character not in repertoire, 0x00 in text…
    asyncpg refuses some before sending them (an int past int64): its ``DataError``.
    """
    for seen in _chain(exc):
        state = getattr(seen, "sqlstate", None) or getattr(seen, "pgcode", None)
        if isinstance(state, str) and state.startswith("22"):
            return True
        if type(seen).__name__ == "DataError" and type(seen).__module__.startswith("asyncpg"):
            return True
    return False


def is_connection_failure(exc: BaseException) -> bool:
    """Tell whether ``exc`` (or what caused it) means the database went away."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, ConnectionError | TimeoutError | OSError):
            return True
        if type(seen).__name__ in _CONNECTION_FAILURE_NAMES:
            return True
        if getattr(seen, "sqlstate", "") in ("57P01", "57P02", "57P03", "08000", "08003", "08006"):
            return True
        seen = seen.__cause__ or seen.__context__
    return False
