"""Files for the media tests, made in memory: a phone photo with GPS and XMP, and the bad ones."""

from __future__ import annotations

import hashlib
import io

from PIL import Image

XMP = (
    b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF '
    b'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description '
    b'xmlns:exif="http://ns.adobe.com/exif/1.0/" exif:GPSLatitude="31,13.8N"/></rdf:RDF>'
    b"</x:xmpmeta>"
)
GPS_TAG = 0x8825


def photo(size: tuple[int, int] = (640, 480)) -> bytes:
    """A JPEG as a phone writes it: rotated by EXIF orientation, a GPS block and XMP."""
    image = Image.new("RGB", size, (30, 120, 200))
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° to show upright
    gps = exif.get_ifd(GPS_TAG)
    gps.update({1: "N", 2: (31.0, 13.0, 50.0), 3: "E", 4: (121.0, 28.0, 10.0)})
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif, xmp=XMP, quality=92)
    return out.getvalue()


def png(size: tuple[int, int] = (200, 80)) -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", size, (0, 0, 0, 0)).save(out, "PNG")
    return out.getvalue()


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def has_location(data: bytes) -> bool:
    """Any trace of the GPS block or the XMP packet in an image file."""
    image = Image.open(io.BytesIO(data))
    return (
        GPS_TAG in image.getexif()
        or bool(image.getexif().get_ifd(GPS_TAG))
        or "xmp" in image.info
        or b"xmpmeta" in data
        or b"Exif\x00\x00" in data
    )
