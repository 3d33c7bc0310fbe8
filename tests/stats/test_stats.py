"""Stats and personal records: exact after every create, update and delete, equal to a rebuild from scratch."""

from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, select

from app.extensions import db
from app.lib.dates import week_start as week_of
from app.models import PersonalRecord, PlanWorkout, User, UserStats, Workout, WorkoutExercise
from app.services import stats, workouts
from tests.fixtures.training import TODAY, entry, workout_body

URL = "/api/v1/stats/"
WORKOUTS = "/api/v1/workouts/"


def test_a_new_user_has_zero_stats(client, auth_headers, user):
    assert client.get(URL, headers=auth_headers).json == {
        "user_id": user,
        "total_workouts": 0,
        "total_exercises": 0,
        "total_minutes": 0,
        "total_volume_kg": 0.0,
        "current_streak_weeks": 0,
        "longest_streak_weeks": 0,
        "last_active_week": None,
    }
    assert client.get(f"{URL}records/", headers=auth_headers).json == []


def test_totals_follow_creates_updates_and_deletes(client, auth_headers, exercises):
    bench, squat = exercises["Barbell Bench Press"], exercises["Barbell Back Squat"]
    first = client.post(
        WORKOUTS,
        json=workout_body(
            entry(bench, sets=5, reps=5, extra_weight_kg=82.5),
            entry(squat, sets=3, reps=8, extra_weight_kg=100),
            duration_min=50,
        ),
        headers=auth_headers,
    ).json
    client.post(WORKOUTS, json=workout_body(entry(exercises["Plank"], reps=1), duration_min=10), headers=auth_headers)

    def totals():
        body = client.get(URL, headers=auth_headers).json
        return body["total_workouts"], body["total_exercises"], body["total_minutes"], body["total_volume_kg"]

    assert totals() == (2, 3, 60, 5 * 5 * 82.5 + 3 * 8 * 100)
    client.patch(
        f"{WORKOUTS}{first['id']}/",
        json={"exercises": [entry(bench, sets=1, reps=1, extra_weight_kg=0.125)], "duration_min": 5},
        headers=auth_headers,
    )
    assert totals() == (2, 2, 15, 0.125)
    client.delete(f"{WORKOUTS}{first['id']}/", headers=auth_headers)
    assert totals() == (1, 1, 10, 0.0)


def test_weekly_streaks_count_back_from_this_week_or_last(client, auth_headers, exercises):
    def log(weeks_ago: int):
        day = max(TODAY - timedelta(weeks=weeks_ago), week_of(TODAY) - timedelta(weeks=weeks_ago))
        client.post(WORKOUTS, json=workout_body(entry(exercises["Plank"]), date=day.isoformat()), headers=auth_headers)

    def streaks():
        body = client.get(URL, headers=auth_headers).json
        return body["current_streak_weeks"], body["longest_streak_weeks"]

    for weeks_ago in (9, 8, 7, 6):
        log(weeks_ago)
    assert streaks() == (0, 4)  # the run ended six weeks ago: over, but still the longest
    log(2)
    assert streaks() == (0, 4)
    log(1)
    assert streaks() == (2, 4)  # last week counts as current while this week has no workout yet
    log(0)
    log(0)  # two in one week are still one week
    assert streaks() == (3, 4)
    assert client.get(URL, headers=auth_headers).json["last_active_week"] == week_of(TODAY).isoformat()


def test_moving_a_workout_to_another_date_recomputes_the_streaks(client, auth_headers, exercises):
    ids = [
        client.post(
            WORKOUTS,
            json=workout_body(entry(exercises["Plank"]), date=(TODAY - timedelta(weeks=w)).isoformat()),
            headers=auth_headers,
        ).json["id"]
        for w in (0, 1, 2)
    ]

    client.patch(f"{WORKOUTS}{ids[1]}/", json={"date": (TODAY - timedelta(weeks=20)).isoformat()}, headers=auth_headers)

    body = client.get(URL, headers=auth_headers).json
    assert (body["current_streak_weeks"], body["longest_streak_weeks"]) == (1, 1)


