"""The ledger's address: a PostgreSQL connection URI without a password.

`settings.json` and every command line name the ledger by a URI such as
`postgresql://spdesk@db.example.com:5432/spdesk`. A password never appears in it (it would end up
in shell history, process lists and the settings file); it lives in the OS keyring under the
address, like the SP-API secrets.
"""

from __future__ import annotations

import psycopg
from psycopg.conninfo import conninfo_to_dict

from companion.ledger.errors import InvalidDsn

_SCHEMES = ("postgresql://", "postgres://")
# Keys that carry a secret (or point libpq at one we would not know about).
_SECRET_KEYS = frozenset({"password", "sslpassword"})


def check_dsn(dsn: str) -> str:
    """The address as given if it is a password-free PostgreSQL URI, else InvalidDsn."""
    text = dsn.strip()
    if not text.startswith(_SCHEMES):
        raise InvalidDsn()
    try:
        parts = conninfo_to_dict(text)
    except psycopg.ProgrammingError as exc:
        raise InvalidDsn(f"The ledger address is not valid ({exc}).") from None
    if _SECRET_KEYS & set(parts):
        raise InvalidDsn()
    if not parts.get("dbname"):
        raise InvalidDsn("The ledger address must name the database: postgresql://USER@HOST/DB.")
    return text


def describe(dsn: str) -> str:
    """A short form for messages: user@host:port/db."""
    parts = conninfo_to_dict(dsn)
    user = f"{parts['user']}@" if parts.get("user") else ""
    port = f":{parts['port']}" if parts.get("port") else ""
    return f"{user}{parts.get('host', 'localhost')}{port}/{parts['dbname']}"
