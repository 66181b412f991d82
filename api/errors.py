"""One error hierarchy, rendered as JSON with a stable ``code`` and a message (中文 too)."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
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


def _json(error: BlockgridError) -> JSONResponse:
    return JSONResponse(error.body(), status_code=error.status_code, headers=error.headers)


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
    async def _blockgrid_error(_: Request, exc: BlockgridError) -> JSONResponse:
        return _json(exc)

    @app.exception_handler(RequestValidationError)
    async def _validation_error(_: Request, exc: RequestValidationError) -> JSONResponse:
        problems = _describe_validation(exc)
        summary = "; ".join(f"{p['field']}: {p['problem']}" for p in problems)
        return _json(Unprocessable(f"invalid request: {summary}", details=problems))

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        codes = {404: ("not_found", "未找到"), 405: ("method_not_allowed", "不支持该请求方法")}
        code, zh = codes.get(exc.status_code, ("http_error", "请求错误"))
        error = BlockgridError(
            str(exc.detail), code=code, message_zh=zh, headers=getattr(exc, "headers", None)
        )
        error.status_code = exc.status_code
        return _json(error)

    @app.exception_handler(OperationalError)
    @app.exception_handler(InterfaceError)
    @app.exception_handler(ConnectionError)
    @app.exception_handler(TimeoutError)
    async def _database_down(_: Request, exc: Exception) -> JSONResponse:
        log.warning("database unavailable: %s", exc.__class__.__name__)
        return _json(
            ServiceUnavailable(
                "the database is unavailable; try again shortly", headers={"Retry-After": "5"}
            )
        )

    @app.exception_handler(DBAPIError)
    async def _database_error(_: Request, exc: DBAPIError) -> JSONResponse:
        if exc.connection_invalidated or is_connection_failure(exc):
            return await _database_down(_, exc)
        if getattr(exc.orig, "sqlstate", None) == "57014" or "QueryCanceled" in repr(exc.orig):
            return _json(
                ServiceUnavailable(
                    "the query took too long and was cancelled; narrow the filters",
                    code="query_timeout",
                    message_zh="查询超时，请缩小查询范围",
                    headers={"Retry-After": "5"},
                )
            )
        log.exception("database error")
        return _json(BlockgridError("internal error"))

    @app.exception_handler(Exception)
    async def _unexpected(_: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error", exc_info=exc)
        return _json(BlockgridError("internal error"))


_CONNECTION_FAILURE_NAMES = (
    "ConnectionDoesNotExistError",
    "CannotConnectNowError",
    "ConnectionFailureError",
    "AdminShutdownError",
    "InterfaceError",
    "ConnectionRefusedError",
)


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
