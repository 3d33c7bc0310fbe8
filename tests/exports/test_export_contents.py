"""A data export holds everything Stride keeps about its owner — every file, each with the owner's rows and
nobody else's — and never a password hash or a token secret."""

import csv
import io
import json
import zipfile

import pytest

from app.extensions import db
from app.models import NotificationType, OneTimeToken, User
from app.services import coaching, notifications
from app.services.exports import DOCUMENTS, TABLES
from tests.conftest import login
from tests.factories import ExerciseFactory, HabitReminderFactory
from tests.fixtures.training import TODAY, entry, workout_body
from tests.reports.conftest import request_report

# Each table and how a row names its owner (habit rows name the habit, checked against the owner's habits).
OWNER_KEY = {
    "goals": "user_id",
    "metrics": "user_id",
    "workouts": "user_id",
    "plans": "user_id",
    "personal_records": "user_id",
    "exercises_created": "created_by_id",
    "habits": "user_id",
    "habit_completions": "habit_id",
    "habit_reminders": "habit_id",
    "notifications": "recipient_id",
    "membership_history": "user_id",
    "trainer_links": "client_id",
    "sessions": "user_id",
    "email_tokens": "user_id",
    "audit_events": "user_id",
    "reports": "user_id",
    "exports": "user_id",
}
README_FILES = {f"{name}.json" for name in DOCUMENTS} | {f"{name}.{ext}" for name in TABLES for ext in ("json", "csv")}


def give_everything(app, client, headers_of, exercises, username: str, tier_id: int) -> dict:
    """One of every kind of record for this person, through the API where there is one."""
    headers = headers_of(username)
    login(client, username)  # a second session
    user_id = client.get("/api/v1/profile/", headers=headers).json["id"]

    def post(path, body, status=201):
        response = client.post(path, json=body, headers=headers)
        assert response.status_code == status, (path, response.json)
        return response.json

    end = TODAY.replace(year=TODAY.year + 1).isoformat()
    post(
        "/api/v1/fitness-goals/", {"goal_type": "strength", "target_value": 1, "end_date": end, "description": username}
    )
    post("/api/v1/metrics/", {"weight_kg": 70 + len(username)})
    workout = post(
        "/api/v1/workouts/",
        workout_body(entry(exercises["Barbell Back Squat"], extra_weight_kg=60), title=f"{username} squats"),
    )
    post("/api/v1/training-plans/", {"title": f"{username} plan", "workout_ids": [workout["id"]]})
    habit = post("/api/v1/habits/", {"time": "07:30", "action": f"{username} drinks water", "periodicity_days": 1})
    post(f"/api/v1/habits/{habit['id']}/done/", None)
    quiet = {"channels": {}, "quiet_hours": {"start": "22:00", "end": "07:00"}}
    assert client.put("/api/v1/notifications/preferences/", json=quiet, headers=headers).status_code == 200
    assert client.post("/api/v1/password-reset/", json={"email": f"{username}@example.com"}).status_code == 202
    assert request_report(client, headers).status_code == 202
    post("/api/v1/export/", None, status=202)
    membership = {"tier_id": tier_id, "client_status": "active"}
    response = client.put(f"/api/v1/admin/users/{user_id}/membership/", json=membership, headers=headers_of("root"))
    assert response.status_code == 200, response.json
    with app.app_context():
        HabitReminderFactory(habit_id=habit["id"], slot_date=TODAY)
        ExerciseFactory(title=f"{username} lunge", muscle_group="legs", created_by_id=user_id)  # added to the catalog
        notifications.notify([user_id], NotificationType.SYSTEM, f"{username} announcement")
        user = db.session.get(User, user_id)
        user.telegram_chat_id = f"{user_id}000"
        db.session.commit()
    return {"id": user_id, "habit_ids": {habit["id"]}}


@pytest.fixture
def everyone(app, client, headers_of, cast, exercises):
    tier = client.post(
        "/api/v1/memberships/",
        json={"access_level": "premium", "price": "19.99", "currency": "EUR"},
        headers=headers_of("root"),
    )
    assert tier.status_code == 201, tier.json
    with app.app_context():
        coaching.assign(db.session.get(User, cast["root"]), cast["stranger"], cast["mallory"])
    return {
        name: give_everything(app, client, headers_of, exercises, name, tier.json["id"])
        for name in ("alice", "mallory")
    }


