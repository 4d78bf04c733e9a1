"""The demo helpdesk: a small ticket inbox served on 127.0.0.1 for the extension to work in."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from html import escape
from pathlib import Path

from aiohttp import web

from spdesk_demo.tickets import TICKETS, Message, Ticket

STATIC = Path(__file__).with_name("static")
TICKETS_KEY = web.AppKey("tickets", dict[int, Ticket])
REPLIES_KEY = web.AppKey("replies", dict[int, list[str]])
NOTES_KEY = web.AppKey("notes", dict[int, list[str]])

# Like many helpdesks: tickets open without a page load (pjax: fetch, swap <main>, pushState),
# and the internal note box stays hidden until its button is clicked, which resets its draft.
PAGE_SCRIPT = """
document.addEventListener("click", (event) => {
  const link = event.target.closest("a.ticket-link");
  const opener = event.target.closest("button.note-open");
  if (opener) {
    const form = document.querySelector("form.note");
    form.classList.remove("collapsed");
    setTimeout(() => { form.querySelector("textarea").value = ""; }, 50);
  }
  if (!link || event.ctrlKey || event.metaKey || event.shiftKey) return;
  event.preventDefault();
  show(link.href).then(() => history.pushState({}, "", link.href));
});
addEventListener("popstate", () => show(location.href));
async function show(url) {
  const html = await (await fetch(url)).text();
  const next = new DOMParser().parseFromString(html, "text/html");
  document.querySelector("main").replaceWith(next.querySelector("main"));
  document.querySelector(".inbox").replaceWith(next.querySelector(".inbox"));
  document.title = next.title;
}
"""


def _initials(name: str) -> str:
    parts = [p for p in name.replace("(", " ").split() if p[:1].isalpha()]
    return "".join(p[0] for p in parts[:2]).upper() or "?"


def _paragraphs(text: str) -> str:
    return "".join(f"<p>{escape(p)}</p>" for p in text.split("\n\n"))


def _list_item(ticket: Ticket, current: int) -> str:
    active = " active" if ticket.number == current else ""
    tags = "".join(f'<span class="tag">{escape(t)}</span>' for t in ticket.tags[:2])
    return (
        f'<a class="ticket-link{active}" href="/tickets/{ticket.number}">'
        f'<span class="row"><span class="who">{escape(ticket.customer)}</span>'
        f'<span class="when">{escape(ticket.messages[-1].ago)}</span></span>'
        f'<span class="subject">{escape(ticket.subject)}</span>'
        f'<span class="row"><span class="status s-{ticket.status.lower()}">'
        f"{escape(ticket.status)}</span>{tags}</span></a>"
    )


def _message(message: Message) -> str:
    return (
        f'<article class="message {message.role}">'
        f'<div class="avatar">{escape(_initials(message.author))}</div>'
        f'<div class="bubble"><header><strong>{escape(message.author)}</strong>'
        f"<time>{escape(message.ago)}</time></header>{_paragraphs(message.text)}</div>"
        f"</article>"
    )


def _ticket_view(ticket: Ticket, replies: list[str], notes: list[str]) -> str:
    thread = [_message(m) for m in ticket.messages]
    thread += [_message(Message("You", "agent", "just now", text)) for text in replies]
    thread += [_message(Message("Internal note", "note", "just now", text)) for text in notes]
    return f"""
<section class="ticket">
  <header class="ticket-head">
    <div><h1>{escape(ticket.subject)}</h1>
      <p class="meta">#{ticket.number} · via {escape(ticket.source)} · {
        escape(ticket.marketplace)
    }</p></div>
    <div class="badges"><span class="status s-{ticket.status.lower()}">{escape(ticket.status)}
      </span><span class="priority p-{ticket.priority.lower()}">{escape(ticket.priority)}</span>
    </div>
  </header>
  <div class="thread">{"".join(thread)}</div>
  <form class="reply" method="post" action="/tickets/{ticket.number}/reply">
    <label for="reply">Reply to {escape(ticket.customer)}</label>
    <textarea id="reply" name="text" rows="6"
      placeholder="Write your reply… spdesk can insert a confirmation here."></textarea>
    <div class="actions"><button type="button" class="note-open" title="Internal note">
      Internal note</button><button type="submit">Send reply</button></div>
  </form>
  <form class="note collapsed" method="post" action="/tickets/{ticket.number}/note">
    <label for="note">Internal note (only your team sees it)</label>
    <textarea id="note" name="note" rows="3"></textarea>
    <div class="actions"><button type="submit">Save note</button></div>
  </form>
