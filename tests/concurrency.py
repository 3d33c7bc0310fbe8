"""Real concurrent HTTP requests: each thread has its own test client, so each request runs in its own app
context with its own database session and connection, as under a threaded server. They run on both databases:
PostgreSQL's row locks, and on SQLite (which ignores them) its database write lock, make the writers wait."""

import threading
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from flask import Flask
from flask.testing import FlaskClient


def race(app: Flask, calls: int, request: Callable[[FlaskClient, int], object]) -> list:
    """Send `calls` requests at once (released together by a barrier); the responses in call order."""
    barrier = threading.Barrier(calls, timeout=30)

    def one(n: int):
        client = app.test_client()
        barrier.wait()
        return request(client, n)

    with ThreadPoolExecutor(max_workers=calls) as pool:
        return list(pool.map(one, range(calls)))


def statuses(responses: list) -> Counter:
    return Counter(response.status_code for response in responses)