def test_personal_records_keep_the_best_and_the_first_time_it_was_reached(client, auth_headers, exercises):
    bench = exercises["Barbell Bench Press"]

    def log(days_ago, *entries):
        day = (TODAY - timedelta(days=days_ago)).isoformat()
        return client.post(WORKOUTS, json=workout_body(*entries, date=day), headers=auth_headers).json

    early = log(10, entry(bench, sets=3, reps=5, extra_weight_kg=100))
    log(5, entry(bench, sets=5, reps=5, extra_weight_kg=90), entry(bench, sets=1, reps=1, extra_weight_kg=100))
    log(3, entry(bench, sets=1, reps=12, extra_weight_kg=40))
    log(1, entry(exercises["Plank"], sets=3, reps=1))

    records = client.get(f"{URL}records/", headers=auth_headers).json
    assert [r["exercise"]["title"] for r in records] == ["Barbell Bench Press", "Plank"]
    press = records[0]
    assert (press["max_weight_kg"], press["max_weight_on"], press["max_weight_workout_id"]) == (
        100.0,
        early["date"],
        early["id"],
    )  # reached again five days ago: the first time counts
    assert (press["max_volume_kg"], press["max_volume_on"]) == (
        5 * 5 * 90 + 100,
        (TODAY - timedelta(days=5)).isoformat(),
    )
    assert press["max_reps"] == 12
    assert records[1]["max_weight_kg"] == 0 and records[1]["max_reps"] == 1

    client.delete(f"{WORKOUTS}{early['id']}/", headers=auth_headers)
    press = client.get(f"{URL}records/?exercise_id={bench}", headers=auth_headers).json[0]
    assert press["max_weight_on"] == (TODAY - timedelta(days=5)).isoformat()
    assert [
        r["exercise"]["title"] for r in client.get(f"{URL}records/?muscle_group=core", headers=auth_headers).json
    ] == ["Plank"]


def test_records_of_an_exercise_no_longer_done_disappear(client, auth_headers, exercises):
    workout = client.post(
        WORKOUTS, json=workout_body(entry(exercises["Deadlift"], extra_weight_kg=180)), headers=auth_headers
    ).json

    client.put(f"{WORKOUTS}{workout['id']}/", json=workout_body(entry(exercises["Plank"])), headers=auth_headers)

    assert [r["exercise"]["title"] for r in client.get(f"{URL}records/", headers=auth_headers).json] == ["Plank"]


@pytest.mark.parametrize("query", ["user_id=0", "exercise_id=x", "muscle_group=neck", "page_size=101"])
def test_record_arguments_are_validated(client, auth_headers, query):
    assert client.get(f"{URL}records/?{query}", headers=auth_headers).status_code == 422


def test_a_trainer_reads_a_clients_stats_and_records(client, cast, headers_of, exercises):
    client.post(
        WORKOUTS, json=workout_body(entry(exercises["Deadlift"], extra_weight_kg=120)), headers=headers_of("alice")
    )

    body = client.get(f"{URL}?user_id={cast['alice']}", headers=headers_of("coach")).json
    records = client.get(f"{URL}records/?user_id={cast['alice']}", headers=headers_of("coach")).json

    assert (body["user_id"], body["total_workouts"]) == (cast["alice"], 1)
    assert records[0]["max_weight_kg"] == 120


def test_the_records_list_costs_the_same_queries_for_1_or_5_exercises(client, auth_headers, exercises, count_queries):
    client.post(WORKOUTS, json=workout_body(entry(exercises["Plank"])), headers=auth_headers)
    with count_queries() as one:
        client.get(f"{URL}records/", headers=auth_headers)
    client.post(WORKOUTS, json=workout_body(*(entry(i) for i in exercises.values())), headers=auth_headers)
    with count_queries() as five:
        response = client.get(f"{URL}records/", headers=auth_headers)

    assert len(response.json) == 5
    assert one.count == five.count <= 4


