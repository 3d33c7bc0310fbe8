import csv
import io
import re
from datetime import date, timedelta

import pytest

from app.extensions import db
from app.models import FileStatus, Report
from app.services import report_render, reports
from tests.reports.conftest import RANGE, TODAY, request_report


def status_of(client, headers, report_id):
    return client.get(f"/api/v1/reports/{report_id}/", headers=headers)


def download(client, headers, report_id):
    return client.get(f"/api/v1/reports/{report_id}/download", headers=headers)


def test_a_csv_report_is_rendered_by_the_worker_and_lists_the_workouts_in_range(
    client, headers_of, workouts, cast, run_jobs
):
    alice = headers_of("alice")
    response = request_report(client, alice)
    assert response.status_code == 202, response.json
    report = response.json
    assert report["status"] == "queued"
    assert report["format"] == "csv"
    assert report["user_id"] == cast["alice"]
    assert report["error"] is None
    assert {"id", "date_from", "date_to", "created_at"} <= set(report)
    assert download(client, alice, report["id"]).status_code == 409

    run_jobs()

    assert status_of(client, alice, report["id"]).json["status"] == "done"
    response = download(client, alice, report["id"])
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith("attachment; filename=stride-report-")
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    in_range = [w for w in workouts if w["title"] != "Old"]
    expected = [
        (w["id"], w["title"], e["exercise"]["title"], e["sets"], e["reps"], e["extra_weight_kg"])
        for w in sorted(in_range, key=lambda w: w["date"])
        for e in w["exercises"]
    ]
    got = [
        (int(r["workout_id"]), r["title"], r["exercise"], int(r["sets"]), int(r["reps"]), float(r["extra_weight_kg"]))
        for r in rows
    ]
    assert got == expected
    assert float(rows[0]["volume_kg"]) == 5 * 5 * 100


def test_an_html_report_embeds_its_chart_as_a_png_data_uri(client, headers_of, workouts, run_jobs):
    alice = headers_of("alice")
    weight = {"weight_kg": 80.5, "recorded_at": f"{TODAY - timedelta(days=3)}T08:00:00Z"}
    assert client.post("/api/v1/metrics/", json=weight, headers=alice).status_code == 201
    report_id = request_report(client, alice, format="html").json["id"]

    run_jobs()

    response = download(client, alice, report_id)
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert '<img alt="Weekly training volume and weight history" src="data:image/png;base64,iVBOR' in page
    text = re.sub(r"data:image/png;base64,[A-Za-z0-9+/=]+", "", page)  # base64 may spell anything, "Old" too
    assert "Leg day" in text and "Old" not in text


def test_a_pdf_report_is_a_pdf(client, headers_of, workouts, run_jobs):
    alice = headers_of("alice")
    report_id = request_report(client, alice, format="pdf").json["id"]

    run_jobs()

    response = download(client, alice, report_id)
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF")
    assert response.headers["Content-Disposition"].endswith(".pdf")


def test_cannot_read_or_download_another_users_report(client, headers_of, cast, run_jobs):
    report_id = request_report(client, headers_of("alice")).json["id"]
    run_jobs()

    mallory = headers_of("mallory")
    assert status_of(client, mallory, report_id).status_code == 404
    assert download(client, mallory, report_id).status_code == 404
    assert status_of(client, headers_of("root"), report_id).status_code == 404  # an admin who trains nobody
    assert status_of(client, mallory, 999_999).status_code == 404


def test_a_trainer_gets_a_report_on_their_client_and_the_client_sees_it_too(client, headers_of, cast, run_jobs):
    response = request_report(client, headers_of("coach"), user_id=cast["alice"])
    assert response.status_code == 202, response.json
    assert response.json["user_id"] == cast["alice"]
    run_jobs()

    for who in ("coach", "alice"):
        assert status_of(client, headers_of(who), response.json["id"]).json["status"] == "done"
        assert download(client, headers_of(who), response.json["id"]).status_code == 200
    assert status_of(client, headers_of("stranger"), response.json["id"]).status_code == 404


