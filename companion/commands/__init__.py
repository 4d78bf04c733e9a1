"""Sub-commands of the ``spdesk`` command line, one module each."""
