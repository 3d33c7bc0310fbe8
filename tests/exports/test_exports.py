import io
import json
import zipfile

from tests.fixtures.training import TODAY

FILES = {"profile.json"} | {
    f"{name}.{ext}" for name in ("goals", "metrics", "workouts", "plans") for ext in ("json", "csv")
}  # among others: tests/reports/test_export_contents.py checks them all


def test_an_export_is_a_zip_of_everything_the_user_stored(client, headers_of, workouts, run_jobs):
    alice = headers_of("alice")
    goal = {"goal_type": "weight_loss", "target_value": 75, "end_date": f"{TODAY.replace(year=TODAY.year + 1)}"}
    assert client.post("/api/v1/fitness-goals/", json=goal, headers=alice).status_code == 201
    plan = {"title": "Spring", "workout_ids": [workouts[0]["id"], workouts[1]["id"]]}
    assert client.post("/api/v1/training-plans/", json=plan, headers=alice).status_code == 201

    response = client.post("/api/v1/export/", headers=alice)
    assert response.status_code == 202, response.json
    export_id = response.json["id"]
    assert response.json["status"] == "queued"
    assert client.get(f"/api/v1/export/{export_id}/download", headers=alice).status_code == 409

    run_jobs()

    assert client.get(f"/api/v1/export/{export_id}/", headers=alice).json["status"] == "done"
    response = client.get(f"/api/v1/export/{export_id}/download", headers=alice)
    assert response.status_code == 200
    assert response.mimetype == "application/zip"
    assert "attachment" in response.headers["Content-Disposition"]
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    assert FILES <= set(archive.namelist())
    assert json.loads(archive.read("profile.json"))["username"] == "alice"
    exported = json.loads(archive.read("workouts.json"))
    assert len(exported) == 3
    assert sum(len(w["exercises"]) for w in exported) == 4
    assert len(json.loads(archive.read("goals.json"))) == 1
    assert json.loads(archive.read("plans.json"))[0]["workout_ids"] == plan["workout_ids"]
    assert len(archive.read("workouts.csv").decode().splitlines()) == 1 + 3
    assert "password" not in archive.read("profile.json").decode()


def test_only_the_owner_sees_an_export(client, headers_of, cast, run_jobs):
    export_id = client.post("/api/v1/export/", headers=headers_of("alice")).json["id"]
    run_jobs()

    for who in ("mallory", "coach", "root"):
        assert client.get(f"/api/v1/export/{export_id}/", headers=headers_of(who)).status_code == 404
        assert client.get(f"/api/v1/export/{export_id}/download", headers=headers_of(who)).status_code == 404
    assert client.get(f"/api/v1/export/{export_id}/download", headers=headers_of("alice")).status_code == 200


def test_the_profile_file_holds_the_phone_number_and_gender(client, headers_of, cast, run_jobs):
    alice = headers_of("alice")
    details = {"phone_number": "+49 30 12345678", "gender": "female"}
    assert client.patch("/api/v1/profile/", json=details, headers=alice).status_code == 200
    export_id = client.post("/api/v1/export/", headers=alice).json["id"]

    run_jobs()

    archive = zipfile.ZipFile(io.BytesIO(client.get(f"/api/v1/export/{export_id}/download", headers=alice).data))
    profile = json.loads(archive.read("profile.json"))
    assert (profile["phone_number"], profile["gender"]) == ("+493012345678", "female")
