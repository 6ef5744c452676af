"""S3, or any S3-compatible store, through boto3: presigned POST uploads, presigned GETs."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

from wellspring.domain.media.port import StoredObject, UploadForm

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client


def _seconds(expires_at: dt.datetime) -> int:
    return max(1, int((expires_at - dt.datetime.now(dt.UTC)).total_seconds()))


class S3Store:
    def __init__(
        self,
        *,
        bucket: str,
        region: str = "",
        endpoint_url: str = "",
        prefix: str = "",
        client: S3Client | None = None,
    ) -> None:
        self.bucket = bucket
        self.prefix = prefix
        self.client: S3Client = client or boto3.client(
            "s3",
            region_name=region or None,
            endpoint_url=endpoint_url or None,
            config=Config(signature_version="s3v4", retries={"max_attempts": 3}),
        )

    def _key(self, key: str) -> str:
        return f"{self.prefix}{key}"

    def presign_upload(
        self, key: str, *, content_type: str, max_bytes: int, expires_at: dt.datetime
    ) -> UploadForm:
        # boto3 adds the bucket and the exact key to the policy's conditions.
        post = self.client.generate_presigned_post(
            Bucket=self.bucket,
            Key=self._key(key),
            Fields={"Content-Type": content_type},
            Conditions=[{"Content-Type": content_type}, ["content-length-range", 1, max_bytes]],
            ExpiresIn=_seconds(expires_at),
        )
        return UploadForm(url=post["url"], fields=dict(post["fields"]))

    def stat(self, key: str) -> StoredObject | None:
        try:
            head = self.client.head_object(Bucket=self.bucket, Key=self._key(key))
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return None
            raise
        return StoredObject(
            size=int(head["ContentLength"]),
            content_type=str(head.get("ContentType", "")),
            modified_at=head.get("LastModified"),
        )

    def read(self, key: str, *, max_bytes: int) -> bytes:
        body: Any = self.client.get_object(
            Bucket=self.bucket, Key=self._key(key), Range=f"bytes=0-{max_bytes - 1}"
        )["Body"]
        data: bytes = body.read(max_bytes)
        return data

    def write(self, key: str, data: bytes, *, content_type: str) -> None:
        self.client.put_object(
            Bucket=self.bucket, Key=self._key(key), Body=data, ContentType=content_type
        )

    def copy(self, source: str, target: str) -> None:
        # CopyObject (objects up to 5 GB; ours are at most a few MiB) keeps the content type.
        self.client.copy_object(
            Bucket=self.bucket,
            Key=self._key(target),
            CopySource={"Bucket": self.bucket, "Key": self._key(source)},
        )

    def delete(self, key: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=self._key(key))

    def signed_url(self, key: str, *, expires_at: dt.datetime) -> str:
        return self.client.generate_presigned_url(
            "get_object",
            Params={"Bucket": self.bucket, "Key": self._key(key)},
            ExpiresIn=_seconds(expires_at),
        )
