"""Operator commands: `flask serve`, `flask worker`, `flask scheduler`, `flask jobs …`."""

import logging
import os
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import click
from flask import Flask, current_app
from flask.cli import AppGroup
from marshmallow import ValidationError
from rq import Queue
from rq.registry import FailedJobRegistry
from rq.worker import Worker

from app.blueprints.auth.schemas import RegisterSchema
from app.errors import DomainError
from app.extensions import db
from app.models import Role
from app.models.base import utcnow
from app.queueing import QUEUES, JobName, JobRequest, enqueue_now, job_counts, outbox_lag
from app.services import auth, challenges, exercises, stats, users

log = logging.getLogger(__name__)
jobs_cli = AppGroup("jobs", help="Inspect and exercise the background job queues.")
users_cli = AppGroup("users", help="Create and list accounts, change roles, deactivate and activate.")
tokens_cli = AppGroup("tokens", help="Sessions and tokens.")
notifications_cli = AppGroup("notifications", help="Announcements to people.")
goals_cli = AppGroup("goals", help="Fitness goals.")
habits_cli = AppGroup("habits", help="Habits and their reminders.")
seed_cli = AppGroup("seed", help="Load starter data.")
stats_cli = AppGroup("stats", help="Training stats and personal records.")
challenges_cli = AppGroup("challenges", help="Challenges and their leaderboards.")


@contextmanager
def refusals_as_click_errors() -> Iterator[None]:
    """A service's refusal (unknown user, a rule) ends the command with its message and exit code 1."""
    try:
        yield
    except DomainError as exc:
        raise click.ClickException(exc.message) from exc


@habits_cli.command("remind")
def habits_remind() -> None:
    """Run one reminder pass now (the scheduler runs it every minute); never reminds a slot twice."""
    from app.jobs.habits import remind_habits  # the periodic job itself, so its run is recorded

    _run_jobs_here_when_embedded()
    click.echo(f"sent {remind_habits()} reminders")


@goals_cli.command("expire")
def goals_expire() -> None:
    """Deactivate every goal whose end date has come and notify its owner (safe to run any time)."""
    from app.jobs.goals import expire_goals  # the periodic job itself, so its run is recorded

    _run_jobs_here_when_embedded()
    click.echo(f"expired {expire_goals()} goals")


@seed_cli.command("exercises")
def seed_exercises() -> None:
    """Load the starter exercise catalog; titles already in the catalog are left as they are."""
    from app.services.seed_data import EXERCISES

    with click.progressbar(EXERCISES, label="Exercises") as entries:
        added, skipped = exercises.seed_catalog(entries)
    click.echo(f"added {added} exercises ({skipped} already in the catalog)")


@stats_cli.command("rebuild")
@click.option("--user", "username", help="Only this user (a username); everyone with workouts by default.")
def stats_rebuild(username: str | None) -> None:
    """Recompute training stats and personal records from the workouts alone (one transaction per user)."""
    with refusals_as_click_errors():
        user_ids = stats.users_to_rebuild(username)
    with click.progressbar(user_ids, label="Rebuilding stats") as ids:
        count = stats.rebuild(ids)
    click.echo(f"rebuilt the stats of {count} user(s)")


@challenges_cli.command("rebuild")
def challenges_rebuild() -> None:
    """Recompute every open challenge's progress from activity, and write its leaderboard and this week's afresh."""
    done = challenges.rebuild()
    click.echo(
        f"rebuilt {done['challenges']} challenge(s) with {done['participants']} participant(s), "
        f"and this week's board of {done['weekly']} people"
    )


ROLES = click.Choice([str(role) for role in Role])


