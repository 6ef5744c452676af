"""The image checker: magic bytes, a full decode, and derivatives that carry no metadata.

Every derivative is rebuilt from pixels into a new image (upright per the EXIF orientation,
``ImageOps.exif_transpose``), so no EXIF, XMP, GPS block, ICC or comment survives in it.
HEIC is refused: Pillow decodes it only through a plugin built on GPL-licensed libraries.
"""

from __future__ import annotations

import io
import warnings

from PIL import Image, ImageOps

from wellspring.domain.media.port import Derivatives, ImageRejected

# A decompression bomb: a small file that decodes to a huge bitmap. 50 MP covers phone
# cameras (a 48 MP sensor) with room.
MAX_PIXELS = 50_000_000
THUMBNAIL = (320, 320)
DISPLAY = (2560, 2560)  # what a customer's or agent's screen needs; the original stays as is
FORMATS = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WEBP"}


def sniff(data: bytes) -> str | None:
    """The content type the magic bytes say, among those accepted."""
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


def _decode(data: bytes, fmt: str) -> Image.Image:
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data), formats=[fmt])
            if image.width * image.height > MAX_PIXELS:
                raise ImageRejected("IMAGE_TOO_LARGE")
            image.load()
        except ImageRejected:
            raise
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise ImageRejected("IMAGE_TOO_LARGE") from None
        except Exception:  # Pillow raises many types for a broken file
            raise ImageRejected("UNREADABLE_IMAGE") from None
    return image


def _pixels(image: Image.Image) -> Image.Image:
    """Upright pixels in a new image: nothing of the file's metadata comes along."""
    upright = ImageOps.exif_transpose(image) or image
    mode = (
        "RGBA" if upright.mode in ("RGBA", "LA", "PA") or "transparency" in upright.info else "RGB"
    )
    converted = upright.convert(mode)
    clean = Image.new(mode, converted.size)
    clean.paste(converted)
    return clean


def _flat(image: Image.Image) -> Image.Image:
    if image.mode != "RGBA":
        return image
    white = Image.new("RGB", image.size, (255, 255, 255))
    white.paste(image, mask=image.getchannel("A"))
    return white


class PillowChecker:
    def derive(self, data: bytes, *, content_type: str) -> Derivatives:
        fmt = FORMATS.get(content_type)
        if fmt is None:
            raise ImageRejected("UNSUPPORTED_CONTENT_TYPE")
        found = sniff(data)
        if found is None:
            raise ImageRejected("NOT_AN_IMAGE")
        if found != content_type:
            raise ImageRejected("CONTENT_TYPE_MISMATCH")
        clean = _pixels(_decode(data, fmt))
        width, height = clean.size
        clean.thumbnail(DISPLAY, Image.Resampling.BILINEAR, reducing_gap=2.0)
        display = io.BytesIO()
        if fmt == "JPEG":
            _flat(clean).save(display, "JPEG", quality=85, optimize=False)
        elif fmt == "PNG":
            clean.save(display, "PNG")
        else:
            clean.save(display, "WEBP", quality=80, method=2)
        thumb = _flat(clean)  # may be ``clean`` itself: shrunk in place, after its last use
        thumb.thumbnail(THUMBNAIL, Image.Resampling.BILINEAR, reducing_gap=2.0)
        small = io.BytesIO()
        thumb.save(small, "JPEG", quality=80)
        return Derivatives(
            display=display.getvalue(),
            display_type=content_type,
            thumbnail=small.getvalue(),
            width=width,
            height=height,
        )
