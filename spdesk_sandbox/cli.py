"""`spdesk sandbox`: run the local Amazon SP-API sandbox until interrupted."""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys
from contextlib import suppress
from pathlib import Path

from spdesk_sandbox.faults import FaultError
from spdesk_sandbox.models import ModelsError
from spdesk_sandbox.persistence import StateFileError
from spdesk_sandbox.seed import SeedError
from spdesk_sandbox.server import SandboxServer, start_sandbox
from spdesk_sandbox.settings import SandboxSettings

DEFAULT_PORT = 8766


def _positive(value: str) -> float:
    number = float(value)
    if number <= 0:
        raise argparse.ArgumentTypeError(f"must be a positive number, got {value}")
    return number


def _count(value: str) -> int:
    number = int(value)
    if number < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more, got {value}")
    return number


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The sandbox's command-line options."""
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument(
        "--port",
        type=int,
        default=DEFAULT_PORT,
        help=f"port to listen on, 0 for any free one (default {DEFAULT_PORT})",
    )
    parser.add_argument(
        "--seed",
        type=Path,
        metavar="FILE",
        help="seed orders from this JSON file instead of the built-in set",
    )
    parser.add_argument(
        "--speed",
        type=_positive,
        default=1.0,
        help="virtual clock factor: feeds, token expiry and posting run X times faster (default 1)",
    )
    parser.add_argument(
        "--rate-scale",
        type=_positive,
        default=1.0,
        help="multiply Amazon's usage-plan rates (default 1 = Amazon's limits)",
    )
    parser.add_argument(
        "--bulk-orders",
        type=_count,
        default=0,
        metavar="N",
        help="add N generated orders bulk-0001… (for benchmarks)",
    )
    parser.add_argument(
        "--state-dir",
        type=Path,
        metavar="DIR",
        help="keep the sandbox's state here across restarts",
    )
    parser.add_argument(
        "--request-models",
        type=Path,
        metavar="DIR",
        help="refuse requests that break Amazon's models (*.json) in DIR, as "
        "Amazon does (needs jsonschema; refusals: GET /_sandbox/refusals)",
    )


def settings_from_args(args: argparse.Namespace) -> SandboxSettings:
    """Sandbox settings from parsed arguments."""
    return SandboxSettings(
        host=args.host,
        port=args.port,
        speed=args.speed,
        seed_path=args.seed,
        state_dir=args.state_dir,
        bulk_orders=args.bulk_orders,
        rate_scale=args.rate_scale,
        request_models_dir=args.request_models,
    )


def describe(server: SandboxServer) -> str:
    """What a developer needs to point a client at the running sandbox."""
    s = server.settings
    return "\n".join(
        [
            f"Amazon SP-API sandbox listening on {server.url}",
            f"  LWA token endpoint : {server.url}/auth/o2/token",
            f"  SP-API endpoint    : {server.url}",
            f"  client id          : {s.client_id}",
            f"  client secret      : {s.client_secret}",
            f"  refresh token      : {s.refresh_token}",
            f"  seller id          : {s.seller_id}",
            f"  orders             : {len(server.state.orders)} "
            f"(labels: GET {server.url}/_sandbox/orders)",
            f"  clock speed        : x{s.speed:g}, usage-plan rates x{s.rate_scale:g}",
            "These credentials only open this local sandbox. Press Ctrl+C to stop.",
        ]
    )


async def serve(settings: SandboxSettings) -> None:
    """Start the sandbox, print how to reach it and serve until SIGINT/SIGTERM."""
    server = await start_sandbox(settings)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with suppress(NotImplementedError):  # not available on Windows
            loop.add_signal_handler(sig, stop.set)
    print(describe(server), flush=True)
    try:
        await stop.wait()
    finally:
        await server.stop()


def run(args: argparse.Namespace) -> int:
    """Run the sandbox; bad settings end with a message that names the problem."""
    try:
        settings = settings_from_args(args)
        asyncio.run(serve(settings))
    except (SeedError, StateFileError, FaultError, ModelsError, ValueError) as exc:
        print(f"spdesk sandbox: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(
            f"spdesk sandbox: cannot listen on {args.host}:{args.port}: {exc.strerror}",
            file=sys.stderr,
        )
        return 2
    return 0


def main(*argv: str) -> int:
    """Run the sandbox on its own (`python -m spdesk_sandbox.cli`), without the spdesk CLI."""
    parser = argparse.ArgumentParser(prog="spdesk sandbox", description=__doc__)
    add_arguments(parser)
    return run(parser.parse_args(argv or sys.argv[1:]))


if __name__ == "__main__":
    sys.exit(main())
