"""A real JPEG and a real short MP4 become ready with their renditions in a separate `flask worker` process,
with the queue in a real Redis (the PostgreSQL + Redis run: TEST_REDIS_URL, and TEST_DATABASE_URL in CI)."""

import os
import subprocess
import sys
from io import BytesIO
from pathlib import Path

from PIL import Image

from tests.conftest import REAL_REDIS_URL, bearer, login, needs_real_redis
from tests.media.conftest import needs_ffmpeg, upload
from tests.media.test_processing import photo_with_gps

ROOT = Path(__file__).resolve().parents[2]


@needs_real_redis
@needs_ffmpeg
def test_a_worker_process_makes_the_renditions_of_a_real_jpeg_and_mp4(
    app_factory, make_user, database_url, media_dir, mp4_bytes
):
    app = app_factory(JOBS_RUN_INLINE=False, MEDIA_STORAGE_URL=str(media_dir))
    make_user(username="alice")
    client = app.test_client()
    headers = bearer(login(client, "alice")["access_token"])
    photo = upload(client, headers, photo_with_gps((2000, 1000), orientation=6), "photo.jpg").json
    video = upload(client, headers, mp4_bytes, "clip.mp4").json
    assert photo["status"] == video["status"] == "processing"  # queued for the worker, not run in the request

    env = {
        **os.environ,
        "STRIDE_ENV": "development",
        "FLASK_APP": "wsgi",
        "DATABASE_URL": database_url,
        "REDIS_URL": REAL_REDIS_URL,
        "MEDIA_STORAGE_URL": str(media_dir),
    }
    result = subprocess.run(
        [sys.executable, "-m", "flask", "worker", "--burst", "--without-scheduler"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stderr

    photo = client.get(f"/api/v1/media/{photo['id']}/", headers=headers).json
    assert photo["status"] == "ready", photo
    assert (photo["width"], photo["height"]) == (1000, 2000)
    for name in ("display", "thumb"):
        served = client.get(photo["urls"][name], headers=headers)
        assert served.status_code == 200 and served.mimetype == "image/jpeg"
        assert b"StrideCam" not in served.data and not Image.open(BytesIO(served.data)).getexif()
    assert Image.open(BytesIO(client.get(photo["urls"]["display"], headers=headers).data)).size == (640, 1280)

    video = client.get(f"/api/v1/media/{video['id']}/", headers=headers).json
    assert video["status"] == "ready", video
    assert set(video["urls"]) == {"poster", "thumb", "video"}
    served = client.get(video["urls"]["video"], headers=headers)
    assert served.mimetype == "video/mp4" and served.data[4:8] == b"ftyp" and b"+52.5200" not in served.data
    assert client.get(video["urls"]["poster"], headers=headers).mimetype == "image/jpeg"
    assert len(list(media_dir.iterdir())) == 5  # 2 + 3 renditions; both originals deleted
