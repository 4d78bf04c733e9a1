"""What each string of a request may hold: checked in Python, stated in the JSON schema.

Each type checks what its OpenAPI pattern says, and refuses with a sentence for people rather
than the pattern; lengths are set on each field of the request models.
"""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator, BeforeValidator, Field
from pydantic_core import PydanticCustomError

from companion.marketplaces import MONEY_MAX_LENGTH, MONEY_PATTERN, is_money_text

# The error type a money field refuses with; the web layer answers it as `invalid_amount`.
INVALID_AMOUNT = "invalid_amount"


# Characters a name, an address or a note must not hold: they are printed by `spdesk action list`
# and the audit export, where control characters could clear the screen, fake a line or turn text
# around (C0 and C1 controls, line and paragraph separators, bidirectional overrides). A note may
# have new lines and tabs. Written as JSON Schema patterns too, so the OpenAPI document says it.
_CONTROLS = r"\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069"
PLAIN_TEXT_PATTERN = rf"^[^\u0009\u000a{_CONTROLS}]*$"
NOTE_TEXT_PATTERN = rf"^[^{_CONTROLS}]*$"
TICKET_URL_PATTERN = rf"^(https?://[^\u0009\u000a{_CONTROLS}]*)?$"
CURRENCY_PATTERN = r"^[A-Z]{3}$"


def _matching(pattern: str, problem: str) -> AfterValidator:
    """A check that the whole text matches ``pattern`` (also given to the JSON schema)."""
    compiled = re.compile(pattern)

    def check(text: str) -> str:
        if not compiled.fullmatch(text):
            raise ValueError(problem)
        return text

    return AfterValidator(check)


def _money(text: str) -> str:
    if not is_money_text(text):
        raise PydanticCustomError(
            INVALID_AMOUNT, "'{text}' is not an amount of money", {"text": text}
        )
    return text


PlainText = Annotated[
    str,
    _matching(PLAIN_TEXT_PATTERN, "cannot contain control characters"),
    Field(json_schema_extra={"pattern": PLAIN_TEXT_PATTERN}),
]
NoteText = Annotated[
    str,
    _matching(NOTE_TEXT_PATTERN, "cannot contain control characters other than new lines and tabs"),
    Field(json_schema_extra={"pattern": NOTE_TEXT_PATTERN}),
]
TicketUrl = Annotated[
    str,
    _matching(TICKET_URL_PATTERN, "must be an http(s) address without control characters"),
    Field(json_schema_extra={"pattern": TICKET_URL_PATTERN}),
]
CurrencyCode = Annotated[
    str,
    _matching(CURRENCY_PATTERN, "must be a currency code of three capital letters, like USD"),
    Field(json_schema_extra={"pattern": CURRENCY_PATTERN}),
]


def _whole_number(value: object) -> object:
    # JSON writes 1, 1.0 and 1e0 for the same number, and JSON Schema calls each an integer;
    # a fraction, a string or a boolean stays what it is and is refused by the strict int.
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


# Lets an int field take a JSON number without a fraction (strict otherwise: "1" and true are
# not numbers).
WHOLE_NUMBER = BeforeValidator(_whole_number)
# Money arrives as a string so no float ever touches it: plain ASCII digits with at most the
# decimals any marketplace has (MONEY_PATTERN); the rules module checks the order's own decimals
# and parses it to Decimal.
MoneyText = Annotated[
    str,
    AfterValidator(_money),
    Field(json_schema_extra={"pattern": f"^{MONEY_PATTERN}$", "maxLength": MONEY_MAX_LENGTH}),
]
