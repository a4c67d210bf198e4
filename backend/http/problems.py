"""RFC 9457 problem details for every error, with a stable `code`; never a bare 500 page."""

from __future__ import annotations

import logging
from typing import Any

from litestar import Request, Response
from litestar.exceptions import HTTPException, ValidationException

from backend.core.errors import DomainError

log = logging.getLogger("tezuo.http")
PROBLEM = "application/problem+json"

TITLES = {
    400: "请求无效 Bad request",
    401: "未登录 Unauthorized",
    403: "无权限 Forbidden",
    404: "未找到 Not found",
    405: "方法不允许 Method not allowed",
    409: "冲突 Conflict",
    413: "请求体过大 Payload too large",
    415: "不支持的类型 Unsupported media type",
    422: "校验失败 Unprocessable",
    429: "请求过多 Too many requests",
    500: "服务器错误 Internal error",
}
CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "invalid",
    429: "rate_limited",
}


def problem(
    status: int, code: str, detail: str, request: Request[Any, Any, Any], **extra: Any
) -> Response[Any]:
    body = {
        "type": f"https://tezuo.dev/problems/{code}",
        "title": TITLES.get(status, "Error"),
        "status": status,
        "detail": detail,
        "code": code,
        "instance": request.url.path,
        **extra,
    }
    return Response(body, status_code=status, media_type=PROBLEM)


def domain_error(request: Request[Any, Any, Any], exc: DomainError) -> Response[Any]:
    return problem(exc.status, exc.code, exc.detail, request, **exc.extra)


def validation_error(request: Request[Any, Any, Any], exc: ValidationException) -> Response[Any]:
    errors = exc.extra if isinstance(exc.extra, list) else []
    code = (
        "malformed_json"
        if "decode" in (exc.detail or "").lower() or "malformed" in (exc.detail or "").lower()
        else "validation_failed"
    )
    return problem(400, code, exc.detail or "请求无效", request, errors=errors)


def http_error(request: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
    status = exc.status_code
    if status == 400:  # the body could not be decoded at all (msgspec decode error)
        return problem(400, "malformed_body", f"请求体不是有效的 JSON: {exc.detail}", request)
    if status >= 500:
        log.error("HTTP %s on %s: %s", status, request.url.path, exc.detail)
    return problem(status, CODES.get(status, "error"), exc.detail or TITLES.get(status, ""), request)


def internal_error(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    log.exception("unhandled error on %s", request.url.path, exc_info=exc)
    return problem(500, "internal_error", "服务器内部错误，已记录", request)


HANDLERS: dict[Any, Any] = {
    DomainError: domain_error,
    ValidationException: validation_error,
    HTTPException: http_error,
    Exception: internal_error,
}
