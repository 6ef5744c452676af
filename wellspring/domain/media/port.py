"""The ports the media use cases talk through: an object store and an image checker.

Keys are logical (``jobs/<job id>/<attachment id>``); an adapter may add its own prefix.
Both ports are synchronous (boto3, the file system, Pillow): the use cases run them in a
worker thread.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Protocol


@dataclass(frozen=True)
class UploadForm:
    """Where and how the phone uploads: a POST of ``fields`` plus the file (field ``file``),
    the shape of an S3 presigned POST whichever store is behind it."""

    url: str
    fields: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class StoredObject:
    size: int
    content_type: str
    modified_at: dt.datetime | None = None


class MediaStore(Protocol):
    def presign_upload(
        self, key: str, *, content_type: str, max_bytes: int, expires_at: dt.datetime
    ) -> UploadForm:
        """A form that lets one file of ``content_type``, 1..max_bytes, be posted to ``key``
        until ``expires_at``."""
        ...

    def stat(self, key: str) -> StoredObject | None: ...

    def read(self, key: str, *, max_bytes: int) -> bytes:
        """The object's bytes (at most ``max_bytes``: a bigger object is cut short)."""
        ...

    def write(self, key: str, data: bytes, *, content_type: str) -> None: ...

    def copy(self, source: str, target: str) -> None:
        """Copy the object at ``source`` to ``target`` within the store (on S3 the server
        copies it: the bytes do not pass through us)."""
        ...

    def delete(self, key: str) -> None:
        """Remove the object; a missing one is not an error."""
        ...

    def signed_url(self, key: str, *, expires_at: dt.datetime) -> str:
        """A URL that serves the object until ``expires_at``, to anyone holding it."""
        ...


@dataclass(frozen=True)
class Derivatives:
    """What a customer or agent may see of a photo: re-encoded pixels, upright, no metadata."""

    display: bytes
    display_type: str
    thumbnail: bytes  # JPEG
    width: int
    height: int


class ImageRejected(Exception):
    """The bytes are not an acceptable image; ``code`` says why (an i18n code)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


class ImageChecker(Protocol):
    def derive(self, data: bytes, *, content_type: str) -> Derivatives:
        """Check the magic bytes against ``content_type``, decode, re-encode upright without
        EXIF/XMP/GPS and make a thumbnail; ``ImageRejected`` when anything fails."""
        ...
