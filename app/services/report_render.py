"""How a training report looks: CSV rows; charts drawn with matplotlib on the report's own dates; the HTML page
from a Jinja2 template; the PDF as a page of charts followed by the workouts table. Pure functions of ReportData.

matplotlib is imported inside the functions that draw, so the web process does not pay for it at start-up."""

import base64
import csv
import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask import render_template

from app.lib.dates import week_start
from app.models import Report, User, Workout

NO_DATA = "No data in this period"
CSV_COLUMNS = (
    "workout_id",
    "date",
    "title",
    "training_type",
    "intensity",
    "duration_min",
    "order",
    "exercise",
    "sets",
    "reps",
    "rest_sec",
    "extra_weight_kg",
    "volume_kg",
)
# The table of the HTML page and the PDF: (CSV column, heading).
TABLE_COLUMNS = (
    ("date", "Date"),
    ("title", "Workout"),
    ("training_type", "Type"),
    ("intensity", "Intensity"),
    ("duration_min", "Minutes"),
    ("exercise", "Exercise"),
    ("sets", "Sets"),
    ("reps", "Reps"),
    ("rest_sec", "Rest (s)"),
    ("extra_weight_kg", "Weight (kg)"),
    ("volume_kg", "Volume (kg)"),
)
PDF_ROWS_PER_PAGE = 28
A4 = (8.27, 11.69)  # inches, portrait


@dataclass(frozen=True)
class ReportData:
    subject: User
    report: Report
    workouts: list[Workout]
    weights: list[tuple[datetime, float]]  # in the subject's own time zone

    @property
    def title(self) -> str:
        return f"Training report: {self.subject.username}, {self.report.date_from} to {self.report.date_to}"

    @property
    def summary(self) -> str:
        if not self.workouts and not self.weights:
            return "No workouts and no weight entries in this period."
        minutes = sum(w.duration_min or 0 for w in self.workouts)
        volume = sum(w.volume_kg for w in self.workouts)
        text = f"{len(self.workouts)} workouts, {minutes} minutes, {volume:,.1f} kg total volume."
        if self.weights:
            text += f" Weight {self.weights[0][1]:.1f} kg → {self.weights[-1][1]:.1f} kg."
        return text


# --- CSV --------------------------------------------------------------------------------------------------------


def csv_rows(workouts: list[Workout]) -> list[dict]:
    """One row per exercise entry; a workout without entries still gets one row."""
    rows = []
    for workout in workouts:
        base = {
            "workout_id": workout.id,
            "date": workout.date.isoformat(),
            "title": workout.title,
            "training_type": workout.training_type,
            "intensity": workout.intensity,
            "duration_min": workout.duration_min,
        }
        if not workout.exercises:
            rows.append(base)
        for entry in workout.exercises:
            rows.append(
                {
                    **base,
                    "order": entry.order,
                    "exercise": entry.exercise.title,
                    "sets": entry.sets,
                    "reps": entry.reps,
                    "rest_sec": entry.rest_sec,
                    "extra_weight_kg": entry.extra_weight_kg,
                    "volume_kg": entry.volume_kg,
                }
            )
    return rows


def write_csv(rows: list[dict], columns: tuple[str, ...] | list[str]) -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(columns), extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def render_csv(data: ReportData) -> bytes:
    return write_csv(csv_rows(data.workouts), CSV_COLUMNS)


def table_rows(data: ReportData) -> list[list[str]]:
    """The workouts table as text cells, in TABLE_COLUMNS order."""
    return [[_cell(row.get(key)) for key, _ in TABLE_COLUMNS] for row in csv_rows(data.workouts)]


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


# --- charts -----------------------------------------------------------------------------------------------------


