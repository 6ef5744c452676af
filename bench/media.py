"""Confirmation throughput: verify, re-encode and thumbnail a 4 MB phone photo, per core.

What ConfirmUpload does to the file once the database row is read (domain/media/uploads.py,
``_derive``): stat and read the object from the local store, hash it, check the magic bytes,
decode it with Pillow, rebuild it upright without metadata, encode it again, make a 320 px
thumbnail, and write both derivatives. One thread, so the rate is per core; the share in
Pillow is the time inside the checker over the whole. The database work (one row read, one
updated, an audit row) is not included. Run from the repository root:

    python -m bench.media [--photos 8] [--megapixels 12] [--target-mb 4]

See bench/README.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import io
import os
import statistics
import tempfile
import time
from pathlib import Path

from PIL import Image, ImageFilter

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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--photos", type=int, default=8)
    parser.add_argument("--megapixels", type=float, default=12.0)
    parser.add_argument("--target-mb", type=float, default=4.0)
    args = parser.parse_args()
    data = phone_photo(args.megapixels, int(args.target_mb * 1024 * 1024))
    digest = hashlib.sha256(data).hexdigest()
    checker = PillowChecker()
    with tempfile.TemporaryDirectory() as root:
        store = LocalStore(Path(root), secret="bench")  # noqa: S106 - a throwaway folder
        expires = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=10)
        totals: list[float] = []
        pillow: list[float] = []
        for n in range(args.photos + 1):
            key = f"jobs/bench/{n}"
            store.write(key, data, content_type="image/jpeg")
            start = time.perf_counter()
            stored = store.stat(key)
            body = store.read(key, max_bytes=len(data) + 1)
            if stored is None or hashlib.sha256(body).hexdigest() != digest:
                raise SystemExit("the stored photo does not match")
            inside = time.perf_counter()
            derived = checker.derive(body, content_type="image/jpeg")
            pillow_time = time.perf_counter() - inside
            store.write(f"{key}.display", derived.display, content_type="image/jpeg")
            store.write(f"{key}.thumb", derived.thumbnail, content_type="image/jpeg")
            total = time.perf_counter() - start
            if n:  # the first warms caches and imports
                totals.append(total)
                pillow.append(pillow_time)
        store.signed_url("jobs/bench/1", expires_at=expires)
    median = statistics.median(totals)
    share = sum(pillow) / sum(totals)
    print(f"photo: {len(data) / 1024 / 1024:.2f} MiB JPEG, {derived.width}x{derived.height} px")
    print(f"derivative: {len(derived.display) / 1024 / 1024:.2f} MiB, thumbnail "
          f"{len(derived.thumbnail) / 1024:.1f} KiB")  # fmt: skip
    print(f"confirmations: {len(totals)}, median {median * 1000:.0f} ms, "
          f"best {min(totals) * 1000:.0f} ms")  # fmt: skip
    print(f"throughput per core: {1 / median:.2f} photos/s ({3600 / median:,.0f} per hour)")
    print(f"share in Pillow (decode, re-encode, thumbnail): {share:.0%}")


if __name__ == "__main__":
    main()
