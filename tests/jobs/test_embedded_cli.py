"""Embedded mode (no REDIS_URL): CLI commands run the jobs they enqueue in their own process, since no worker
reads that process's in-memory queue; and `flask run`, which would serve without the job threads, refuses."""

import os
import subprocess
import sys

from app.extensions import db
from app.models import Notification
from tests.jobs.test_jobs import ROOT


def embedded(app_factory):
    """An app as the CLI builds it without REDIS_URL: jobs are not run inline unless the command says so."""
    return app_factory(REDIS_URL=None, JOBS_RUN_INLINE=False)


def test_notifications_send_runs_the_announcement_here_in_embedded_mode(app_factory, make_user):
    app = embedded(app_factory)
    alice = make_user(username="alice")

    result = app.test_cli_runner().invoke(args=["notifications", "send", "--to", "alice", "--message", "Hello"])

    assert result.exit_code == 0, result.output
    assert "embedded mode" in result.output and "announced to 1 people" in result.output
    assert "queued" not in result.output.replace("rather than queueing", "")
    with app.app_context():
        assert db.session.scalar(db.select(Notification.message).where(Notification.recipient_id == alice)) == "Hello"


def test_jobs_ping_is_answered_by_this_process_in_embedded_mode(app_factory):
    app = embedded(app_factory)

    result = app.test_cli_runner().invoke(args=["jobs", "ping", "--timeout", "2"])

    assert result.exit_code == 0, result.output
    assert "from this process" in result.output


def test_jobs_run_says_its_follow_up_jobs_run_here_in_embedded_mode(app_factory):
    app = embedded(app_factory)

    result = app.test_cli_runner().invoke(args=["jobs", "run", "expire_goals"])

    assert result.exit_code == 0, result.output
    assert "running the jobs in this process" in result.output
    assert app.config["JOBS_RUN_INLINE"] is True


def test_flask_run_refuses_in_embedded_mode_and_points_at_flask_serve(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "STRIDE_ENV")}
    env.update({"FLASK_APP": "wsgi", "DATABASE_URL": f"sqlite:///{tmp_path}/stride.sqlite"})

    result = subprocess.run(
        [sys.executable, "-m", "flask", "run", "--port", "1"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode != 0
    assert "flask serve" in result.stderr and "make run" in result.stderr


def test_flask_run_is_allowed_with_a_real_redis(app_factory):
    import click
    from flask.cli import run_command

    with click.Context(run_command, info_name="run"):
        app = app_factory(REDIS_URL="redis://127.0.0.1:1/0")  # building the app does not refuse

    assert app.config["REDIS_URL"]
