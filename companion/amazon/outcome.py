"""Pure judgement of one SP-API exchange: success, retry (and how long to wait), or a domain error.

python-amazon-sp-api raises only when a JSON body carries "errors": an HTML 500 comes back as an
empty success. So the gateway judges the raw HTTP responses it observed, never the library's result.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from enum import Enum
from typing import Any

import httpx

from companion.amazon.ratelimit import parse_rate
from companion.errors import (
    AmazonError,
    AmazonThrottled,
    AmazonTimeout,
    AmazonUnavailable,
    NotFound,
    SpdeskError,
)

RATE_HEADER = "x-amzn-RateLimit-Limit"


class AmazonAccessDenied(AmazonError):
    """Amazon refused the access token or the app lacks the role for the operation."""

    default_code = "amazon_access_denied"
    default_message = (
        "Amazon refused access for this seller account. Check in Seller Central that the spdesk "
        "app is still authorised, then add the account again with 'spdesk account add'."
    )


class AmazonCredentialsRejected(AmazonError):
    """Login with Amazon refused the account's client id, secret or refresh token."""

    default_code = "amazon_credentials_rejected"
    default_message = (
        "Amazon did not accept this seller account's credentials. Authorise the app again and "
        "update the account with 'spdesk account add'."
    )


class AmazonRejected(AmazonError):
    """Amazon refused the request itself (4xx with an error body)."""

    default_code = "amazon_rejected"
    default_message = "Amazon refused the request."


class AmazonOutcomeUnknown(AmazonError):
    """A non-repeatable call (createFeed) failed after it may have reached Amazon."""

    default_code = "amazon_outcome_unknown"
    default_message = (
        "Amazon did not confirm the request, and it may or may not have been applied. "
        "spdesk will not resend it on its own."
    )


class Action(Enum):
    """What the gateway does next with one call."""

    OK = "ok"
    RETRY = "retry"
    FAIL = "fail"


@dataclass(frozen=True, slots=True)
class Verdict:
    """The judgement of one attempt."""

    action: Action
    error: SpdeskError | None = None
    body: dict[str, Any] | None = None
    wait_hint: float | None = None
    evict_token: bool = False
    sent: bool = True  # False when the request surely never reached Amazon


def decode_json(content: bytes) -> Any:
    """A JSON body with exact Decimals for numbers, or None when it is not JSON."""
    if not content.strip():
        return None
    try:
        return json.loads(content, parse_float=Decimal)
    except (ValueError, UnicodeDecodeError):
        return None


def amazon_errors(body: Any) -> list[Mapping[str, Any]]:
    """The `errors` list of an SP-API error body (empty when there is none)."""
    if isinstance(body, Mapping) and isinstance(body.get("errors"), list):
        return [e for e in body["errors"] if isinstance(e, Mapping)]
    return []


def _first_error(body: Any) -> tuple[str, str]:
    errors = amazon_errors(body)
    if not errors:
        return "", ""
    first = errors[0]
    text = " ".join(str(first.get(k) or "") for k in ("message", "details")).strip()
    return str(first.get("code") or ""), text[:300]


def wait_hint(headers: httpx.Headers) -> float | None:
    """Seconds to wait before a retry, from Retry-After or the applied rate."""
    retry_after = headers.get("retry-after")
    if retry_after:
        try:
            return max(float(retry_after), 0.0)
        except ValueError:
            pass
    rate = parse_rate(headers.get(RATE_HEADER))
    return 1.0 / rate if rate else None


def judge_sp_api(response: httpx.Response, operation: str) -> Verdict:
    """Judge a response of an SP-API endpoint."""
    status = response.status_code
    body = decode_json(response.content)
    details: dict[str, Any] = {"operation": operation, "httpStatus": status}
    if 200 <= status < 300:
        # The library turns an HTML or empty 2xx into an empty success; for us it is a failure.
        if (body is None and response.content.strip()) or (
            body is not None and not isinstance(body, dict)
        ):
            return Verdict(Action.RETRY, AmazonUnavailable(details=details))
        return Verdict(Action.OK, body=body or {})
    code, text = _first_error(body)
    if code:
        details["amazonCode"] = code
    return _judge_error(status, text, details, response.headers)


