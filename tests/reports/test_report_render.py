"""What a rendered report shows: charts on the report's own dates with labelled axes, "no data" rather than a
made-up axis, and the workouts table in the PDF as well as in the HTML page."""

import io
from datetime import date, timedelta

import pytest
from matplotlib import dates
from pypdf import PdfReader

from app.extensions import db
from app.models import Report
from app.services import report_render, reports
from tests.reports.conftest import TODAY, request_report

QUARTER = {"date_from": (TODAY - timedelta(days=89)).isoformat(), "date_to": TODAY.isoformat()}
LONG_AGO = {"date_from": "2020-01-01", "date_to": "2020-03-31"}


def figure_of(app, report_id):
    with app.app_context():
        return report_render.build_figure(reports.load_report_data(db.session.get(Report, report_id)))


def axis_dates(axes) -> tuple[date, date]:
    low, high = axes.get_xlim()
    return dates.num2date(low).date(), dates.num2date(high).date()


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def download(client, headers, report_id):
    response = client.get(f"/api/v1/reports/{report_id}/download", headers=headers)
    assert response.status_code == 200, response.json
    return response


def test_a_three_month_reports_charts_run_over_its_own_dates(app, client, headers_of, workouts):
    alice = headers_of("alice")
    weight = {"weight_kg": 80.5, "recorded_at": f"{TODAY - timedelta(days=3)}T08:00:00Z"}
    assert client.post("/api/v1/metrics/", json=weight, headers=alice).status_code == 201
    report_id = request_report(client, alice, format="pdf", **QUARTER).json["id"]

    volume_axes, weight_axes = figure_of(app, report_id).axes

    for axes in (volume_axes, weight_axes):
        assert axis_dates(axes) == (TODAY - timedelta(days=89), TODAY + timedelta(days=1))
        assert axes.get_xlabel() == "Date"
        ticks = [dates.num2date(tick).date() for tick in axes.get_xticks()]
        assert ticks and all(TODAY - timedelta(days=89) <= tick <= TODAY + timedelta(days=1) for tick in ticks)
    assert volume_axes.get_ylabel() == "Volume (kg)"
    assert weight_axes.get_ylabel() == "Weight (kg)"
    bars = [bar for bar in volume_axes.patches if bar.get_height() > 0]
    leg_day = TODAY - timedelta(days=10)  # the one workout in range with weights (push-ups lift none)
    monday = leg_day - timedelta(days=leg_day.weekday())
    assert len(bars) == 1
    assert monday <= dates.num2date(bars[0].get_x()).date() < monday + timedelta(days=1)
    assert bars[0].get_width() > 1  # a bar spans days, not a sliver


def test_a_short_report_labels_its_days(app, client, headers_of, workouts):
    report_id = request_report(
        client, headers_of("alice"), format="pdf", **QUARTER | {"date_from": (TODAY - timedelta(days=13)).isoformat()}
    ).json["id"]

    volume_axes, _ = figure_of(app, report_id).axes

    volume_axes.figure.canvas.draw()
    labels = [label.get_text() for label in volume_axes.get_xticklabels()]
    assert labels[0] == (TODAY - timedelta(days=13)).strftime("%d %b")
    assert 2 <= len(labels) <= 7


def test_an_empty_report_says_no_data_with_no_made_up_value_axis(app, client, headers_of, workouts):
    report_id = request_report(client, headers_of("alice"), format="pdf", **LONG_AGO).json["id"]

    figure = figure_of(app, report_id)

    for axes in figure.axes:
        assert [text.get_text() for text in axes.texts] == [report_render.NO_DATA]
        assert list(axes.get_yticks()) == []
        assert axis_dates(axes) == (date(2020, 1, 1), date(2020, 4, 1))


def test_the_pdf_has_the_summary_the_charts_and_every_row_of_the_table(client, headers_of, workouts, run_jobs):
    alice = headers_of("alice")
    report_id = request_report(client, alice, format="pdf", **QUARTER).json["id"]
    run_jobs()

    text = pdf_text(download(client, alice, report_id).data)

    assert "Training report: alice" in text
    assert "2 workouts" in text
    assert "Weekly training volume" in text and "Body weight" in text
    for heading in ("Date", "Workout", "Exercise", "Sets", "Reps", "Volume (kg)"):
        assert heading in text
    for row in ("Leg day", "Barbell Back Squat", "Plank", "Push day", "Push-Up", "2500"):
        assert row in text
    assert "Old" not in text  # the workout before the range


def test_a_long_table_continues_over_several_pdf_pages(app, client, headers_of, workouts, run_jobs, monkeypatch):
    monkeypatch.setattr(report_render, "PDF_ROWS_PER_PAGE", 2)
    alice = headers_of("alice")
    report_id = request_report(client, alice, format="pdf", **QUARTER).json["id"]
    run_jobs()

    pages = PdfReader(io.BytesIO(download(client, alice, report_id).data)).pages

    assert len(pages) == 1 + 2  # the charts, then 3 entry rows two a page
    assert "Workouts (2 of 2)" in pages[2].extract_text()


def test_an_empty_pdf_says_so(client, headers_of, workouts, run_jobs):
    alice = headers_of("alice")
    report_id = request_report(client, alice, format="pdf", **LONG_AGO).json["id"]
    run_jobs()

    text = pdf_text(download(client, alice, report_id).data)

    assert "No data in this period" in text
    assert "No workouts in this period." in text


@pytest.mark.parametrize("title", ["<script>alert(1)</script>", 'Tom & Jerry\'s "day"'])
def test_the_html_page_comes_from_its_template_and_escapes_what_people_typed(
    client, headers_of, cast, exercises, run_jobs, title
):
    alice = headers_of("alice")
    body = {
        "training_type": "strength",
        "title": title,
        "date": TODAY.isoformat(),
        "exercises": [{"exercise_id": exercises["Push-Up"]}],
    }
    assert client.post("/api/v1/workouts/", json=body, headers=alice).status_code == 201
    report_id = request_report(client, alice, format="html").json["id"]
    run_jobs()

    page = download(client, alice, report_id).get_data(as_text=True)

    assert "<th>Exercise</th>" in page and "<td>Push-Up</td>" in page
    assert title not in page
    assert "&lt;script&gt;" in page or "Tom &amp; Jerry" in page
