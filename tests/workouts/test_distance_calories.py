"""A workout's optional distance (kilometres to the metre) and calories through the HTTP API: answered as JSON
numbers or null, changed and cleared by PATCH, reset by PUT, and every value the columns cannot hold is a 422
naming the field (never rounded away, never a 500)."""

import pytest

from tests.fixtures.training import entry, workout_body

URL = "/api/v1/workouts/"


@pytest.fixture
def body(exercises):
    def builder(**fields) -> dict:
        return workout_body(entry(exercises["Push-Up"]), **fields)

    return builder


@pytest.fixture
def create(client, auth_headers, body):
    def creator(**fields) -> dict:
        response = client.post(URL, json=body(**fields), headers=auth_headers)
        assert response.status_code == 201, response.json
        return response.json

    return creator


@pytest.mark.parametrize(("distance_km", "calories"), [(5.25, 320), (42.195, 2600), (0, 0), (10_000, 100_000)])
def test_a_workout_is_created_and_read_back_with_its_exact_distance_and_calories(
    client, auth_headers, create, distance_km, calories
):
    created = create(distance_km=distance_km, calories=calories)

    read = client.get(f"{URL}{created['id']}/", headers=auth_headers).json
    listed = client.get(URL, headers=auth_headers).json[0]
    for workout in (created, read, listed):
        assert (workout["distance_km"], workout["calories"]) == (distance_km, calories)
        assert type(workout["distance_km"]) in (int, float) and type(workout["calories"]) is int


def test_a_distance_sent_as_a_decimal_string_is_read_exactly(create):
    assert create(distance_km="21.097")["distance_km"] == 21.097


def test_a_workout_without_them_answers_nulls(client, auth_headers, create):
    created = create()

    read = client.get(f"{URL}{created['id']}/", headers=auth_headers).json
    assert (created["distance_km"], created["calories"]) == (None, None)
    assert (read["distance_km"], read["calories"]) == (None, None)


def test_nulls_may_be_sent_explicitly(create):
    created = create(distance_km=None, calories=None)

    assert (created["distance_km"], created["calories"]) == (None, None)


def test_her_trainer_reads_them_too(client, cast, exercises, headers_of):
    body = workout_body(entry(exercises["Push-Up"]), distance_km=7.5, calories=450)
    workout_id = client.post(URL, json=body, headers=headers_of("alice")).json["id"]

    read = client.get(f"{URL}{workout_id}/", headers=headers_of("coach")).json
    listed = client.get(f"{URL}?user_id={cast['alice']}", headers=headers_of("coach")).json[0]

    assert (read["distance_km"], read["calories"]) == (7.5, 450)
    assert (listed["distance_km"], listed["calories"]) == (7.5, 450)


def test_patch_changes_them_and_then_clears_them(client, auth_headers, create):
    url = f"{URL}{create(distance_km=5.25, calories=320)['id']}/"

    changed = client.patch(url, json={"distance_km": 10.001, "calories": 700}, headers=auth_headers)
    untouched = client.patch(url, json={"title": "Renamed"}, headers=auth_headers)
    cleared = client.patch(url, json={"distance_km": None, "calories": None}, headers=auth_headers)

    assert changed.status_code == 200, changed.json
    assert (changed.json["distance_km"], changed.json["calories"]) == (10.001, 700)
    assert (untouched.json["distance_km"], untouched.json["calories"]) == (10.001, 700)
    assert cleared.status_code == 200, cleared.json
    assert (cleared.json["distance_km"], cleared.json["calories"]) == (None, None)
    assert client.get(url, headers=auth_headers).json == cleared.json


def test_put_sets_them_and_without_them_resets_them_to_null(client, auth_headers, create, body):
    url = f"{URL}{create(distance_km=5.25, calories=320)['id']}/"

    replaced = client.put(url, json=body(distance_km=3.5, calories=200), headers=auth_headers)
    reset = client.put(url, json=body(), headers=auth_headers)

    assert (replaced.json["distance_km"], replaced.json["calories"]) == (3.5, 200)
    assert reset.status_code == 200, reset.json
    assert (reset.json["distance_km"], reset.json["calories"]) == (None, None)
    assert client.get(url, headers=auth_headers).json == reset.json


BAD_VALUES = [
    ("distance_km", -0.001),
    ("distance_km", -1),
    ("distance_km", 10_000.001),
    ("distance_km", 1e300),
    ("distance_km", 10**30),
    ("distance_km", 5.2501),
    ("distance_km", "1.0005"),
    ("distance_km", 1e-9),
    ("distance_km", "abc"),
    ("distance_km", ""),
    ("distance_km", True),
    ("distance_km", "NaN"),
    ("distance_km", "Infinity"),
    ("distance_km", "-Infinity"),
    ("distance_km", "sNaN"),
    ("distance_km", "1e400"),
    ("distance_km", "1e999999999"),
    ("distance_km", [5]),
    ("distance_km", {"km": 5}),
    ("calories", -1),
    ("calories", 100_001),
    ("calories", 10**30),
    ("calories", 10.5),
    ("calories", 10.0),
    ("calories", "300"),
    ("calories", "abc"),
    ("calories", True),
    ("calories", [300]),
]


@pytest.mark.parametrize(("field", "value"), BAD_VALUES)
@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH"])
def test_a_value_the_column_cannot_hold_is_a_422_naming_the_field(
    client, auth_headers, create, body, method, field, value
):
    url = URL if method == "POST" else f"{URL}{create(distance_km=5.25, calories=320)['id']}/"
    sent = {field: value} if method == "PATCH" else body(**{field: value})

    response = client.open(url, method=method, json=sent, headers=auth_headers)

    assert response.status_code == 422, response.json
    assert list(response.json["errors"]["json"]) == [field]
    if method != "POST":
        kept = client.get(url, headers=auth_headers).json
        assert (kept["distance_km"], kept["calories"]) == (5.25, 320)


@pytest.mark.parametrize("raw", ["1e400", "-1e400", "NaN", "Infinity", "-Infinity"])
def test_a_json_number_no_field_can_hold_is_refused_before_the_schema(client, auth_headers, raw):
    """The input guard (app/input_guard.py) refuses these for every endpoint with a 400, before any field reads them."""
    response = client.post(
        URL, data=f'{{"title": "Run", "distance_km": {raw}}}', content_type="application/json", headers=auth_headers
    )

    assert response.status_code == 400
    assert response.json["code"] == 400 and "errors" in response.json


def test_more_than_three_decimals_are_refused_with_a_reason_not_rounded(client, auth_headers, body):
    response = client.post(URL, json=body(distance_km=42.1955), headers=auth_headers)

    assert response.json["errors"]["json"] == {"distance_km": ["At most three decimal places (to the metre)."]}


def test_trailing_zeros_beyond_three_decimals_are_not_extra_precision(create):
    assert create(distance_km="5.25000")["distance_km"] == 5.25


def test_the_openapi_document_describes_both_fields(client):
    schemas = client.get("/api/v1/openapi.json").json["components"]["schemas"]

    for name in ("Workout", "WorkoutCreate", "WorkoutReplace"):
        properties = schemas[name]["properties"]
        assert properties["distance_km"]["description"].startswith("Kilometres to the metre")
        assert properties["calories"]["description"].startswith("Kilocalories burned")
    assert schemas["Workout"]["properties"]["distance_km"]["type"] in ("number", ["number", "null"])