def _judge_error(
    status: int, text: str, details: dict[str, Any], headers: httpx.Headers
) -> Verdict:
    """An SP-API error status: retry a 429 or 5xx (how soon); every other 4xx is final.

    Amazon refused a 4xx request as it was: sending it again changes nothing and, for createFeed,
    spends a scarce token (docs/amazon.md). Only 429 asks to come back later.
    """
    if status == 429:
        return Verdict(Action.RETRY, AmazonThrottled(details=details), wait_hint=wait_hint(headers))
    if status == 504:
        return Verdict(Action.RETRY, AmazonTimeout(details=details), wait_hint=wait_hint(headers))
    if status >= 500:
        return Verdict(
            Action.RETRY, AmazonUnavailable(details=details), wait_hint=wait_hint(headers)
        )
    if status == 408:
        return Verdict(Action.FAIL, AmazonTimeout(details=details))
    if status in (401, 403):
        # An expired or revoked access token: the library's cached token is evicted, so the
        # next call fetches a fresh one; this request is not sent again.
        return Verdict(Action.FAIL, AmazonAccessDenied(details=details), evict_token=True)
    said = {"amazonText": text} if text else {}
    if status == 404:
        not_found = NotFound(text or None, params={"case": "amazon", **said}, details=details)
        return Verdict(Action.FAIL, not_found)
    message = f"Amazon refused the request: {text}" if text else None
    return Verdict(Action.FAIL, AmazonRejected(message, params=said, details=details))


def is_refusal(error: SpdeskError) -> bool:
    """True when Amazon answered with a 4xx other than 429: the request must not be sent again."""
    status = (error.details or {}).get("httpStatus")
    return isinstance(status, int) and 400 <= status < 500 and status != 429


def judge_lwa(response: httpx.Response) -> Verdict:
    """Judge a response of the Login with Amazon token endpoint."""
    status = response.status_code
    details: dict[str, Any] = {"operation": "lwaToken", "httpStatus": status}
    if status == 429:
        return Verdict(
            Action.RETRY, AmazonThrottled(details=details), wait_hint=wait_hint(response.headers)
        )
    if status >= 500 or (status == 200 and not isinstance(decode_json(response.content), dict)):
        return Verdict(Action.RETRY, AmazonUnavailable(details=details))
    if status == 200:
        return Verdict(Action.OK, body={})
    body = decode_json(response.content)
    if isinstance(body, Mapping) and body.get("error"):
        details["amazonCode"] = str(body["error"])[:60]
    return Verdict(Action.FAIL, AmazonCredentialsRejected(details=details))


def judge_storage(response: httpx.Response, operation: str) -> Verdict:
    """Judge an upload to or download from a presigned document URL."""
    status = response.status_code
    if 200 <= status < 300:
        return Verdict(Action.OK, body={})
    details = {"operation": operation, "httpStatus": status}
    # Storage throttles with 503; a 4xx (an expired or refused URL) is final for this call.
    action = Action.RETRY if status >= 500 or status == 429 else Action.FAIL
    return Verdict(action, AmazonUnavailable(details=details))


def judge_transport_error(exc: httpx.TransportError, operation: str) -> Verdict:
    """A request that got no HTTP answer: timeouts and connection failures."""
    details = {"operation": operation}
    # A refused or failed connection, or no free pool slot, means nothing reached Amazon.
    sent = not isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout | httpx.PoolTimeout)
    if isinstance(exc, httpx.TimeoutException):
        return Verdict(Action.RETRY, AmazonTimeout(details=details), sent=sent)
    return Verdict(Action.RETRY, AmazonUnavailable(details=details), sent=sent)
