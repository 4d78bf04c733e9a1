"""Host allow-list: only ``127.0.0.1:PORT`` and ``localhost:PORT`` — defeats DNS rebinding."""

from __future__ import annotations

from aiohttp import web
from aiohttp.typedefs import Handler
from yarl import URL

from companion.errors import Forbidden

ALLOWED_HOSTNAMES = frozenset({"127.0.0.1", "localhost"})


class HostNotAllowed(Forbidden):
    status = 421
    default_code = "host_not_allowed"
    default_message = (
        "spdesk only answers requests addressed to 127.0.0.1 or localhost. "
        "A web page tried to reach it under another name."
    )


def _local_port(request: web.Request) -> int | None:
    sockname = request.transport.get_extra_info("sockname") if request.transport else None
    return int(sockname[1]) if sockname else None


def host_allowed(host: str | None, port: int | None) -> bool:
    """True when ``host`` is exactly a loopback name and the port the request came in on."""
    if not host or port is None:
        return False
    # An exact comparison, not a parse: no leading zeros, no trailing dot, no user info.
    return host.lower() in {f"{name}:{port}" for name in ALLOWED_HOSTNAMES}


def target_allowed(target: str, port: int | None) -> bool:
    """True for the usual ``/path`` target, or an absolute-form one that names us as well."""
    if target.startswith("/"):
        return True
    # "GET http://evil.example/v1/… HTTP/1.1": the authority in the target overrides Host.
    try:
        authority = URL(target).raw_authority
    except ValueError:
        return False
    return host_allowed(authority, port)


@web.middleware
async def host_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Refuse requests whose Host header is not the loopback address and our own port."""
    port = _local_port(request)
    if not (
        host_allowed(request.headers.get("Host"), port) and target_allowed(request.raw_path, port)
    ):
        raise HostNotAllowed()
    return await handler(request)


def setup_host(app: web.Application) -> None:
    """Install the Host allow-list."""
    app.middlewares.append(host_middleware)