# --- the rebuild --------------------------------------------------------------------------------------------


def snapshot(user_id: int) -> tuple:
    """The stored stats and records, read fresh from the database."""
    db.session.expire_all()
    row = db.session.get(UserStats, user_id)
    totals = (
        (
            row.total_workouts,
            row.total_exercises,
            row.total_minutes,
            row.total_volume_g,
            row.last_active_week,
            row.last_run_weeks,
            row.longest_streak_weeks,
        )
        if row
        else (0, 0, 0, 0, None, 0, 0)
    )
    records = {
        r.exercise_id: (
            r.max_weight_g,
            r.max_weight_on,
            r.max_weight_workout_id,
            r.max_volume_g,
            r.max_volume_on,
            r.max_volume_workout_id,
            r.max_reps,
        )
        for r in db.session.scalars(select(PersonalRecord).where(PersonalRecord.user_id == user_id))
    }
    return totals, records


def test_flask_stats_rebuild_recomputes_what_the_writes_kept(app, client, auth_headers, user, exercises, make_user):
    for days_ago in (0, 8, 30):
        client.post(
            WORKOUTS,
            json=workout_body(
                entry(exercises["Deadlift"], extra_weight_kg=100 + days_ago),
                date=(TODAY - timedelta(days=days_ago)).isoformat(),
            ),
            headers=auth_headers,
        )
    with app.app_context():
        kept = snapshot(user)
        db.session.execute(delete(PersonalRecord))
        db.session.execute(delete(UserStats))
        db.session.commit()
    runner = app.test_cli_runner()

    everyone = runner.invoke(args=["stats", "rebuild"])
    one = runner.invoke(args=["stats", "rebuild", "--user", "ALICE"])
    nobody = runner.invoke(args=["stats", "rebuild", "--user", "nobody"])

    assert everyone.exit_code == 0 and "rebuilt the stats of 1 user(s)" in everyone.output, everyone.output
    assert one.exit_code == 0 and "of 1 user(s)" in one.output
    assert nobody.exit_code != 0 and "nobody" in nobody.output
    with app.app_context():
        assert snapshot(user) == kept
        assert kept[0][:4] == (3, 3, 135, 3 * 10 * (100_000 + 108_000 + 130_000))


# --- exactness under random sequences (property-based) -----------------------------------------------------

ENTRY = st.fixed_dictionaries(
    {
        "exercise": st.integers(0, 2),
        "sets": st.integers(1, 6),
        "reps": st.integers(1, 15),
        "weight": st.sampled_from([0, 0.5, 2.5, 20, 22.5, 61.25, 100, 142.5]),
    }
)
DOCUMENT = st.fixed_dictionaries(
    {"days_ago": st.integers(0, 70), "duration": st.integers(1, 180), "entries": st.lists(ENTRY, max_size=4)}
)
OPERATION = st.one_of(
    st.tuples(st.just("create"), DOCUMENT),
    st.tuples(st.just("replace"), st.integers(0, 20), DOCUMENT),
    st.tuples(st.just("move"), st.integers(0, 20), st.integers(0, 70)),
    st.tuples(st.just("delete"), st.integers(0, 20)),
)


def as_data(document: dict, exercise_ids: list[int]) -> dict:
    return {
        "training_type": "strength",
        "title": "Random",
        "date": TODAY - timedelta(days=document["days_ago"]),
        "duration_min": document["duration"],
        "exercises": [
            {
                "exercise_id": exercise_ids[e["exercise"]],
                "order": n,
                "sets": e["sets"],
                "reps": e["reps"],
                "rest_sec": 60,
                "extra_weight_kg": e["weight"],
            }
            for n, e in enumerate(document["entries"], start=1)
        ],
    }


