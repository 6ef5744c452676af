"""The app's doors for the local store: POST /media/upload (the presigned form) and
GET /media/file (a signed URL). Anything malformed is a 4xx, never a 5xx."""

from __future__ import annotations

import datetime as dt
import re

from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response

from wellspring.digits import is_digits

from .local import LocalStore, Refused

BOUNDARY = re.compile(r'boundary="?([^";]{1,200})"?', re.IGNORECASE)
NAME = re.compile(rb'\bname="([^"]{1,200})"', re.IGNORECASE)
MAX_FIELDS = 20


def _refuse(status: int, code: str) -> Response:
    return JSONResponse({"error": code}, status_code=status)


def parse_form(content_type: str, body: bytes) -> tuple[dict[str, str], bytes | None]:
    """The text fields and the file of a multipart/form-data body (ValueError if malformed).

    A small parser of our own: the app does not depend on python-multipart, and the form
    has a fixed, tiny shape.
    """
    if not content_type.lower().startswith("multipart/form-data"):
        raise ValueError("not multipart")
    found = BOUNDARY.search(content_type)
    if found is None:
        raise ValueError("no boundary")
    delimiter = b"--" + found.group(1).encode("latin-1")
    parts = body.split(delimiter)
    if len(parts) < 3 or len(parts) > MAX_FIELDS + 2 or not parts[-1].startswith(b"--"):
        raise ValueError("bad parts")
    fields: dict[str, str] = {}
    file: bytes | None = None
    for part in parts[1:-1]:
        if not part.startswith(b"\r\n") or not part.endswith(b"\r\n"):
            raise ValueError("bad part")
        head, sep, content = part[2:-2].partition(b"\r\n\r\n")
        named = NAME.search(head)
        if not sep or named is None:
            raise ValueError("bad part headers")
        name = named.group(1).decode("utf-8", "replace")
        if name == "file":
            file = content
        elif name in fields:
            raise ValueError("repeated field")
        else:
            fields[name] = content.decode("utf-8")  # UnicodeDecodeError is a ValueError
    return fields, file


class LocalMediaEndpoints:
    def __init__(self, store: LocalStore, max_upload_bytes: int) -> None:
        self.store = store
        self.max_body = max_upload_bytes + 64 * 1024  # the form's fields besides the file

    async def upload(self, request: Request) -> Response:
        declared = request.headers.get("content-length", "")
        if is_digits(declared) and int(declared) > self.max_body:
            return _refuse(413, "ENTITY_TOO_LARGE")
        chunks: list[bytes] = []
        size = 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > self.max_body:
                return _refuse(413, "ENTITY_TOO_LARGE")
            chunks.append(chunk)
        try:
            fields, file = parse_form(request.headers.get("content-type", ""), b"".join(chunks))
        except ValueError:
            return _refuse(400, "MALFORMED_POST_REQUEST")
        if file is None or "key" not in fields or "Content-Type" not in fields:
            return _refuse(400, "MALFORMED_POST_REQUEST")
        try:
            self.store.accept(fields, file, now=dt.datetime.now(dt.UTC))
        except Refused as refused:
            return _refuse(403, refused.code)
        return Response(status_code=204)

    async def file(self, request: Request) -> Response:
        q = request.query_params
        path = self.store.open_signed(
            q.get("key", ""), q.get("expires", ""), q.get("signature", ""),
            now=dt.datetime.now(dt.UTC),
        )  # fmt: skip
        if path is None:
            return _refuse(403, "ACCESS_DENIED")
        return FileResponse(
            path,
            media_type=self.store.content_type(path),
            headers={"Cache-Control": "private, max-age=300", "X-Content-Type-Options": "nosniff"},
        )
