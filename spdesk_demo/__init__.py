"""The demo: the simulated Amazon, the companion and a demo helpdesk inbox running together.

It uses both other packages of the distribution (``companion`` and ``spdesk_sandbox``); neither
of them knows it. ``spdesk demo`` finds it through the ``spdesk.commands`` entry point.
"""
