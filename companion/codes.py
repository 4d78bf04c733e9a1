"""Every code spdesk sends with a sentence, and the params that sentence is made from.

The companion writes its sentences in English; each travels with a stable ``code`` and its
``params`` (strings and numbers), so the extension can say the same in the agent's language and
fall back to the English text for a code it does not know. Where one code covers several
sentences, ``params.case`` says which (its values are listed here). docs/protocol.md documents
every code and param, ``GET /v1/openapi.json`` lists them (``x-params``); tests keep the three in
step with the code that raises them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, get_args


@dataclass(frozen=True, slots=True)
class Code:
    """One code: the params its sentence may carry, the values of ``case``, where it is said."""

    params: tuple[str, ...] = ()
    cases: tuple[str, ...] = ()
    cli: bool = False  # only the command line says it; never an HTTP answer


def _cases(*cases: str, params: tuple[str, ...] = ()) -> Code:
    return Code(("case", *params), cases)


def _cli(*params: str) -> Code:
    return Code(params, cli=True)


# The "error" of an HTTP answer (and of the command line).
ERRORS: dict[str, Code] = {
    "internal_error": Code(),
    "invalid_request": _cases(
        "not_json",
        "not_utf8",
        "too_deep",
        "bad_json",
        "duplicate_key",
        "not_object",
        "invalid_field",
        "full_with_items",
        "partial_without_items",
        "duplicate_item",
        params=("field", "problem", "more", "orderItemCode"),
    ),
    "invalid_order_id": Code(),
    "invalid_amount": Code(("field", "text")),
    "idempotency_key_missing": Code(),
    "idempotency_key_invalid": _cases("format", "repeated"),
    "http_error": Code(("httpStatus",)),
    "unauthorized": Code(),
    "token_revoked": Code(),
    "forbidden": Code(),
    "host_not_allowed": Code(),
    "origin_not_allowed": _cases("not_extension"),
    "pairing_code_invalid": _cases("wrong", "none_waiting", params=("address",)),
    "not_found": _cases("no_route", "amazon", params=("amazonText",)),
    "order_not_found": Code(("orderId", "account")),
    "account_not_found": Code(("account",)),
    "action_not_found": Code(),
    "method_not_allowed": Code(),
    "conflict": Code(),
    "no_account": Code(),
    "cancel_in_progress": _cases("refund", "cancel", params=("confirmation",)),
    "idempotency_key_reused": Code(),
    "overlap_needs_confirmation": _cases(
        "pending", "applied", params=("total", "currency", "confirmation")
    ),
    "refund_total_changed": Code(("expected", "actual", "currency")),
    "payload_too_large": Code(("limitKib",)),
    "action_refused": Code(),
    "refund_not_available": Code(("reason", "status")),
    "cancel_not_available": _cases("not_taken_in", "view", params=("reason", "status")),
    "cancel_not_available_fba": Code(),
    "mcf_cancel_too_late": Code(("status",)),
    "mcf_partial_cancel_not_supported": Code(),
    "already_cancelled": _cases(
        "order", "fulfillment_order", "every_item", "item", params=("orderItemCode",)
    ),
    "cancel_after_shipment": Code(),
    "cancel_reason_required": Code(),
    "duplicate_order_item": Code(),
    "unknown_order_item": Code(("orderItemCode",)),
    "partial_quantity_cancel_not_supported": Code(("orderItemCode", "units")),
    "refund_not_positive": _cases(
        "nothing_left",
        "no_money_back",
        "fee_too_high",
        "too_small",
        "full_too_small",
        params=("orderItemCode",),
    ),
    "refund_exceeds_paid": _cases(
        "item", "order", params=("orderItemCode", "refundable", "asked", "currency")
    ),
    "full_refund_not_available": _cases(
        "item",
        "order",
        "no_total",
        params=("reason", "orderItemCode", "reported", "atMost", "currency"),
    ),
    "tax_included": Code(("component", "taxLabel")),
    "tax_only_refund": Code(("orderItemCode",)),
    "amount_precision": Code(("currency", "decimals", "text")),
    "currency_mismatch": Code(("currency", "asked")),
    "quantity_exceeds_ordered": Code(("orderItemCode", "ordered", "asked")),
    "refund_exceeds_refundable": Code(("component", "refundable", "asked", "currency")),
    "restocking_fee_not_allowed": Code(),
    "restocking_fee_exceeds_principal": Code(("orderItemCode", "fee", "currency")),
    "pairing_locked": Code(),
    "amazon_error": Code(),
    "amazon_unavailable": Code(),
    "amazon_throttled": Code(),
    "amazon_timeout": Code(),
    "amazon_access_denied": Code(),
    "amazon_credentials_rejected": Code(),
    "amazon_rejected": Code(("amazonText",)),
    "amazon_outcome_unknown": Code(),
    "amazon_bad_response": Code(),
    "keyring_unavailable": Code(),
    "journal_behind": _cases("behind", "replaced", params=("path", "found", "expected")),
    "credentials_missing": _cases("missing", "damaged", params=("account",)),
    "accounts_file_invalid": Code(("path",)),
    "agent_required": Code(),
    "order_busy": Code(),
    "ledger_unavailable": Code(),
    "team_mode_only": Code(),
    "not_approver": Code(("agent",)),
    "self_approval": Code(),
    "approval_not_found": Code(),
    "approval_expired": Code(),
    "approval_not_pending": Code(("decision",)),
    # Said by the command line only.
    "settings_invalid": Code(
        ("case", "path", "problem"), ("unreadable", "invalid", "host"), cli=True
    ),
    "port_busy": _cli("port", "last"),
    "storage_unusable": Code(
        ("case", "path", "problem"),
        (
            "disk_full",
            "read_only",
            "no_access",
            "journal_damaged",
            "pairings_damaged",
            "unreadable",
        ),
        cli=True,
    ),
    "already_running": _cli("port"),
    "account_exists": _cli("account"),
    "terminal_required": _cli(),
    "missing_secret": _cli("what"),
    "invalid_account": _cli("problem"),
    "pairing_not_found": _cli("pairingId"),
    "confirmation_required": _cli(),
    "stop_companion_first": _cli("port"),
    "loss_by_required": _cli(),
    "no_journal": _cli("path"),
    "invalid_date": _cli("text"),
    "resolution_by_required": _cli(),
    "resolution_note_too_long": _cli(),
    "action_not_unknown": _cli("actionId", "state"),
    "demo_check_failed": Code(("case", "status"), ("pairing", "lookup", "helpdesk"), cli=True),
    "ledger_dsn_invalid": _cli(),
    "ledger_not_initialised": _cli(),
    "ledger_outdated": _cli("version", "newest"),
    "ledger_too_new": _cli("version", "newest"),
    "not_in_team": _cli(),
    "agent_invalid": _cli(),
    "limit_invalid": _cli("currency"),
    "currency_invalid": _cli("text"),
    "member_not_found": _cli("agent"),
    "role_invalid": _cli(),
}

# Why the order view does not offer a refund or a cancellation (actions.refund / actions.cancel).
ReasonCode = Literal[
    "fba_order",
    "mcf_order",
    "cod_order",
    "amounts_mismatch",
    "full_too_small",
    "order_cancelled",
    "not_charged_yet",
    "nothing_refundable",
    "order_shipped",
    "order_partly_shipped",
    "payment_pending",
    "status_not_cancellable",
    "mcf_processing",
    "mcf_cancelled",
    "mcf_shipped",
    "mcf_status_not_cancellable",
]
REASONS: dict[str, Code] = {code: Code() for code in get_args(ReasonCode)} | {
    "status_not_cancellable": Code(("status",)),
    "mcf_status_not_cancellable": Code(("status",)),
    "amounts_mismatch": _cases(
        "item", "order", "no_total", params=("orderItemCode", "reported", "atMost", "currency")
    ),
    "full_too_small": Code(("orderItemCode",)),
}

# What became of an action at Amazon, or why spdesk cannot tell (the action's "amazon" block).
OutcomeCode = Literal[
    "amazon_result",
    "feed_fatal",
    "feed_cancelled",
    "feed_rejected",
    "report_contradicts",
    "report_missing",
    "report_unavailable",
    "report_unreadable",
    "not_in_report",
    "feed_not_finished",
    "feed_not_prepared",
    "feed_not_taken",
    "feed_refused",
    "shipped_meanwhile",
    "create_feed_undecided",
    "mcf_cancelled",
    "mcf_unknown",
    "mcf_too_late",
    "mcf_not_cancelled",
    "journal_lost",
    "feed_gone",
    "approval_rejected",
    "approval_expired",
]
OUTCOMES: dict[str, Code] = {
    "amazon_result": Code(("resultCode", "messageCode", "description")),
    "feed_fatal": Code(),
    "feed_cancelled": Code(),
    "feed_rejected": Code(("description",)),
    "report_contradicts": Code(("description", "successful")),
    "report_missing": Code(),
    "report_unavailable": Code(("feedId", "error")),
    "report_unreadable": Code(("problem",)),
    "not_in_report": Code(("processed",)),
    "feed_not_finished": Code(("feedId", "hours")),
    "feed_not_prepared": Code(("error", "errorCode")),
    "feed_not_taken": Code(("error", "errorCode")),
    "feed_refused": Code(("error", "errorCode")),
    "shipped_meanwhile": Code(),
    "create_feed_undecided": _cases("still_processing", "several_feeds", params=("feedIds",)),
    "mcf_cancelled": Code(("fulfillmentOrderId",)),
    "mcf_unknown": Code(("fulfillmentOrderId",)),
    "mcf_too_late": Code(("fulfillmentOrderId", "status")),
    "mcf_not_cancelled": Code(("fulfillmentOrderId", "error", "errorCode")),
    "journal_lost": Code(),
    "feed_gone": Code(("feedId", "since")),
    "approval_rejected": Code(("by", "note")),
    "approval_expired": Code(),
}

# Warnings an action carries (it went on regardless).
WarningCode = Literal["counts_against_cancel_rate", "feed_slow", "amazon_warning"]
WARNINGS: dict[str, Code] = {
    "counts_against_cancel_rate": Code(),
    "feed_slow": Code(("feedId",)),
    "amazon_warning": Code(("messageCode", "description")),
}

# History entries whose detail is a sentence.
HistoryCode = Literal["resolved"]
HISTORY: dict[str, Code] = {"resolved": _cases("applied", "not_applied", params=("by", "note"))}

# Why a refund waits for an approver (the action's approval block: "why", "whyCode", "whyParams").
ApprovalCode = Literal["over_limit"]
APPROVALS: dict[str, Code] = {
    "over_limit": _cases(
        "per_refund", "per_day", "no_limit", params=("agent", "limit", "currency", "spent")
    ),
}

# Everything the API's OpenAPI document and docs/protocol.md list, by where it appears.
CATALOGUES: dict[str, dict[str, Code]] = {
    "ErrorCode": ERRORS,
    "ReasonCode": REASONS,
    "OutcomeCode": OUTCOMES,
    "WarningCode": WARNINGS,
    "HistoryCode": HISTORY,
    "ApprovalCode": APPROVALS,
}


def openapi_schemas() -> dict[str, dict[str, object]]:
    """A string-enum schema per catalogue, with each code's params under ``x-params``."""
    schemas: dict[str, dict[str, object]] = {}
    for name, catalogue in CATALOGUES.items():
        schema: dict[str, object] = {
            "type": "string",
            "enum": sorted(catalogue),
            "x-params": {code: list(c.params) for code, c in sorted(catalogue.items())},
            "x-cases": {code: list(c.cases) for code, c in sorted(catalogue.items()) if c.cases},
        }
        cli = sorted(code for code, c in catalogue.items() if c.cli)
        if cli:
            schema["x-command-line-only"] = cli
        schemas[name] = schema
    return schemas
