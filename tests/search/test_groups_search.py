"""Searching groups (`type=groups`): found by their name and description words, best match first, every group
(a private group's name is public, its posts are not), paged like the other searches."""

import pytest

from app.blueprints.groups.schemas import GroupSchema
from app.extensions import db
from app.models import Group
from tests.factories import UserFactory
from tests.factories.groups import make_group


@pytest.fixture
def group(app, social):
    """`group(name, description="", admin="author", members=(), visibility="public")`: a group's id."""

    def maker(name: str, description: str = "", admin: str = "author", members=(), visibility: str = "public"):
        with app.app_context():
            group_id = make_group(
                social[admin], members=tuple(social[m] for m in members), visibility=visibility, name=name
            )
            db.session.get(Group, group_id).description = description
            db.session.commit()
            return group_id

    return maker


def test_a_group_is_found_by_a_word_of_its_name(found, group):
    runners = group("Morning Runners Paris")
    group("Cycling club")

    assert found("stranger", "runners", "groups") == [runners]
    assert found("stranger", "paris morning", "groups") == [runners]  # every word, in any order


def test_a_group_is_found_by_the_start_of_its_name_or_a_word(found, group):
    runners = group("Morning Runners Paris")

    assert found("stranger", "morn", "groups") == [runners]
    assert found("stranger", "run", "groups") == [runners]
    assert found("stranger", "MORNING RUN", "groups") == [runners]


def test_every_word_must_match(found, group):
    both = group("Trail and road")
    group("Trail only")

    assert found("stranger", "trail road", "groups") == [both]


def test_an_exact_name_comes_first_then_names_starting_with_it_then_other_names_then_descriptions(found, group):
    # Made best first: newest first alone would answer them the other way round.
    exact = group("Runners")
    prefix = group("Runners of Lyon")
    in_name = group("Night runners")
    in_description = group("Sunday club", description="Slow runners welcome")
    group("Swimmers", description="No running here")

    assert found("stranger", "runners", "groups") == [exact, prefix, in_name, in_description]
    assert found("stranger", "RUNNERS", "groups")[0] == exact


def test_equal_matches_come_newest_first(found, group):
    older = group("Trail club")
    newer = group("Trail team")

    assert found("stranger", "trail", "groups") == [newer, older]


def test_a_private_group_is_found_with_its_name_but_never_its_posts(api, search, group):
    secret = group("Secret squad", description="Hill repeats", members=("friend_of_friend",), visibility="private")
    posted = api("friend_of_friend", "POST", "/posts/", {"text": "Secret squad: 10x400m", "group_id": secret})
    assert posted.status_code == 201, posted.json

    response = search("stranger", "secret squad", "groups")

    assert response.status_code == 200
    (item,) = response.json["items"]
    assert set(item) == set(GroupSchema().fields)
    assert {key: item[key] for key in set(item) - {"created_at"}} == {
        "id": secret,
        "name": "Secret squad",
        "description": "Hill repeats",
        "visibility": "private",
        "members_count": 2,
        "is_member": False,
        "is_admin": False,
        "has_requested": False,
    }
    assert "10x400m" not in response.get_data(as_text=True)


def test_a_result_tells_a_member_and_an_admin_what_they_are(search, group):
    group("Trail runners", members=("friend",), visibility="private")

    def seen_by(viewer: str) -> dict:
        (item,) = search(viewer, "trail", "groups").json["items"]
        return {key: item[key] for key in ("is_member", "is_admin", "members_count")}

    assert seen_by("friend") == {"is_member": True, "is_admin": False, "members_count": 2}
    assert seen_by("author") == {"is_member": True, "is_admin": True, "members_count": 2}
    assert seen_by("stranger") == {"is_member": False, "is_admin": False, "members_count": 2}


def test_a_request_to_join_shows(api, search, group):
    secret = group("Secret squad", visibility="private")
    assert api("stranger", "POST", f"/groups/{secret}/join/").status_code == 202

    (item,) = search("stranger", "secret", "groups").json["items"]

    assert item["has_requested"] is True and item["is_member"] is False


