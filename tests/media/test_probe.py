"""Recognising an upload by its first bytes: the ISO `ftyp` brands and the EBML DocType accepted as video."""

from io import BytesIO

import pytest

from app.lib.media_probe import TooManyPixels, UnknownContent, probe
from tests.media.conftest import image_bytes, png_claiming


def ebml(doctype: bytes, size_byte: bytes | None = None) -> bytes:
    element = b"\x42\x82" + (size_byte or bytes([0x80 | len(doctype)])) + doctype
    version = b"\x42\x86\x81\x01"
    body = version + element
    return b"\x1a\x45\xdf\xa3" + bytes([0x80 | len(body)]) + body + b"\x18\x53\x80\x67" + b"\x00" * 32


@pytest.mark.parametrize(
    ("head", "content_type"),
    [
        (b"\x00\x00\x00\x20ftypisom\x00\x00\x02\x00isomiso2", "video/mp4"),
        (b"\x00\x00\x00\x1cftypmp42\x00\x00\x00\x00mp42isom", "video/mp4"),
        (b"\x00\x00\x00\x1cftypM4V \x00\x00\x00\x01M4V M4A ", "video/x-m4v"),
        (b"\x00\x00\x00\x14ftypqt  \x00\x00\x02\x00qt  ", "video/quicktime"),
        (ebml(b"webm"), "video/webm"),
        (ebml(b"webm", size_byte=b"\x10\x00\x00\x04"), "video/webm"),  # the size written long-hand
    ],
)
def test_videos_are_recognised_by_signature(head, content_type):
    found = probe(BytesIO(head + b"\x00" * 64), max_pixels=100)

    assert (found.kind, found.content_type) == ("video", content_type)


@pytest.mark.parametrize(
    "head",
    [
        b"\x00\x00\x00\x1cftyp3gp4\x00\x00\x00\x00",  # a brand not accepted
        b"\x00\x00\x00\x1cmoov\x00\x00\x00\x00",
        ebml(b"matroska"),
        b"\x1a\x45\xdf\xa3\xff",  # a header that ends at once
        b"\x1a\x45\xdf\xa3\x00\x00",
        b"",
    ],
)
def test_other_signatures_are_unknown(head):
    with pytest.raises(UnknownContent):
        probe(BytesIO(head), max_pixels=100)


def test_an_image_is_probed_from_its_header_and_the_stream_is_rewound():
    stream = BytesIO(image_bytes((30, 20), "PNG"))

    found = probe(stream, max_pixels=600)

    assert (found.kind, found.content_type, found.width, found.height) == ("image", "image/png", 30, 20)
    assert stream.tell() == 0


def test_the_pixel_limit_is_inclusive_and_checked_from_the_header():
    assert probe(BytesIO(png_claiming(30, 20)), max_pixels=600).width == 30
    with pytest.raises(TooManyPixels):
        probe(BytesIO(png_claiming(30, 21)), max_pixels=600)