def export_of(client, headers, run_jobs) -> zipfile.ZipFile:
    export_id = client.post("/api/v1/export/", headers=headers).json["id"]
    run_jobs()
    response = client.get(f"/api/v1/export/{export_id}/download", headers=headers)
    assert response.status_code == 200, response.json
    return zipfile.ZipFile(io.BytesIO(response.data))


def test_every_file_holds_the_owners_data_and_nobody_elses(client, headers_of, everyone, run_jobs):
    archives = {name: export_of(client, headers_of(name), run_jobs) for name in ("alice", "mallory")}

    for person, archive in archives.items():  # each has rows everywhere, so leaving the other out means something
        owner = everyone[person]
        assert set(archive.namelist()) == README_FILES
        for name, key in OWNER_KEY.items():
            rows = json.loads(archive.read(f"{name}.json"))
            assert rows, f"{person}'s {name}.json is empty"
            owners = {row[key] for row in rows}
            assert owners == (owner["habit_ids"] if key == "habit_id" else {owner["id"]}), (person, name)
            assert len(list(csv.DictReader(io.StringIO(archive.read(f"{name}.csv").decode())))) == len(rows), name
    archive = archives["alice"]
    everything = "".join(archive.read(name).decode() for name in archive.namelist())
    assert "alice squats" in everything and "alice drinks water" in everything and "alice announcement" in everything
    assert "mallory" not in everything


def test_the_one_object_files_describe_the_owner(client, headers_of, everyone, run_jobs):
    archive = export_of(client, headers_of("alice"), run_jobs)

    def read(name):
        return json.loads(archive.read(f"{name}.json"))

    assert read("profile")["username"] == "alice"
    assert read("notification_preferences")["quiet_hours"] == {"start": "22:00:00", "end": "07:00:00"}
    membership = read("membership")
    assert membership["client_status"] == "active" and membership["tier"]["access_level"] == "premium"
    assert read("stats")["total_workouts"] == 1
    assert read("telegram") == {"is_linked": True, "chat_id": f"{everyone['alice']['id']}000"}
    links = read("trainer_links")
    assert [(link["trainer_username"], link["client_username"]) for link in links] == [("coach", "alice")]
    assert {event["type"] for event in read("audit_events")} >= {"login_succeeded", "password_reset_requested"}


def test_a_trainers_export_lists_their_clients(client, headers_of, everyone, run_jobs):
    links = json.loads(export_of(client, headers_of("coach"), run_jobs).read("trainer_links.json"))

    assert [(link["trainer_username"], link["client_username"]) for link in links] == [("coach", "alice")]


def test_no_password_hash_or_token_secret_leaves_in_an_export(app, client, headers_of, everyone, run_jobs):
    tokens = login(client, "alice")
    archive = export_of(client, headers_of("alice"), run_jobs)
    everything = "".join(archive.read(name).decode() for name in archive.namelist())
    with app.app_context():
        alice = db.session.get(User, everyone["alice"]["id"])
        secrets = [alice.password_hash, tokens["access_token"], tokens["refresh_token"]]
        secrets += [token.token_hash for token in db.session.query(OneTimeToken).filter_by(user_id=alice.id)]

    assert len(secrets) >= 4
    for secret in secrets:
        assert secret not in everything
    for word in ("password_hash", "token_hash", "$argon2", "file_key"):
        assert word not in everything


def test_the_readme_documents_every_file_of_the_zip():
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    section = readme[readme.index("| file | what |") :]
    for name in list(DOCUMENTS) + list(TABLES):
        assert f"`{name}." in section, name


def test_an_export_includes_the_export_list_with_this_one_running(client, headers_of, cast, run_jobs):
    archive = export_of(client, headers_of("alice"), run_jobs)

    exports = json.loads(archive.read("exports.json"))
    assert [row["status"] for row in exports] == ["running"]
