"""What a search accepts: `q` and `type` required and checked, bounded limits, hostile text never a 500, a
per-person rate limit, and a documented answer."""

import marshmallow as ma
import pytest

from app.blueprints.search.schemas import SearchArgsSchema
from app.input_guard import NUL_MESSAGE, SURROGATE_MESSAGE
from tests.conftest import bearer, login
from tests.factories import UserFactory
from tests.factories.posts import PostFactory


def refused(api, query: str) -> dict:
    response = api("stranger", "GET", f"/search/?{query}")
    assert response.status_code == 422, response.json
    return response.json["errors"]["query"]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("type=users", "q"),
        ("q=john", "type"),
        ("q=john&type=people", "type"),
        ("q=john&type=", "type"),
        ("q=&type=users", "q"),
        ("q=%20%09%20&type=users", "q"),
        ("q=" + "a" * 101 + "&type=users", "q"),
        ("q=a%00b&type=posts", "q"),
        ("q=john&type=users&limit=0", "limit"),
        ("q=john&type=users&limit=51", "limit"),
        ("q=john&type=users&limit=99999999999999999999", "limit"),
        ("q=john&type=users&limit=1e3", "limit"),
        ("q=john&type=users&cursor=", "cursor"),
        ("q=john&type=users&cursor=%00", "cursor"),
        ("q=john&type=users&cursor=" + "a" * 501, "cursor"),
    ],
)
def test_unfit_arguments_are_a_422_naming_the_field(api, social, query, field):
    assert list(refused(api, query)) == [field]


def test_a_nul_in_the_words_is_refused_by_name(api, social):
    assert refused(api, "q=john%00&type=users") == {"q": [NUL_MESSAGE]}


def test_a_lone_surrogate_in_the_words_is_refused_by_the_schema():
    with pytest.raises(ma.ValidationError) as error:
        SearchArgsSchema().load({"q": "jo\ud800hn", "type": "users"})

    assert error.value.messages == {"q": [SURROGATE_MESSAGE]}


def test_a_lone_surrogates_utf8_in_the_url_is_never_a_500(api, social):
    # A URL cannot carry a lone surrogate: its UTF-8 form is decoded as replacement characters, which are no words.
    response = api("stranger", "GET", "/search/?q=%ED%A0%80&type=users")

    assert response.status_code == 200 and response.json == {"items": [], "next_cursor": None}


def test_the_longest_words_are_searched(found, social):
    assert found("stranger", "a" * 100, "posts") == []


@pytest.mark.parametrize(
    "q",
    [
        '"',
        '"squat',
        "NEAR(squat deadlift)",
        "squat*",
        "*",
        "-squat",
        "squat -deadlift",
        "squat OR deadlift",
        "squat AND NOT deadlift",
        "text:squat",
        "{text}: squat",
        "^squat",
        "squat + deadlift",
        "'squat'",
        "squat:*",
        "!squat & (deadlift | bench)",
        "\\",
        "%_",
        "@@",
        "_",
        "squat_deadlift",
        "ø é ß 深蹲",
        "\u0301",
        "½ ² ǅ ⅷ 〇 ٣ ﬁ İ",
    ],
)
@pytest.mark.parametrize("type", ["users", "posts"])
def test_query_syntax_in_the_words_is_only_words(search, make, social, q, type):
    make(PostFactory, author_id=social["author"], text="Squat then deadlift")
    make(UserFactory, username="squat_deadlift")

    response = search("stranger", q, type)

    assert response.status_code == 200, response.json
    assert set(response.json) == {"items", "next_cursor"}


@pytest.mark.parametrize("q", ["!!!", "...", "-", "&|", "\u2603"])
@pytest.mark.parametrize("type", ["users", "posts"])
def test_a_query_without_words_finds_nothing(search, make, social, q, type):
    make(PostFactory, author_id=social["author"], text="!!! ... \u2603")

    response = search("stranger", q, type)

    assert response.status_code == 200
    assert response.json == {"items": [], "next_cursor": None}


def test_like_wildcards_are_literal_when_ranking_prefixes(found, make, social):
    a_b = make(UserFactory, username="a_b")

    assert found("stranger", "a_", "users")[:2] == [a_b, social["alice"]]  # "alice" does not start with "a_"


def test_searches_are_limited_per_person(app_factory, make_user):
    app = app_factory(RATELIMIT_ENABLED=True, RATELIMIT_SEARCH="2 per minute")
    client = app.test_client()
    make_user(username="alice")
    make_user(username="bob")
    alice = bearer(login(client, "alice")["access_token"])
    bob = bearer(login(client, "bob")["access_token"])

    statuses = [client.get("/api/v1/search/?q=x&type=users", headers=alice).status_code for _ in range(3)]

    assert statuses == [200, 200, 429]
    assert client.get("/api/v1/search/?q=x&type=users", headers=bob).status_code == 200


def test_searching_needs_a_login(client):
    assert client.get("/api/v1/search/?q=x&type=users").status_code == 401


def test_the_answer_is_documented_as_cards_posts_or_groups(client):
    document = client.get("/api/v1/openapi.json").json
    operation = document["paths"]["/api/v1/search/"]["get"]
    page = operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
    items = document["components"]["schemas"][page]["properties"]["items"]["items"]

    refs = [choice["$ref"].rsplit("/", 1)[-1] for choice in items["oneOf"]]
    assert refs == ["UserCard", "Post", "Group"] and set(refs) <= set(document["components"]["schemas"])
    assert {parameter["name"] for parameter in operation["parameters"]} >= {"q", "type", "cursor", "limit"}
    assert "422" in operation["responses"]
