"""Login with Amazon (`POST /auth/o2/token`) and the access-token check on every SP-API route."""

from __future__ import annotations

import hmac
import secrets
from datetime import timedelta

from aiohttp import web

from spdesk_sandbox.errors import unauthorized
from spdesk_sandbox.state import STATE, SandboxState
from spdesk_sandbox.throttle import EXEMPT_PREFIXES, Handler

TOKEN_HEADER = "x-amz-access-token"


def _lwa_error(status: int, error: str, description: str) -> web.Response:
    return web.json_response({"error": error, "error_description": description}, status=status)


def _same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())


def issue_token(state: SandboxState) -> str:
    """A new access token valid for the configured TTL of virtual time."""
    token = "Atza|" + secrets.token_urlsafe(48)
    ttl = timedelta(seconds=state.settings.access_token_ttl_seconds)
    state.access_tokens[token] = state.now() + ttl
    state.touch()
    return token


async def lwa_token(request: web.Request) -> web.Response:
    """LWA token endpoint: refresh_token grant only, Amazon's error codes and statuses."""
    state = request.app[STATE]
    form = await request.post()
    fields = {
        k: str(form.get(k, ""))
        for k in ("grant_type", "refresh_token", "client_id", "client_secret")
    }
    missing = [k for k, v in fields.items() if not v and k != "refresh_token"]
    if missing:
        return _lwa_error(
            400, "invalid_request", f"The request is missing a required parameter : {missing[0]}"
        )
    if fields["grant_type"] != "refresh_token":
        return _lwa_error(
            400,
            "unsupported_grant_type",
            f"The authorization grant type is not supported : {fields['grant_type']}",
        )
    settings = state.settings
    if not (
        _same(fields["client_id"], settings.client_id)
        and _same(fields["client_secret"], settings.client_secret)
    ):
        return _lwa_error(401, "invalid_client", "Client authentication failed")
    if not fields["refresh_token"]:
        return _lwa_error(
            400, "invalid_request", "The request is missing a required parameter : refresh_token"
        )
    if not _same(fields["refresh_token"], settings.refresh_token):
        return _lwa_error(
            400, "invalid_grant", "The request has an invalid grant parameter : refresh_token"
        )
    body = {
        "access_token": issue_token(state),
        "refresh_token": settings.refresh_token,
        "token_type": "bearer",
        "expires_in": settings.access_token_ttl_seconds,
    }
    return web.json_response(body)


def check_token(state: SandboxState, token: str | None) -> None:
    """Raise 403 Unauthorized unless the token was issued here and has not expired."""
    if not token:
        raise unauthorized("Access token is missing in the request header.")
    expiry = state.access_tokens.get(token)
    if expiry is None:
        raise unauthorized("The access token you provided is revoked, malformed or invalid.")
    if expiry <= state.now():
        raise unauthorized("The access token you provided has expired.")


def expire_tokens(state: SandboxState) -> int:
    """Expire every issued access token now (clients must fetch new ones); returns how many."""
    now = state.now()
    for token in state.access_tokens:
        state.access_tokens[token] = now
    state.touch()
    return len(state.access_tokens)


def setup_auth(app: web.Application) -> None:
    """Register the LWA route and the middleware that guards every other SP-API route."""
    app.router.add_post("/auth/o2/token", lwa_token, name="lwaToken")

    @web.middleware
    async def auth_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        if not request.path.startswith(EXEMPT_PREFIXES):
            check_token(request.app[STATE], request.headers.get(TOKEN_HEADER))
        return await handler(request)

    app.middlewares.append(auth_middleware)