def expected(model: dict[int, dict]) -> tuple:
    """What the stats must be, computed in plain Python from the workouts the test believes exist."""
    volume = lambda e: e["sets"] * e["reps"] * round(e["extra_weight_kg"] * 1000)  # noqa: E731
    weeks = sorted({day - timedelta(days=day.weekday()) for day in (w["date"] for w in model.values())})
    run = longest = 0
    for n, week in enumerate(weeks):
        run = run + 1 if n and weeks[n - 1] + timedelta(days=7) == week else 1
        longest = max(longest, run)
    totals = (
        len(model),
        sum(len(w["exercises"]) for w in model.values()),
        sum(w["duration_min"] for w in model.values()),
        sum(volume(e) for w in model.values() for e in w["exercises"]),
        weeks[-1] if weeks else None,
        run,
        longest,
    )
    records = {}
    for workout_id, w in sorted(model.items(), key=lambda item: (item[1]["date"], item[0])):  # earliest first
        per_exercise = {}
        for e in w["exercises"]:
            mine = per_exercise.setdefault(e["exercise_id"], {"weight": 0, "volume": 0, "reps": 0})
            mine["weight"] = max(mine["weight"], round(e["extra_weight_kg"] * 1000))
            mine["volume"] += volume(e)
            mine["reps"] = max(mine["reps"], e["reps"])
        for exercise_id, mine in per_exercise.items():
            best = records.get(exercise_id)
            if best is None:
                records[exercise_id] = [
                    mine["weight"],
                    w["date"],
                    workout_id,
                    mine["volume"],
                    w["date"],
                    workout_id,
                    mine["reps"],
                ]
                continue
            if mine["weight"] > best[0]:
                best[0:3] = [mine["weight"], w["date"], workout_id]
            if mine["volume"] > best[3]:
                best[3:6] = [mine["volume"], w["date"], workout_id]
            best[6] = max(best[6], mine["reps"])
    return totals, {exercise_id: tuple(values) for exercise_id, values in records.items()}


@settings(max_examples=50, deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(operations=st.lists(OPERATION, min_size=1, max_size=10))
def test_stats_stay_exact_under_random_creates_updates_and_deletes(app, user, exercises, operations):
    exercise_ids = list(exercises.values())[:3]
    with app.app_context():
        for model in (PersonalRecord, UserStats, PlanWorkout, WorkoutExercise, Workout):
            db.session.execute(delete(model))
        db.session.commit()
        model: dict[int, dict] = {}
        for operation in operations:
            owner = db.session.get(User, user)
            kind, *args = operation
            ids = sorted(model)
            if kind == "create":
                workout = workouts.create_workout(owner, as_data(args[0], exercise_ids))
                model[workout.id] = as_data(args[0], exercise_ids)
            elif not ids:
                continue
            elif kind == "replace":
                target = ids[args[0] % len(ids)]
                workouts.update_workout(owner, target, as_data(args[1], exercise_ids))
                model[target] = as_data(args[1], exercise_ids)
            elif kind == "move":
                target = ids[args[0] % len(ids)]
                day = TODAY - timedelta(days=args[1])
                workouts.update_workout(owner, target, {"date": day})
                model[target]["date"] = day
            else:
                target = ids[args[0] % len(ids)]
                workouts.delete_workout(owner, target)
                del model[target]
            assert snapshot(user) == expected(model), operation

        kept = snapshot(user)
        stats.rebuild([user])
        assert snapshot(user) == kept
        owner = db.session.get(User, user)
        reported = stats.stats_for(owner)
        current = kept[0][5] if kept[0][4] is not None and kept[0][4] >= week_of(TODAY) - timedelta(weeks=1) else 0
        assert reported["current_streak_weeks"] == current


def test_week_of_is_the_iso_monday():
    assert week_of(date(2026, 11, 22)) == date(2026, 11, 16)  # a Sunday belongs to the week begun on Monday
    assert week_of(date(2026, 11, 23)) == date(2026, 11, 23)
    assert week_of(date(2027, 1, 1)) == date(2026, 12, 28)  # ISO week 53 of 2026 crosses the year
