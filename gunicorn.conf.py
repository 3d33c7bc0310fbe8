"""gunicorn settings, read from the working directory by every `gunicorn wsgi:app`; flags on the command line win."""

# The threaded worker, answering gunicorn's own refusals (400, 414, 431) in the API's JSON error shape.
worker_class = "app.servers.JsonErrorThreadWorker"
threads = 16
# The request line (method, path and query) and each header are bounded before the app sees them: longer ones
# get 414 / 431. A browser's URLs and cookies fit well within these.
limit_request_line = 4094
limit_request_fields = 100
limit_request_field_size = 8190