@pytest.mark.parametrize(("literal", "q"), [("a_b", "a_"), ("a%b", "a%"), ("100% club", "100%")])
def test_like_wildcards_in_the_words_are_literal(found, group, literal, q):
    meant = group(literal)
    wildcard_match = group(literal.replace("_", "x").replace("%", "0"))  # newer: first, were `_` or `%` a wildcard

    assert found("stranger", q, "groups") == [meant, wildcard_match]


@pytest.mark.parametrize("q", ["%", "_", "%_%", "!!!", "...", "-", "\u2603"])
def test_a_query_without_words_finds_nothing(search, group, q):
    group("%_% !!! ... - \u2603")

    response = search("stranger", q, "groups")

    assert response.status_code == 200
    assert response.json == {"items": [], "next_cursor": None}


def test_groups_come_in_pages(search, group):
    lifters = [group(f"Lifters {n}") for n in range(5)]
    pages, cursor = [], None
    while True:
        response = search("stranger", "lifters", "groups", limit=2, **({"cursor": cursor} if cursor else {}))
        assert response.status_code == 200, response.json
        pages.append([item["id"] for item in response.json["items"]])
        cursor = response.json["next_cursor"]
        if cursor is None:
            break

    assert pages == [lifters[:-3:-1], lifters[-3:-5:-1], lifters[:1]]  # equal matches: newest first


def test_a_cursor_of_a_people_search_is_a_422(search, make, group):
    group("Lifters 1")
    group("Lifters 2")
    for n in range(2):
        make(UserFactory, username=f"lifters{n}")
    cursor = search("stranger", "lifters", "users", limit=1).json["next_cursor"]
    assert cursor

    response = search("stranger", "lifters", "groups", limit=1, cursor=cursor)

    assert response.status_code == 422
    assert list(response.json["errors"]["query"]) == ["cursor"]


@pytest.mark.parametrize(("query", "status"), [("q=a%00b", 422), ("q=" + "a" * 1000, 422), ("q=%ED%A0%80", 200)])
def test_hostile_words_are_never_a_500(api, group, query, status):
    # A lone surrogate cannot travel in a URL: its UTF-8 form is decoded as replacement characters, no words.
    group("Runners")

    response = api("stranger", "GET", f"/search/?{query}&type=groups")

    assert response.status_code == status, response.json
    if status == 422:
        assert list(response.json["errors"]["query"]) == ["q"]
    else:
        assert response.json == {"items": [], "next_cursor": None}


def test_the_answer_is_documented_as_a_group_too(client):
    document = client.get("/api/v1/openapi.json").json
    operation = document["paths"]["/api/v1/search/"]["get"]
    page = operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
    items = document["components"]["schemas"][page]["properties"]["items"]["items"]
    (type_,) = [parameter for parameter in operation["parameters"] if parameter["name"] == "type"]

    refs = [choice["$ref"].rsplit("/", 1)[-1] for choice in items["oneOf"]]
    assert refs == ["UserCard", "Post", "Group"] and set(refs) <= set(document["components"]["schemas"])
    assert type_["schema"]["enum"] == ["users", "posts", "groups"]


def test_a_page_costs_the_same_statements_for_one_group_as_for_many(search, group, count_queries):
    group("Lifters 0", members=("friend",))
    search("stranger", "lifters", "groups")  # log in first
    with count_queries() as one:
        search("stranger", "lifters", "groups")
    for n in range(1, 6):
        group(f"Lifters {n}", members=("friend", "stranger"))
    with count_queries() as many:
        assert len(search("stranger", "lifters", "groups").json["items"]) == 6

    assert many.count == one.count


@pytest.mark.parametrize(
    "q", ['"', '"squat', "NEAR(squat deadlift)", "squat*", "squat:*", "'squat'", "\\", "%_", "@@", "!a & (b | c)"]
)
def test_query_syntax_in_the_words_is_only_words(search, group, q):
    group("Squat & deadlift club")

    response = search("stranger", q, "groups")

    assert response.status_code == 200, response.json
    assert set(response.json) == {"items", "next_cursor"}
