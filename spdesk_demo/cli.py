"""``spdesk demo``: sandbox + companion + demo helpdesk on embedded defaults, until Ctrl-C."""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import sys
import tempfile
from pathlib import Path

from companion.config import APP_NAME, DEMO_PROFILE, Settings
from companion.keys import PAIRINGS
from companion.server import stop_signals
from spdesk_demo.runner import HELPDESK_PORT, DemoStack, check_demo, start_demo

REPO = Path(__file__).resolve().parents[1]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of ``spdesk demo``."""
    parser.add_argument("--port", type=int, default=8765, help="companion port (default 8765)")
    parser.add_argument(
        "--helpdesk-port",
        type=int,
        default=HELPDESK_PORT,
        help=f"demo helpdesk port (default {HELPDESK_PORT})",
    )
    parser.add_argument(
        "--check",
        action="store_true",
        help="start everything, look one order up, print OK and exit",
    )
    parser.add_argument(
        "--reset", action="store_true", help="forget the demo's orders, refunds and pairings first"
    )


def _command() -> str:
    """How this person started spdesk: 'spdesk' when on PATH, else e.g. '.venv/bin/spdesk'."""
    me = Path(sys.argv[0])
    if me.name != "spdesk":
        return "spdesk"
    found = shutil.which("spdesk")
    return "spdesk" if found and Path(found).resolve() == me.resolve() else os.path.relpath(me)


def _dist(browser: str) -> str:
    path = REPO / "dist" / browser
    return str(path) if path.is_dir() else f"{path} (build it first: make extension)"


def _banner(stack: DemoStack, settings: Settings, code: str) -> str:
    companion = stack.companion
    moved = f" (port {settings.port} was busy)" if settings.port not in (0, companion.port) else ""
    minutes = int(settings.pairing_code_ttl // 60)
    return f"""
spdesk demo is running: nothing here talks to the real Amazon.

  Demo helpdesk   {stack.helpdesk_url}/
  Companion       {companion.url}{moved}
  Sandbox         {stack.sandbox.url}  (a simulated Amazon, account "sandbox")

1. Load the extension
   Chrome/Chromium: open chrome://extensions, turn on Developer mode, click "Load unpacked"
                    and choose {_dist("chrome")}
   Firefox:         open about:debugging#/runtime/this-firefox, click "Load Temporary Add-on…"
                    and choose {_dist("firefox")}/manifest.json
2. Pair it: click the spdesk button in the toolbar, then "Options", and enter the code

        {code}        (valid {minutes} minutes; a new one: {_command()} pair --demo)
{"" if companion.port == 8765 else f"   and set the companion address to {companion.url} there"}
3. Open {stack.helpdesk_url}/ , click the spdesk button in the toolbar and choose
   "Enable spdesk on this site". Order ids in the tickets get a badge: refund or cancel them.

Press Ctrl-C to stop.""".replace("\n\n\n", "\n\n")


async def _run(settings: Settings, helpdesk_port: int, sandbox_state: Path) -> None:
    async with stop_signals() as stop:
        stack = await start_demo(settings, helpdesk_port=helpdesk_port, sandbox_state=sandbox_state)
        try:
            code = stack.companion.app[PAIRINGS].new_code()
            print(_banner(stack, settings, code), flush=True)
            await stop.wait()
        finally:
            await stack.stop()
            print("spdesk demo stopped.", flush=True)


async def _check() -> str:
    # Throwaway dirs, ephemeral ports and its own keyring entry: a check leaves nothing behind.
    with tempfile.TemporaryDirectory(prefix="spdesk-demo-check-") as tmp:
        settings = Settings(
            port=0,
            config_dir=Path(tmp) / "config",
            data_dir=Path(tmp) / "data",
            keyring_service=f"{APP_NAME}-{DEMO_PROFILE}-check-{os.getpid()}",
        )
        stack = await start_demo(settings, helpdesk_port=0)
        try:
            return await check_demo(stack)
        finally:
            await stack.stop()
            for account in stack.store.list():
                stack.store.remove(account.name)


def run(args: argparse.Namespace) -> int:
    """Run ``spdesk demo``."""
    if args.check:
        print(asyncio.run(_check()))
        return 0
    settings = Settings.profile(DEMO_PROFILE, port=args.port)
    if args.reset:
        shutil.rmtree(settings.data_dir, ignore_errors=True)
    asyncio.run(_run(settings, args.helpdesk_port, settings.data_dir / "sandbox"))
    return 0
