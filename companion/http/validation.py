"""Strict request parsing: JSON bodies into pydantic models that refuse unknown fields."""

from __future__ import annotations

import json
from typing import Any, TypeVar

from aiohttp import web
from pydantic import BaseModel, ConfigDict, ValidationError
from pydantic.alias_generators import to_camel

from companion.errors import BadRequest
from companion.fields import INVALID_AMOUNT

M = TypeVar("M", bound=BaseModel)


class ApiModel(BaseModel):
    """Base of the API's bodies: camelCase on the wire, unknown fields refused."""

    model_config = ConfigDict(
        extra="forbid", alias_generator=to_camel, populate_by_name=True, str_strip_whitespace=True
    )


def _field(loc: tuple[int | str, ...]) -> str:
    return ".".join(str(part) for part in loc) or "body"


def describe(exc: ValidationError, what: str = "The request") -> tuple[str, list[dict[str, str]]]:
    """One readable sentence for the agent, plus every problem for the extension."""
    problems = []
    for err in exc.errors(include_url=False, include_input=False):
        name = _field(err["loc"])
        # Our own validators' messages are already sentences; pydantic prefixes them.
        msg = err["msg"].removeprefix("Value error, ")
        if err["type"] == "extra_forbidden":
            text = f"'{name}' is not a field spdesk knows."
        elif err["type"] == "missing":
            text = f"'{name}' is missing."
        elif not err["loc"]:
            text = f"{msg}."
        else:
            text = f"'{name}': {msg}."
        problems.append({"field": name, "problem": text})
    first = problems[0]["problem"] if problems else "it does not fit."
    more = len(problems) - 1
    suffix = f" ({more} more problem{'s' if more > 1 else ''})" if more > 0 else ""
    return f"{what} is not valid: {first}{suffix}", problems


def validate(model: type[M], data: Any) -> M:
    """Validate already-decoded JSON; BadRequest with a readable message when it does not fit.

    Strict: JSON types as written, so quantity "1", true or 1.0 is not the number 1.
    """
    if model.model_config.get("extra") != "forbid":
        # A programming error, not a user error: every request model must refuse unknown fields.
        raise TypeError(f"{model.__name__} must be declared with extra='forbid'")
    try:
        return model.model_validate(data, strict=True)
    except ValidationError as exc:
        _refuse_amount(exc)
        message, problems = describe(exc)
        first = problems[0] if problems else {"field": "body", "problem": message}
        raise BadRequest(
            message,
            params={
                "case": "invalid_field",
                "field": first["field"],
                "problem": first["problem"],
                "more": len(problems) - 1 if problems else 0,
            },
            details={"problems": problems},
        ) from None


def _refuse_amount(exc: ValidationError) -> None:
    """A money field that is not plain money is `invalid_amount`, with the field and the text."""
    first = exc.errors(include_url=False)[0]
    if first["type"] != INVALID_AMOUNT:
        return
    field, text = _field(first["loc"]), str(first["input"])
    raise BadRequest(
        f"{field}: '{text}' is not an amount of money. Write it like 12.50: digits, then a "
        "point and the decimals, nothing else.",
        code="invalid_amount",
        params={"field": field, "text": text},
        details={"field": field},
    )


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A JSON object whose every key is written once (json.loads would keep the last silently)."""
    found: dict[str, Any] = {}
    for key, value in pairs:
        if key in found:
            raise BadRequest(
                f"The request names '{key}' twice.", params={"case": "duplicate_key", "field": key}
            )
        found[key] = value
    return found


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _utf8_text(request: web.Request, raw: bytes) -> str:
    """The body as text: UTF-8 only, without a byte-order mark (RFC 8259 section 8.1)."""
    charset = (request.charset or "utf-8").lower()
    try:
        if charset not in ("utf-8", "utf8") or raw.startswith(b"\xef\xbb\xbf"):
            raise UnicodeError
        return raw.decode("utf-8")
    except UnicodeError:
        raise BadRequest(
            "The request body must be JSON in UTF-8, without a byte-order mark.",
            params={"case": "not_utf8"},
        ) from None


def decode_json(request: web.Request, raw: bytes) -> Any:
    """Exactly the JSON the body holds: no duplicate keys, NaN, lone surrogates or deep nests."""
    text = _utf8_text(request, raw)
    try:
        data = json.loads(text, object_pairs_hook=_no_duplicate_keys, parse_constant=_no_constant)
        # A lone surrogate ("\\ud800") decodes but is no character: it cannot be stored or shown.
        json.dumps(data, ensure_ascii=False).encode("utf-8")
    except RecursionError:
        # A few KiB of "[[[[…" would otherwise be an internal error.
        raise BadRequest(
            "The request body is nested too deeply.", params={"case": "too_deep"}
        ) from None
    except (UnicodeError, ValueError):
        raise BadRequest(
            "The request body is not valid JSON.", params={"case": "bad_json"}
        ) from None
    return data


async def parse_json(request: web.Request, model: type[M]) -> M:
    """Read the request's JSON body into ``model`` or raise BadRequest (``invalid_request``)."""
    if (
        request.content_type != "application/json"
        or len(request.headers.getall("Content-Type", [])) > 1
    ):
        raise BadRequest(
            "The request must be JSON (Content-Type: application/json).",
            params={"case": "not_json"},
        )
    data = decode_json(request, await request.read())
    if not isinstance(data, dict):
        raise BadRequest("The request body must be a JSON object.", params={"case": "not_object"})
    return validate(model, data)


def json_response(model: BaseModel, *, status: int = 200) -> web.Response:
    """A JSON response from a pydantic model, in its wire (camelCase) form."""
    return web.json_response(model.model_dump(mode="json", by_alias=True), status=status)
