"""Uploads are judged by their content: accepted formats, refusals (415, 413, 422) and hostile multipart bodies."""

import time
from io import BytesIO

import pytest

from app.extensions import db
from app.models import MediaAsset
from tests.conftest import bearer, login
from tests.media.conftest import image_bytes, png_claiming, upload


@pytest.fixture
def alice(make_user, headers_of):
    make_user(username="alice")
    return headers_of("alice")


@pytest.mark.parametrize(
    ("image_format", "content_type"),
    [("JPEG", "image/jpeg"), ("PNG", "image/png"), ("WEBP", "image/webp"), ("GIF", "image/gif")],
)
def test_an_accepted_image_is_202_with_its_view_and_is_processed(app, client, alice, image_format, content_type):
    response = upload(client, alice, image_bytes(image_format=image_format), "photo.bin")

    assert response.status_code == 202, response.json
    body = response.json
    assert body["kind"] == "image"
    assert body["status"] == "ready"  # embedded tests run the job at once
    assert set(body["urls"]) == {"display", "thumb"}
    with app.app_context():
        assert db.session.get(MediaAsset, body["id"]).content_type == content_type


def test_the_declared_type_and_name_are_ignored_the_content_decides(app, client, alice):
    response = upload(client, alice, image_bytes(image_format="PNG"), "holiday.jpg", "image/jpeg")

    assert response.status_code == 202
    with app.app_context():
        assert db.session.get(MediaAsset, response.json["id"]).content_type == "image/png"


