"""Feed documents and their presigned URLs: the sandbox's stand-in for Amazon's S3 bucket.

Upload and download URLs live under `/_docs/` (exempt from SP-API auth, like S3 URLs). They are
signed with an HMAC over method, document id, virtual issue time and (for uploads) the content
type, and expire after `presigned_url_ttl_seconds` of virtual time. Errors are S3-shaped XML.
"""

from __future__ import annotations

import gzip
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlencode

from aiohttp import web

from spdesk_sandbox.state import STATE, SandboxState

DOCS_PREFIX = "/_docs/"
_KEY = "documents.signing_key"
_COUNTER = "documents.counter"
_TIME_FORMAT = "%Y%m%dT%H%M%SZ"


@dataclass(slots=True)
class StoredDocument:
    """A feed document: an uploaded feed (input) or a processing report (result)."""

    document_id: str
    content_type: str
    created_at: datetime
    content: bytes | None = None
    compression: str | None = None  # "GZIP": `content` is gzip-compressed


def _signing_key(state: SandboxState) -> bytes:
    key = state.extra.get(_KEY)
    if not isinstance(key, bytes):
        key = state.extra[_KEY] = secrets.token_bytes(32)
    return key


def _next_document_id(state: SandboxState) -> str:
    number = int(state.extra.get(_COUNTER, 0)) + 1
    state.extra[_COUNTER] = number
    return f"amzn1.tortuga.4.na.{number:08d}-{state.seller_id.lower()}"


def new_document(
    state: SandboxState, content_type: str, content: bytes | None = None, *, gzip_it: bool = False
) -> StoredDocument:
    """Create and store a document; `gzip_it` stores the content compressed."""
    document = StoredDocument(_next_document_id(state), content_type, state.now())
    if content is not None:
        document.content = gzip.compress(content, mtime=0) if gzip_it else content
        document.compression = "GZIP" if gzip_it else None
    state.documents[document.document_id] = document
    state.touch()
    return document


def get_document(state: SandboxState, document_id: str) -> StoredDocument | None:
    """A stored document by id."""
    found = state.documents.get(document_id)
    return found if isinstance(found, StoredDocument) else None


def _normalize_type(content_type: str) -> str:
    return "".join(content_type.lower().split())


def _signature(state: SandboxState, method: str, document_id: str, issued: str, extra: str) -> str:
    message = "\n".join([method, document_id, issued, extra]).encode()
    return hmac.new(_signing_key(state), message, hashlib.sha256).hexdigest()


def presigned_url(
    state: SandboxState,
    base_url: str,
    document: StoredDocument,
    method: str,
    content_encoding: str | None = None,
) -> str:
    """A URL that allows `method` (PUT upload or GET download) on the document for a while."""
    issued = state.now().strftime(_TIME_FORMAT)
    extra = _normalize_type(document.content_type) if method == "PUT" else (content_encoding or "")
    params = {
        "X-Amz-Algorithm": "AWS4-HMAC-SHA256",
        "X-Amz-Date": issued,
        "X-Amz-Expires": str(int(state.settings.presigned_url_ttl_seconds)),
        "X-Amz-SignedHeaders": "content-type;host" if method == "PUT" else "host",
    }
    if content_encoding:
        params["response-content-encoding"] = content_encoding
    params["X-Amz-Signature"] = _signature(state, method, document.document_id, issued, extra)
    return f"{base_url}{DOCS_PREFIX}{document.document_id}?{urlencode(params)}"


def _s3_error(status: int, code: str, message: str) -> web.Response:
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f"<Error><Code>{code}</Code><Message>{message}</Message></Error>"
    )
    return web.Response(status=status, text=body, content_type="application/xml")


def _check_signature(
    request: web.Request, state: SandboxState, document_id: str, extra: str
) -> web.Response | None:
    query = request.query
    issued = query.get("X-Amz-Date", "")
    expected = _signature(state, request.method, document_id, issued, extra)
    if not hmac.compare_digest(expected, query.get("X-Amz-Signature", "")):
        return _s3_error(
            403,
            "SignatureDoesNotMatch",
            "The request signature we calculated does not match the signature you provided.",
        )
    try:
        expires = datetime.strptime(issued, _TIME_FORMAT).replace(tzinfo=state.now().tzinfo)
        expires += timedelta(seconds=int(query.get("X-Amz-Expires", "0")))
    except ValueError:
        return _s3_error(403, "AccessDenied", "The presigned URL is malformed.")
    if state.now() > expires:
        return _s3_error(403, "AccessDenied", "Request has expired")
    return None


async def upload(request: web.Request) -> web.StreamResponse:
    """PUT to a presigned upload URL: store the feed bytes if signature, expiry and type match."""
    state = request.app[STATE]
    document = get_document(state, request.match_info["document_id"])
    if document is None:
        return _s3_error(404, "NoSuchKey", "The specified key does not exist.")
    content_type = _normalize_type(request.headers.get("Content-Type", ""))
    refused = _check_signature(request, state, document.document_id, content_type)
    if refused is not None:
        return refused
    document.content = await request.read()
    state.touch()
    etag = hashlib.md5(document.content, usedforsecurity=False).hexdigest()
    return web.Response(status=200, headers={"ETag": f'"{etag}"'})


async def download(request: web.Request) -> web.StreamResponse:
    """GET a presigned download URL: the document bytes (gzip as stored when compressed)."""
    state = request.app[STATE]
    document = get_document(state, request.match_info["document_id"])
    if document is None or document.content is None:
        return _s3_error(404, "NoSuchKey", "The specified key does not exist.")
    encoding = request.query.get("response-content-encoding", "")
    refused = _check_signature(request, state, document.document_id, encoding)
    if refused is not None:
        return refused
    headers = {"Content-Type": document.content_type}
    if encoding and document.compression == "GZIP":
        headers["Content-Encoding"] = encoding
    return web.Response(body=document.content, headers=headers)


def base_url(request: web.Request) -> str:
    """The sandbox's own address, from the socket (clients may send a wrong Host header)."""
    sockname = request.transport.get_extra_info("sockname") if request.transport else None
    if sockname:
        return f"http://{sockname[0]}:{sockname[1]}"
    return f"{request.scheme}://{request.host}"


def setup(app: web.Application) -> None:
    """Register the presigned-URL routes (upload and download)."""
    app.router.add_put(DOCS_PREFIX + "{document_id}", upload, name="documents.upload")
    app.router.add_get(DOCS_PREFIX + "{document_id}", download, name="documents.download")
