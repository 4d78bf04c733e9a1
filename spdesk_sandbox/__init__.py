"""The simulated Amazon: LWA, Orders, Feeds, Finances and Fulfillment Outbound over real HTTP.

It plays Amazon for the demo and every test, and imports nothing from the product (``companion``),
so that what the product believes about Amazon is checked against an independent model. Start one
in-process with ``spdesk_sandbox.server.start_sandbox``; ``spdesk sandbox`` runs one on its own.
"""
