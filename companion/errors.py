"""Domain errors of the companion; one middleware turns them into JSON with a stable code.

Every refusal the companion gives has a stable machine ``code``, a ``message`` written for a
support agent (in English), and the ``params`` that message is made from, so that the extension
can say the same in the agent's language (every code and its params: ``companion.codes``).
Handlers raise these; ``companion.http.errors`` maps them to HTTP responses of the form
``{"error": {"code": ..., "message": ..., "params": {...}, "details": {...}}}``. Nothing else
crosses the HTTP boundary: unexpected exceptions become ``internal_error`` without a traceback.

Tree (every subclass, wherever it lives; the module is named where it is not this one)::

    SpdeskError                      (500 internal_error)
    ├── BadRequest                   (400 invalid_request, and more specific codes)
    │   ├── InvalidOrderId           (400 invalid_order_id)
    │   └── InvalidDsn               (400 ledger_dsn_invalid)         companion.ledger.errors
    ├── Unauthorized                 (401 unauthorized)
    │   └── TokenRevoked             (401 token_revoked)              companion.http.auth
    ├── Forbidden                    (403 forbidden)
    │   ├── HostNotAllowed           (421 host_not_allowed)           companion.http.host
    │   ├── OriginNotAllowed         (403 origin_not_allowed)         companion.http.origin
    │   └── PairingCodeInvalid       (403 pairing_code_invalid)       companion.pairing
    ├── NotFound                     (404 not_found)
    │   └── OrderNotFound            (404 order_not_found)
    ├── MethodNotAllowed             (405 method_not_allowed)         companion.http.cors
    ├── Conflict                     (409 conflict)
    │   └── NoAccount                (409 no_account)
    ├── PayloadTooLarge              (413 payload_too_large)
    ├── Unprocessable                (422 action_refused, and each business rule's own code)
    │   └── UnknownOrderItem         (422 unknown_order_item)
    ├── PairingLocked                (429 pairing_locked)             companion.pairing
    ├── HttpRefusal                  (400 http_error, aiohttp's status) companion.http.errors
    ├── AmazonError                  (502 amazon_error)
    │   ├── AmazonUnavailable        (502 amazon_unavailable)
    │   ├── AmazonThrottled          (503 amazon_throttled)
    │   ├── AmazonTimeout            (504 amazon_timeout)
    │   ├── AmazonAccessDenied       (502 amazon_access_denied)       companion.amazon.outcome
    │   ├── AmazonCredentialsRejected (502 amazon_credentials_rejected) companion.amazon.outcome
    │   ├── AmazonRejected           (502 amazon_rejected)            companion.amazon.outcome
    │   ├── AmazonOutcomeUnknown     (502 amazon_outcome_unknown)     companion.amazon.outcome
    │   └── AmazonBadResponse        (502 amazon_bad_response)        companion.amazon.parse
    ├── KeyringUnavailable           (503 keyring_unavailable)
    ├── JournalBehind                (503 journal_behind)             companion.actions.integrity
    ├── SettingsInvalid              (500 settings_invalid, exit 78)  companion.config
    ├── StorageUnusable              (500 storage_unusable, exit 78)  companion.storage
    ├── LedgerUnavailable            (503 ledger_unavailable)         companion.ledger.errors
    └── LedgerSchemaError            (503 ledger_outdated)            companion.ledger.errors
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

# A value a sentence is made from: a name, an amount as text, a count.
Param = str | int
# The exit status of a refusal only a person can fix (sysexits.h): supervisors do not restart it.
EX_CONFIG = 78


class SpdeskError(Exception):
    """Base of every error that the companion reports to its user."""

    status: ClassVar[int] = 500
    # What the command line exits with when this error ends it.
    exit_status: ClassVar[int] = 1
    default_code: ClassVar[str] = "internal_error"
    default_message: ClassVar[str] = (
        "Something went wrong inside spdesk. Nothing was sent to Amazon."
    )

    def __init__(
        self,
        message: str | None = None,
        *,
        code: str | None = None,
        params: Mapping[str, Param] | None = None,
        details: dict[str, Any] | None = None,
    ) -> None:
        self.message = message or self.default_message
        self.code = code or self.default_code
        self.params = dict(params or {})
        self.details = details or {}
        super().__init__(self.message)

    def to_json(self) -> dict[str, Any]:
        """The error body sent to clients."""
        body: dict[str, Any] = {"code": self.code, "message": self.message, "params": self.params}
        if self.details:
            body["details"] = self.details
        return {"error": body}


class BadRequest(SpdeskError):
    status = 400
    default_code = "invalid_request"
    default_message = "The request is not valid."


class InvalidOrderId(BadRequest):
    default_code = "invalid_order_id"
    default_message = (
        "That is not an Amazon order id. Amazon order ids look like 123-1234567-1234567."
    )


class Unauthorized(SpdeskError):
    status = 401
    default_code = "unauthorized"
    default_message = (
        "This browser is not paired with spdesk. Pair it with the code from 'spdesk pair'."
    )


class Forbidden(SpdeskError):
    status = 403
    default_code = "forbidden"
    default_message = "This request is not allowed."


class NotFound(SpdeskError):
    status = 404
    default_code = "not_found"
    default_message = "Not found."


class OrderNotFound(NotFound):
    default_code = "order_not_found"
    default_message = "Amazon does not know this order for the connected seller account."


class Conflict(SpdeskError):
    status = 409
    default_code = "conflict"
    default_message = "The request conflicts with the current state."


class NoAccount(Conflict):
    default_code = "no_account"
    default_message = "No seller account is set up yet. Run 'spdesk account add' on this computer."


class PayloadTooLarge(SpdeskError):
    status = 413
    default_code = "payload_too_large"
    default_message = "The request is too large."


class Unprocessable(SpdeskError):
    status = 422
    default_code = "action_refused"
    default_message = "This action cannot be done for this order."


class UnknownOrderItem(Unprocessable):
    """An item the request names is not a line of the order (refunds and cancellations alike)."""

    default_code = "unknown_order_item"
    default_message = "This order has no such item."

    def __init__(self, order_item_code: str) -> None:
        super().__init__(
            f"This order has no item {order_item_code}.",
            params={"orderItemCode": order_item_code},
            details={"orderItemCode": order_item_code},
        )


class AmazonError(SpdeskError):
    status = 502
    default_code = "amazon_error"
    default_message = "Amazon answered with an error."


class AmazonUnavailable(AmazonError):
    default_code = "amazon_unavailable"
    default_message = "Amazon is not answering right now. Try again in a minute."


class AmazonThrottled(AmazonError):
    status = 503
    default_code = "amazon_throttled"
    default_message = "Amazon is limiting how fast spdesk may ask. Try again in a minute."


class AmazonTimeout(AmazonError):
    status = 504
    default_code = "amazon_timeout"
    default_message = "Amazon took too long to answer. Try again in a minute."


class KeyringUnavailable(SpdeskError):
    status = 503
    default_code = "keyring_unavailable"
    default_message = (
        "No usable system keyring was found, so spdesk cannot read the seller's credentials. "
        "Unlock or install your desktop's keyring (GNOME Keyring, KWallet, macOS Keychain, "
        "Windows Credential Manager) and try again."
    )
