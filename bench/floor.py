"""The floor for `bench.hotpath`: a bare Flask app doing the same work as Stride's hot path and login, nothing else.

No extensions, no authentication, no rate limit, no ORM, no schema: one psycopg 3 connection per thread
(autocommit, so each request is exactly one round trip to PostgreSQL) and the JSON of the rows.

- `GET /exercises`: the page Stride's `GET /api/v1/exercises/?page_size=20` reads — the shared catalog and the
  bench user's own exercises, not archived, ordered by `title_key, id`, the first 20, with the same columns —
  as a JSON list of the fields Stride's schema shows. (Stride also counts the catalog for its X-Pagination
  header, by a COUNT or a `count(*) OVER ()` on the page; the floor does not.)
- `GET /profile`: the bench user's row by primary key, a few of its fields as JSON.
- `POST /login`: the "argon2-only floor at the same cost". A JSON body `{"username": ..., "password": ...}` as
  Stride's `POST /api/v1/login/` takes; the user's id and password hash read by one SQL statement, the password
  verified with argon2-cffi by a hasher built as Stride's `password_hasher()` builds it (app/models/users.py), from
  the same settings (`ARGON2_TIME_COST`, `ARGON2_MEMORY_COST`, `ARGON2_PARALLELISM` of config.py, as
  `load_config()` reads them from this process's environment); the answer is a small JSON: the id, and the hasher's
  parameters, which bench.hotpath compares with the stored hash's. No session, no token, no audit row, no limiter.
  (argon2's verify runs at the parameters encoded in the hash, so its cost is the one Stride pays either way.)

Run by `bench.hotpath` under gunicorn with Stride's `-w`/`--threads`:

    BENCH_FLOOR_DSN=postgresql://postgres@127.0.0.1:5432/<db> BENCH_FLOOR_USER_ID=1 \\
        gunicorn -c /dev/null -w 2 --threads 8 -b 127.0.0.1:8001 bench.floor:app
"""

import functools
import os
import threading

import psycopg
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import Flask, jsonify, request

PAGE_SIZE = 20
APPLICATION_NAME = "stride-bench-floor"  # how bench.hotpath tells the floor's PostgreSQL backends from Stride's

EXERCISES_PAGE = """
    SELECT id, title, title_key, description, muscle_group, equipment_required, complexity, is_archived,
           owner_id, created_by_id, created_at, updated_at
    FROM exercises
    WHERE (owner_id IS NULL OR owner_id = %(me)s) AND is_archived IS false
    ORDER BY title_key, id
    LIMIT %(n)s OFFSET 0
"""
PROFILE = """
    SELECT id, username, email, first_name, last_name, timezone, privacy, created_at
    FROM users WHERE id = %(me)s
"""
LOGIN = "SELECT id, password_hash FROM users WHERE username = %(username)s"

app = Flask(__name__)
_local = threading.local()


def connection() -> psycopg.Connection:
    """This thread's connection, opened on first use (and again if the server dropped it)."""
    conn = getattr(_local, "conn", None)
    if conn is None or conn.closed:
        conn = psycopg.connect(
            os.environ["BENCH_FLOOR_DSN"],
            autocommit=True,
            application_name=APPLICATION_NAME,
            options="-c jit=off",  # as Stride connects (config.py, DATABASE_JIT_OFF)
        )
        _local.conn = conn
    return conn


@functools.cache
def hasher() -> PasswordHasher:
    """Built as app.models.users.password_hasher() builds it (argon2id, argon2-cffi's defaults but for these
    three), from the settings `load_config()` reads from this process's environment as the app does. Built on
    first use, not at import: bench.hotpath imports this module before it sets the app's environment, and
    config.py reads the environment when it is imported."""
    from config import load_config

    settings = load_config()
    return PasswordHasher(
        time_cost=settings.ARGON2_TIME_COST,
        memory_cost=settings.ARGON2_MEMORY_COST,
        parallelism=settings.ARGON2_PARALLELISM,
    )


def user_id() -> int:
    return int(os.environ.get("BENCH_FLOOR_USER_ID", "1"))


@app.get("/exercises")
def exercises():
    rows = connection().execute(EXERCISES_PAGE, {"me": user_id(), "n": PAGE_SIZE}).fetchall()
    return jsonify(
        [
            {
                "id": row[0],
                "title": row[1],
                "description": row[3],
                "muscle_group": row[4],
                "equipment_required": row[5],
                "complexity": row[6],
                "is_archived": row[7],
                "owner_id": row[8],
                "is_personal": row[8] is not None,
                "created_at": row[10].isoformat(),
                "updated_at": row[11].isoformat(),
            }
            for row in rows
        ]
    )


@app.get("/profile")
def profile():
    row = connection().execute(PROFILE, {"me": user_id()}).fetchone()
    if row is None:
        return jsonify({"message": "no such user"}), 404
    return jsonify(
        {
            "id": row[0],
            "username": row[1],
            "email": row[2],
            "first_name": row[3],
            "last_name": row[4],
            "timezone": row[5],
            "privacy": row[6],
            "created_at": row[7].isoformat(),
        }
    )


@app.post("/login")
def login():
    body = request.get_json(silent=True)
    username = body.get("username") if isinstance(body, dict) else None
    password = body.get("password") if isinstance(body, dict) else None
    if not (isinstance(username, str) and isinstance(password, str)):
        return jsonify({"message": "username and password, as strings"}), 422
    row = connection().execute(LOGIN, {"username": username.strip().lower()}).fetchone()
    if row is None:
        return jsonify({"message": "Invalid username or password."}), 401
    argon2 = hasher()
    try:
        argon2.verify(row[1], password)
    except (VerificationError, InvalidHashError):
        return jsonify({"message": "Invalid username or password."}), 401
    return jsonify(
        {
            "id": row[0],
            "hasher": {
                "time_cost": argon2.time_cost,
                "memory_cost": argon2.memory_cost,
                "parallelism": argon2.parallelism,
            },
        }
    )


@app.get("/health")
def health():
    return {"status": "ok"}
