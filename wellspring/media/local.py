"""The local folder store (the default of ``make run``): files on disk, served by the app.

It speaks the S3 presigned-POST shape so the phone's upload code is the same for both
stores: a form of ``key``, ``Content-Type``, ``policy`` (base64 JSON with an expiration and
conditions) and a signature, plus the file. Unlike the S3 fakes, the app's own endpoint
(local_http.py) enforces every condition. Downloads are short-lived HMAC-signed URLs.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import hmac
import json
import os
import re
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from wellspring.digits import is_digits
from wellspring.domain.media.port import StoredObject, UploadForm

KEY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}(/[A-Za-z0-9][A-Za-z0-9._-]{0,63}){0,4}$")
SIGNATURE_FIELD = "x-wellspring-signature"
UPLOAD_PATH = "/media/upload"
FILE_PATH = "/media/file"


class Refused(Exception):
    """An upload the policy does not allow: ``code`` says which condition failed."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


class LocalStore:
    def __init__(self, root: Path, *, secret: str, public_url: str = "") -> None:
        self.root = root.resolve()
        self.public_url = public_url.rstrip("/")
        self._secret = hmac.new(secret.encode(), b"wellspring-media", hashlib.sha256).digest()

    def _sign(self, *parts: str) -> str:
        return hmac.new(self._secret, "\n".join(parts).encode(), hashlib.sha256).hexdigest()

    def _path(self, key: str) -> Path:
        if not KEY.match(key) or ".." in key:
            raise Refused("INVALID_KEY")
        return self.root / key

    # -- the port ------------------------------------------------------------------------
    def presign_upload(
        self, key: str, *, content_type: str, max_bytes: int, expires_at: dt.datetime
    ) -> UploadForm:
        policy = {
            "expiration": expires_at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "conditions": [
                {"key": key},
                {"Content-Type": content_type},
                ["content-length-range", 1, max_bytes],
            ],
        }
        encoded = _b64(json.dumps(policy, separators=(",", ":")).encode())
        fields = {
            "key": key,
            "Content-Type": content_type,
            "policy": encoded,
            SIGNATURE_FIELD: self._sign("upload", encoded),
        }
        return UploadForm(url=f"{self.public_url}{UPLOAD_PATH}", fields=fields)

    def stat(self, key: str) -> StoredObject | None:
        path = self._path(key)
        try:
            size = path.stat().st_size
            meta = json.loads(path.with_name(path.name + ".meta").read_text())
        except (OSError, ValueError):
            return None
        modified = dt.datetime.fromtimestamp(path.stat().st_mtime, dt.UTC)
        return StoredObject(size=size, content_type=str(meta.get("type", "")), modified_at=modified)

    def read(self, key: str, *, max_bytes: int) -> bytes:
        with self._path(key).open("rb") as f:
            return f.read(max_bytes)

    def write(self, key: str, data: bytes, *, content_type: str) -> None:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        for target, body in (
            (path.with_name(path.name + ".meta"), json.dumps({"type": content_type}).encode()),
            (path, data),
        ):
            partial = target.with_name(f".{target.name}.{uuid.uuid4().hex}")
            partial.write_bytes(body)
            os.replace(partial, target)  # a reader sees the old file or the new, never half

    def copy(self, source: str, target: str) -> None:
        path = self._path(source)
        meta = json.loads(path.with_name(path.name + ".meta").read_text())
        self.write(target, path.read_bytes(), content_type=str(meta.get("type", "")))

    def delete(self, key: str) -> None:
        path = self._path(key)
        for target in (path, path.with_name(path.name + ".meta")):
            target.unlink(missing_ok=True)

    def signed_url(self, key: str, *, expires_at: dt.datetime) -> str:
        expires = str(int(expires_at.timestamp()))
        query = urlencode(
            {"key": key, "expires": expires, "signature": self._sign("get", key, expires)}
        )
        return f"{self.public_url}{FILE_PATH}?{query}"

    # -- the app's endpoints -------------------------------------------------------------
    def accept(self, fields: dict[str, str], data: bytes, *, now: dt.datetime) -> str:
        """Store an uploaded file if the signed policy allows it; the key, else ``Refused``."""
        encoded = fields.get("policy", "")
        given = fields.get(SIGNATURE_FIELD, "")
        if not encoded or not hmac.compare_digest(
            given.encode(), self._sign("upload", encoded).encode()
        ):
            raise Refused("SIGNATURE_DOES_NOT_MATCH")
        try:
            policy: dict[str, Any] = json.loads(base64.b64decode(encoded, validate=True))
            expiration = dt.datetime.strptime(policy["expiration"], "%Y-%m-%dT%H:%M:%SZ")
            conditions = list(policy["conditions"])
        except (ValueError, KeyError, TypeError, binascii.Error):
            raise Refused("INVALID_POLICY") from None
        if now >= expiration.replace(tzinfo=dt.UTC):
            raise Refused("POLICY_EXPIRED")
        for condition in conditions:
            if isinstance(condition, dict):
                for name, wanted in condition.items():
                    if fields.get(name) != wanted:
                        raise Refused("POLICY_CONDITION_FAILED")
            elif condition[0] == "content-length-range" and not (
                condition[1] <= len(data) <= condition[2]
            ):
                raise Refused("ENTITY_SIZE_OUT_OF_RANGE")
        key = fields["key"]  # the policy's {"key": ...} condition held
        self.write(key, data, content_type=fields["Content-Type"])
        return key

    def open_signed(
        self, key: str, expires: str, signature: str, *, now: dt.datetime
    ) -> Path | None:
        """The file a signed URL names, while it is valid; None otherwise."""
        if not is_digits(expires) or len(expires) > 12 or int(expires) <= now.timestamp():
            return None
        if not hmac.compare_digest(signature.encode(), self._sign("get", key, expires).encode()):
            return None
        try:
            path = self._path(key)
        except Refused:
            return None
        return path if path.is_file() else None

    def content_type(self, path: Path) -> str:
        try:
            return str(json.loads(path.with_name(path.name + ".meta").read_text())["type"])
        except (OSError, ValueError, KeyError):
            return "application/octet-stream"
