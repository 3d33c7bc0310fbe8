"""Challenge participation in trainer analytics: who of the people covered takes part in challenges running during
the range (trainers: their live clients; admins: everyone), against a hand-counted fixture.

alice is coach's client; mallory is nobody's. The range is 2025-03-03 .. 2025-03-16."""

from datetime import date

import pytest

from app.extensions import db
from app.models import Challenge, ChallengeParticipant

RANGE = "date_from=2025-03-03&date_to=2025-03-16"


def challenge(start: date, end: date, *user_ids: int) -> int:
    made = Challenge(title="C", metric="workouts", start_date=start, end_date=end)
    db.session.add(made)
    db.session.flush()
    db.session.add_all(ChallengeParticipant(challenge_id=made.id, user_id=user_id) for user_id in user_ids)
    db.session.commit()
    return made.id


@pytest.fixture
def data(app, cast):
    alice, mallory = cast["alice"], cast["mallory"]
    with app.app_context():
        challenge(date(2025, 2, 1), date(2025, 3, 3), alice, mallory)  # ends on the range's first day
        challenge(date(2025, 3, 10), date(2025, 4, 10), alice)  # starts within it
        challenge(date(2025, 3, 16), date(2025, 3, 20), mallory)  # starts on its last day
        challenge(date(2025, 3, 17), date(2025, 3, 30), alice, mallory)  # after it
        challenge(date(2025, 1, 1), date(2025, 3, 2), alice)  # before it
        challenge(date(2025, 3, 5), date(2025, 3, 6))  # nobody takes part


def get(client, headers, query: str = RANGE) -> dict:
    response = client.get(f"/api/v1/analytics/challenges/?{query}", headers=headers)
    assert response.status_code == 200, response.json
    return response.json


def figures(result: dict) -> tuple:
    return (
        result["users"],
        result["challenges"],
        result["participants"],
        result["participations"],
        result["participation_rate"],
    )


def test_regular_users_get_403_and_anonymous_401(client, cast, headers_of):
    assert client.get("/api/v1/analytics/challenges/", headers=headers_of("alice")).status_code == 403
    assert client.get("/api/v1/analytics/challenges/").status_code == 401


def test_a_trainer_sees_the_participation_of_their_clients(client, data, headers_of):
    result = get(client, headers_of("coach"))

    assert (result["date_from"], result["date_to"]) == ("2025-03-03", "2025-03-16")
    assert figures(result) == (1, 2, 1, 2, 1.0)


def test_an_admin_sees_the_participation_of_everyone(client, data, headers_of):
    # Five accounts (the cast); alice and mallory take part: 2 of 5. Challenges overlapping: the first three.
    assert figures(get(client, headers_of("root"))) == (5, 3, 2, 4, 0.4)


def test_a_trainer_without_clients_sees_nothing(client, data, headers_of):
    assert figures(get(client, headers_of("stranger"))) == (0, 0, 0, 0, None)


def test_an_ended_assignment_removes_the_client_from_the_trainers_figures(client, cast, data, headers_of):
    client.delete(f"/api/v1/trainers/me/clients/{cast['alice']}/", headers=headers_of("coach"))

    assert figures(get(client, headers_of("coach"))) == (0, 0, 0, 0, None)


def test_the_range_is_validated_as_for_every_figure(client, cast, headers_of):
    response = client.get(
        "/api/v1/analytics/challenges/?date_from=2025-03-10&date_to=2025-03-09", headers=headers_of("coach")
    )

    assert response.status_code == 422
    assert response.json["errors"]["query"]
