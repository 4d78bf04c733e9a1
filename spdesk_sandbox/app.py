"""The sandbox's aiohttp app: middlewares, then LWA, control, Orders, Feeds, Finances, MCF."""

from __future__ import annotations

import logging
import uuid

from aiohttp import web

from spdesk_sandbox import auth, control, feeds, finances, fulfillment, orders, orders_v0
from spdesk_sandbox.documents import DOCS_PREFIX
from spdesk_sandbox.errors import SpApiError, error_response
from spdesk_sandbox.faults import setup_faults
from spdesk_sandbox.state import STATE, SandboxState
from spdesk_sandbox.strict import setup_strict_requests
from spdesk_sandbox.throttle import Handler, setup_counting, setup_throttle

log = logging.getLogger(__name__)

_HTTP_ERRORS = {
    404: ("NotFound", "Resource not found."),
    405: ("MethodNotAllowed", "The method is not allowed for this resource."),
    413: ("RequestEntityTooLarge", "The request body is too large."),
    415: ("UnsupportedMediaType", "The request's content type is not supported."),
}


@web.middleware
async def error_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Render every error as Amazon's ErrorList; never leak a traceback to a client."""
    try:
        return await handler(request)
    except SpApiError as exc:
        return exc.response()
    except web.HTTPException as exc:
        if exc.status < 400 or request.path.startswith("/_sandbox/"):
            raise
        code, message = _HTTP_ERRORS.get(exc.status, ("InvalidInput", exc.reason))
        return error_response(exc.status, code, message)
    except Exception:
        log.exception("sandbox handler failed on %s %s", request.method, request.path)
        return error_response(500, "InternalFailure", "We encountered an internal error.")


async def _request_id(request: web.Request, response: web.StreamResponse) -> None:
    """Every answer carries a request id, as Amazon's do (support asks for it)."""
    if request.path.startswith(DOCS_PREFIX):
        response.headers.setdefault("x-amz-request-id", uuid.uuid4().hex[:16].upper())  # S3's
    elif not request.path.startswith("/_sandbox/"):
        response.headers.setdefault("x-amzn-RequestId", str(uuid.uuid4()))


def create_sandbox_app(state: SandboxState) -> web.Application:
    """The sandbox application over a live state (middlewares, then every part's routes)."""
    app = web.Application(client_max_size=10 * 1024 * 1024)
    app[STATE] = state
    app.middlewares.append(error_middleware)
    app.on_response_prepare.append(_request_id)
    setup_counting(app, state.throttle)
    auth.setup_auth(app)
    setup_faults(app, state.faults, state.throttle)
    setup_throttle(app, state.throttle)
    control.setup(app)
    orders.setup(app)
    orders_v0.setup(app)
    feeds.setup(app)
    finances.setup(app)
    fulfillment.setup(app)
    if state.settings.request_models_dir is not None:
        setup_strict_requests(app, state.settings.request_models_dir)  # needs every route
    return app
