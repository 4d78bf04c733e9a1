"""The demo inbox: buyer tickets that mention the sandbox's seeded orders by their ids."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace


@dataclass(frozen=True)
class Message:
    """One message in a ticket thread."""

    author: str
    role: str  # "customer" or "agent"
    ago: str
    text: str


@dataclass(frozen=True)
class Ticket:
    """One support ticket; ``{order}`` in subjects and messages becomes the seeded order id."""

    number: int
    label: str  # the sandbox seed label of the order it is about
    subject: str
    customer: str
    email: str
    marketplace: str
    status: str
    priority: str
    tags: tuple[str, ...]
    messages: tuple[Message, ...]
    source: str = "Amazon Buyer-Seller Messaging"  # how the buyer wrote in

    def resolved(self, order_id: Callable[[str], str]) -> Ticket:
        """The ticket with the real order id of its seed label filled in."""
        oid = order_id(self.label)
        return replace(
            self,
            subject=self.subject.format(order=oid),
            messages=tuple(replace(m, text=m.text.format(order=oid)) for m in self.messages),
        )


TICKETS: tuple[Ticket, ...] = (
    Ticket(
        4711,
        "us-fbm-shipped",
        "Headphones arrived with a cracked headband",
        "Dana Whitfield",
        "dana.whitfield@marketplace.amazon.com",
        "Amazon.com",
        "Open",
        "High",
        ("refund", "damaged"),
        (
            Message(
                "Dana Whitfield",
                "customer",
                "2 hours ago",
                "Hi, my order {order} arrived yesterday. The headphones work, but the "
                "headband is cracked right above the left ear cup and it gets worse every "
                "time I put them on. The hard case was fine.\n\nI'd like a refund for "
                "the headphones, please. I can send photos if you need them.",
            ),
        ),
    ),
    Ticket(
        4712,
        "us-fbm-buyer-cancel-request",
        "Please cancel — ordered the wrong lamp",
        "Marcus Lee",
        "marcus.lee@marketplace.amazon.com",
        "Amazon.com",
        "Open",
        "Normal",
        ("cancel", "buyer-request"),
        (
            Message(
                "Marcus Lee",
                "customer",
                "35 minutes ago",
                "Hello! I just ordered the LED desk lamp (order {order}) but I meant to "
                "get the black one. I already sent a cancellation request through Amazon "
                "as well. Could you cancel it before it ships? Thanks!",
            ),
        ),
    ),
    Ticket(
        4713,
        "uk-fbm-shipped",
        "Can I still cancel my tea order?",
        "Olivia Hughes",
        "olivia.hughes@marketplace.amazon.co.uk",
        "Amazon.co.uk",
        "Open",
        "Normal",
        ("cancel", "shipped"),
        (
            Message(
                "Olivia Hughes",
                "customer",
                "4 hours ago",
                "Hi there, I ordered the English Breakfast caddy (Amazon order "
                "{order}) but found a shop down the road that has it. Can you cancel "
                "it? If it has already left, what are my options?",
            ),
            Message(
                "Sam (Support)",
                "agent",
                "3 hours ago",
                "Hi Olivia, thanks for reaching out — let me check where your parcel is right now.",
            ),
            Message(
                "Olivia Hughes",
                "customer",
                "1 hour ago",
                "Tracking says it's out for delivery. I'm happy to send it back if you refund me.",
            ),
        ),
    ),
    Ticket(
        4714,
        "jp-fbm-shipped",
        "急須の注ぎ口が欠けていました (teapot spout chipped)",
        "佐藤 美咲 (Misaki Sato)",
        "misaki.sato@marketplace.amazon.co.jp",
        "Amazon.co.jp",
        "Open",
        "High",
        ("refund", "damaged", "jpy"),
        (
            Message(
                "佐藤 美咲",
                "customer",
                "6 hours ago",
                "お世話になっております。注文番号 {order} の常滑焼の急須が届きましたが、"
                "注ぎ口が少し欠けていました。返金をお願いできますでしょうか。\n\n"
                "(The spout of the tokoname teapot from order {order} arrived chipped. "
                "Could you refund it?)",
            ),
        ),
    ),
    Ticket(
        4715,
        "us-fba-shipped",
        "Water bottle leaks from the lid",
        "Priya Natarajan",
        "priya.n@marketplace.amazon.com",
        "Amazon.com",
        "Pending",
        "Normal",
        ("refund", "fba"),
        (
            Message(
                "Priya Natarajan",
                "customer",
                "1 day ago",
                "The insulated bottle from order {order} leaks around the lid even when "
                "it's screwed on tight. Can I get my money back?",
            ),
        ),
    ),
    Ticket(
        4716,
        "us-mcf-received",
        "Cancel my web shop order please",
        "Jordan Alvarez",
        "jordan.alvarez@example.net",
        "Web shop (Amazon MCF)",
        "Open",
        "Normal",
        ("cancel", "mcf", "webshop"),
        (
            Message(
                "Jordan Alvarez",
                "customer",
                "50 minutes ago",
                "Hi, I ordered two water bottles on your website an hour ago — the order "
                "confirmation says {order}. I only need one after all; can you cancel "
                "the order so I can place a new one?",
            ),
        ),
        source="email",
    ),
    Ticket(
        4717,
        "us-fbm-unshipped-multi",
        "Remove the yoga strap from my order?",
        "Hannah Becker",
        "hannah.becker@marketplace.amazon.com",
        "Amazon.com",
        "Open",
        "Low",
        ("cancel", "partial"),
        (
            Message(
                "Hannah Becker",
                "customer",
                "20 minutes ago",
                "Hi! Order {order}: I already have a yoga strap, so could you take that "
                "one off and only send the mat and the blocks? Thank you so much.",
            ),
        ),
    ),
    Ticket(
        4718,
        "de-fbm-shipped",
        "Messerblock: ein Messer fehlt",
        "Lukas Schneider",
        "lukas.schneider@marketplace.amazon.de",
        "Amazon.de",
        "Open",
        "Normal",
        ("refund", "partial", "eur"),
        (
            Message(
                "Lukas Schneider",
                "customer",
                "3 hours ago",
                "Guten Tag, in meiner Bestellung {order} (Messerblock mit 5 Messern) war "
                "das Brotmesser nicht dabei. Ich möchte den Block behalten – können Sie "
                "mir einen Teilbetrag erstatten?",
            ),
        ),
    ),
)
