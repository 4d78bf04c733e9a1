"""spdesk companion: refunds and cancellations of Amazon orders from the agent's helpdesk."""

__version__ = "0.1.0"
