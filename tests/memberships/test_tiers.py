"""Membership tiers: everyone signed in reads them, only admins manage them; prices are exact."""

import pytest

from tests.conftest import bearer, login
from tests.memberships.conftest import TIERS, tier_body


def test_admin_creates_a_tier_with_an_exact_price(client, cast, headers_of):
    response = client.post(TIERS, json=tier_body(price="0.10"), headers=headers_of("root"))

    assert response.status_code == 201
    assert response.json["price"] == "0.10"
    assert response.json["currency"] == "EUR"
    assert response.json["is_active"] is True


@pytest.mark.parametrize("who", ["alice", "coach"])
def test_users_and_trainers_cannot_manage_tiers(client, tier, headers_of, who):
    headers = headers_of(who)

    assert client.post(TIERS, json=tier_body(access_level="vip"), headers=headers).status_code == 403
    assert client.patch(f"{TIERS}{tier['id']}/", json={"price": "1"}, headers=headers).status_code == 403
    assert client.delete(f"{TIERS}{tier['id']}/", headers=headers).status_code == 403


@pytest.mark.parametrize("who", ["alice", "coach", "root"])
def test_everyone_signed_in_reads_tiers(client, tier, headers_of, who):
    assert [t["id"] for t in client.get(TIERS, headers=headers_of(who)).json] == [tier["id"]]
    assert client.get(f"{TIERS}{tier['id']}/", headers=headers_of(who)).json["price"] == "19.99"


def test_anonymous_callers_get_401(client, tier):
    assert client.get(TIERS).status_code == 401


@pytest.mark.parametrize(
    ("fields", "bad"),
    [
        ({"price": "-1"}, "price"),
        ({"price": "9.999"}, "price"),
        ({"price": "NaN"}, "price"),
        ({"price": "1000000"}, "price"),
        ({"currency": "eur"}, "currency"),
        ({"currency": "EURO"}, "currency"),
        ({"access_level": "gold"}, "access_level"),
    ],
)
def test_tier_validation_names_the_field(client, cast, headers_of, fields, bad):
    response = client.post(TIERS, json=tier_body(**fields), headers=headers_of("root"))

    assert response.status_code == 422
    assert set(response.json["errors"]["json"]) == {bad}


def test_a_price_with_trailing_zeros_is_accepted(client, cast, headers_of):
    response = client.post(TIERS, json=tier_body(price="5.500"), headers=headers_of("root"))

    assert response.status_code == 201
    assert response.json["price"] == "5.50"


def test_one_tier_per_access_level(client, tier, headers_of):
    response = client.post(TIERS, json=tier_body(price="5"), headers=headers_of("root"))

    assert response.status_code == 409


def test_an_unused_tier_is_deleted(client, tier, headers_of):
    assert client.delete(f"{TIERS}{tier['id']}/", headers=headers_of("root")).status_code == 204
    assert client.get(f"{TIERS}{tier['id']}/", headers=headers_of("root")).status_code == 404


def test_a_tier_in_use_cannot_be_deleted_but_can_be_deactivated(client, cast, tier, headers_of):
    root = headers_of("root")
    client.put(
        f"/api/v1/admin/users/{cast['alice']}/membership/",
        json={"tier_id": tier["id"], "client_status": "active"},
        headers=root,
    )

    assert client.delete(f"{TIERS}{tier['id']}/", headers=root).status_code == 409
    assert client.patch(f"{TIERS}{tier['id']}/", json={"is_active": False}, headers=root).json["is_active"] is False
    assert [t["id"] for t in client.get(f"{TIERS}?active=false", headers=root).json] == [tier["id"]]
    assert client.get(f"{TIERS}?active=true", headers=root).json == []


def test_listing_tiers_sends_a_fixed_number_of_statements(client, cast, headers_of, count_queries):
    root = headers_of("root")
    client.get(TIERS, headers=root)
    with count_queries() as one:
        client.get(TIERS, headers=root)
    for level, price in (("standard", "9"), ("vip", "49")):
        client.post(TIERS, json=tier_body(access_level=level, price=price), headers=root)
    with count_queries() as three:
        assert len(client.get(TIERS, headers=root).json) == 2

    assert three.count == one.count


def test_a_tier_without_a_currency_is_priced_in_the_default_currency(client, cast, headers_of):
    body = tier_body()
    del body["currency"]

    response = client.post(TIERS, json=body, headers=headers_of("root"))

    assert response.status_code == 201, response.json
    assert response.json["currency"] == "EUR"
    assert response.json["price"] == "19.99"


def test_the_default_currency_comes_from_configuration(app_factory, cast):
    app = app_factory(DEFAULT_CURRENCY="CHF")
    client = app.test_client()
    headers = bearer(login(client, "root")["access_token"])

    response = client.post(TIERS, json={"access_level": "vip", "price": "99"}, headers=headers)

    assert response.status_code == 201, response.json
    assert response.json["currency"] == "CHF"


def test_a_given_currency_wins_over_the_default(app_factory, cast):
    app = app_factory(DEFAULT_CURRENCY="CHF")
    client = app.test_client()
    headers = bearer(login(client, "root")["access_token"])

    response = client.post(TIERS, json={"access_level": "vip", "price": "99", "currency": "USD"}, headers=headers)

    assert response.json["currency"] == "USD"
