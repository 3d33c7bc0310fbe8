"""The renditions a background job makes of an upload.

Images are decoded once, turned upright (`ImageOps.exif_transpose`) and re-encoded into fresh images at each size:
nothing of the original's metadata (EXIF, GPS, XMP, comments) is copied — only its colour profile, passed on
explicitly so colours stay true. An animated GIF or WebP becomes its first frame. Videos get a poster frame from
ffmpeg (re-encoded by Pillow like any image) and are re-packaged without metadata (a phone's video carries where it
was filmed), keeping only their first video and audio streams. ffmpeg runs without a shell, with a timeout, its input
format forced from the signature already checked and only local files allowed.
"""

import subprocess
import warnings
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

from PIL import Image, ImageOps

from app.lib.media_probe import DECODERS, check_pixels

SIZES = {"display": 1280, "thumb": 320}  # rendition → longest side in pixels (never enlarged)
JPEG_OPTIONS = {"quality": 85, "optimize": True, "progressive": True}
PNG_OPTIONS = {"compress_level": 6}
CONTENT_TYPES = {"jpg": "image/jpeg", "png": "image/png", "mp4": "video/mp4", "webm": "video/webm"}
# The demuxer ffmpeg must use for each accepted video type: never its own guess from the content.
DEMUXERS = {"video/mp4": "mov", "video/x-m4v": "mov", "video/quicktime": "mov", "video/webm": "matroska"}
DECODE_ERRORS = (
    OSError,
    SyntaxError,
    ValueError,
    EOFError,
    Image.DecompressionBombError,
    Image.DecompressionBombWarning,
)


class CannotRender(Exception):
    """The file cannot be decoded or converted: a property of the file, so trying again would not help."""


@dataclass(frozen=True)
class Rendition:
    name: str
    data: bytes
    extension: str  # a key of CONTENT_TYPES


@dataclass(frozen=True)
class Rendered:
    renditions: list[Rendition]
    width: int
    height: int


def render_image(data: bytes, max_pixels: int, sizes: dict[str, int] = SIZES) -> Rendered:
    """Re-encode an image at each size, upright and without metadata; `CannotRender` when it does not decode."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(BytesIO(data), formats=DECODERS) as image:
                check_pixels(*image.size, max_pixels)  # the header again: the job trusts nothing it did not check
                icc_profile = image.info.get("icc_profile")
                image.load()  # the first frame only, for an animation
                upright = ImageOps.exif_transpose(image) or image
                flat = _flatten(upright)
        except DECODE_ERRORS as error:
            raise CannotRender(f"The image could not be decoded ({type(error).__name__}).") from None
    renditions = [_encode(name, _fresh(flat, side), icc_profile) for name, side in sizes.items()]
    return Rendered(renditions, flat.width, flat.height)


def _flatten(image: Image.Image) -> Image.Image:
    """RGB, or RGBA when the image has transparency (palette, grey and 16-bit images included)."""
    has_alpha = image.mode in ("RGBA", "LA", "PA", "RGBa", "La") or "transparency" in image.info
    if image.mode == "La":
        image = image.convert("LA")
    return image.convert("RGBA" if has_alpha else "RGB")


def _fresh(image: Image.Image, side: int) -> Image.Image:
    """A new image of at most `side` pixels on its longest edge, holding only pixels (an empty `info`)."""
    resized = image.copy()
    resized.thumbnail((side, side), Image.Resampling.LANCZOS, reducing_gap=3.0)
    fresh = Image.new(resized.mode, resized.size)
    fresh.paste(resized)
    return fresh


def _encode(name: str, image: Image.Image, icc_profile: bytes | None) -> Rendition:
    out = BytesIO()
    extra = {"icc_profile": icc_profile} if icc_profile else {}
    if image.mode == "RGBA":
        image.save(out, "PNG", **PNG_OPTIONS, **extra)
        return Rendition(name, out.getvalue(), "png")
    image.save(out, "JPEG", **JPEG_OPTIONS, **extra)
    return Rendition(name, out.getvalue(), "jpg")


# --- video ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Ffmpeg:
    command: str  # a path, as shutil.which found it
    timeout: int  # seconds per run

    def run(self, arguments: list[str], workdir: Path) -> None:
        try:
            result = subprocess.run(  # noqa: S603 - a fixed argument list, no shell; paths are our own temp files
                [self.command, "-nostdin", "-hide_banner", "-v", "error", "-protocol_whitelist", "file", *arguments],
                cwd=workdir,
                stdin=subprocess.DEVNULL,
                capture_output=True,
                timeout=self.timeout,
                check=False,
            )
        except subprocess.TimeoutExpired:
            raise CannotRender(f"ffmpeg took longer than {self.timeout} s on the video.") from None
        if result.returncode != 0:
            reason = result.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or [f"exit {result.returncode}"]
            raise CannotRender(f"ffmpeg could not read the video: {reason[0].replace(str(workdir), '')[:300]}")


def render_video(ffmpeg: Ffmpeg, source: Path, content_type: str, max_pixels: int) -> tuple[Rendered, Path]:
    """The poster frame's renditions (`poster`, `thumb`) and the video re-packaged without metadata (a path in
    `source`'s folder, `.mp4` or `.webm`); `CannotRender` when ffmpeg cannot read it."""
    workdir = source.parent
    demuxer = ["-f", DEMUXERS[content_type], "-i", source.name]
    frame = workdir / "frame.png"
    ffmpeg.run([*demuxer, "-map", "0:v:0", "-frames:v", "1", "-c:v", "png", "-f", "image2", frame.name], workdir)
    if not frame.exists():
        raise CannotRender("ffmpeg found no video frame in the file.")
    poster = render_image(frame.read_bytes(), max_pixels, {"poster": SIZES["display"], "thumb": SIZES["thumb"]})
    extension = "webm" if content_type == "video/webm" else "mp4"
    packaged = workdir / f"video.{extension}"
    container = ["-f", "webm"] if extension == "webm" else ["-movflags", "+faststart", "-f", "mp4"]
    strip = ["-map_metadata", "-1", "-map_chapters", "-1", "-fflags", "+bitexact"]
    ffmpeg.run([*demuxer, "-map", "0:v:0", "-map", "0:a:0?", "-c", "copy", *strip, *container, packaged.name], workdir)
    return poster, packaged