@pytest.mark.parametrize("who", ["stranger", "mallory"])
def test_a_report_on_someone_who_is_not_your_client_is_refused(client, headers_of, cast, who):
    response = request_report(client, headers_of(who), user_id=cast["alice"])
    assert response.status_code == 404
    with client.application.app_context():
        assert db.session.query(Report).count() == 0


@pytest.mark.parametrize(
    "fields, field",
    [
        ({"date_from": "2026-03-10", "date_to": "2026-03-09"}, "date_to"),
        ({"date_from": "2025-01-01", "date_to": "2026-01-03"}, "date_to"),  # 367 days
        ({"format": "docx"}, "format"),
        ({"date_from": None}, "date_from"),
        ({"user_id": 0}, "user_id"),
    ],
)
def test_a_bad_request_is_422_naming_the_field(client, headers_of, cast, fields, field):
    response = request_report(client, headers_of("alice"), **fields)
    assert response.status_code == 422
    assert field in response.json["errors"]["json"]


def test_a_full_year_range_is_accepted(client, headers_of, cast):
    start = date(2024, 1, 1)
    body = {"date_from": start.isoformat(), "date_to": (start + timedelta(days=366)).isoformat()}
    assert request_report(client, headers_of("alice"), **body).status_code == 202


def test_a_render_that_fails_twice_then_succeeds_ends_done(client, headers_of, cast, run_jobs, monkeypatch):
    calls = []

    def flaky(data):
        calls.append(data.report.id)
        if len(calls) <= 2:
            raise OSError("disk hiccup")
        return b"ok\n"

    monkeypatch.setitem(reports.RENDERERS, "csv", flaky)
    alice = headers_of("alice")
    report_id = request_report(client, alice).json["id"]

    run_jobs()

    assert len(calls) == 3
    report = status_of(client, alice, report_id).json
    assert report["status"] == "done"
    assert report["error"] is None
    assert download(client, alice, report_id).data == b"ok\n"


def test_a_render_that_always_fails_ends_failed_with_a_reason(app, client, headers_of, cast, run_jobs, monkeypatch):
    seen = []

    def broken(data):
        with app.app_context():
            seen.append(db.session.get(Report, data.report.id).status)
        raise RuntimeError("/secret/path exploded")

    monkeypatch.setitem(reports.RENDERERS, "csv", broken)
    alice = headers_of("alice")
    report_id = request_report(client, alice).json["id"]

    run_jobs()

    assert seen == ["running"] * 3
    report = status_of(client, alice, report_id).json
    assert report["status"] == "failed"
    assert "RuntimeError" in report["error"] and "secret" not in report["error"]
    assert download(client, alice, report_id).status_code == 409
    with app.app_context():
        assert db.session.get(Report, report_id).attempts == 3


def test_the_job_leaves_a_settled_report_alone(app, client, headers_of, cast, run_jobs):
    report_id = request_report(client, headers_of("alice")).json["id"]
    run_jobs()
    with app.app_context():
        assert reports.render_report(report_id, is_final_attempt=True) is None
        assert db.session.get(Report, report_id).status == FileStatus.DONE


def test_weekly_volume_counts_every_week_of_the_range():
    weeks = report_render.weekly_volume([], date(2026, 3, 4), date(2026, 3, 20))
    assert [week for week, _ in weeks] == [date(2026, 3, 2), date(2026, 3, 9), date(2026, 3, 16)]
    assert RANGE["date_to"] == TODAY.isoformat()


def test_with_inline_jobs_a_report_is_done_when_the_request_returns(app_factory, tmp_path, make_user):
    from tests.conftest import bearer, login

    app = app_factory(JOBS_RUN_INLINE=True, REPORTS_DIR=str(tmp_path / "inline"))
    client = app.test_client()
    make_user(username="alice")
    headers = bearer(login(client, "alice")["access_token"])

    report_id = request_report(client, headers, format="html").json["id"]

    assert status_of(client, headers, report_id).json["status"] == "done"
    assert download(client, headers, report_id).data.startswith(b"<!doctype html>")