def weekly_volume(workouts: list[Workout], date_from: date, date_to: date) -> list[tuple[date, float]]:
    """Training volume (kg) per week, Monday to Sunday, every week of the range, empty ones as zero."""
    first = week_start(date_from)
    weeks = {first + timedelta(weeks=n): 0.0 for n in range((date_to - first).days // 7 + 1)}
    for workout in workouts:
        weeks[week_start(workout.date)] += workout.volume_kg
    return list(weeks.items())


def build_figure(data: ReportData):
    """The charts, on the report's days exactly: the x-axis runs from date_from to the end of date_to."""
    from matplotlib.figure import Figure  # a bare Figure keeps no global pyplot state: safe in worker threads

    figure = Figure(figsize=(A4[0], 8), layout="constrained")
    _draw_charts(figure, data)
    figure.suptitle(f"{data.subject.username}: {data.report.date_from} to {data.report.date_to}", fontsize=13)
    return figure


def _draw_charts(figure, data: ReportData) -> None:
    """Weekly volume above, body weight below, sharing the report's date range (a Figure or a SubFigure)."""
    report = data.report
    start, end = report.date_from, report.date_to + timedelta(days=1)
    volume_axes, weight_axes = figure.subplots(2, 1)
    _volume_chart(volume_axes, weekly_volume(data.workouts, report.date_from, report.date_to), start, end)
    _weight_chart(weight_axes, data.weights, start, end)


def _volume_chart(axes, weeks: list[tuple[date, float]], start: date, end: date) -> None:
    axes.set_title("Weekly training volume (sets × reps × weight)", fontsize=11)
    _date_axis(axes, start, end)
    if not any(kg for _, kg in weeks):
        _no_data(axes)
        return
    from matplotlib.dates import date2num

    for monday, kg in weeks:
        # A week cut by the range is drawn cut. In day numbers: date arithmetic would drop fractions of a day.
        left, right = date2num(max(monday, start)), date2num(min(monday + timedelta(days=7), end))
        width = (right - left) * 0.85
        axes.bar(left + (right - left - width) / 2, kg, width=width, align="edge", color="#2a9d8f")
    axes.set_ylabel("Volume (kg)")


def _weight_chart(axes, weights: list[tuple[datetime, float]], start: date, end: date) -> None:
    axes.set_title("Body weight", fontsize=11)
    _date_axis(axes, start, end)
    if not weights:
        _no_data(axes)
        return
    # Local wall-clock times, so an entry falls on the day the person recorded it.
    axes.plot([when.replace(tzinfo=None) for when, _ in weights], [kg for _, kg in weights], marker="o")
    axes.set_ylabel("Weight (kg)")
    axes.grid(axis="y", alpha=0.3)


def _date_axis(axes, start: date, end: date) -> None:
    """Dates on the report's range: a tick per day (or every few days) up to a month, months beyond, with
    Mondays as minor ticks up to a quarter, so weekly bars can be read against their weeks."""
    from matplotlib import dates, ticker

    axes.set_xlim(start, end)
    days = (end - start).days
    if days <= 31:
        step = -(-days // 7)  # at most 7 labelled days
        ticks = [start + timedelta(days=n) for n in range(0, days, step)]
        axes.xaxis.set_major_locator(ticker.FixedLocator(dates.date2num(ticks)))
        axes.xaxis.set_major_formatter(dates.DateFormatter("%d %b"))
    else:
        locator = dates.AutoDateLocator(minticks=3, maxticks=8)
        axes.xaxis.set_major_locator(locator)
        axes.xaxis.set_major_formatter(dates.ConciseDateFormatter(locator))
        if days <= 100:
            axes.xaxis.set_minor_locator(dates.WeekdayLocator(byweekday=dates.MO))
    axes.set_xlabel("Date")


def _no_data(axes) -> None:
    """Say so, with no made-up value axis."""
    axes.text(0.5, 0.5, NO_DATA, transform=axes.transAxes, ha="center", va="center", color="#666", fontsize=12)
    axes.set_yticks([])
    axes.spines[["left", "right", "top"]].set_visible(False)


# --- documents --------------------------------------------------------------------------------------------------


def render_html(data: ReportData) -> bytes:
    """One self-contained page (reports/report.html): the charts inline as a PNG data URI, then the table."""
    png = io.BytesIO()
    build_figure(data).savefig(png, format="png", dpi=90)
    page = render_template(
        "reports/report.html",
        title=data.title,
        summary=data.summary,
        chart=base64.b64encode(png.getvalue()).decode("ascii"),
        headings=[heading for _, heading in TABLE_COLUMNS],
        rows=table_rows(data),
    )
    return page.encode("utf-8")


def render_pdf(data: ReportData) -> bytes:
    """Page 1: title, summary and charts; then the workouts table, PDF_ROWS_PER_PAGE rows a page (landscape)."""
    from matplotlib import rc_context
    from matplotlib.backends.backend_pdf import PdfPages

    buffer = io.BytesIO()
    rows = table_rows(data)
    chunks = [rows[i : i + PDF_ROWS_PER_PAGE] for i in range(0, len(rows), PDF_ROWS_PER_PAGE)] or [[]]
    # TrueType fonts (42) keep the text extractable and searchable; matplotlib's default Type 3 does not.
    with rc_context({"pdf.fonttype": 42}), PdfPages(buffer, metadata={"Title": data.title}) as pdf:
        pdf.savefig(_charts_page(data))
        for number, chunk in enumerate(chunks, start=1):
            pdf.savefig(_table_page(data, chunk, number, len(chunks)))
    return buffer.getvalue()


def _charts_page(data: ReportData):
    from matplotlib.figure import Figure

    page = Figure(figsize=A4, layout="constrained")
    top, charts = page.subfigures(2, 1, height_ratios=[1, 9])
    top.text(0.02, 0.6, data.title, fontsize=14, weight="bold")
    top.text(0.02, 0.2, data.summary, fontsize=10)
    _draw_charts(charts, data)
    return page


def _table_page(data: ReportData, rows: list[list[str]], number: int, pages: int):
    from matplotlib.figure import Figure

    page = Figure(figsize=(A4[1], A4[0]))
    page.text(0.04, 0.95, f"Workouts ({number} of {pages}): {data.title}", fontsize=11, weight="bold")
    axes = page.add_axes((0.04, 0.04, 0.92, 0.88))
    axes.axis("off")
    if not rows:
        axes.text(0.5, 0.5, "No workouts in this period.", ha="center", va="center", fontsize=12)
        return page
    cells = [[_shorten(cell) for cell in row] for row in rows]
    table = axes.table(
        cellText=cells, colLabels=[heading for _, heading in TABLE_COLUMNS], loc="upper center", cellLoc="left"
    )
    table.auto_set_font_size(False)
    table.set_fontsize(8)
    table.auto_set_column_width(list(range(len(TABLE_COLUMNS))))
    for (row, _column), cell in table.get_celld().items():
        cell.set_height(1 / (PDF_ROWS_PER_PAGE + 2))
        if row == 0:
            cell.set_text_props(weight="bold")
            cell.set_facecolor("#e9f5f3")
    return page


def _shorten(text: str, limit: int = 32) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


RENDERERS: dict[str, Callable[[ReportData], bytes]] = {"csv": render_csv, "html": render_html, "pdf": render_pdf}
