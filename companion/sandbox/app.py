"""The sandbox's aiohttp application: LWA, Orders, control API, and the Feeds/Finances/MCF parts."""

from __future__ import annotations

import importlib
import logging
import uuid
from collections.abc import Awaitable, Callable

from aiohttp import web

from companion.sandbox import auth, control, orders, orders_v0
from companion.sandbox.errors import SpApiError, error_response
from companion.sandbox.faults import setup_faults
from companion.sandbox.state import STATE, SandboxState
from companion.sandbox.throttle import setup_throttle

log = logging.getLogger(__name__)
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

# Parts of the simulated SP-API that live in their own modules; each has setup(app).
EXTENSION_MODULES = (
    "companion.sandbox.feeds",
    "companion.sandbox.finances",
    "companion.sandbox.fulfillment",
)

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
    """Every SP-API answer carries a request id, as Amazon's do (support asks for it)."""
    if not request.path.startswith("/_sandbox/"):
        response.headers.setdefault("x-amzn-RequestId", str(uuid.uuid4()))


def _setup_extensions(app: web.Application) -> None:
    for name in EXTENSION_MODULES:
        # The Feeds, Finances and Fulfillment parts are optional add-ons of this package:
        # a missing module is skipped, but an error inside an existing one must surface.
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
            log.debug("sandbox part %s is not installed", name)
            continue
        module.setup(app)


def create_sandbox_app(state: SandboxState) -> web.Application:
    """The sandbox application over a live state (middlewares, then every part's routes)."""
    app = web.Application(client_max_size=10 * 1024 * 1024)
    app[STATE] = state
    app.middlewares.append(error_middleware)
    app.on_response_prepare.append(_request_id)
    auth.setup_auth(app)
    setup_faults(app, state.faults, state.throttle)
    setup_throttle(app, state.throttle)
    control.setup(app)
    orders.setup(app)
    orders_v0.setup(app)
    _setup_extensions(app)
    return app
