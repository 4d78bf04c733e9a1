"""Refusals of team mode: the ledger cannot be reached, or its schema does not fit this spdesk."""

from __future__ import annotations

from companion.errors import BadRequest, SpdeskError


class LedgerUnavailable(SpdeskError):
    """The team ledger cannot be reached: money actions wait rather than run without it."""

    status = 503
    default_code = "ledger_unavailable"
    default_message = (
        "spdesk cannot reach the team's ledger, so it does not refund or cancel now (a teammate "
        "may be acting on the same order). Nothing was sent to Amazon. Try again in a moment; "
        "if it lasts, ask whoever runs the team's database."
    )


class LedgerSchemaError(SpdeskError):
    """The ledger's schema is missing, or newer than this spdesk understands."""

    status = 503
    default_code = "ledger_outdated"
    default_message = "The team ledger's schema does not fit this version of spdesk."


class InvalidDsn(BadRequest):
    """A ledger address spdesk does not accept (not PostgreSQL, or with a password in it)."""

    default_code = "ledger_dsn_invalid"
    default_message = (
        "The ledger address must look like postgresql://USER@HOST:PORT/DATABASE, without a "
        "password (spdesk keeps the password in the keyring)."
    )
