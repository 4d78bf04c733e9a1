"""Error middleware: SpdeskError becomes the JSON error body, anything else internal_error."""

from __future__ import annotations

import asyncio
import logging

from aiohttp import web
from aiohttp.http_exceptions import HttpProcessingError
from aiohttp.typedefs import Handler

from companion.errors import BadRequest, NotFound, PayloadTooLarge, SpdeskError
from companion.http.cors import MethodNotAllowed

log = logging.getLogger(__name__)

# aiohttp's own refusals (routing, body size) answer as the domain error of the same status.
_HTTP_ERRORS: dict[int, SpdeskError] = {
    400: BadRequest(),
    404: NotFound("spdesk has no such API route.", params={"case": "no_route"}),
    405: MethodNotAllowed(),
    413: PayloadTooLarge(),
}


class HttpRefusal(SpdeskError):
    """aiohttp refused the request with a status spdesk has no domain error for."""

    status = 400
    default_code = "http_error"
    default_message = "The request was refused."


def error_response(exc: SpdeskError) -> web.Response:
    """The JSON response for a domain error."""
    return web.json_response(exc.to_json(), status=exc.status)


def _from_http(exc: web.HTTPException) -> web.Response:
    error = _HTTP_ERRORS.get(exc.status) or HttpRefusal(
        exc.reason, params={"httpStatus": exc.status}
    )
    response = web.json_response(error.to_json(), status=exc.status)
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
            log.warning(
                "%s %s failed: %s (%s)", request.method, request.path, exc.code, exc.message
            )
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


# aiohttp logs a malformed request with the offending header line, which may hold a token.
class MalformedRequestFilter(logging.Filter):
    """Keep one line saying what happened, without the request's bytes or a traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite aiohttp's parser-error records in place; let everything else through."""
        exc = record.exc_info[1] if record.exc_info else None
        if isinstance(exc, HttpProcessingError):
            record.msg, record.args = (
                "malformed HTTP request refused (%s %s)",
                (exc.code, type(exc).__name__),
            )
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
