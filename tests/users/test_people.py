"""Finding other people, and what their privacy lets the caller see."""

import json

import pytest

from tests.conftest import bearer, login


@pytest.fixture
def people(make_user):
    return {
        "pub": make_user(username="pat", first_name="Pat", last_name="Public", bio="hi"),
        "fri": make_user(username="fran", first_name="Fran", privacy="friends", bio="secret-ish"),
        "pri": make_user(username="priv", first_name="Prim", privacy="private"),
    }


def test_search_matches_username_and_names_case_insensitively(client, auth_headers, people):
    by_first_name = client.get("/api/v1/users/?q=PAT", headers=auth_headers).json
    by_last_name = client.get("/api/v1/users/?q=publ", headers=auth_headers).json

    assert [u["username"] for u in by_first_name] == ["pat"]
    assert [u["username"] for u in by_last_name] == ["pat"]


@pytest.mark.parametrize(("q", "found"), [("pat public", ["pat"]), ("  PUBLIC  pa ", ["pat"]), ("pat fran", [])])
def test_search_matches_people_holding_every_word_in_their_username_or_names(client, auth_headers, people, q, found):
    response = client.get("/api/v1/users/", query_string={"q": q}, headers=auth_headers)

    assert [u["username"] for u in response.json] == found


def test_search_never_lists_private_profiles_and_limits_friends_only_ones(client, auth_headers, people):
    found = {u["username"]: u for u in client.get("/api/v1/users/", headers=auth_headers).json}

    assert "priv" not in found
    assert found["pat"]["bio"] == "hi" and found["pat"]["is_limited"] is False
    assert found["fran"]["is_limited"] is True and "bio" not in found["fran"]


def test_search_is_paginated_with_totals_in_the_header(client, auth_headers, make_user):
    for n in range(5):
        make_user(username=f"runner{n}")

    response = client.get("/api/v1/users/?q=runner&page=2&page_size=2", headers=auth_headers)

    assert [u["username"] for u in response.json] == ["runner2", "runner3"]
    assert json.loads(response.headers["X-Pagination"])["total"] == 5


@pytest.mark.parametrize("query", ["page_size=101", "page=0", "page_size=0"])
def test_pagination_bounds_are_enforced(client, auth_headers, query):
    assert client.get(f"/api/v1/users/?{query}", headers=auth_headers).status_code == 422


def test_a_huge_page_number_is_a_422_naming_page_not_a_500(client, auth_headers):
    response = client.get(f"/api/v1/users/?page={10**30}", headers=auth_headers)

    assert response.status_code == 422
    assert list(response.json["errors"]["query"]) == ["page"]


def test_like_wildcards_in_queries_are_literal(client, auth_headers, people):
    assert client.get("/api/v1/users/?q=%25", headers=auth_headers).json == []
    assert client.get("/api/v1/users/?q=_", headers=auth_headers).json == []


def test_public_profile_shows_public_fields_only(client, auth_headers, people):
    body = client.get(f"/api/v1/users/{people['pub']}/", headers=auth_headers).json

    assert body["username"] == "pat" and body["bio"] == "hi" and body["is_limited"] is False
    assert "email" not in body and "date_of_birth" not in body and "weight_kg" not in body


@pytest.mark.parametrize("who", ["fri", "pri"])
def test_restricted_profiles_show_only_their_card(client, auth_headers, people, who):
    body = client.get(f"/api/v1/users/{people[who]}/", headers=auth_headers).json

    assert set(body) == {"id", "username", "avatar", "privacy", "is_limited", "mutual_friends_count"}
    assert body["is_limited"] is True


def test_people_see_their_own_private_profile_in_full(client, people):
    own = login(client, "priv")

    body = client.get(f"/api/v1/users/{people['pri']}/", headers=bearer(own["access_token"])).json

    assert body["is_limited"] is False and body["first_name"] == "Prim"


@pytest.mark.parametrize("user_id", [999999, 2**31, 10**30])
def test_unknown_or_impossible_user_ids_are_404(client, auth_headers, user_id):
    response = client.get(f"/api/v1/users/{user_id}/", headers=auth_headers)

    assert response.status_code == 404
    assert response.json["code"] == 404


def test_people_routes_need_authentication(client, people):
    assert client.get("/api/v1/users/").status_code == 401
    assert client.get(f"/api/v1/users/{people['pub']}/").status_code == 401
