"""``spdesk sandbox`` as the spdesk command line finds it (entry point group ``spdesk.commands``).

The command line shows HELP in its list of commands and imports MODULE only to run the command,
so listing the commands costs nothing of the sandbox's own start-up.
"""

HELP = "run the local Amazon SP-API sandbox"
MODULE = "spdesk_sandbox.cli"
