"""Media tests store files in a folder of their own, and build real images and videos to upload."""

import shutil
import struct
import subprocess
import zlib
from io import BytesIO
from pathlib import Path

import pytest
from PIL import Image

FFMPEG = shutil.which("ffmpeg")
needs_ffmpeg = pytest.mark.skipif(FFMPEG is None, reason="needs ffmpeg (Debian package ffmpeg; .ci/run installs it)")


@pytest.fixture
def media_dir(tmp_path) -> Path:
    return tmp_path / "media"


@pytest.fixture
def app(app_factory, media_dir):
    return app_factory(MEDIA_STORAGE_URL=str(media_dir))


def upload(client, headers, data: bytes, filename: str = "upload.bin", content_type: str | None = None):
    file = (BytesIO(data), filename, content_type) if content_type else (BytesIO(data), filename)
    return client.post("/api/v1/media/", data={"file": file}, headers=headers, content_type="multipart/form-data")


def image_bytes(size=(64, 48), image_format="JPEG", color="red", **save) -> bytes:
    out = BytesIO()
    mode = "RGBA" if image_format in ("PNG", "WEBP") else "RGB"
    Image.new(mode, size, color).save(out, image_format, **save)
    return out.getvalue()


def png_claiming(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims `width` x `height` pixels (its data holds almost nothing)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    pixels = chunk(b"IDAT", zlib.compress(b"\0" * 64))
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + pixels + chunk(b"IEND", b"")


def make_video(folder: Path, name: str = "clip.mp4", *extra: str) -> bytes:
    """A real one-second 64x64 video made by ffmpeg, tagged with where it was "filmed"."""
    path = folder / name
    command = [FFMPEG, "-y", "-v", "error", "-f", "lavfi", "-i", "testsrc=duration=1:size=64x64:rate=5"]
    command += ["-pix_fmt", "yuv420p", "-metadata", "location=+52.5200+013.4050/", *extra, str(path)]
    subprocess.run(command, check=True, timeout=60)
    return path.read_bytes()


@pytest.fixture
def mp4_bytes(tmp_path) -> bytes:
    if FFMPEG is None:
        pytest.skip("needs ffmpeg")
    return make_video(tmp_path, "clip.mp4", "-movflags", "use_metadata_tags")
