"""Amazon-shaped errors: `{"errors": [{"code", "message", "details"}]}` with the right status."""

from __future__ import annotations

from aiohttp import web


class SpApiError(Exception):
    """An error the sandbox answers the way SP-API does; raised by handlers, rendered once."""

    def __init__(self, status: int, code: str, message: str, details: str = "") -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.details = details

    def response(self) -> web.Response:
        """The error as an HTTP response."""
        return error_response(self.status, self.code, self.message, self.details)


def error_response(status: int, code: str, message: str, details: str = "") -> web.Response:
    """An `ErrorList` body with one error."""
    error = {"code": code, "message": message, "details": details}
    return web.json_response({"errors": [error]}, status=status)


def invalid_input(message: str, details: str = "") -> SpApiError:
    """400 InvalidInput: a missing, malformed or unknown parameter."""
    return SpApiError(400, "InvalidInput", message, details)


def not_found(message: str, details: str = "") -> SpApiError:
    """404 NotFound: the resource does not exist (for this seller)."""
    return SpApiError(404, "NotFound", message, details)


def unauthorized(details: str) -> SpApiError:
    """403 Unauthorized with Amazon's fixed message."""
    return SpApiError(403, "Unauthorized", "Access to requested resource is denied.", details)
