"""Membership fixtures: the permission cast (reused from training) and tier bodies."""

import pytest

from tests.training import conftest as training

cast, headers_of = training.cast, training.headers_of  # the training suite's people and logins

TIERS = "/api/v1/memberships/"


def tier_body(**fields) -> dict:
    return {"access_level": "premium", "price": "19.99", "currency": "EUR", "description": "Classes", **fields}


@pytest.fixture
def tier(client, cast, headers_of) -> dict:
    """A premium tier, created by root (the admin)."""
    response = client.post(TIERS, json=tier_body(), headers=headers_of("root"))
    assert response.status_code == 201, response.json
    return response.json