@notifications_cli.command("send")
@click.option("--to", "usernames", multiple=True, help="A username; repeat for several.")
@click.option("--all", "to_all", is_flag=True, help="Every active account.")
@click.option("--message", required=True, help="The text of the system notification.")
def notifications_send(usernames: tuple[str, ...], to_all: bool, message: str) -> None:
    """Queue a system notification for some people or everyone; a worker stores and pushes it in bulk."""
    if bool(usernames) == to_all:
        raise click.UsageError("Give --to USERNAME (one or more) or --all.")
    if not message.strip() or len(message) > 500:
        raise click.UsageError("--message must be 1 to 500 characters.")
    here = _run_jobs_here_when_embedded()
    job = enqueue_now(JobRequest(JobName.ANNOUNCE, (message, list(usernames) or None), queue="high"))
    if here:
        click.echo(f"announced to {job.return_value()} people")
    else:
        click.echo(f"queued announcement job {job.id}")


@users_cli.command("create")
@click.argument("username")
@click.option("--email", required=True)
@click.option("--role", type=ROLES, default=str(Role.USER), show_default=True)
@click.password_option(help="Prompted for (twice) when not given.")
def users_create(username: str, email: str, role: str, password: str) -> None:
    """Create an account with a role (for example the first admin)."""
    try:
        data = RegisterSchema().load({"username": username, "email": email, "password": password})
        user = auth.create_user(data, Role(role))
    except (DomainError, ValidationError) as exc:
        raise click.ClickException(_explain(exc)) from exc
    click.echo(f"created {user.username} (id {user.id}, {user.role})")


@users_cli.command("set-role")
@click.argument("username")
@click.argument("role", type=ROLES)
def users_set_role(username: str, role: str) -> None:
    """Give an account a role: user, trainer or admin."""
    with refusals_as_click_errors():
        user = users.set_role(username, Role(role))
    click.echo(f"{user.username} is now {user.role}")


@users_cli.command("deactivate")
@click.argument("username")
def users_deactivate(username: str) -> None:
    """Deactivate an account: it cannot log in and its sessions end."""
    with refusals_as_click_errors():
        user = users.deactivate(username)
    click.echo(f"{user.username} is deactivated")


@users_cli.command("activate")
@click.argument("username")
def users_activate(username: str) -> None:
    """Let a deactivated account log in again (the sessions it lost stay ended)."""
    with refusals_as_click_errors():
        user = users.activate(username)
    click.echo(f"{user.username} is active")


@users_cli.command("reset-2fa")
@click.argument("username")
def users_reset_2fa(username: str) -> None:
    """Turn off every second factor of an account whose owner lost them all; they log in with the password."""
    with refusals_as_click_errors():
        user = users.reset_second_factor(username)
    click.echo(f"{user.username} has no second factor now")


@users_cli.command("list")
@click.option("--role", type=ROLES, help="Only this role.")
@click.option("--active/--inactive", "is_active", default=None, help="Only active, or only deactivated, accounts.")
@click.option("--search", "q", help="Text in the username or email.")
@click.option("--limit", type=click.IntRange(1, 10_000), default=100, show_default=True)
def users_list(role: str | None, is_active: bool | None, q: str | None, limit: int) -> None:
    """List accounts (deleted ones excepted), oldest first, as a table."""
    accounts, total = users.find_accounts(role=role, is_active=is_active, q=q, limit=limit)
    if not accounts:
        click.echo("no accounts match")
        return
    rows = [
        (
            str(user.id),
            user.username,
            user.email,
            user.role,
            "active" if user.deactivated_at is None else "deactivated",
            user.created_at.strftime("%Y-%m-%d"),
            user.last_login.strftime("%Y-%m-%d %H:%M") if user.last_login else "never",
        )
        for user in accounts
    ]
    click.echo(_table(("ID", "USERNAME", "EMAIL", "ROLE", "STATUS", "JOINED", "LAST LOGIN (UTC)"), rows))
    more = total > len(accounts)
    click.echo(
        f"showing {len(accounts)} of {total} accounts (raise --limit for more)" if more else f"{total} account(s)"
    )


def _table(headers: tuple[str, ...], rows: list[tuple[str, ...]]) -> str:
    widths = [max(len(cell) for cell in column) for column in zip(headers, *rows, strict=True)]
    lines = [headers, tuple("-" * width for width in widths), *rows]
    return "\n".join(
        "  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip() for line in lines
    )


