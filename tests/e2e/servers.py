"""HTTP servers for the browser tests, run on an event loop in a background thread."""

from __future__ import annotations

import asyncio
import re
import threading
from collections import Counter
from collections.abc import Awaitable, Callable
from concurrent.futures import Future
from pathlib import Path
from typing import Any, TypeVar

from aiohttp import web

T = TypeVar("T")
ORDER_ID = re.compile(r"\d{3}-\d{7}-\d{7}")
ORDER_ID_IN_TEXT = re.compile(r"(?<![\d-])\d{3}-\d{7}-\d{7}(?![\d-])")


class LoopThread:
    """An asyncio loop in a daemon thread, so sync Playwright tests can drive async servers."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._run, name="e2e-servers", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        self.loop.run_forever()

    def run(self, coro: Awaitable[T], timeout: float = 30.0) -> T:
        """Run a coroutine on the loop and wait for its result."""
        future: Future[T] = asyncio.run_coroutine_threadsafe(coro, self.loop)  # type: ignore[arg-type]
        return future.result(timeout)

    def call(self, fn: Callable[[], T], timeout: float = 30.0) -> T:
        """Run a plain callable on the loop thread (for state owned by the loop)."""

        async def wrapper() -> T:
            return fn()

        return self.run(wrapper(), timeout)

    def close(self) -> None:
        """Stop the loop after cancelling whatever still runs on it."""

        async def cancel_all() -> None:
            tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

        self.run(cancel_all())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(10)
        self.loop.close()


class RunningApp:
    """An aiohttp application served on 127.0.0.1 at an ephemeral port."""

    def __init__(self, runner: web.AppRunner, port: int) -> None:
        self.runner = runner
        self.port = port

    @property
    def url(self) -> str:
        """Base URL on the loopback address."""
        return f"http://127.0.0.1:{self.port}"

    async def stop(self) -> None:
        """Close connections and run the app's cleanup."""
        await self.runner.cleanup()


async def serve(app: web.Application, port: int = 0) -> RunningApp:
    """Serve `app` on 127.0.0.1:`port` (0 = any free port)."""
    runner = web.AppRunner(app, handle_signals=False, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", port)
    await site.start()
    server = site._server
    assert isinstance(server, asyncio.Server) and server.sockets
    return RunningApp(runner, server.sockets[0].getsockname()[1])


def fixture_site(
    root: Path, extra_routes: dict[str, Callable[..., Any]] | None = None
) -> web.Application:
    """A static server for the saved helpdesk pages; every host name gets the same files.

    `?order=NEW` serves a page with its main order id replaced by NEW: the same ticket about
    another order, so several tests can use one saved page without sharing an order's state.
    """
    app = web.Application()
    for path, handler in (extra_routes or {}).items():
        app.router.add_get(path, handler)
    pages = {p.name: p.read_text(encoding="utf-8") for p in root.glob("*.html")}

    async def page(request: web.Request) -> web.StreamResponse:
        name = request.match_info["name"] + ".html"
        if name not in pages:
            raise web.HTTPNotFound()
        html = pages[name]
        replacement = request.query.get("order")
        if replacement:
            if not ORDER_ID.fullmatch(replacement):
                raise web.HTTPBadRequest(text="order must look like 123-1234567-1234567")
            # The ticket's own order is the one the page mentions most often.
            mentioned = Counter(ORDER_ID_IN_TEXT.findall(html)).most_common(1)
            assert mentioned, f"{name} mentions no order id"
            html = html.replace(mentioned[0][0], replacement)
        return web.Response(text=html, content_type="text/html", charset="utf-8")

    app.router.add_get("/{name:[A-Za-z0-9_-]+}.html", page)

    # `/` lists the pages so a person can click through them while debugging.
    names = sorted(pages)

    async def index(request: web.Request) -> web.StreamResponse:
        links = "".join(f'<li><a href="/{n}">{n}</a></li>' for n in names)
        return web.Response(text=f"<!doctype html><ul>{links}</ul>", content_type="text/html")

    app.router.add_get("/", index)
    app.router.add_static("/", root, show_index=False, follow_symlinks=False)
    return app
