"""The ledger address: a PostgreSQL URI that never carries a password."""

from __future__ import annotations

import pytest

from companion.ledger.dsn import check_dsn, describe
from companion.ledger.errors import InvalidDsn


def test_a_password_free_uri_is_kept_as_given() -> None:
    dsn = "postgresql://spdesk@db.example.com:5432/team?sslmode=verify-full"
    assert check_dsn(f"  {dsn} ") == dsn
    assert describe(dsn) == "spdesk@db.example.com:5432/team"


@pytest.mark.parametrize(
    "dsn",
    [
        "postgresql://spdesk:secret@db.example.com/team",
        "postgresql://spdesk@db.example.com/team?password=secret",
        "postgresql://spdesk@db.example.com/team?sslpassword=secret",
        "host=db.example.com dbname=team",
        "mysql://spdesk@db.example.com/team",
        "postgresql://spdesk@db.example.com",
        "postgresql://spdesk@db.example.com/team?nonsense=1",
    ],
)
def test_secrets_other_schemes_and_bad_uris_are_refused(dsn: str) -> None:
    with pytest.raises(InvalidDsn) as refused:
        check_dsn(dsn)
    assert refused.value.code == "ledger_dsn_invalid"
    assert "secret" not in refused.value.message