@pytest.mark.parametrize(
    ("data", "filename"),
    [
        (b"just some text, honestly\n" * 10, "photo.jpg"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>", "image.svg"),
        (b"%PDF-1.4\n" + b"x" * 100, "scan.png"),
        (b"\x00\x00\x00\x18ftypXXXX" + b"\x00" * 64, "clip.mp4"),  # an ftyp box of a brand not accepted
        (b"\x1a\x45\xdf\xa3\x93\x42\x82\x88matroska" + b"\x00" * 32, "clip.webm"),  # Matroska, not WebM
    ],
)
def test_unknown_content_is_415_whatever_its_name(client, alice, data, filename):
    response = upload(client, alice, data, filename, "image/jpeg")

    assert response.status_code == 415
    assert response.json["code"] == 415 and "accepted" in response.json["message"]


@pytest.mark.parametrize("image_format", ["BMP", "TIFF", "ICO", "PPM"])
def test_an_image_format_outside_the_allow_list_is_415(client, alice, image_format):
    response = upload(client, alice, image_bytes((16, 16), image_format=image_format), "photo.jpg")

    assert response.status_code == 415


@pytest.mark.parametrize(
    ("width", "height"),
    [
        (30_000, 30_000),  # past twice Pillow's own limit: its DecompressionBombError
        (9_500, 9_500),  # between Pillow's limit and twice it: its warning, made an error
        (7_000, 7_000),  # under Pillow's limit, over MEDIA_MAX_PIXELS
    ],
)
def test_an_image_claiming_too_many_pixels_is_422_without_decoding(app, client, alice, width, height):
    started = time.monotonic()
    response = upload(client, alice, png_claiming(width, height), "bomb.png")

    assert response.status_code == 422
    assert "pixels" in response.json["errors"]["files"]["file"][0]
    assert time.monotonic() - started < 2  # decoding 900 megapixels would take far longer (and gigabytes)
    with app.app_context():
        assert db.session.query(MediaAsset).count() == 0


def test_an_image_over_its_size_limit_is_413(app_factory, make_user, headers_of):
    app = app_factory(MEDIA_MAX_IMAGE_BYTES=2048)
    make_user(username="alice")
    client = app.test_client()

    response = upload(client, _login(client), image_bytes((400, 400), quality=100), "big.jpg")

    assert response.status_code == 413
    assert response.json["code"] == 413 and "MiB" in response.json["message"]


def test_a_request_over_the_largest_upload_is_413_in_the_one_error_shape(app_factory, make_user):
    app = app_factory(MEDIA_MAX_IMAGE_BYTES=1024, MEDIA_MAX_VIDEO_BYTES=1024)
    make_user(username="alice")
    client = app.test_client()

    response = upload(client, _login(client), b"\xff\xd8\xff" + b"x" * 200_000, "huge.jpg")

    assert response.status_code == 413
    assert set(response.json) <= {"code", "status", "message", "errors"} and response.json["code"] == 413


def test_an_upload_may_exceed_the_apps_json_body_limit(app_factory, make_user):
    app = app_factory(MAX_CONTENT_LENGTH=1024)
    make_user(username="alice")
    client = app.test_client()

    response = upload(client, _login(client), image_bytes((300, 300), quality=100), "photo.jpg")

    assert response.status_code == 202


def _login(client, username: str = "alice") -> dict:
    return bearer(login(client, username)["access_token"])


def test_uploads_are_rate_limited_per_person(app_factory, make_user):
    app = app_factory(RATELIMIT_ENABLED=True, RATELIMIT_UPLOADS="2 per hour")
    make_user(username="alice")
    make_user(username="bob")
    client = app.test_client()
    alice = _login(client)

    statuses = [upload(client, alice, image_bytes(), "a.jpg").status_code for _ in range(3)]

    assert statuses == [202, 202, 429]
    assert upload(client, _login(client, "bob"), image_bytes(), "b.jpg").status_code == 202


def test_uploading_needs_a_login(client):
    assert upload(client, {}, image_bytes(), "a.jpg").status_code == 401


# --- hostile multipart ----------------------------------------------------------------------------------------


def post_multipart(client, headers, data):
    return client.post("/api/v1/media/", data=data, headers=headers, content_type="multipart/form-data")


def test_no_file_field_is_422_naming_it(client, alice):
    response = post_multipart(client, alice, {"other": "value"})

    assert response.status_code == 422
    assert "file" in response.json["errors"]["files"]


def test_a_json_body_instead_of_a_file_is_422(client, alice):
    response = client.post("/api/v1/media/", json={"file": "aGVsbG8="}, headers=alice)

    assert response.status_code == 422


def test_an_empty_file_is_422(client, alice):
    response = upload(client, alice, b"", "empty.jpg")

    assert response.status_code == 422
    assert response.json["errors"]["files"]["file"] == ["The file is empty."]


def test_two_files_under_the_field_are_422(client, alice):
    data = {"file": [(BytesIO(image_bytes()), "a.jpg"), (BytesIO(image_bytes()), "b.jpg")]}
    response = post_multipart(client, alice, data)

    assert response.status_code == 422
    assert response.json["errors"]["files"]["file"] == ["Send exactly one file."]


def test_a_second_file_field_is_422(client, alice):
    data = {"file": (BytesIO(image_bytes()), "a.jpg"), "extra": (BytesIO(image_bytes()), "b.jpg")}
    response = post_multipart(client, alice, data)

    assert response.status_code == 422
    assert "extra" in response.json["errors"]["files"]


def test_a_huge_file_name_is_422(client, alice):
    response = upload(client, alice, image_bytes(), "a" * 5000 + ".jpg")

    assert response.status_code == 422
    assert "file" in response.json["errors"]["files"]


def test_a_file_name_with_nul_is_422(client, alice):
    response = upload(client, alice, image_bytes(), "photo\x00.jpg")

    assert response.status_code == 422


@pytest.mark.parametrize("filename", [b"photo\xff\xfe.jpg", b"photo\xed\xa0\x80.jpg", b'a"; name="file'])
def test_a_raw_file_name_that_is_not_utf8_is_never_a_500(client, alice, filename):
    boundary = b"stride-boundary"
    body = (
        b"--" + boundary + b'\r\nContent-Disposition: form-data; name="file"; filename="' + filename + b'"\r\n'
        b"Content-Type: image/jpeg\r\n\r\n" + image_bytes() + b"\r\n--" + boundary + b"--\r\n"
    )
    content_type = "multipart/form-data; boundary=" + boundary.decode()
    response = client.post("/api/v1/media/", data=body, headers=alice, content_type=content_type)

    assert response.status_code in (202, 400, 422)


def test_a_truncated_multipart_body_is_4xx(client, alice):
    body = b'--b\r\nContent-Disposition: form-data; name="file"; filename="a.jpg"\r\n\r\n' + image_bytes()[:50]
    response = client.post("/api/v1/media/", data=body, headers=alice, content_type="multipart/form-data; boundary=b")

    assert 400 <= response.status_code < 500


def test_a_file_name_is_never_used_for_storage(app, client, alice, media_dir):
    response = upload(client, alice, image_bytes(), "../../etc/passwd")

    assert response.status_code == 202
    stored = [path.name for path in media_dir.iterdir()]
    assert stored and not any("passwd" in name for name in stored)
