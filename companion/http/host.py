"""Host allow-list: only ``127.0.0.1:PORT`` and ``localhost:PORT`` — defeats DNS rebinding."""

from __future__ import annotations

from aiohttp import web
from aiohttp.typedefs import Handler

from companion.errors import Forbidden

ALLOWED_HOSTNAMES = frozenset({"127.0.0.1", "localhost"})


class HostNotAllowed(Forbidden):
    status = 421
    default_code = "host_not_allowed"
    default_message = ("spdesk only answers requests addressed to 127.0.0.1 or localhost. "
                       "A web page tried to reach it under another name.")


def _local_port(request: web.Request) -> int | None:
    sockname = request.transport.get_extra_info("sockname") if request.transport else None
    return int(sockname[1]) if sockname else None


def host_allowed(host: str | None, port: int | None) -> bool:
    """True when ``host`` names the loopback interface and the port the request came in on."""
    if not host or port is None:
        return False
    name, sep, port_text = host.rpartition(":")
    if not sep or not port_text.isdigit():
        return False
    return name.lower() in ALLOWED_HOSTNAMES and int(port_text) == port


@web.middleware
async def host_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Refuse requests whose Host header is not the loopback address and our own port."""
    if not host_allowed(request.headers.get("Host"), _local_port(request)):
        raise HostNotAllowed()
    return await handler(request)


def setup_host(app: web.Application) -> None:
    """Install the Host allow-list."""
    app.middlewares.append(host_middleware)
