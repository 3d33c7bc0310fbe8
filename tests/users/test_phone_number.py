"""A phone number on one's profile: written as people write it, kept in E.164, refused when it is not a valid
number; shown (with gender) to its owner, their trainers and admins, and to nobody else."""

import pytest

from tests.factories.friends import befriend

PROFILE = "/api/v1/profile/"
ALICE_PHONE = "+493012345678"


@pytest.fixture
def set_phone(client, auth_headers):
    def patch(value):
        return client.patch(PROFILE, json={"phone_number": value}, headers=auth_headers)

    return patch


@pytest.mark.parametrize(
    "written",
    [
        "+493012345678",
        "+49 30 12345678",
        "+49-30-1234-5678",
        "+49 (30) 123 456 78",
        " +49.30.12345678 ",
        "+49/30/12345678",
    ],
)
def test_an_international_number_is_kept_in_e164(set_phone, written):
    response = set_phone(written)

    assert response.status_code == 200, response.json
    assert response.json["phone_number"] == ALICE_PHONE


def test_a_national_number_is_read_in_the_default_region(app, monkeypatch, set_phone):
    monkeypatch.setitem(app.config, "PHONE_DEFAULT_REGION", "DE")

    assert set_phone("030 1234 5678").json["phone_number"] == ALICE_PHONE
    assert set_phone("0049 30 12345678").json["phone_number"] == ALICE_PHONE  # the region's international prefix
    assert set_phone("+1 202-555-0143").json["phone_number"] == "+12025550143"  # a + still names the country


def test_without_a_default_region_a_national_number_is_refused(set_phone):
    response = set_phone("030 12345678")

    assert response.status_code == 422
    assert response.json["errors"] == {
        "json": {"phone_number": ["Start with + and the country code, for example +49 30 12345678."]}
    }


@pytest.mark.parametrize(
    "value",
    [
        "+49 30",  # too short to be a number
        "+999 12345678",  # no such country code
        "+1 555 0100",  # too short for its plan
        "+",
        "",
        "   ",
        "call me",
        "+49 30 1234567a",
        "+1 800 FLOWERS",  # letters are not read as digits
        "+49 30 12345678 ext. 5",  # E.164 holds no extension
        "tel:+493012345678",
        "+49 30 123\u00a045678",  # only plain spaces
        "+４９ ３０ １２３４５６７８",  # full-width digits
        "+49" + "1" * 40,  # too long
        "1" * 10_000,
    ],
)
def test_what_is_not_a_valid_number_is_a_422_naming_the_field(set_phone, value):
    response = set_phone(value)

    assert response.status_code == 422, response.json
    assert list(response.json["errors"]["json"]) == ["phone_number"]


@pytest.mark.parametrize("value", [4930123456, 49.5, True, ["+493012345678"], {"number": "+493012345678"}])
def test_a_phone_number_of_another_json_type_is_a_422(set_phone, value):
    response = set_phone(value)

    assert response.status_code == 422
    assert response.json["errors"] == {"json": {"phone_number": ["Not a valid string."]}}


def test_nul_in_a_phone_number_is_a_422(client, auth_headers):
    response = client.patch(
        PROFILE, data='{"phone_number": "+49301234\\u00005678"}', content_type="application/json", headers=auth_headers
    )

    assert response.status_code == 422
    assert list(response.json["errors"]["json"]) == ["phone_number"]


def test_null_clears_the_number_and_put_clears_it_when_left_out(client, auth_headers, set_phone):
    set_phone("+49 30 12345678")
    assert set_phone(None).json["phone_number"] is None

    set_phone("+49 30 12345678")
    replaced = client.put(PROFILE, json={"username": "alice", "email": "alice@example.com"}, headers=auth_headers)

    assert replaced.json["phone_number"] is None


def test_a_patch_without_the_number_keeps_it(client, auth_headers, set_phone):
    set_phone("+49 30 12345678")

    body = client.patch(PROFILE, json={"bio": "Runner"}, headers=auth_headers).json

    assert body["phone_number"] == ALICE_PHONE


def test_registering_with_a_phone_number_keeps_it_in_e164(client):
    body = {"username": "newbie", "email": "newbie@example.com", "password": "a long passphrase"}

    response = client.post("/api/v1/register/", json={**body, "phone_number": "+44 20 7946 0958"})
    refused = client.post("/api/v1/register/", json={**body, "username": "other", "phone_number": "12"})

    assert response.status_code == 201, response.json
    assert response.json["user"]["phone_number"] == "+442079460958"
    assert refused.status_code == 422 and list(refused.json["errors"]["json"]) == ["phone_number"]


# --- who sees it --------------------------------------------------------------------------------------------


@pytest.fixture
def alice_details(app, client, cast, headers_of):
    """Alice (public profile) with a phone number and a gender, friends with mallory and coach."""
    details = {"phone_number": "+49 30 12345678", "gender": "female", "date_of_birth": "1990-04-01"}
    assert client.patch(PROFILE, json=details, headers=headers_of("alice")).status_code == 200
    with app.app_context():
        befriend(cast["alice"], cast["mallory"])
        befriend(cast["alice"], cast["coach"])
    return cast


def test_the_owner_sees_their_phone_number_and_gender(client, headers_of, alice_details):
    body = client.get(PROFILE, headers=headers_of("alice")).json

    assert (body["phone_number"], body["gender"]) == (ALICE_PHONE, "female")


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/users/{alice}/",
        "/api/v1/users/?q=alice",
        "/api/v1/friends/",
        "/api/v1/friends/?user_id={coach}",
        "/api/v1/search/?q=alice&type=users",
    ],
)
def test_other_people_never_see_the_phone_number_or_gender(client, headers_of, alice_details, path):
    response = client.get(path.format(**alice_details), headers=headers_of("mallory"))

    assert response.status_code == 200, response.json
    assert "alice" in response.get_data(as_text=True)  # alice is there, her details are not
    for hidden in ("phone_number", "gender", "date_of_birth", "12345678", "female"):
        assert hidden not in response.get_data(as_text=True)


def test_the_owners_public_view_of_themself_shows_neither(client, headers_of, alice_details):
    body = client.get(f"/api/v1/users/{alice_details['alice']}/", headers=headers_of("alice")).json

    assert "phone_number" not in body and "gender" not in body


def test_admins_see_the_phone_number_and_gender(client, headers_of, alice_details):
    body = client.get(f"/api/v1/admin/users/{alice_details['alice']}/", headers=headers_of("root")).json
    listed = client.get("/api/v1/admin/users/?q=alice", headers=headers_of("root")).json

    assert (body["phone_number"], body["gender"]) == (ALICE_PHONE, "female")
    assert [(u["username"], u["phone_number"]) for u in listed] == [("alice", ALICE_PHONE)]
