"""``spdesk demo --check`` from the CLI, and the demo helpdesk's tickets."""

from __future__ import annotations

import aiohttp

from spdesk_demo.runner import start_demo
from spdesk_demo.tickets import TICKETS
from tests.companion.spawn import spdesk
from tests.plugins.companion import CliHome


def test_demo_check_succeeds_from_the_cli(cli_home: CliHome) -> None:
    done = spdesk("demo", "--check", env=cli_home.env)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("OK: order ")
    assert "read through the companion at http://127.0.0.1:" in done.stdout
    assert "Traceback" not in done.stderr


async def test_demo_helpdesk_shows_every_ticket_with_its_order(settings: object) -> None:
    stack = await start_demo(settings, helpdesk_port=0)  # type: ignore[arg-type]
    try:
        async with aiohttp.ClientSession() as http:
            for ticket in TICKETS:
                async with http.get(f"{stack.helpdesk_url}/tickets/{ticket.number}") as reply:
                    page = await reply.text()
                assert reply.status == 200
                assert stack.sandbox.seed.order_id(ticket.label) in page
            async with http.post(
                f"{stack.helpdesk_url}/tickets/{TICKETS[0].number}/reply",
                data={"text": "Your refund of <b>$5</b> is on its way."},
            ) as reply:
                page = await reply.text()
            assert "Your refund of &lt;b&gt;$5&lt;/b&gt; is on its way." in page
            assert stack.store.default().sandbox
    finally:
        await stack.stop()
        for account in stack.store.list():
            stack.store.remove(account.name)
