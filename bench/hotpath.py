"""Benchmark: Stride's hot path under gunicorn and wrk, against a bare-Flask floor doing the same work.

Two authenticated reads every client makes all the time, `GET /api/v1/exercises/?page_size=20` (a page of the
catalog) and `GET /api/v1/profile/`, served by Stride as deployed (`STRIDE_ENV=production`, gunicorn with
gunicorn.conf.py, PostgreSQL, Redis, the rate limiter on) and by bench/floor.py: Flask alone, one psycopg
connection per thread, the same rows read by one SQL statement and returned as JSON. Both run under gunicorn with
the same `-w`/`--threads` and are loaded by wrk in interleaved rounds (Stride, floor, Stride, floor, ...), so a
change in the machine's load weighs on both alike. Per endpoint the report gives the median over rounds of
requests/s, p50 and p99 latency, errors and server CPU per request (gunicorn's processes; PostgreSQL's backends
and Redis beside it), and Stride's requests/s as a share of the floor's: what the framework, the extensions
and the extra round trips cost. It also counts what one Stride request sends: PostgreSQL round trips (in
process, at the driver: pings, BEGIN, statements, COMMIT/ROLLBACK), Redis round trips (in process) and Redis
commands (on the server, INFO total_commands_processed).

A third pair is the login: `POST /api/v1/login/` with the bench user's username and password as JSON (a session
row, an audit row and a token pair each time, as in production) against the floor's `POST /login`, one SELECT of
the password hash and an argon2 verify by a hasher built from the app's own ARGON2_* settings: the "argon2-only
floor at the same cost", which Stride aims to reach 0.8 of (printed beside the ratio, not a check). Logins are
loaded with fewer connections (--login-connections, 8), the same on both sides: a verify costs tens of ms of CPU.
The login route's per-IP limit (RATELIMIT_LOGIN) is raised like the default for the run; the per-account limit
(RATELIMIT_LOGIN_ACCOUNT) stays at production's, as it counts failed logins only.

    python -m bench.hotpath                 # 3 rounds of 10 s per side and endpoint (about 4 minutes)
    python -m bench.hotpath --quick         # 1 round of 3 s, to try it out
    python -m bench.hotpath --workers 1 --threads 100 --save

BENCH_DATABASE_URL names an empty PostgreSQL database to use; without it a throwaway database
`stride_bench_<pid>` is created on BENCH_ADMIN_URL (default postgresql://postgres@127.0.0.1:5432/postgres)
and dropped at the end, whatever happens. Redis database 12 on 127.0.0.1:6379 (BENCH_REDIS_URL) is flushed
at the start and at the end. Exit status: 0 when every response was a 2xx and every check passed, 1 otherwise.
"""

import argparse
import contextlib
import hashlib
import io
import json
import os
import platform
import re
import resource
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import argon2
import psycopg
import redis
import requests
from sqlalchemy import event, make_url

from bench.expire_goals import bench_database, env_int
from bench.floor import APPLICATION_NAME as FLOOR_APP_NAME
from bench.list_workouts import kind_of

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
PINGS = frozenset({"SELECT 1", ";"})  # what a liveness ping sends (SQLAlchemy's psycopg dialect: ";")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/12")
BENCH_APP_NAME = "stride-bench"  # this process's own PostgreSQL connections, left out of the CPU counts
USERNAME, EMAIL, PASSWORD = "bencher", "bencher@example.com", "bench password 1234"
MIN_EXERCISES = 60  # the page must be full and the catalog bigger than a page
SEQUENTIAL = 50  # requests counted on the Redis server
IN_PROCESS = 20  # requests counted in process
RATE_LIMIT = "1000000 per minute"  # the limiter stays on, high enough never to refuse the load
LOGIN_TARGET = 0.8  # the issue's aim: login at 0.8 of an argon2-only floor at the same cost


@dataclass(frozen=True)
class Pair:
    name: str
    stride: str
    floor: str
    method: str = "GET"
    body: dict | None = None  # sent as JSON (Content-Type: application/json) to both sides
    authorized: bool = True  # the bench user's access token in an Authorization header, to both sides alike
    target: float | None = None  # Stride / floor req/s aimed at: printed beside the ratio, not a check

    def label(self, side: str = "stride") -> str:
        return f"{self.method} {self.stride if side == 'stride' else self.floor}"

    def headers(self, token: str) -> dict:
        """What requests sends, as wrk does: no User-Agent (wrk sends none, and Stride's login compares it with
        the account's earlier sessions), the token if the pair is authorized."""
        headers = {"User-Agent": None}
        if self.authorized:
            headers["Authorization"] = f"Bearer {token}"
        return headers


LOGIN = Pair(
    "login",
    "/api/v1/login/",
    "/login",
    method="POST",
    body={"username": USERNAME, "password": PASSWORD},
    authorized=False,
    target=LOGIN_TARGET,
)
PAIRS = (
    Pair("exercises", "/api/v1/exercises/?page_size=20", "/exercises"),
    Pair("profile", "/api/v1/profile/", "/profile"),
    LOGIN,
)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.hotpath", description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", type=int, default=env_int("BENCH_WORKERS", 2), help="gunicorn -w (2)")
    parser.add_argument("--threads", type=int, default=env_int("BENCH_THREADS", 8), help="gunicorn --threads (8)")
    parser.add_argument("--rounds", type=int, default=env_int("BENCH_ROUNDS", 3), help="rounds per side (3)")
    parser.add_argument("--duration", type=int, default=env_int("BENCH_DURATION", 10), help="seconds a round (10)")
    parser.add_argument("--connections", type=int, default=32, help="wrk -c (32)")
    parser.add_argument(
        "--login-connections", type=int, default=8, help="wrk -c for the login pair, both sides (8): argon2 is slow"
    )
    parser.add_argument("--users", type=int, default=env_int("BENCH_USERS", 1_000), help="users in the database")
    parser.add_argument("--quick", action="store_true", help="1 round of 3 s: to try it out")
    parser.add_argument("--save", action="store_true", help="also write the report to bench/results/hotpath-<date>.txt")
    args = parser.parse_args(argv)
    if args.quick:
        args.rounds, args.duration = 1, 3
    numbers = (args.workers, args.threads, args.rounds, args.duration, args.connections, args.login_connections)
    if min(*numbers, args.users) < 1:
        parser.error("every number must be at least 1")
    args.warm_up = min(3, args.duration)
    return args


