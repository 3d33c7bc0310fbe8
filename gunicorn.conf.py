"""gunicorn settings, read from the working directory by default (`gunicorn wsgi:app`); command-line flags win.

Access and error lines go through Stride's log handler (app/logs.py): plain text with the request id in
development, one JSON object a line in production (`LOG_FORMAT` overrides). The access line's request id is
the X-Request-ID response header, gunicorn's `%({x-request-id}o)s` atom.
"""

import os

from app.logs import gunicorn_logconfig, log_format

# The threaded worker, answering gunicorn's own refusals (400, 414, 431) in the API's JSON error shape.
worker_class = "app.servers.JsonErrorThreadWorker"
threads = 16
# The request line (method, path and query) and each header are bounded before the app sees them: longer ones
# get 414 / 431. A browser's URLs and cookies fit well within these.
limit_request_line = 4094
limit_request_fields = 100
limit_request_field_size = 8190

_format = log_format(os.environ.get("STRIDE_ENV", "development"), os.environ.get("LOG_FORMAT") or None)

logconfig_dict = gunicorn_logconfig(_format, os.environ.get("LOG_LEVEL", "INFO").upper())
access_log_format = (
    '%(h)s "%(r)s" %(s)s %(B)s %(M)sms "%(a)s"'
    if _format == "text"  # the request id is already in the line's [brackets]
    else "%(m)s %(U)s %(s)s request_id=%({x-request-id}o)s"
)

# Metrics (app/metrics.py): each worker process counts into files in one folder, which a scrape of any of them
# adds up. PROMETHEUS_MULTIPROC_DIR names it; else a fresh one per gunicorn, emptied of an earlier run's files.
if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
    import tempfile

    os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="stride-metrics-")


def on_starting(server):
    folder = os.environ["PROMETHEUS_MULTIPROC_DIR"]
    os.makedirs(folder, exist_ok=True)
    for name in os.listdir(folder):
        if name.endswith(".db"):
            os.remove(os.path.join(folder, name))


def child_exit(server, worker):
    """A worker that ended: its live gauges (connected sockets) stop counting."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)
