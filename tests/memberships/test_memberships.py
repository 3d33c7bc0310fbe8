"""A user's membership and client status: admins set it, the user and their trainer read it, history is kept."""

import json

import pytest

from tests.memberships.conftest import TIERS, tier_body


def admin_url(user_id: int, rest: str = "") -> str:
    return f"/api/v1/admin/users/{user_id}/membership/{rest}"


def put(client, headers, user_id, tier_id, status="active"):
    return client.put(admin_url(user_id), json={"tier_id": tier_id, "client_status": status}, headers=headers)


def test_a_user_without_a_membership_has_no_tier_and_is_inactive(client, cast, headers_of):
    mine = client.get("/api/v1/memberships/me/", headers=headers_of("alice")).json

    assert mine == {
        "user_id": cast["alice"],
        "tier": None,
        "client_status": "inactive",
        "updated_at": None,
        "updated_by_id": None,
    }


def test_admin_sets_a_membership_and_the_user_sees_it(client, cast, tier, headers_of):
    response = put(client, headers_of("root"), cast["alice"], tier["id"], "on_hold")

    assert response.status_code == 200
    mine = client.get("/api/v1/memberships/me/", headers=headers_of("alice")).json
    assert mine["tier"]["access_level"] == "premium"
    assert mine["client_status"] == "on_hold"
    assert mine["updated_by_id"] == cast["root"]


@pytest.mark.parametrize("who", ["alice", "coach", "stranger"])
def test_only_admins_change_memberships_or_read_the_history(client, cast, tier, headers_of, who):
    assert put(client, headers_of(who), cast["alice"], tier["id"]).status_code == 403
    assert client.get(admin_url(cast["alice"]), headers=headers_of(who)).status_code == 403
    assert client.get(admin_url(cast["alice"], "history/"), headers=headers_of(who)).status_code == 403


def test_trainers_read_their_clients_membership_only(client, cast, tier, headers_of):
    put(client, headers_of("root"), cast["alice"], tier["id"])
    url = f"/api/v1/users/{cast['alice']}/membership/"

    assert client.get(url, headers=headers_of("coach")).json["tier"]["id"] == tier["id"]
    assert client.get(url, headers=headers_of("stranger")).status_code == 404
    assert client.get(url, headers=headers_of("mallory")).status_code == 404
    assert client.get(url, headers=headers_of("alice")).status_code == 200
    assert client.get(url, headers=headers_of("root")).status_code == 200


@pytest.mark.parametrize(
    ("body", "bad"),
    [
        ({"tier_id": 424242, "client_status": "active"}, "tier_id"),
        ({"tier_id": None, "client_status": "frozen"}, "client_status"),
        ({"client_status": "active"}, "tier_id"),
        ({"tier_id": 0, "client_status": "active"}, "tier_id"),
    ],
)
def test_membership_validation_names_the_field(client, cast, tier, headers_of, body, bad):
    response = client.put(admin_url(cast["alice"]), json=body, headers=headers_of("root"))

    assert response.status_code == 422
    assert set(response.json["errors"]["json"]) == {bad}


def test_a_deactivated_tier_cannot_be_newly_assigned(client, cast, tier, headers_of):
    root = headers_of("root")
    client.patch(f"{TIERS}{tier['id']}/", json={"is_active": False}, headers=root)

    response = put(client, root, cast["alice"], tier["id"])

    assert response.status_code == 422
    assert "tier_id" in response.json["errors"]["json"]


def test_unknown_user_is_404(client, cast, tier, headers_of):
    assert put(client, headers_of("root"), 424242, tier["id"]).status_code == 404
    assert client.get(admin_url(424242, "history/"), headers=headers_of("root")).status_code == 404


def test_history_keeps_the_price_paid_when_the_tier_is_repriced(client, cast, tier, headers_of):
    root = headers_of("root")
    vip = client.post(TIERS, json=tier_body(access_level="vip", price="49.00"), headers=root).json
    put(client, root, cast["alice"], tier["id"])
    client.patch(f"{TIERS}{tier['id']}/", json={"price": "24.99"}, headers=root)
    put(client, root, cast["alice"], vip["id"], "on_hold")
    put(client, root, cast["alice"], vip["id"], "on_hold")  # no change: no history row

    response = client.get(admin_url(cast["alice"], "history/"), headers=root)

    assert json.loads(response.headers["X-Pagination"])["total"] == 2
    latest, first = response.json
    assert (first["from_tier_id"], first["to_access_level"], first["to_price"]) == (None, "premium", "19.99")
    assert (first["from_client_status"], first["to_client_status"]) == (None, "active")
    assert (latest["from_access_level"], latest["from_price"], latest["to_price"]) == ("premium", "24.99", "49.00")
    assert (latest["from_client_status"], latest["to_client_status"]) == ("active", "on_hold")
    assert latest["changed_by_id"] == cast["root"]
    assert latest["to_currency"] == "EUR"


def test_history_survives_a_repricing_even_of_the_current_tier(client, cast, tier, headers_of):
    root = headers_of("root")
    put(client, root, cast["alice"], tier["id"])

    client.patch(f"{TIERS}{tier['id']}/", json={"price": "99.99"}, headers=root)

    (row,) = client.get(admin_url(cast["alice"], "history/"), headers=root).json
    assert row["to_price"] == "19.99"
    assert client.get("/api/v1/memberships/me/", headers=headers_of("alice")).json["tier"]["price"] == "99.99"


def test_removing_the_tier_is_recorded(client, cast, tier, headers_of):
    root = headers_of("root")
    put(client, root, cast["alice"], tier["id"])

    response = put(client, root, cast["alice"], None, "inactive")

    assert response.json["tier"] is None
    latest = client.get(admin_url(cast["alice"], "history/"), headers=root).json[0]
    assert (latest["from_tier_id"], latest["to_tier_id"], latest["to_price"]) == (tier["id"], None, None)


def test_reading_history_sends_a_fixed_number_of_statements(client, cast, tier, headers_of, count_queries):
    root = headers_of("root")
    put(client, root, cast["alice"], tier["id"])
    with count_queries() as one:
        client.get(admin_url(cast["alice"], "history/"), headers=root)
    put(client, root, cast["alice"], tier["id"], "on_hold")
    put(client, root, cast["alice"], None, "inactive")
    with count_queries() as three:
        assert len(client.get(admin_url(cast["alice"], "history/"), headers=root).json) == 3

    assert three.count == one.count


def test_repeating_a_put_answers_200_with_the_same_membership_and_records_once(client, cast, tier, headers_of):
    root = headers_of("root")

    first = put(client, root, cast["alice"], tier["id"], "active")
    again = put(client, root, cast["alice"], tier["id"], "active")

    assert first.status_code == again.status_code == 200
    assert again.json == first.json
    assert len(client.get(admin_url(cast["alice"], "history/"), headers=root).json) == 1


def test_setting_no_tier_and_inactive_on_someone_who_never_had_one_changes_nothing(client, cast, headers_of):
    root = headers_of("root")

    response = put(client, root, cast["alice"], None, "inactive")

    assert response.status_code == 200
    assert response.json["tier"] is None and response.json["updated_at"] is None
    assert client.get(admin_url(cast["alice"], "history/"), headers=root).json == []