def connections(pair: Pair, args) -> int:
    return args.login_connections if pair is LOGIN else args.connections


# --- the database and the app's environment --------------------------------------------------------------------


def server_env(url: str, run_seconds: int) -> dict:
    """What both the flask commands and gunicorn run with: production, a fresh secret, Redis database 12. Only
    PATH and the locale are inherited, so no STRIDE_* or RATELIMIT_* of the caller's shell changes the run."""
    env = {name: os.environ[name] for name in ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR") if name in os.environ}
    env.update(
        STRIDE_ENV="production",
        DATABASE_URL=url,
        REDIS_URL=REDIS_URL,
        SECRET_KEY=secrets.token_hex(32),
        JWT_SECRET_KEY=secrets.token_hex(32),
        RATELIMIT_ENABLED="1",
        RATELIMIT_DEFAULT=RATE_LIMIT,
        # The login route's own per-IP limit (production: 10 a minute) would refuse wrk's logins with 429s: raised
        # like the default, so it stays on and is paid for. RATELIMIT_LOGIN_ACCOUNT (per account, 5 a minute) is
        # left as in production: it deducts only failed logins (401), so successful ones are checked, not refused.
        RATELIMIT_LOGIN=RATE_LIMIT,
        LOG_LEVEL="WARNING",
        # One login serves the whole run (production's 15 minutes could run out in a long one).
        JWT_ACCESS_TOKEN_EXPIRES=str(max(15 * 60, 2 * run_seconds)),
    )
    return env


def flask_command(env: dict, *args: str) -> str:
    done = subprocess.run(
        [str(BIN / "flask"), "--app", "wsgi", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    if done.returncode != 0:
        raise SystemExit(f"flask {' '.join(args)} failed ({done.returncode}):\n{done.stdout}{done.stderr}")
    return done.stdout.strip().splitlines()[-1] if done.stdout.strip() else ""


def plain_dsn(url: str) -> str:
    """A SQLAlchemy URL (maybe postgresql+psycopg://) as psycopg takes it."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def top_up_exercises(conn: psycopg.Connection) -> tuple[int, int]:
    """The shared catalog, grown to MIN_EXERCISES with generated entries if the starter catalog is smaller:
    (the starter catalog's, generated)."""
    shared = conn.execute("SELECT count(*) FROM exercises WHERE owner_id IS NULL").fetchone()[0]
    if shared < MIN_EXERCISES:
        conn.execute(
            """
            INSERT INTO exercises (title, title_key, description, muscle_group, equipment_required, complexity,
                                   is_archived, created_at, updated_at)
            SELECT 'Bench exercise ' || i, 'bench exercise ' || i, 'Generated by bench.hotpath',
                   (ARRAY['chest', 'back', 'legs', 'arms', 'shoulders', 'core', 'full_body'])[1 + i % 7],
                   i % 2 = 0, 'beginner', false, now(), now()
            FROM generate_series(1, %(n)s) AS i
            """,
            {"n": MIN_EXERCISES - shared},
        )
    return shared, max(0, MIN_EXERCISES - shared)


def seed_users(conn: psycopg.Connection, users: int) -> int:
    """Users 2..`users` beside the one registered through the API (set-based, with the same password hash)."""
    conn.execute(
        """
        INSERT INTO users (id, username, email, password_hash, role, privacy, timezone, created_at)
        SELECT i, 'bench' || i, 'bench' || i || '@example.com', me.password_hash, 'user', 'public', 'UTC', now()
        FROM generate_series((SELECT max(id) + 1 FROM users), %(users)s) AS i, (SELECT password_hash FROM users
             WHERE username = %(me)s) AS me
        """,
        {"users": users, "me": USERNAME},
    )
    conn.execute("SELECT setval(pg_get_serial_sequence('users', 'id'), (SELECT max(id) FROM users))")
    return conn.execute("SELECT count(*) FROM users").fetchone()[0]


# --- the servers --------------------------------------------------------------------------------------------------


@dataclass
class Server:
    name: str
    port: int
    proc: subprocess.Popen
    log: Path

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def log_tail(self, lines: int = 30) -> str:
        text = self.log.read_text(errors="replace").splitlines()
        return "\n".join(text[-lines:])


def code_fingerprint() -> str:
    """The app's source as files stand (paths, sizes, modification times): gunicorn imports it once at its
    start, the in-process count at the end, and someone may be editing it in between."""
    files = sorted([*ROOT.glob("app/**/*.py"), ROOT / "config.py", ROOT / "wsgi.py", ROOT / "gunicorn.conf.py"])
    stats = [(str(path), path.stat().st_size, path.stat().st_mtime_ns) for path in files if path.exists()]
    return hashlib.sha1(repr(stats).encode()).hexdigest()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def gunicorn(name: str, app: str, env: dict, args, log_dir: Path, config: Path | None = None):
    """gunicorn in its own process group, its stderr (error and access lines) in a file; the whole group is
    stopped on the way out, whatever happens."""
    port = free_port()
    log = log_dir / f"{name}.log"
    command = [str(BIN / "gunicorn"), "-w", str(args.workers), "--threads", str(args.threads)]
    command += ["-b", f"127.0.0.1:{port}", "--log-level", "warning"]
    command += ["-c", str(config)] if config else []
    with open(log, "wb") as stderr:
        proc = subprocess.Popen(
            [*command, app],
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=stderr,
            stderr=stderr,
            start_new_session=True,
        )
    server = Server(name, port, proc, log)
    try:
        wait_healthy(server)
        yield server
    finally:
        stop(proc)


def stop(proc: subprocess.Popen) -> None:
    for sig, wait in ((signal.SIGTERM, 15), (signal.SIGKILL, 5)):
        if proc.poll() is not None:
            break
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, sig)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(wait)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)  # a worker its master left behind


def wait_healthy(server: Server, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.proc.poll() is not None:
            raise SystemExit(f"{server.name} exited ({server.proc.returncode}):\n{server.log_tail()}")
        with contextlib.suppress(requests.RequestException):
            if requests.get(server.url("/health"), timeout=2).status_code == 200:
                return
        time.sleep(0.25)
    raise SystemExit(f"{server.name} did not answer /health within {seconds:g} s:\n{server.log_tail()}")


def call(method: str, url: str, expect: int, **kwargs) -> requests.Response:
    response = requests.request(method, url, timeout=30, **kwargs)
    if response.status_code != expect:
        raise SystemExit(f"{method} {url} answered {response.status_code}, not {expect}: {response.text[:300]}")
    return response


# --- CPU ------------------------------------------------------------------------------------------------------


TICK = os.sysconf("SC_CLK_TCK")


def stat_fields(pid: int) -> list[str] | None:
    """/proc/<pid>/stat from field 3 (state) on: the name in parentheses may hold spaces."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return text[text.rindex(")") + 2 :].split()


def cpu_of(pid: int) -> float:
    """utime + stime (fields 14 and 15) of a process, all its threads, in seconds."""
    fields = stat_fields(pid)
    return (int(fields[11]) + int(fields[12])) / TICK if fields else 0.0


def process_tree(root: int) -> list[int]:
    """The process and its descendants (gunicorn's master and workers), by each process's ppid (field 4)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            fields = stat_fields(int(entry))
            if fields:
                children.setdefault(int(fields[1]), []).append(int(entry))
    tree, todo = [], [root]
    while todo:
        pid = todo.pop()
        tree.append(pid)
        todo.extend(children.get(pid, []))
    return tree


def machine_busy() -> float:
    """CPU seconds the machine spent busy since boot, all CPUs (/proc/stat: all but idle and iowait)."""
    user, nice, system, _idle, _iowait, irq, softirq, steal = map(int, Path("/proc/stat").read_text().split()[1:9])
    return (user + nice + system + irq + softirq + steal) / TICK


def children_cpu() -> float:
    """CPU seconds of this process's finished children (wrk, once waited for)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


@dataclass
class CpuProbe:
    """CPU seconds, read before and after a round: gunicorn's tree, the PostgreSQL backends serving one side
    (told apart by application_name), the whole Redis server (INFO cpu), wrk, and the machine in all: what
    is left of it ("others") is load from other processes, which the round shared the CPUs with."""

    server: Server
    monitor: psycopg.Connection
    redis_client: redis.Redis
    database: str

    def pg_backends(self) -> list[int]:
        side = "= %(floor)s" if self.server.name == "floor" else "NOT IN (%(floor)s, %(bench)s)"
        rows = self.monitor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %(db)s AND backend_type = 'client backend' "
            f"AND application_name {side}",
            {"db": self.database, "floor": FLOOR_APP_NAME, "bench": BENCH_APP_NAME},
        ).fetchall()
        return [row[0] for row in rows]

    def read(self) -> dict:
        info = self.redis_client.info("cpu")
        return {
            "gunicorn": sum(cpu_of(pid) for pid in process_tree(self.server.proc.pid)),
            "pg": {pid: cpu_of(pid) for pid in self.pg_backends()},
            "redis": info["used_cpu_sys"] + info["used_cpu_user"],
            "wrk": children_cpu(),
            "machine": machine_busy(),
            "wall": time.monotonic(),
        }

    @staticmethod
    def spent(before: dict, after: dict) -> dict:
        spent = {part: after[part] - before[part] for part in ("gunicorn", "redis", "wrk", "machine", "wall")}
        spent["pg"] = sum(seconds - before["pg"].get(pid, 0.0) for pid, seconds in after["pg"].items())
        spent["others"] = spent["machine"] - sum(spent[part] for part in ("gunicorn", "pg", "redis", "wrk"))
        return spent


# --- wrk ------------------------------------------------------------------------------------------------------

UNIT_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}


@dataclass
class Round:
    side: str  # "Stride" or "floor"
    rps: float
    p50: float  # ms
    p99: float
    requests: int
    non_2xx: int
    socket_errors: int
    cpu: dict = field(default_factory=dict)  # seconds: gunicorn, pg, redis

    @property
    def errors(self) -> int:
        return self.non_2xx + self.socket_errors

    def cpu_ms(self, part: str) -> float:
        return self.cpu[part] * 1000 / self.requests if self.requests else float("nan")

    def cpus(self, part: str) -> float:
        """CPUs kept busy on average during the round."""
        return self.cpu[part] / self.cpu["wall"]


def latency_ms(output: str, percent: int) -> float:
    found = re.search(rf"^\s+{percent}%\s+([\d.]+)(us|ms|s|m|h)\s*$", output, re.M)
    if not found:
        raise SystemExit(f"no {percent}% line in wrk's output:\n{output}")
    return float(found.group(1)) * UNIT_MS[found.group(2)]


def parse_wrk(side: str, output: str) -> Round:
    rps = re.search(r"^Requests/sec:\s+([\d.]+)", output, re.M)
    done = re.search(r"^\s+(\d+) requests in ", output, re.M)
    if not (rps and done):
        raise SystemExit(f"could not read wrk's output:\n{output}")
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    sockets = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    return Round(
        side=side,
        rps=float(rps.group(1)),
        p50=latency_ms(output, 50),
        p99=latency_ms(output, 99),
        requests=int(done.group(1)),
        non_2xx=int(non_2xx.group(1)) if non_2xx else 0,
        socket_errors=sum(int(n) for n in sockets.groups()) if sockets else 0,
    )


def wrk_options(pair: Pair, token: str, scripts: Path) -> list[str]:
    """The pair's request for wrk: the Authorization header if it is authorized; a method and a JSON body by a
    Lua script (wrk's only way to send a body), written to `scripts`."""
    options = ["-H", f"Authorization: Bearer {token}"] if pair.authorized else []
    if pair.method != "GET" or pair.body is not None:
        body = json.dumps(pair.body) if pair.body is not None else ""
        script = scripts / f"{pair.name}.lua"
        script.write_text(
            f'wrk.method = "{pair.method}"\n'
            f"wrk.body = [==[{body}]==]\n"
            + ('wrk.headers["Content-Type"] = "application/json"\n' if pair.body is not None else "")
        )
        options += ["-s", str(script)]
    return options


def wrk(url: str, options: list[str], seconds: int, connections: int) -> str:
    command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", *options, url]
    done = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60)
    if done.returncode != 0:
        raise SystemExit(f"wrk failed ({done.returncode}): {done.stderr}")
    return done.stdout


def one_round(side: str, url: str, options: list[str], connections: int, args, probe: CpuProbe) -> Round:
    before = probe.read()
    result = parse_wrk(side, wrk(url, options, args.duration, connections))
    result.cpu = CpuProbe.spent(before, probe.read())
    return result


@dataclass
class PairResult:
    pair: Pair
    stride: list[Round]
    floor: list[Round]
    warm_up_errors: int

    def ratios(self) -> list[float]:
        return [s.rps / f.rps for s, f in zip(self.stride, self.floor, strict=True)]


def measure_pair(
    pair: Pair, stride: Server, floor: Server, token: str, args, probes: dict, scripts: Path
) -> PairResult:
    """One short warm-up per side, then `--rounds` rounds of Stride, floor, Stride, floor, ..."""
    sides = (("Stride", stride.url(pair.stride)), ("floor", floor.url(pair.floor)))
    options, conns = wrk_options(pair, token, scripts), connections(pair, args)
    warm_up_errors = sum(parse_wrk(side, wrk(url, options, args.warm_up, conns)).errors for side, url in sides)
    rounds = {"Stride": [], "floor": []}
    for _ in range(args.rounds):
        for side, url in sides:
            rounds[side].append(one_round(side, url, options, conns, args, probes[side]))
    return PairResult(pair, rounds["Stride"], rounds["floor"], warm_up_errors)


# --- what one request sends -----------------------------------------------------------------------------------


def redis_commands_server_side(client: redis.Redis, url: str, pair: Pair, token: str) -> tuple[float, float, int]:
    """INFO stats' total_commands_processed around SEQUENTIAL requests on one keep-alive connection, less the
    INFO itself; and around an idle window as long (other clients of the same server). Whole-server counts.
    Returns (commands per request, commands in the idle window, non-200 answers)."""

    def processed() -> int:
        return client.info("stats")["total_commands_processed"]

    headers = pair.headers(token)
    failures = 0
    with requests.Session() as session:

        def send() -> requests.Response:
            return session.request(pair.method, url, headers=headers, json=pair.body, timeout=30)

        send()  # the connection is open before counting
        before = processed()
        start = time.perf_counter()
        for _ in range(SEQUENTIAL):
            failures += send().status_code != 200
        seconds = time.perf_counter() - start
        after = processed()
    idle_before = processed()
    time.sleep(seconds)
    idle = processed() - idle_before - 1  # the first INFO is counted in the second's answer
    return (after - before - 1) / SEQUENTIAL, idle, failures


@dataclass
class Tally:
    """What the app sent while `active`, request by request: on the wire to PostgreSQL (counted at psycopg:
    the BEGIN it sends before the first statement of a transaction, each statement, COMMIT and ROLLBACK when a
    transaction is open; a bare `SELECT 1`, or the `;` SQLAlchemy's psycopg dialect pings with, is a liveness
    ping), what SQLAlchemy's events saw, and Redis round trips (a command, or a pipeline sent at once; a Lua
    script's EVALSHA is one)."""

    active: bool = False
    sql: Counter = field(default_factory=Counter)
    orm: Counter = field(default_factory=Counter)
    redis: Counter = field(default_factory=Counter)
    redis_wire: int = 0
    requests: list = field(default_factory=list)  # (sql, orm, redis, redis_wire) per request

    def lap(self) -> None:
        self.requests.append((self.sql, self.orm, self.redis, self.redis_wire))
        self.sql, self.orm, self.redis, self.redis_wire = Counter(), Counter(), Counter(), 0


def redis_label(args: tuple) -> str:
    """`EVALSHA LIMITS:{…}`, `EXISTS stride:auth:revoked-token:… (+1 key)`: the command and its first key's
    family (the key less its last part); for a script, its first key."""
    command = str(args[0]).upper()
    scripted = command in ("EVALSHA", "EVAL")
    keys = [str(k, errors="replace") if isinstance(k, bytes) else str(k) for k in args[3 if scripted else 1 :]]
    if not keys:
        return command
    if scripted or command in ("EXISTS", "DEL", "UNLINK", "MGET"):
        keys = keys[: int(args[2])] if scripted else keys
    first = keys[0]
    family = first.split("{", 1)[0] + "{…}" if "{" in first else first.rsplit(":", 1)[0] + ":…"
    more = f" (+{len(keys) - 1} key{'s' if len(keys) > 2 else ''})" if len(keys) > 1 and not scripted else ""
    return f"{command} {family}{more}"


@contextmanager
def tallying(engine, tally: Tally):
    """Count at psycopg (the wire), in SQLAlchemy's events and in redis-py while the block runs."""
    from psycopg.pq import TransactionStatus
    from redis.client import Pipeline, Redis
    from redis.connection import AbstractConnection

    real = {
        "execute": psycopg.Cursor.execute,
        "executemany": psycopg.Cursor.executemany,
        "commit": psycopg.Connection.commit,
        "rollback": psycopg.Connection.rollback,
        "command": Redis.execute_command,
        "pipeline": Pipeline.execute,
        "send": AbstractConnection.send_packed_command,
    }

    def on_wire(cursor, query) -> None:
        if not tally.active:
            return
        conn = cursor.connection
        if not conn.autocommit and conn.info.transaction_status == TransactionStatus.IDLE:
            tally.sql["BEGIN"] += 1
        text = query if isinstance(query, str) else query.decode() if isinstance(query, bytes) else str(query)
        tally.sql["ping" if text.strip().upper() in PINGS else kind_of(text)] += 1

    def execute(cursor, query, *args, **kwargs):
        on_wire(cursor, query)
        return real["execute"](cursor, query, *args, **kwargs)

    def executemany(cursor, query, *args, **kwargs):
        on_wire(cursor, query)
        return real["executemany"](cursor, query, *args, **kwargs)

    def ending(name: str):
        def end(conn):
            if tally.active and conn.info.transaction_status != TransactionStatus.IDLE:
                tally.sql[name.upper()] += 1
            return real[name](conn)

        return end

    def command(client, *args, **options):
        if tally.active:
            tally.redis[redis_label(args)] += 1
        return real["command"](client, *args, **options)

    def pipeline(pipe, *args, **kwargs):
        if tally.active and pipe.command_stack:
            names = ", ".join(redis_label(c[0]) for c in pipe.command_stack)
            tally.redis[f"pipeline [{names}]"] += 1
        return real["pipeline"](pipe, *args, **kwargs)

    def send(conn, *args, **kwargs):
        if tally.active:
            tally.redis_wire += 1
        return real["send"](conn, *args, **kwargs)

    def orm(name: str):
        def listener(*_args, **_kwargs):
            if tally.active:
                tally.orm[name] += 1

        return listener

    listeners = [(name, orm(name)) for name in ("before_cursor_execute", "begin", "commit", "rollback")]
    psycopg.Cursor.execute, psycopg.Cursor.executemany = execute, executemany
    psycopg.Connection.commit, psycopg.Connection.rollback = ending("commit"), ending("rollback")
    Redis.execute_command, Pipeline.execute, AbstractConnection.send_packed_command = command, pipeline, send
    for name, listener in listeners:
        event.listen(engine, name, listener)
    try:
        yield tally
    finally:
        for name, listener in listeners:
            event.remove(engine, name, listener)
        psycopg.Cursor.execute, psycopg.Cursor.executemany = real["execute"], real["executemany"]
        psycopg.Connection.commit, psycopg.Connection.rollback = real["commit"], real["rollback"]
        Redis.execute_command, Pipeline.execute = real["command"], real["pipeline"]
        AbstractConnection.send_packed_command = real["send"]


@dataclass
class InProcess:
    """What one request sends, counted in process over IN_PROCESS requests after a warm-up."""

    per_request: dict  # path -> list of (sql, orm, redis, redis_wire), one per request
    pre_ping: bool
    ping_after_idle: object  # DATABASE_PING_AFTER_IDLE, where the app has it
    limiter_strategy: str


def count_in_process(env: dict, token: str) -> InProcess:
    """The app built in this process from the very environment gunicorn got (production), requests through the
    Flask test client with the token gunicorn issued."""
    os.environ.update(env)
    from app import create_app
    from app.extensions import db

    app = create_app()
    client = app.test_client()
    per_request = {}
    with app.app_context():
        engine = db.engine
    try:
        for pair in PAIRS:
            tally = Tally()
            with tallying(engine, tally):
                call_ok(client, pair, token)  # warm-up, not counted
                for _ in range(IN_PROCESS):
                    tally.active = True
                    call_ok(client, pair, token)
                    tally.active = False
                    tally.lap()
            per_request[pair.stride] = tally.requests
        return InProcess(
            per_request,
            pre_ping=bool(getattr(engine.pool, "_pre_ping", False)),
            ping_after_idle=app.config.get("DATABASE_PING_AFTER_IDLE"),
            limiter_strategy=app.config.get("RATELIMIT_STRATEGY", "?"),
        )
    finally:
        engine.dispose()


def call_ok(client, pair: Pair, token: str) -> None:
    headers = {name: value for name, value in pair.headers(token).items() if value is not None}
    response = client.open(pair.stride, method=pair.method, headers=headers, json=pair.body)
    if response.status_code != 200:
        raise SystemExit(f"{pair.label()} in process answered {response.status_code}: {response.get_data(True)[:300]}")


# --- the report -----------------------------------------------------------------------------------------------


class Tee(io.TextIOBase):
    """Everything printed goes to the terminal and is kept, for --save."""

    def __init__(self, terminal) -> None:
        self.terminal, self.kept = terminal, io.StringIO()

    def write(self, text: str) -> int:
        self.terminal.write(text)
        self.terminal.flush()
        return self.kept.write(text)


def machine_lines(args, pg_version: str, redis_version: str) -> list[str]:
    model = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor() or "?",
    )
    nproc = subprocess.run(["nproc"], capture_output=True, text=True).stdout.strip()
    gunicorn_version = subprocess.run([str(BIN / "gunicorn"), "--version"], capture_output=True, text=True).stdout
    wrk_version = subprocess.run(["wrk", "--version"], capture_output=True, text=True).stdout.split("[")[0]
    commit = subprocess.run(
        ["git", "describe", "--always", "--dirty"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    changed = subprocess.run(
        ["git", "status", "--porcelain", "--", "app", "config.py", "wsgi.py", "gunicorn.conf.py"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    ).stdout.split("\n")
    changed = [line[3:] for line in changed if line.strip()]
    return [
        f"  machine       {nproc} CPUs (nproc), {model}; load average "
        + ", ".join(f"{x:.1f}" for x in os.getloadavg())
        + " (1, 5, 15 min) at the start",
        f"  software      PostgreSQL {pg_version}, Redis {redis_version}, Python {platform.python_version()}, "
        f"{gunicorn_version.strip()}, {wrk_version.strip()}",
        f"  code          git {commit}"
        + (f" (uncommitted changes in the app: {', '.join(changed)})" if changed else ""),
        f"  servers       gunicorn -w {args.workers} --threads {args.threads} each; wrk -t2 -c{args.connections} "
        f"(the login: -c{args.login_connections}, both sides) -d{args.duration}s --latency, {args.rounds} round(s) "
        f"per side after a {args.warm_up} s warm-up each",
    ]


def cell(values: list[float], fmt: str) -> str:
    return format(statistics.median(values), fmt)


def print_pair(result: PairResult, args) -> None:
    pair = result.pair
    print(
        f"{pair.label()}  vs  the floor's {pair.label('floor')}  (wrk -c{connections(pair, args)}, "
        f"median of {args.rounds} round(s))"
    )
    print(
        f"  {'':<10}{'req/s':>10}{'p50 ms':>10}{'p99 ms':>10}{'errors':>8}"
        f"{'CPU ms/req':>12}{'PG ms/req':>11}{'Redis ms/req':>14}"
    )
    for side, rounds in (("Stride", result.stride), ("floor", result.floor)):
        print(
            f"  {side:<10}{cell([r.rps for r in rounds], ',.1f'):>10}{cell([r.p50 for r in rounds], '.2f'):>10}"
            f"{cell([r.p99 for r in rounds], '.2f'):>10}{sum(r.errors for r in rounds):>8}"
            f"{cell([r.cpu_ms('gunicorn') for r in rounds], '.3f'):>12}"
            f"{cell([r.cpu_ms('pg') for r in rounds], '.3f'):>11}"
            f"{cell([r.cpu_ms('redis') for r in rounds], '.3f'):>14}"
        )
    ratios = result.ratios()
    print(
        f"  Stride / floor req/s: {statistics.median(ratios):.3f}  (per round: "
        + ", ".join(f"{r:.3f}" for r in ratios)
        + f"); floor / Stride: {1 / statistics.median(ratios):.1f}x"
    )
    if pair.target is not None:
        met = "met" if statistics.median(ratios) >= pair.target else "not met"
        print(f"  target: Stride / floor req/s >= {pair.target:g}: {met} (information, not a check)")
    cpu = statistics.median(
        s.cpu_ms("gunicorn") / f.cpu_ms("gunicorn") for s, f in zip(result.stride, result.floor, strict=True)
    )
    print(f"  Stride / floor gunicorn CPU per request: {cpu:.1f}x")
    for side, rounds in (("Stride", result.stride), ("floor", result.floor)):
        print(f"  rounds, {side:<7}" + "; ".join(f"{r.rps:,.0f} req/s p50 {r.p50:.2f} ms" for r in rounds))
    print(
        "  CPUs busy (median): "
        + "; ".join(
            f"{side} rounds {cell([r.cpus('machine') for r in rounds], '.2f')} in all, gunicorn "
            f"{cell([r.cpus('gunicorn') for r in rounds], '.2f')}, wrk {cell([r.cpus('wrk') for r in rounds], '.2f')}, "
            f"other processes {cell([r.cpus('others') for r in rounds], '.2f')}"
            for side, rounds in (("Stride", result.stride), ("floor", result.floor))
        )
    )
    if result.warm_up_errors:
        print(f"  warm-up errors: {result.warm_up_errors}")


def counts_line(counter: Counter, order: tuple = ()) -> str:
    keys = [k for k in order if k in counter] + sorted(k for k in counter if k not in order)
    return ", ".join(f"{key} {counter[key]:g}" for key in keys)


def mean_counter(counters: list[Counter]) -> Counter:
    total = Counter()
    for counter in counters:
        total.update(counter)
    return Counter({key: n / len(counters) for key, n in total.items()})


def print_counts(label: str, samples: list, redis_server: tuple, pool: InProcess) -> None:
    """The breakdown of one request: the mean over the samples, and whether every request sent the same."""
    sql = mean_counter([s[0] for s in samples])
    orm = mean_counter([s[1] for s in samples])
    rds = mean_counter([s[2] for s in samples])
    wire = statistics.mean(s[3] for s in samples)
    framing = ("ping", "BEGIN", "COMMIT", "ROLLBACK")
    statements = sum(n for key, n in sql.items() if key not in framing)
    per_statement = Counter({key: n for key, n in sql.items() if key not in framing})
    same = len({(tuple(sorted(s[0].items())), tuple(sorted(s[2].items()))) for s in samples}) == 1
    print(
        f"What one {label} sends (in process: {len(samples)} requests after a warm-up, mean per request"
        + ("; every request the same)" if same else "; NOT the same in every request)")
    )
    print(
        f"  PostgreSQL round trips   {sum(sql.values()):g} = ping {sql['ping']:g} + BEGIN {sql['BEGIN']:g} "
        f"+ statements {statements:g} + COMMIT {sql['COMMIT']:g} + ROLLBACK {sql['ROLLBACK']:g}  (at psycopg)"
    )
    print(f"    statements             {counts_line(per_statement)}")
    ping = "pool_pre_ping on" if pool.pre_ping else "pool_pre_ping off"
    if pool.ping_after_idle is not None:
        ping += f", ping after {pool.ping_after_idle} s idle"
    print(
        f"    SQLAlchemy's events    statements {orm['before_cursor_execute']:g}, begin {orm['begin']:g}, "
        f"commit {orm['commit']:g}, rollback {orm['rollback']:g}  ({ping})"
    )
    print(f"  Redis round trips        {sum(rds.values()):g} = {counts_line(rds)}  (in process; {wire:g} sends)")
    per_request, idle, _ = redis_server
    print(
        f"  Redis commands           {per_request:.2f}  (server side: INFO total_commands_processed over "
        f"{SEQUENTIAL} sequential requests to gunicorn; whole server, the commands a Lua script runs count too; "
        f"an idle window as long saw {idle})"
    )


def print_limiter(client: redis.Redis, strategy: str) -> None:
    """The rate limiter's strategy, and the longest lists in Redis: the moving window keeps one list entry per
    request in the window, up to the limit, so at RATE_LIMIT the per-IP list holds every request of the last
    minute (production's rate caps it much lower) and its cost per request grows with it."""
    lists = [(key.decode(), client.llen(key)) for key in client.scan_iter(count=1000) if client.type(key) == b"list"]
    longest = max(lists, key=lambda item: item[1], default=None)
    shown = f"; longest list {longest[0][:60]}: {longest[1]:,} entries at the end" if longest else "; no lists"
    print(f"  rate limiter: {strategy} at {RATE_LIMIT}, per IP and endpoint{shown}")


# --- the run --------------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if shutil.which("wrk") is None:
        print("FAIL: bench.hotpath needs wrk, the HTTP load generator (Debian: apt-get install wrk)")
        return 1
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # run the clean-ups on kill as on Ctrl-C
    tee = Tee(sys.stdout)
    redis_client = redis.Redis.from_url(REDIS_URL)
    redis_client.flushdb()
    try:
        with contextlib.redirect_stdout(tee), bench_database() as (url, throwaway):
            code = run_benchmark(args, url, throwaway, redis_client)
    except KeyboardInterrupt:
        print("\nFAIL: interrupted")
        return 1
    except SystemExit as stopped:
        if stopped.code is None or isinstance(stopped.code, int):
            raise  # sys.exit(143) on SIGTERM, after the clean-ups
        print(f"\nFAIL: {stopped.code}")  # a step that could not go on (a server, wrk, a request)
        return 1
    finally:
        redis_client.flushdb()
    if args.save:
        results = ROOT / "bench" / "results"
        results.mkdir(exist_ok=True)
        path = results / f"hotpath-{date.today().isoformat()}.txt"
        path.write_text(tee.kept.getvalue())
        print(f"saved to {path.relative_to(ROOT)}")
    return code


@dataclass
class Setup:
    """What the run knows after seeding and logging in."""

    env: dict
    database: str
    throwaway: bool
    exercises: tuple[int, int]  # (starter catalog, generated)
    users: int
    me: int
    token: str


def migrate_and_seed(env: dict, monitor: psycopg.Connection) -> tuple[int, int]:
    flask_command(env, "db", "upgrade")
    flask_command(env, "seed", "exercises")
    return top_up_exercises(monitor)


def register_and_log_in(stride: Server, monitor: psycopg.Connection, users: int) -> tuple[int, int, str]:
    """One user through the API (so the password hash is the app's own), the rest by SQL; then a login.
    Returns (users in all, the bench user's id, an access token)."""
    call(
        "POST", stride.url("/api/v1/register/"), 201, json={"username": USERNAME, "email": EMAIL, "password": PASSWORD}
    )
    total = seed_users(monitor, users)
    monitor.execute("VACUUM ANALYZE users, exercises")
    me = monitor.execute("SELECT id FROM users WHERE username = %s", (USERNAME,)).fetchone()[0]
    login = call("POST", stride.url("/api/v1/login/"), 200, json={"username": USERNAME, "password": PASSWORD})
    return total, me, login.json()["access_token"]


def same_answers(
    stride: Server, floor: Server, setup: Setup, monitor: psycopg.Connection
) -> list[tuple[str, bool, object]]:
    """Both sides read the same rows: the same page of exercises, the same user; both log the bench user in,
    the floor's hasher at the cost of the hash Stride stored."""
    headers = {"Authorization": f"Bearer {setup.token}"}
    stride_page = call("GET", stride.url(PAIRS[0].stride), 200, headers=headers).json()
    floor_page = call("GET", floor.url(PAIRS[0].floor), 200).json()
    same_page = [e["id"] for e in stride_page] == [e["id"] for e in floor_page] and len(floor_page) == 20
    stride_me = call("GET", stride.url(PAIRS[1].stride), 200, headers=headers).json()["id"]
    floor_me = call("GET", floor.url(PAIRS[1].floor), 200).json()["id"]
    # The login as wrk sends it (no User-Agent: this first login from the agent-less "device" is the one that
    # notifies the account of a new device, so the timed logins do not).
    stride_login = call(
        LOGIN.method, stride.url(LOGIN.stride), 200, headers=LOGIN.headers(setup.token), json=LOGIN.body
    ).json()
    floor_login = call(LOGIN.method, floor.url(LOGIN.floor), 200, headers=LOGIN.headers(setup.token), json=LOGIN.body)
    floor_login = floor_login.json()
    stored = monitor.execute("SELECT password_hash FROM users WHERE id = %s", (setup.me,)).fetchone()[0]
    cost = argon2.extract_parameters(stored)
    stored_cost = {"time_cost": cost.time_cost, "memory_cost": cost.memory_cost, "parallelism": cost.parallelism}
    logged_in = (
        stride_login.get("user", {}).get("id") == floor_login.get("id") == setup.me
        and bool(stride_login.get("access_token"))
        and stride_login.get("mfa_required") is False
    )
    return [
        ("the floor's page = Stride's page (the same 20 ids, in order)", same_page, len(floor_page)),
        ("the floor's profile = Stride's (the bench user)", stride_me == floor_me == setup.me, setup.me),
        ("both log the bench user in (200; Stride: a token pair, no MFA)", logged_in, setup.me),
        (
            "the floor's argon2 cost = the stored hash's (m, t, p)",
            floor_login.get("hasher") == stored_cost,
            f"{cost.memory_cost},{cost.time_cost},{cost.parallelism}",
        ),
    ]


def print_header(args, setup: Setup, pg_version: str, redis_version: str) -> None:
    starter, generated = setup.exercises
    print()
    print("Stride benchmark: the hot path under gunicorn and wrk, against a bare-Flask floor")
    for line in machine_lines(args, pg_version, redis_version):
        print(line)
    print(
        f"  database      {setup.database}{' (throwaway)' if setup.throwaway else ''}: {starter + generated} shared "
        f"exercises ({starter} from `flask seed exercises`"
        + (f", {generated} generated" if generated else "")
        + f"), {setup.users:,} users (one registered through the API, the rest by SQL)"
    )
    print(
        "  Stride        STRIDE_ENV=production, gunicorn.conf.py (its threaded worker; access lines to a file), "
        f"rate limit on at {RATE_LIMIT}, {REDIS_URL}"
    )
    print(
        f"                the login's per-IP limit (RATELIMIT_LOGIN) raised to {RATE_LIMIT} as well; its per-account"
        " limit as in production (it deducts failed logins only)"
    )
    print(
        "  floor         bench/floor.py, gunicorn with an empty config (plain gthread, no access log): Flask "
        "alone, a psycopg connection per thread (autocommit: one round trip a request)"
    )
    print("                its login: one SELECT and an argon2 verify by a hasher built from the app's ARGON2_* cost")
    print("  CPU           ms per request: gunicorn's master and workers (utime+stime), the PostgreSQL backends")
    print("                serving the side (by application_name), the whole Redis server (INFO cpu)")
    print(f"                wrk, both gunicorns, PostgreSQL and Redis share the {os.cpu_count()} CPUs")
    print()


def print_checks(checks: list[tuple[str, bool, object]]) -> list[str]:
    print("Checks")
    for label, ok, shown in checks:
        print(f"  {label:<64} {shown!s:>8}     {'OK' if ok else 'FAIL'}")
    return [label for label, ok, _ in checks if not ok]


def run_benchmark(args, url: str, throwaway: bool, redis_client: redis.Redis) -> int:
    env = server_env(url, run_seconds=len(PAIRS) * 2 * (args.warm_up + args.rounds * args.duration) + 300)
    with (
        psycopg.connect(plain_dsn(url), autocommit=True, application_name=BENCH_APP_NAME) as monitor,
        tempfile.TemporaryDirectory(prefix="stride-hotpath-") as logs,
        contextlib.ExitStack() as servers,
    ):
        exercises = migrate_and_seed(env, monitor)
        code_at_start = code_fingerprint()
        stride = servers.enter_context(gunicorn("stride", "wsgi:app", env, args, Path(logs)))
        users, me, token = register_and_log_in(stride, monitor, args.users)
        setup = Setup(env, make_url(url).database, throwaway, exercises, users, me, token)

        empty_config = Path(logs) / "floor.gunicorn.conf.py"  # gunicorn's defaults, not the project's config
        empty_config.write_text("")
        floor_env = {**env, "BENCH_FLOOR_DSN": plain_dsn(url), "BENCH_FLOOR_USER_ID": str(me)}
        floor = servers.enter_context(gunicorn("floor", "bench.floor:app", floor_env, args, Path(logs), empty_config))
        checks = same_answers(stride, floor, setup, monitor)

        pg_version = monitor.execute("SHOW server_version").fetchone()[0]
        print_header(args, setup, pg_version, redis_client.info("server")["redis_version"])

        probes = {
            "Stride": CpuProbe(stride, monitor, redis_client, setup.database),
            "floor": CpuProbe(floor, monitor, redis_client, setup.database),
        }
        results = [measure_pair(pair, stride, floor, token, args, probes, Path(logs)) for pair in PAIRS]
        for result in results:
            print_pair(result, args)
            print()

        server_counts = {
            pair.stride: redis_commands_server_side(redis_client, stride.url(pair.stride), pair, token)
            for pair in PAIRS
        }
        code_changed = code_fingerprint() != code_at_start
        in_process = count_in_process(env, token)
        for pair in PAIRS:
            print_counts(pair.label(), in_process.per_request[pair.stride], server_counts[pair.stride], in_process)
            print()
        print_limiter(redis_client, in_process.limiter_strategy)
        lines = [sum(1 for _ in server.log.open(errors="replace")) for server in (stride, floor)]
        print(f"  stderr over the run: Stride {lines[0]:,} lines (its access log), the floor {lines[1]:,}")
        if code_changed:
            print(
                "  NOTE: the app's source changed during the run: gunicorn ran the code as it stood at its start,"
                " the in-process counts the code as it stands now"
            )
        print("  load average at the end: " + ", ".join(f"{x:.1f}" for x in os.getloadavg()) + " (1, 5, 15 min)")
        print()

        errors = sum(r.errors for result in results for r in result.stride + result.floor)
        warm_up = sum(result.warm_up_errors for result in results)
        sequential = sum(counts[2] for counts in server_counts.values())
        failures = print_checks(
            [
                *checks,
                ("responses not 2xx, and socket errors, in the rounds", errors == 0, errors),
                ("... in the warm-ups", warm_up == 0, warm_up),
                (f"... in the {SEQUENTIAL} sequential requests per endpoint", sequential == 0, sequential),
            ]
        )
        if failures:
            print(f"\nStride's stderr, its last lines:\n{stride.log_tail(15)}")
    print()
    print("PASS" if not failures else f"FAIL: {'; '.join(failures)}")
    return 0 if not failures else 1


if __name__ == "__main__":
    sys.exit(main())
