"""The job: images re-encoded upright without metadata at two sizes; videos with a poster frame and without
metadata; no_preview without ffmpeg; failed, with a reason, for what cannot be decoded; idempotent."""

from io import BytesIO

import pytest
from PIL import ExifTags, Image

from app.extensions import db
from app.integrations.storage import storage_at
from app.jobs.media import process_media
from app.models import MediaAsset, MediaStatus
from app.services.media import ORIGINAL
from tests.factories.media import MediaAssetFactory
from tests.media.conftest import image_bytes, make_video, needs_ffmpeg, upload

GPS_LATITUDE = (52.0, 31.0, 12.0)


@pytest.fixture
def alice(make_user, headers_of):
    make_user(username="alice")
    return headers_of("alice")


def photo_with_gps(size=(60, 40), orientation: int = 1, image_format: str = "JPEG") -> bytes:
    """Left half red, right half blue; EXIF with the camera, an orientation and where it was taken."""
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = orientation
    exif[ExifTags.Base.Make] = "StrideCam"
    exif.get_ifd(ExifTags.IFD.GPSInfo).update(
        {
            ExifTags.GPS.GPSLatitudeRef: "N",
            ExifTags.GPS.GPSLatitude: GPS_LATITUDE,
            ExifTags.GPS.GPSLongitudeRef: "E",
            ExifTags.GPS.GPSLongitude: (13.0, 24.0, 0.0),
        }
    )
    image = Image.new("RGB", size, "red")
    image.paste((0, 0, 255), (size[0] // 2, 0, size[0], size[1]))
    out = BytesIO()
    image.save(out, image_format, exif=exif)
    data = out.getvalue()
    assert b"StrideCam" in data and Image.open(BytesIO(data)).getexif().get_ifd(ExifTags.IFD.GPSInfo)
    return data


def stored_files(media_dir) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in media_dir.iterdir()} if media_dir.exists() else {}


def asset_of(app, media_id: int) -> MediaAsset:
    with app.app_context():
        asset = db.session.get(MediaAsset, media_id)
        db.session.expunge(asset)
        return asset


@pytest.mark.parametrize("image_format", ["JPEG", "PNG", "WEBP"])
def test_gps_and_every_exif_tag_are_gone_from_every_stored_rendition(app, client, alice, media_dir, image_format):
    response = upload(client, alice, photo_with_gps(image_format=image_format), "photo.jpg")

    assert response.json["status"] == "ready"
    files = stored_files(media_dir)
    assert len(files) == 2  # display and thumb: the original, which carried the GPS, is deleted
    for name, data in files.items():
        assert b"StrideCam" not in data, name
        assert b"Exif" not in data, name
        stored = Image.open(BytesIO(data))
        assert not stored.getexif(), name
        assert "exif" not in stored.info, name


def test_the_orientation_is_applied_and_then_dropped(app, client, alice, media_dir):
    response = upload(client, alice, photo_with_gps((60, 40), orientation=6), "sideways.jpg")

    asset = asset_of(app, response.json["id"])
    display = Image.open(BytesIO((media_dir / asset.renditions["display"]).read_bytes())).convert("RGB")
    assert display.size == (40, 60)  # turned upright: the left edge is now the top
    assert display.getpixel((20, 5))[0] > 200  # top: red
    assert display.getpixel((20, 55))[2] > 200  # bottom: blue
    assert (asset.width, asset.height) == (40, 60)


def test_renditions_are_display_and_thumb_sizes_never_enlarged(app, client, alice, media_dir):
    big = upload(client, alice, image_bytes((3000, 1500)), "big.jpg").json
    small = upload(client, alice, image_bytes((100, 80)), "small.jpg").json

    sizes = {}
    for body in (big, small):
        asset = asset_of(app, body["id"])
        sizes[body["id"]] = {
            name: Image.open(media_dir / key).size for name, key in asset.renditions.items() if name != ORIGINAL
        }
    assert sizes[big["id"]] == {"display": (1280, 640), "thumb": (320, 160)}
    assert sizes[small["id"]] == {"display": (100, 80), "thumb": (100, 80)}


def test_a_transparent_png_stays_transparent_and_an_animated_gif_becomes_its_first_frame(app, client, alice, media_dir):
    transparent = upload(client, alice, image_bytes((50, 50), "PNG", color=(0, 0, 0, 0)), "t.png").json
    frames = [Image.new("RGB", (40, 40), color) for color in ("red", "lime", "blue")]
    out = BytesIO()
    frames[0].save(out, "GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)
    animated = upload(client, alice, out.getvalue(), "anim.gif").json

    png = Image.open(media_dir / asset_of(app, transparent["id"]).renditions["display"])
    assert png.format == "PNG" and png.mode == "RGBA" and png.getpixel((0, 0))[3] == 0
    gif = Image.open(media_dir / asset_of(app, animated["id"]).renditions["display"])
    assert gif.format == "JPEG" and getattr(gif, "n_frames", 1) == 1
    assert gif.convert("RGB").getpixel((20, 20))[0] > 200  # the first frame: red


def test_a_multi_picture_jpeg_from_a_phone_is_a_jpeg_and_keeps_its_first_picture(app, client, alice, media_dir):
    out = BytesIO()
    Image.new("RGB", (40, 30), "red").save(out, "MPO", save_all=True, append_images=[Image.new("RGB", (40, 30))])

    response = upload(client, alice, out.getvalue(), "portrait.jpg")

    assert response.json["status"] == "ready"
    display = Image.open(media_dir / asset_of(app, response.json["id"]).renditions["display"])
    assert display.format == "JPEG" and display.convert("RGB").getpixel((5, 5))[0] > 200


def test_an_image_that_does_not_decode_fails_with_a_reason_and_its_file_is_deleted(app, client, alice, media_dir):
    out = BytesIO()
    Image.effect_noise((200, 200), 64).convert("RGB").save(out, "JPEG")
    broken = out.getvalue()[: len(out.getvalue()) // 2]  # the header is whole, the pixels are not

    response = upload(client, alice, broken, "broken.jpg")

    assert response.status_code == 202
    assert response.json["status"] == "failed"
    assert "could not be decoded" in response.json["error"]
    assert response.json["urls"] == {}
    assert stored_files(media_dir) == {}


@needs_ffmpeg
def test_a_real_mp4_becomes_ready_with_poster_thumb_and_video_without_its_location(
    app, client, alice, media_dir, mp4_bytes
):
    assert b"+52.5200" in mp4_bytes  # where it was filmed, as a phone records it

    response = upload(client, alice, mp4_bytes, "clip.mp4")

    body = response.json
    assert body["kind"] == "video" and body["status"] == "ready", body
    assert set(body["urls"]) == {"poster", "thumb", "video"}
    asset = asset_of(app, body["id"])
    assert (asset.width, asset.height) == (64, 64)
    poster = Image.open(media_dir / asset.renditions["poster"])
    assert poster.format == "JPEG" and poster.size == (64, 64)
    video = (media_dir / asset.renditions["video"]).read_bytes()
    assert video[4:8] == b"ftyp" and b"+52.5200" not in video
    assert len(stored_files(media_dir)) == 3  # the original is gone


@needs_ffmpeg
@pytest.mark.parametrize(("name", "extra"), [("clip.webm", ["-c:v", "libvpx", "-b:v", "100k"]), ("clip.mov", [])])
def test_webm_and_quicktime_videos_are_processed_too(app, client, alice, media_dir, tmp_path, name, extra):
    response = upload(client, alice, make_video(tmp_path, name, *extra), "video.bin")

    assert response.json["status"] == "ready", response.json
    video = client.get(response.json["urls"]["video"], headers=alice)
    assert video.status_code == 200
    assert video.mimetype == ("video/webm" if name.endswith("webm") else "video/mp4")
    assert b"+52.5200" not in video.data


@needs_ffmpeg
def test_without_ffmpeg_a_video_is_kept_as_uploaded_with_no_preview(
    app, client, alice, media_dir, mp4_bytes, monkeypatch
):
    monkeypatch.setattr("shutil.which", lambda *args, **kwargs: None)

    response = upload(client, alice, mp4_bytes, "clip.mp4")

    assert response.json["status"] == "no_preview"
    assert set(response.json["urls"]) == {"video"}
    served = client.get(response.json["urls"]["video"], headers=alice)
    assert served.status_code == 200 and served.mimetype == "video/mp4" and served.data == mp4_bytes


@needs_ffmpeg
def test_a_video_ffmpeg_cannot_read_fails_with_a_reason(app, client, alice, media_dir):
    fake = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\x00garbage" * 200

    response = upload(client, alice, fake, "clip.mp4")

    assert response.json["status"] == "failed"
    assert response.json["error"].startswith("ffmpeg")
    assert str(media_dir) not in response.json["error"] and "/tmp" not in response.json["error"]
    assert stored_files(media_dir) == {}


def test_the_job_run_twice_changes_nothing_the_second_time(app, client, alice, media_dir):
    response = upload(client, alice, image_bytes(), "a.jpg")
    files = stored_files(media_dir)

    with app.app_context():
        assert process_media(response.json["id"]) is None
        assert process_media(999_999) is None  # a deleted upload

    assert stored_files(media_dir) == files
    assert asset_of(app, response.json["id"]).status == MediaStatus.READY


def test_a_lost_original_fails_the_asset(app, media_dir):
    with app.app_context():
        asset = MediaAssetFactory(status=MediaStatus.PROCESSING, renditions={ORIGINAL: "gone.jpg"})
        assert process_media(asset.id) == MediaStatus.FAILED
        assert "lost" in db.session.get(MediaAsset, asset.id).error


def test_a_storage_failure_is_retried_and_fails_only_on_the_last_attempt(app, media_dir, monkeypatch):
    from app.services import media_processing

    with app.app_context():
        key = storage_at(str(media_dir)).save("original.jpg", image_bytes())
        asset = MediaAssetFactory(status=MediaStatus.PROCESSING, renditions={ORIGINAL: key})
        monkeypatch.setattr(media_processing, "_save", _broken_save)

        with pytest.raises(ConnectionError):
            media_processing.process_media(asset.id, is_final_attempt=False)
        assert db.session.get(MediaAsset, asset.id).status == MediaStatus.PROCESSING

        assert media_processing.process_media(asset.id, is_final_attempt=True) == MediaStatus.FAILED
        assert db.session.get(MediaAsset, asset.id).error == "Processing failed: ConnectionError."
    assert stored_files(media_dir) == {}


def _broken_save(*_args):
    raise ConnectionError("storage unreachable")


def test_media_storage_can_be_an_fsspec_url(app_factory, make_user, headers_of):
    import fsspec

    app = app_factory(MEDIA_STORAGE_URL="memory://stride-media-fsspec-test")
    make_user(username="alice")
    client = app.test_client()
    from tests.conftest import bearer, login

    headers = bearer(login(client, "alice")["access_token"])

    body = upload(client, headers, photo_with_gps(), "photo.jpg").json

    assert body["status"] == "ready"
    memory = fsspec.filesystem("memory")
    stored = memory.ls("/stride-media-fsspec-test", detail=False)
    assert len(stored) == 2
    assert all(b"StrideCam" not in memory.cat_file(path) for path in stored)
    served = client.get(body["urls"]["thumb"], headers=headers)
    assert served.status_code == 200 and served.mimetype == "image/jpeg"
