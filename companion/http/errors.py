"""Error middleware: SpdeskError becomes the JSON error body, anything else internal_error."""

from __future__ import annotations

import asyncio
import logging

from aiohttp import web
from aiohttp.http_exceptions import HttpProcessingError
from aiohttp.typedefs import Handler

from companion.errors import SpdeskError

log = logging.getLogger(__name__)

# aiohttp's own refusals (routing, body size) get the same JSON shape and a stable code.
_HTTP_CODES: dict[int, tuple[str, str]] = {
    400: ("invalid_request", "The request is not valid."),
    404: ("not_found", "spdesk has no such API route."),
    405: ("method_not_allowed", "This API route does not take that method."),
    413: ("payload_too_large", "The request is too large."),
}


def error_response(exc: SpdeskError) -> web.Response:
    """The JSON response for a domain error."""
    return web.json_response(exc.to_json(), status=exc.status)


def _from_http(exc: web.HTTPException) -> web.Response:
    code, message = _HTTP_CODES.get(exc.status, ("http_error", exc.reason))
    response = web.json_response({"error": {"code": code, "message": message}}, status=exc.status)
    if "Allow" in exc.headers:
        response.headers["Allow"] = exc.headers["Allow"]
    return response


@web.middleware
async def errors_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Turn every failure into ``{"error": {...}}``; never send a traceback."""
    try:
        return await handler(request)
    except SpdeskError as exc:
        if exc.status >= 500:
            log.warning("%s %s failed: %s (%s)", request.method, request.path, exc.code,
                        exc.message)
        return error_response(exc)
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        return _from_http(exc)
    except (asyncio.CancelledError, ConnectionResetError):
        raise
    except Exception:
        log.exception("unexpected error on %s %s", request.method, request.path)
        return error_response(SpdeskError())


class MalformedRequestFilter(logging.Filter):
    """aiohttp logs a malformed request with the offending header line, which may hold a token.

    Keep one line saying what happened, without the request's bytes and without a traceback.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite aiohttp's parser-error records in place; let everything else through."""
        exc = record.exc_info[1] if record.exc_info else None
        if isinstance(exc, HttpProcessingError):
            record.msg, record.args = "malformed HTTP request refused (%s %s)", (
                exc.code, type(exc).__name__)
            record.exc_info, record.exc_text = None, None
            record.levelno, record.levelname = logging.WARNING, "WARNING"
        return True


def quiet_malformed_requests() -> None:
    """Install the filter on aiohttp's server logger (once per process)."""
    server_log = logging.getLogger("aiohttp.server")
    if not any(isinstance(f, MalformedRequestFilter) for f in server_log.filters):
        server_log.addFilter(MalformedRequestFilter())


def setup_errors(app: web.Application) -> None:
    """Install the error middleware; it must be the outermost one."""
    quiet_malformed_requests()
    app.middlewares.append(errors_middleware)
