"""Confirmation throughput: verify, re-encode and thumbnail a 4 MB phone photo, per core.

What ConfirmUpload does to the file between its short read and its short write, with no
transaction open (domain/media/confirmation.py, ``check_file``): stat and read the object from
the local store, hash it, check the magic bytes, decode it with Pillow, rebuild it upright
without metadata, encode it again, make a 320 px thumbnail, and write both derivatives. One
thread, so the rate is per core; the share in Pillow is the time inside the checker over the
whole. The database steps (a row read; two rows locked, one updated, an audit row) are not
included. Run from the repository root:

    python -m bench.media [--photos 8] [--megapixels 12] [--target-mb 4]

See bench/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import io
import os
import statistics
import tempfile
import time
from pathlib import Path

from PIL import Image, ImageFilter

from wellspring.domain.media import confirmation
from wellspring.domain.media.config import DEFAULT_LIMITS
from wellspring.domain.media.port import Derivatives
from wellspring.domain.models.enums import AttachmentKind
from wellspring.media.images import PillowChecker
from wellspring.media.local import LocalStore


def phone_photo(megapixels: float, target_bytes: int) -> bytes:
    """A JPEG near ``target_bytes``: smoothed noise (texture like a real scene), 4:3, EXIF."""
    width = int((megapixels * 1e6 * 4 / 3) ** 0.5)
    height = width * 3 // 4
    small = Image.frombytes("RGB", (width // 4, height // 4), os.urandom(width * height * 3 // 16))
    scene = small.resize((width, height), Image.Resampling.BICUBIC).filter(ImageFilter.SMOOTH)
    exif = Image.Exif()
    exif[0x0112] = 6
    exif.get_ifd(0x8825).update({1: "N", 2: (31.0, 13.0, 50.0)})
    best = b""
    for quality in (95, 92, 90, 88, 85, 80, 75, 70, 60, 50):
        out = io.BytesIO()
        scene.save(out, "JPEG", quality=quality, exif=exif)
        best = out.getvalue()
        if len(best) <= target_bytes:
            break
    return best


class TimedChecker:
    """The Pillow checker, timed (the ImageChecker port is the seam)."""

    def __init__(self) -> None:
        self.inner = PillowChecker()
        self.seconds = 0.0
        self.last: Derivatives | None = None

    def derive(self, data: bytes, *, content_type: str) -> Derivatives:
        start = time.perf_counter()
        self.last = self.inner.derive(data, content_type=content_type)
        self.seconds += time.perf_counter() - start
        return self.last


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--photos", type=int, default=8)
    parser.add_argument("--megapixels", type=float, default=12.0)
    parser.add_argument("--target-mb", type=float, default=4.0)
    args = parser.parse_args()
    data = phone_photo(args.megapixels, int(args.target_mb * 1024 * 1024))
    checker = TimedChecker()
    with tempfile.TemporaryDirectory() as root:
        store = LocalStore(Path(root), secret="bench")  # noqa: S106 - a throwaway folder
        totals: list[float] = []
        cpu: list[float] = []
        pillow: list[float] = []
        for n in range(args.photos + 1):
            pending = confirmation.Pending(
                attachment_id=str(n),
                job_id="bench",
                kind=AttachmentKind.PHOTO,
                content_type="image/jpeg",
                byte_size=len(data),
                sha256=hashlib.sha256(data).hexdigest(),
                upload_expires_at=None,
                limit=DEFAULT_LIMITS[AttachmentKind.PHOTO],
                store=store,
                checker=checker,
            )
            store.write(pending.key(), data, content_type="image/jpeg")
            checker.seconds = 0.0
            start, start_cpu = time.perf_counter(), time.process_time()
            verdict = asyncio.run(confirmation.check_file(pending))
            total = time.perf_counter() - start
            used = time.process_time() - start_cpu  # every thread of this process
            if verdict.code:
                raise SystemExit(f"the photo was rejected: {verdict.code}")
            if n:  # the first warms caches and imports
                totals.append(total)
                cpu.append(used)
                pillow.append(checker.seconds)
    derived = checker.last
    assert derived is not None
    median = statistics.median(totals)
    share = sum(pillow) / sum(totals)
    print(f"photo: {len(data) / 1024 / 1024:.2f} MiB JPEG, {derived.width}x{derived.height} px")
    print(f"derivative: {len(derived.display) / 1024 / 1024:.2f} MiB, thumbnail "
          f"{len(derived.thumbnail) / 1024:.1f} KiB")  # fmt: skip
    print(f"confirmations: {len(totals)}, median {median * 1000:.0f} ms, "
          f"best {min(totals) * 1000:.0f} ms")  # fmt: skip
    print(f"throughput per core: {1 / median:.2f} photos/s ({3600 / median:,.0f} per hour)")
    per_photo = statistics.median(cpu)
    print(f"CPU per photo (median): {per_photo * 1000:.0f} ms, so {1 / per_photo:.2f} photos/s "
          "per idle core")  # fmt: skip
    print(f"share in Pillow (decode, re-encode, thumbnail): {share:.0%}")
    print(
        "held in a database transaction meanwhile: none (confirmation.check_file runs "
        "between the read and the write)"
    )


if __name__ == "__main__":
    main()
