"""What an uploaded file really is, judged by its content — never by its name or the type the client declared.

Images are opened by Pillow, which reads only the header (the pixels are decoded later, by the job), and must be
one of an allow-list of formats; an image whose header claims more pixels than allowed is refused before anything
is decoded. Videos are recognised by their signature: an ISO base media `ftyp` box (MP4, M4V, QuickTime) or an EBML
header whose DocType is `webm`.
"""

import warnings
from dataclasses import dataclass
from typing import BinaryIO

from PIL import Image, UnidentifiedImageError

IMAGE_TYPES = {
    "JPEG": "image/jpeg",
    "MPO": "image/jpeg",  # a JPEG with more pictures after the first (phones' portrait and 3D shots)
    "PNG": "image/png",
    "WEBP": "image/webp",
    "GIF": "image/gif",
}
DECODERS = ["JPEG", "PNG", "WEBP", "GIF"]  # the only Pillow plugins tried (the JPEG one also opens MPO files)
# Major brands of the ISO base media family accepted as video (`ftyp` box, bytes 8-12).
MP4_BRANDS = {
    b"isom": "video/mp4",
    b"iso2": "video/mp4",
    b"iso4": "video/mp4",
    b"iso5": "video/mp4",
    b"iso6": "video/mp4",
    b"mp41": "video/mp4",
    b"mp42": "video/mp4",
    b"avc1": "video/mp4",
    b"dash": "video/mp4",
    b"M4V ": "video/x-m4v",
    b"M4VP": "video/x-m4v",
    b"M4VH": "video/x-m4v",
    b"qt  ": "video/quicktime",
}
EBML_MAGIC = b"\x1a\x45\xdf\xa3"
EBML_DOCTYPE = 0x4282
SNIFF_BYTES = 4096


class UnknownContent(ValueError):
    """Neither an accepted image nor an accepted video."""


class TooManyPixels(ValueError):
    """An image whose header claims more pixels than allowed (a decompression bomb, or just too big)."""


@dataclass(frozen=True)
class Probe:
    kind: str  # "image" or "video" (the values of app.models.MediaKind)
    content_type: str
    width: int | None = None
    height: int | None = None


def probe(stream: BinaryIO, max_pixels: int) -> Probe:
    """Identify an upload from its first bytes (and, for an image, its header); the stream is rewound after."""
    try:
        head = stream.read(SNIFF_BYTES)
        video = _video_type(head)
        if video:
            return Probe("video", video)
        stream.seek(0)
        return _probe_image(stream, max_pixels)
    finally:
        stream.seek(0)


def _probe_image(stream: BinaryIO, max_pixels: int) -> Probe:
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)  # Pillow only warns below twice its limit
        try:
            with Image.open(stream, formats=DECODERS) as image:
                width, height = image.size
                image_format = image.format
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
            raise TooManyPixels(str(error)) from None
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError):
            raise UnknownContent("not an image Pillow can identify") from None
    if image_format not in IMAGE_TYPES:
        raise UnknownContent(f"image format {image_format} is not accepted")
    check_pixels(width, height, max_pixels)
    return Probe("image", IMAGE_TYPES[image_format], width, height)


def check_pixels(width: int, height: int, max_pixels: int) -> None:
    if width <= 0 or height <= 0 or width * height > max_pixels:
        raise TooManyPixels(f"{width}x{height} is more than {max_pixels} pixels")


def _video_type(head: bytes) -> str | None:
    if len(head) >= 12 and head[4:8] == b"ftyp":
        return MP4_BRANDS.get(head[8:12])
    if head.startswith(EBML_MAGIC) and _ebml_doctype(head) == b"webm":
        return "video/webm"
    return None


def _ebml_doctype(head: bytes) -> bytes | None:
    """The DocType of the EBML header at the start of `head`, or None when it cannot be read from there."""
    position = len(EBML_MAGIC)
    size, position = _vint(head, position)
    if size is None:
        return None
    end = min(position + size, len(head))
    while position < end:
        element, position = _vint(head, position, keep_marker=True)
        length, position = _vint(head, position)
        if element is None or length is None or position + length > len(head):
            return None
        if element == EBML_DOCTYPE:
            return head[position : position + length].rstrip(b"\x00")
        position += length
    return None


def _vint(data: bytes, position: int, *, keep_marker: bool = False) -> tuple[int | None, int]:
    """An EBML variable-length integer at `position`: (value, position after it); (None, ...) when malformed."""
    if position >= len(data) or data[position] == 0:
        return None, position
    first = data[position]
    length = 8 - first.bit_length() + 1  # the number of leading zero bits + 1
    if position + length > len(data):
        return None, position
    value = first if keep_marker else first & (0xFF >> length)
    for byte in data[position + 1 : position + length]:
        value = (value << 8) | byte
    return value, position + length
