"""Soak: mixed authenticated load on Stride in its production layout while faults are injected, then a check that
every acknowledged write is readable and every side effect happened exactly once.

Stride runs as in production (`STRIDE_ENV=production`, gunicorn with gunicorn.conf.py, `flask worker`, `flask
scheduler`) on a PostgreSQL and a Redis of the run's own (initdb in a temporary folder; redis-server with
`appendonly yes` and `appendfsync always`, as a deployment that must not lose queued jobs runs it), never the
shared ones, with emails written as files (MAIL_BACKEND=file). Each simulated person (`--people`, 8) loops:

- records a body metric (`POST /metrics/`) or writes a post (`POST /posts/`), each with its own Idempotency-Key,
  retried with the same key on a 503, a 409 or a lost connection until it is answered 201, or 409 "answer was
  lost" (it was done as the database failed: the client looks it up instead), or `--give-up` seconds pass;
- reads their profile (`GET /profile/`);
- asks for a verification email (`POST /verify-email/`): a side effect through the outbox, RQ and the worker.

Every `--fault-every` seconds (20) a fault, in turn: Redis killed (SIGKILL) and started again `--redis-down`
seconds (5) later; PostgreSQL restarted (`pg_ctl restart -m fast`); the worker killed (SIGKILL) and started again
as a supervisor would. After `--seconds` (600) the load stops, the outbox and the queues are left to drain, and:

- lost writes: ids answered 201 that are not in the database (must be 0);
- duplicated writes: rows beyond one per Idempotency-Key (must be 0);
- duplicated side effects: emails beyond the verification requests that may have committed (must be 0), and
  missing ones: requests answered 202 without an email (must be 0);
- answers other than 2xx, 409 (a retry racing its first) and 503 during faults: must be 0 (no 500s).

    python -m bench.soak                    # 10 minutes (make soak)
    python -m bench.soak --seconds 120      # what CI runs (make soak SOAK_SECONDS=120)

Exit status 0 when every check passed, 1 otherwise.
"""

import argparse
import os
import random
import secrets
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
import redis
import requests

from tests.servers import ROOT, ThrowawayRedis, free_port, private_postgres

BIN = Path(sys.executable).parent
HIGH_LIMIT = "1000000 per minute"
FAULTS = ("redis", "postgres", "worker")


