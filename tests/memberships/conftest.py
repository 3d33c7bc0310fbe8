"""Membership fixtures: tier bodies and a tier (the cast and their logins are root fixtures)."""

import pytest

TIERS = "/api/v1/memberships/"


def tier_body(**fields) -> dict:
    return {"access_level": "premium", "price": "19.99", "currency": "EUR", "description": "Classes", **fields}


@pytest.fixture
def tier(client, cast, headers_of) -> dict:
    """A premium tier, created by root (the admin)."""
    response = client.post(TIERS, json=tier_body(), headers=headers_of("root"))
    assert response.status_code == 201, response.json
    return response.json