</section>
<aside class="customer-card">
  <div class="avatar big">{escape(_initials(ticket.customer))}</div>
  <h2>{escape(ticket.customer)}</h2>
  <p class="email">{escape(ticket.email)}</p>
  <dl><dt>Channel</dt><dd>{escape(ticket.marketplace)}</dd>
      <dt>Tags</dt><dd>{" ".join(f'<span class="tag">{escape(t)}</span>' for t in ticket.tags)}
      </dd></dl>
</aside>"""


def render_page(
    tickets: dict[int, Ticket], current: int, replies: list[str], notes: Sequence[str] = ()
) -> str:
    """The whole inbox page with ticket ``current`` open."""
    items = "".join(_list_item(t, current) for t in tickets.values())
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>#{current} · Acme Support</title>
<link rel="stylesheet" href="/static/helpdesk.css"></head>
<body>
<nav class="topbar"><span class="logo">Acme Support</span><span class="crumb">Inbox</span>
  <span class="spacer"></span><span class="whoami">Anna (Support) · spdesk demo</span></nav>
<div class="layout">
  <aside class="inbox"><h2>Open tickets <span class="count">{len(tickets)}</span></h2>
    {items}</aside>
  <main>{_ticket_view(tickets[current], replies, list(notes))}</main>
</div>
<script>{PAGE_SCRIPT}</script>
</body></html>"""


async def _index(request: web.Request) -> web.Response:
    tickets: dict[int, Ticket] = request.app[TICKETS_KEY]
    raise web.HTTPFound(f"/tickets/{min(tickets)}")


def _ticket_number(request: web.Request) -> int:
    number = int(request.match_info["number"])
    if number not in request.app[TICKETS_KEY]:
        raise web.HTTPNotFound(text="No such ticket.")
    return number


async def _ticket(request: web.Request) -> web.Response:
    number = _ticket_number(request)
    html = render_page(
        request.app[TICKETS_KEY],
        number,
        request.app[REPLIES_KEY].get(number, []),
        request.app[NOTES_KEY].get(number, []),
    )
    return web.Response(text=html, content_type="text/html")


async def _reply(request: web.Request) -> web.Response:
    return await _store(request, REPLIES_KEY, "text")


async def _note(request: web.Request) -> web.Response:
    return await _store(request, NOTES_KEY, "note")


async def _store(
    request: web.Request, key: web.AppKey[dict[int, list[str]]], field: str
) -> web.Response:
    """Keep a reply or a note the agent sent, then show the ticket again."""
    number = _ticket_number(request)
    text = str((await request.post()).get(field, "")).strip()
    if text:
        request.app[key].setdefault(number, []).append(text[:5000])
    raise web.HTTPSeeOther(f"/tickets/{number}")


def create_helpdesk_app(order_id: Callable[[str], str]) -> web.Application:
    """The demo inbox; ``order_id`` maps a sandbox seed label to its order id."""
    app = web.Application(client_max_size=64 * 1024)
    app[TICKETS_KEY] = {t.number: t.resolved(order_id) for t in TICKETS}
    app[REPLIES_KEY] = {}
    app[NOTES_KEY] = {}
    app.router.add_get("/", _index)
    app.router.add_get(r"/tickets/{number:\d+}", _ticket)
    app.router.add_post(r"/tickets/{number:\d+}/reply", _reply)
    app.router.add_post(r"/tickets/{number:\d+}/note", _note)
    app.router.add_static("/static", STATIC)
    return app
