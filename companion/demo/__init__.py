"""The demo: sandbox, companion and a demo helpdesk inbox running together."""