@dataclass
class Tally:
    """What the clients saw, shared by their threads (under `lock`)."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    statuses: Counter = field(default_factory=Counter)
    unexpected: list = field(default_factory=list)
    acknowledged: dict = field(default_factory=lambda: {"metrics": [], "posts": []})  # ids answered 201
    keys: dict = field(default_factory=lambda: {"metrics": 0, "posts": 0})  # Idempotency-Keys used
    given_up: dict = field(default_factory=lambda: {"metrics": 0, "posts": 0})
    answer_lost: dict = field(default_factory=lambda: {"metrics": 0, "posts": 0})  # done, but its answer was lost
    emails_acknowledged: Counter = field(default_factory=Counter)  # 202 answers, by address
    emails_maybe: Counter = field(default_factory=Counter)  # 503 answers: committed or not, the client can't know
    faults: Counter = field(default_factory=Counter)

    def saw(self, status: int) -> None:
        with self.lock:
            self.statuses[status] += 1
            if status >= 500 and status != 503 or status in (400, 401, 403, 404, 422):
                self.unexpected.append(status)


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.soak", description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=int(os.environ.get("SOAK_SECONDS", 600)))
    parser.add_argument("--people", type=int, default=8)
    parser.add_argument("--fault-every", type=float, default=20.0)
    parser.add_argument("--redis-down", type=float, default=5.0)
    parser.add_argument("--give-up", type=float, default=90.0, help="seconds a write is retried before giving up")
    parser.add_argument("--drain", type=float, default=240.0, help="seconds to wait for jobs to finish at the end")
    return parser.parse_args(argv)


# --- the servers ----------------------------------------------------------------------------------------------


def stride_env(database_url: str, redis_url: str, mail_dir: Path, seconds: int) -> dict:
    env = {name: os.environ[name] for name in ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR") if name in os.environ}
    env.update(
        FLASK_APP="wsgi",
        STRIDE_ENV="production",
        DATABASE_URL=database_url,
        REDIS_URL=redis_url,
        SECRET_KEY=secrets.token_hex(32),
        JWT_SECRET_KEY=secrets.token_hex(32),
        MAIL_BACKEND="file",
        MAIL_FILE_DIR=str(mail_dir),
        LOG_LEVEL=os.environ.get("SOAK_LOG_LEVEL", "WARNING"),
        RATELIMIT_DEFAULT=HIGH_LIMIT,
        RATELIMIT_REGISTER=HIGH_LIMIT,
        RATELIMIT_VERIFICATION=HIGH_LIMIT,
        RATELIMIT_POSTS=HIGH_LIMIT,
        JWT_ACCESS_TOKEN_EXPIRES=str(seconds * 2 + 900),
    )
    return env


def start(command: list[str], env: dict, log: Path) -> subprocess.Popen:
    with open(log, "ab") as out:
        return subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=out, start_new_session=True)


def stop(process: subprocess.Popen, sig: int = signal.SIGTERM) -> None:
    with suppress(ProcessLookupError):
        os.killpg(process.pid, sig)
    try:
        process.wait(15)
    except subprocess.TimeoutExpired:
        with suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(5)


@contextmanager
def running(command: list[str], env: dict, log: Path):
    process = start(command, env, log)
    try:
        yield process
    finally:
        stop(process)


def wait_up(base: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with suppress(requests.RequestException):
            if requests.get(base + "/health", timeout=2).status_code == 200:
                return
        time.sleep(0.25)
    raise SystemExit(f"Stride did not answer {base}/health within {seconds:g} s")


# --- the clients ----------------------------------------------------------------------------------------------


class Person(threading.Thread):
    def __init__(self, base: str, n: int, tally: Tally, stop_event: threading.Event, give_up: float):
        super().__init__(name=f"person-{n}", daemon=True)
        self.base, self.tally, self.stop_event, self.give_up = base, tally, stop_event, give_up
        self.email = f"soak{n}@example.com"
        self.random = random.Random(n)
        self.http = requests.Session()
        body = {"username": f"soak{n}", "email": self.email, "password": "a long enough soak passphrase"}
        answer = self.http.post(f"{base}/api/v1/register/", json=body, timeout=30)
        answer.raise_for_status()
        self.http.headers["Authorization"] = f"Bearer {answer.json()['access_token']}"

    def call(self, method: str, path: str, **kwargs) -> int | None:
        try:
            answer = self.http.request(method, self.base + path, timeout=30, **kwargs)
        except requests.RequestException:
            return None
        self.tally.saw(answer.status_code)
        self.last = answer
        return answer.status_code

    def write(self, kind: str) -> None:
        """One write, retried with its Idempotency-Key until answered 201 (or given up)."""
        body = {"weight_kg": round(self.random.uniform(50, 110), 1)} if kind == "metrics" else {"text": "soak"}
        key = uuid.uuid4().hex
        with self.tally.lock:
            self.tally.keys[kind] += 1
        deadline = time.monotonic() + self.give_up
        while time.monotonic() < deadline:
            status = self.call("POST", f"/api/v1/{kind}/", json=body, headers={"Idempotency-Key": key})
            if status == 201:
                with self.tally.lock:
                    self.tally.acknowledged[kind].append(self.last.json()["id"])
                return
            if status == 409 and "answer was lost" in self.last.json()["message"]:
                with self.tally.lock:  # carried out, but the database failed as it answered: look it up, not redo
                    self.tally.answer_lost[kind] += 1
                return
            time.sleep(0.5)
        with self.tally.lock:
            self.tally.given_up[kind] += 1

    def run(self) -> None:
        while not self.stop_event.is_set():
            roll = self.random.random()
            if roll < 0.4:
                self.write("metrics")
            elif roll < 0.5:
                self.write("posts")
            elif roll < 0.9:
                self.call("GET", "/api/v1/profile/")
            else:
                status = self.call("POST", "/api/v1/verify-email/")
                with self.tally.lock:
                    if status == 202:
                        self.tally.emails_acknowledged[self.email] += 1
                    elif status in (503, None):
                        self.tally.emails_maybe[self.email] += 1
            time.sleep(self.random.uniform(0.01, 0.05))


# --- the faults -----------------------------------------------------------------------------------------------


class Faults(threading.Thread):
    def __init__(self, args, redis_server: ThrowawayRedis, postgres, worker: dict, tally: Tally, stop_event):
        super().__init__(name="faults", daemon=True)
        self.args, self.redis_server, self.postgres = args, redis_server, postgres
        self.worker, self.tally, self.stop_event = worker, tally, stop_event

    def run(self) -> None:
        for n in range(10**6):
            if self.stop_event.wait(self.args.fault_every):
                return
            kind = FAULTS[n % len(FAULTS)]
            if kind == "redis":
                self.redis_server.kill()
                self.stop_event.wait(self.args.redis_down)
                self.redis_server.start()
            elif kind == "postgres":
                self.postgres.restart()
            else:
                stop(self.worker["process"], signal.SIGKILL)
                self.worker["process"] = start(*self.worker["command"])
            with self.tally.lock:
                self.tally.faults[kind] += 1


# --- the run --------------------------------------------------------------------------------------------------


def backlog(database_url: str, client: redis.Redis) -> dict[str, int]:
    """What is still to do: outbox rows, queued jobs, and failed jobs (kept in RQ's failed registry)."""
    with psycopg.connect(database_url) as conn:
        waiting = conn.execute("SELECT count(*) FROM outbox_jobs").fetchone()[0]
    queued = sum(client.llen(f"rq:queue:{name}") for name in ("high", "default"))
    started = sum(
        client.zcard(f"rq:wip:{name}")
        + client.zcard(f"rq:scheduled:{name}")
        + client.llen(f"rq:queue:{name}:intermediate")
        for name in ("high", "default")
    )
    failed = sum(client.zcard(f"rq:failed:{name}") for name in ("high", "default"))
    return {"outbox": waiting, "queued": queued, "started or waiting to retry": started, "failed": failed}


def drained(database_url: str, client: redis.Redis) -> bool:
    """Nothing waits in the outbox or a queue, and no job is in progress (one a killed worker held is retried by
    reconcile_files once its heartbeats have lapsed, within about two minutes)."""
    left = backlog(database_url, client)
    return not any(count for name, count in left.items() if name != "failed")


def count_rows(database_url: str, table: str, ids: list[int]) -> tuple[int, int]:
    """(how many of `ids` are in `table`, how many rows it has in all)."""
    with psycopg.connect(database_url) as conn:
        found = conn.execute(f"SELECT count(*) FROM {table} WHERE id = ANY(%s)", (ids,)).fetchone()[0]  # noqa: S608
        total = conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # noqa: S608
    return found, total


def emails_by_address(mail_dir: Path) -> Counter:
    sent = Counter()
    for path in mail_dir.glob("*.eml"):
        for line in path.read_text(errors="replace").splitlines():
            if line.lower().startswith("to:"):
                sent[line.split(":", 1)[1].strip()] += 1
                break
    return sent


def show_logs(work: Path, lines: int = 15) -> None:
    """The last warnings and errors of each process (a CI run keeps no other trace of them)."""
    for log in sorted(work.glob("*.log")):
        worrying = [line for line in log.read_text(errors="replace").splitlines() if '"level": "INFO"' not in line]
        print(f"\n--- {log.name}: last {lines} of {len(worrying)} lines that are not INFO")
        for line in worrying[-lines:]:
            print(f"  {line[:400]}")


def email_trail(database_url: str, client: redis.Redis, mail_dir: Path, tally: Tally) -> None:
    """Where acknowledged emails went missing: per address, the requests answered, the verification links
    committed (one per request that committed), and the emails written; then RQ's record of every job whose email
    was not written (its status, retries left, last error)."""
    sent = emails_by_address(mail_dir)
    with psycopg.connect(database_url) as conn:
        committed = dict(
            conn.execute(
                "SELECT u.email, count(*) FROM one_time_tokens t JOIN users u ON u.id = t.user_id"
                " WHERE t.purpose = 'email_verification' GROUP BY u.email"
            ).fetchall()
        )
    for address in sorted(set(sent) | set(tally.emails_acknowledged)):
        print(
            f"  {address}: {tally.emails_acknowledged[address]} acknowledged, {tally.emails_maybe[address]} unknown,"
            f" {committed.get(address, 0)} committed, {sent[address]} sent"
        )
    written = {path.stem.removesuffix("_stride") for path in mail_dir.glob("*.eml")}
    for key in client.scan_iter("rq:job:outbox-*", count=1000):
        job_id = key.decode().removeprefix("rq:job:")
        if ":" in job_id or job_id in written:
            continue
        fields = client.hgetall(key)
        status, retries = fields.get(b"status", b"?").decode(), fields.get(b"retries_left", b"-").decode()
        print(
            f"  job {job_id} without an email: status {status}, retries left {retries},"
            f" error {fields.get(b'exc_info', b'')[-200:]!r}"
        )


def main(argv=None) -> int:
    args = parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="stride-soak-"))
    mail_dir = work / "mail"
    tally, stop_event = Tally(), threading.Event()
    print(f"soak: {args.seconds} s, {args.people} people, a fault every {args.fault_every:g} s; files in {work}")
    with ExitStack() as stack:
        postgres = stack.enter_context(private_postgres())
        redis_server = ThrowawayRedis(
            free_port(), "--appendonly", "yes", "--appendfsync", "always", "--save", "", "--dir", str(work)
        )
        redis_server.start()
        stack.callback(lambda: redis_server.process.poll() is None and redis_server.kill())
        database_url = postgres.url.replace("postgresql://", "postgresql+psycopg://")
        env = stride_env(database_url, redis_server.url, mail_dir, args.seconds)
        subprocess.run([str(BIN / "flask"), "db", "upgrade"], cwd=ROOT, env=env, check=True, capture_output=True)
        port = free_port()
        gunicorn = [str(BIN / "gunicorn"), "-w", "2", "--threads", "4", "-b", f"127.0.0.1:{port}", "wsgi:app"]
        stack.enter_context(running(gunicorn, env, work / "gunicorn.log"))
        stack.enter_context(running([str(BIN / "flask"), "scheduler"], env, work / "scheduler.log"))
        worker = {"command": ([str(BIN / "flask"), "worker"], env, work / "worker.log")}
        worker["process"] = start(*worker["command"])
        stack.callback(lambda: stop(worker["process"]))
        base = f"http://127.0.0.1:{port}"
        wait_up(base)

        people = [Person(base, n, tally, stop_event, args.give_up) for n in range(args.people)]
        faults = Faults(args, redis_server, postgres, worker, tally, stop_event)
        started = time.monotonic()
        for thread in (*people, faults):
            thread.start()
        stop_event.wait(args.seconds)
        stop_event.set()
        faults.join(60)
        for person in people:
            person.join(args.give_up + 60)
        if redis_server.process.poll() is not None:
            redis_server.start()
        print(f"load stopped after {time.monotonic() - started:.0f} s; draining the outbox and the queues")
        deadline = time.monotonic() + args.drain
        client = redis_server.client()
        while time.monotonic() < deadline:
            with suppress(redis.RedisError, psycopg.Error):
                if drained(postgres.url, client):
                    break
            time.sleep(1)
        time.sleep(2)  # the last email file is written after its job leaves the registry

        checks = []
        print("\nrequests by status:", dict(sorted(tally.statuses.items())))
        print("faults injected:", dict(tally.faults))
        for kind, table in (("metrics", "body_metrics"), ("posts", "posts")):
            acked = tally.acknowledged[kind]
            found, total = count_rows(postgres.url, table, acked)
            lost = len(acked) - found
            duplicated = max(0, total - tally.keys[kind])
            print(
                f"{kind}: {tally.keys[kind]} writes, {len(acked)} acknowledged, {tally.answer_lost[kind]} done with "
                f"the answer lost, {tally.given_up[kind]} given up; "
                f"{total} rows stored; lost {lost}, duplicated {duplicated}"
            )
            checks += [(f"no acknowledged {kind} lost", lost == 0), (f"no {kind} duplicated", duplicated == 0)]
        sent = emails_by_address(mail_dir)
        missing = sum(max(0, n - sent[a]) for a, n in tally.emails_acknowledged.items())
        extra = sum(
            max(0, sent[a] - tally.emails_acknowledged[a] - tally.emails_maybe[a])
            for a in set(sent) | set(tally.emails_acknowledged)
        )
        print(
            f"verification emails: {sum(tally.emails_acknowledged.values())} acknowledged, "
            f"{sum(tally.emails_maybe.values())} unknown (503 or no answer), {sum(sent.values())} sent; "
            f"missing {missing}, duplicated {extra}"
        )
        checks += [
            ("every acknowledged email sent", missing == 0),
            ("no email sent twice", extra == 0),
            ("no 500s nor unexpected refusals", not tally.unexpected),
            ("faults were injected", sum(tally.faults.values()) >= min(3, int(args.seconds // args.fault_every))),
            ("the outbox and the queues drained", drained(postgres.url, client)),
        ]
        print("left at the end:", backlog(postgres.url, client))
        if missing:
            with suppress(redis.RedisError, psycopg.Error):
                email_trail(postgres.url, client, mail_dir, tally)
        if tally.unexpected:
            print("unexpected answers:", Counter(tally.unexpected))
        print()
        for name, ok in checks:
            print(f"  {'OK  ' if ok else 'FAIL'} {name}")
        failed = [name for name, ok in checks if not ok]
        if failed:
            show_logs(work)
        print("\nPASS" if not failed else f"\nFAIL: {', '.join(failed)} (logs in {work})")
        return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