@tokens_cli.command("prune")
def tokens_prune() -> None:
    """Delete sessions and one-time tokens that expired or were revoked over a week ago."""
    click.echo(f"pruned {auth.prune(utcnow())} rows")
    db.session.commit()


def _explain(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return "; ".join(f"{field}: {' '.join(map(str, messages))}" for field, messages in exc.messages.items())
    if isinstance(exc, DomainError) and exc.errors:
        fields = exc.errors.get("json", {})
        return "; ".join(f"{field}: {' '.join(messages)}" for field, messages in fields.items()) or exc.message
    return str(exc)


@click.command("serve")
@click.option("--host", default=None, help="Defaults to HOST (127.0.0.1).")
@click.option("--port", default=None, type=int, help="Defaults to PORT (5000).")
def serve_command(host: str | None, port: int | None) -> None:
    """Serve REST and Socket.IO on one port; in embedded mode also run the job threads."""
    from app.extensions import socketio
    from app.jobs.runtime import EmbeddedThreads
    from app.servers import JsonErrorRequestHandler

    app = current_app._get_current_object()
    if not app.config["REDIS_URL"]:
        EmbeddedThreads(app).start()
    host = host or app.config["HOST"]
    port = port or app.config["PORT"]
    click.echo(f"Stride on http://{host}:{port}  (API docs: http://{host}:{port}/api/v1/docs)")
    os.environ.pop("FLASK_RUN_FROM_CLI", None)  # Flask ignores app.run() inside `flask …` unless told otherwise
    socketio.run(
        app,
        host=host,
        port=port,
        allow_unsafe_werkzeug=True,
        use_reloader=False,
        log_output=True,
        request_handler=JsonErrorRequestHandler,
    )


@click.command("worker")
@click.option("--queues", "-q", multiple=True, help=f"Queues to listen on, in order (default: {', '.join(QUEUES)}).")
@click.option("--burst", is_flag=True, help="Quit once the queues are empty.")
@click.option("--with-scheduler/--without-scheduler", default=True, help="Also move delayed and retried jobs.")
def worker_command(queues: tuple[str, ...], burst: bool, with_scheduler: bool) -> None:
    """Run an RQ worker in which every job has the app context."""
    from app.jobs.runtime import run_worker

    app = _require_real_redis("flask worker")
    run_worker(app, queues or QUEUES, burst=burst, with_scheduler=with_scheduler)


@click.command("scheduler")
def scheduler_command() -> None:
    """Enqueue the periodic jobs of app/jobs/schedule.py on time (run exactly one)."""
    from app.jobs.runtime import run_scheduler

    app = _require_real_redis("flask scheduler")
    run_scheduler(app)


@jobs_cli.command("status")
def jobs_status() -> None:
    """Show queue sizes, workers, failed jobs and periodic jobs' last runs."""
    from app.jobs.schedule import PERIODIC_JOBS
    from app.services.maintenance import describe_last_run

    connection = current_app.extensions["redis"]
    for name in QUEUES:
        queue = Queue(name, connection=connection)
        failed = FailedJobRegistry(queue=queue)
        click.echo(f"queue {name:8} " + " ".join(f"{state}={count}" for state, count in job_counts(name).items()))
        for job_id in failed.get_job_ids()[:10]:
            job = queue.fetch_job(job_id)
            reason = (job.latest_result().exc_string or "").strip().splitlines()[-1:] if job else ["(gone)"]
            click.echo(f"  failed {job_id}: {job.func_name if job else ''} {' '.join(reason)}")
    workers = Worker.all(connection=connection)
    click.echo(f"workers {len(workers)}: " + ", ".join(f"{w.name} ({w.get_state()})" for w in workers))
    from app.services import reconcile

    waiting = " ".join(f"{table}: {counts}" for table, counts in reconcile.pending().items())
    click.echo(f"files {waiting}; lost or abandoned jobs so far: {reconcile.totals()} (reconcile_files)")
    count, oldest = outbox_lag()
    age = f", the oldest for {oldest:.0f} s" if count else ""
    click.echo(f"outbox {count} job(s) waiting to reach a queue{age} (relay_outbox)")
    for periodic in PERIODIC_JOBS:
        click.echo(
            f"periodic {periodic.name} [{periodic.cron or periodic.interval}] "
            f"last run: {describe_last_run(periodic.func.__name__)}"
        )


@jobs_cli.command("ping")
@click.option("--timeout", default=30, type=int, help="Seconds to wait for a worker.")
def jobs_ping(timeout: int) -> None:
    """Enqueue a job and wait until a worker has run it."""
    token = uuid.uuid4().hex
    here = _run_jobs_here_when_embedded()
    job = enqueue_now(JobRequest(JobName.PING, (token,), queue="high", retry=None))
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status = job.get_status(refresh=True)
        if status == "finished":
            click.echo(f"pong {job.return_value()} from {'this process' if here else 'a worker'}")
            return
        if status == "failed":
            raise click.ClickException(f"the ping job failed: {job.latest_result().exc_string}")
        time.sleep(0.2)
    raise click.ClickException(f"no worker ran the ping job within {timeout}s (is `flask worker` running?)")


@jobs_cli.command("run")
@click.argument("name")
def jobs_run(name: str) -> None:
    """Run one periodic job now, in this process (for example: prune_expired)."""
    from app.jobs.schedule import PERIODIC_JOBS

    for periodic in PERIODIC_JOBS:
        if name in (periodic.func.__name__, periodic.name):
            _run_jobs_here_when_embedded()  # the jobs it enqueues in turn (emails, messages)
            click.echo(f"{periodic.name}: {periodic.func()}")
            return
    raise click.ClickException(f"no periodic job named {name!r}")


def _run_jobs_here_when_embedded() -> bool:
    """Embedded mode (no REDIS_URL): this command's queue lives in its own memory and no worker reads it, so
    the jobs it enqueues run here, at once, instead of being "queued" for nobody. True when jobs run here."""
    app = current_app._get_current_object()
    if not app.config["REDIS_URL"] and not app.config["JOBS_RUN_INLINE"]:
        app.config["JOBS_RUN_INLINE"] = True
        click.echo("embedded mode (no REDIS_URL): running the jobs in this process rather than queueing them")
    return app.config["JOBS_RUN_INLINE"]


def _refuse_flask_run_when_embedded(app: Flask) -> None:
    """`flask run` serves without the job threads of the embedded mode, so reports would stay queued."""
    from flask.cli import run_command

    context = click.get_current_context(silent=True)
    if context is None or context.command is not run_command or app.config["REDIS_URL"]:
        return
    raise click.UsageError(
        "`flask run` does not run background jobs in embedded mode (no REDIS_URL): reports, exports, emails "
        "and reminders would stay queued. Use `flask serve` (what `make run` does), or set REDIS_URL and run "
        "`flask worker` and `flask scheduler` beside `flask run`."
    )


def _require_real_redis(command: str) -> Flask:
    app = current_app._get_current_object()
    if not app.config["REDIS_URL"]:
        raise click.ClickException(
            f"{command} needs REDIS_URL: without it the queue lives inside the web process "
            "(`make run` runs jobs there)."
        )
    return app


def register(app: Flask) -> None:
    from app.cli_demo import seed_demo

    _refuse_flask_run_when_embedded(app)
    seed_cli.add_command(seed_demo)  # `flask seed demo`
    for command in (serve_command, worker_command, scheduler_command):
        app.cli.add_command(command)
    groups = (jobs_cli, users_cli, tokens_cli, notifications_cli, goals_cli, habits_cli, seed_cli, stats_cli)
    for group in (*groups, challenges_cli):
        app.cli.add_command(group)
