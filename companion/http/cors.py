"""CORS for paired extension origins only: never a wildcard, never an arbitrary echoed Origin."""

from __future__ import annotations

from aiohttp import web
from aiohttp.typedefs import Handler

from companion.errors import SpdeskError
from companion.http.origin import OriginNotAllowed, OriginPolicy, request_origin

# Only what the extension uses: JSON GETs and POSTs with its token and an Idempotency-Key.
ALLOW_METHODS = "GET, POST"
ALLOW_HEADERS = "Authorization, Content-Type, Idempotency-Key"


class MethodNotAllowed(SpdeskError):
    status = 405
    default_code = "method_not_allowed"
    default_message = "This API route does not take that method."


def setup_cors(app: web.Application, policy: OriginPolicy) -> None:
    """Answer preflights and label responses for origins the policy allows; nobody else."""

    def allowed_origin(request: web.BaseRequest, method: str) -> str | None:
        origin = request_origin(request)
        return origin if origin and policy.allows(method, request.path, origin) else None

    @web.middleware
    async def cors_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        if request.method != "OPTIONS":
            return await handler(request)
        # Every OPTIONS ends here, so none reaches a handler without the token and Origin checks.
        wanted = request.headers.get("Access-Control-Request-Method")
        if wanted is None:
            raise MethodNotAllowed()
        origin = allowed_origin(request, wanted.upper())
        if origin is None:
            raise OriginNotAllowed()
        return web.Response(
            status=204,
            headers={
                "Access-Control-Allow-Origin": origin,
                "Access-Control-Allow-Methods": ALLOW_METHODS,
                "Access-Control-Allow-Headers": ALLOW_HEADERS,
                "Access-Control-Max-Age": "600",
            },
        )

    async def label(request: web.BaseRequest, response: web.StreamResponse) -> None:
        # Also labels error responses, which never pass back through a middleware.
        response.headers.add("Vary", "Origin")
        try:
            origin = allowed_origin(request, request.method)
        except OriginNotAllowed:
            origin = None
        if origin is not None and request.method != "OPTIONS":
            response.headers["Access-Control-Allow-Origin"] = origin

    app.middlewares.append(cors_middleware)
    app.on_response_prepare.append(label)
