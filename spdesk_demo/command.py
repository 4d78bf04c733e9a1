"""``spdesk demo`` as the spdesk command line finds it (entry point group ``spdesk.commands``).

The command line shows HELP in its list of commands and imports MODULE only to run the command.
"""

HELP = "run sandbox, companion and a demo helpdesk together"
MODULE = "spdesk_demo.cli"
