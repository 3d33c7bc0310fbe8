"""Benchmark: chat messages over Socket.IO `/chat` between two web processes, against a bare Socket.IO echo.

Seeds `--pairs` pairs of people (friends, each pair with a conversation started over REST), starts two web
processes in the production layout (`gunicorn -w 1 --threads N wsgi:app`, REDIS_URL set: Socket.IO crosses
processes through the Redis message queue) and connects each pair's sender to one process and its recipient to the
other. For `--seconds`, every sender sends its next message as soon as the last is acknowledged (`--window`
messages in flight). Reports messages/s acknowledged, send→ack and send→delivery latency (p50/p99), and checks that
every message sent was acknowledged once stored and reached its recipient exactly once (and never the sender's own
socket). The baseline, same run, same clients: a minimal Flask-SocketIO app (`bare_app` below) in the same server
mode and through the same Redis queue, which acknowledges and forwards each message without storing anything; the
floor and Stride take turns (`--rounds`), so a change of the machine's load weighs on both.

    python -m bench.chat                          # 200 pairs, 30 s each for the floor and for Stride (make bench)
    python -m bench.chat --pairs 20 --seconds 12  # quick try

BENCH_DATABASE_URL (or --database-url) names an empty PostgreSQL database to use; without it a throwaway database
`stride_bench_<pid>` is created on BENCH_ADMIN_URL (default postgresql://postgres@127.0.0.1:5432/postgres) and
dropped at the end, whatever happens. BENCH_REDIS_URL (or --redis-url, default redis://127.0.0.1:6379/9) is the
Redis both runs use, on a pub/sub channel of their own. Exit status: 0 when every check passed, 1 otherwise.
"""

import argparse
import hashlib
import itertools
import os
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import requests
import socketio
from sqlalchemy import text

from bench.expire_goals import bench_database, env_int
from bench.feed import percentile

ROOT = Path(__file__).resolve().parent.parent
NAMESPACE = "/chat"
REDIS_URL = "redis://127.0.0.1:6379/9"
PASSWORD = "bench password 1234"
CONNECTING = 32  # sockets connected (and conversations started) at once
ACK_TIMEOUT = 30.0  # seconds a sender waits for its last acknowledgements after the end
DRAIN = 10.0  # seconds the recipients may take to receive what was acknowledged
CHAT_TABLES = ("users", "friendships", "auth_sessions")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.chat", description=__doc__.split("\n\n")[0])
    parser.add_argument("--pairs", type=int, default=env_int("BENCH_CHAT_PAIRS", 200), help="sender/recipient pairs")
    parser.add_argument("--seconds", type=float, default=30.0, help="sending time of each run (30)")
    parser.add_argument("--rounds", type=int, default=3, help="turns the floor and Stride take, in all (3)")
    parser.add_argument("--warm-up", type=float, default=2.0, help="first seconds of each run not timed (2)")
    parser.add_argument("--window", type=int, default=1, help="messages in flight per sender (1: wait for each ack)")
    parser.add_argument("--threads", type=int, default=0, help="gunicorn threads per web process (pairs + 32)")
    parser.add_argument("--text", type=int, default=60, help="characters of each message (60)")
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL"), help="an empty database")
    parser.add_argument("--redis-url", default=os.environ.get("BENCH_REDIS_URL", REDIS_URL), help=f"({REDIS_URL})")
    parser.add_argument("--no-baseline", action="store_true", help="skip the bare Socket.IO floor")
    args = parser.parse_args(argv)
    if not (
        args.pairs >= 1
        and args.rounds >= 1
        and args.seconds / max(args.rounds, 1) > args.warm_up >= 0
        and args.window >= 1
        and 1 <= args.text <= 4000
    ):
        parser.error("need --pairs, --rounds, --window >= 1, --seconds / --rounds > --warm-up >= 0, --text 1..4000")
    args.threads = args.threads or args.pairs + 32  # a WebSocket holds a gunicorn thread for as long as it is open
    return args


# --- the baseline: a bare Socket.IO app -------------------------------------------------------------------------


def bare_app():
    """The floor: Flask-SocketIO in Stride's server mode (threading, the Redis message queue) answering `/chat` as
    the contract says, with nothing behind it. The token is the person's id; conversation k is between people
    2k-1 and 2k. `gunicorn 'bench.chat:bare_app()'`."""
    from flask import Flask, request, session
    from flask_socketio import SocketIO, join_room

    app = Flask("bare")
    sio = SocketIO(
        app,
        async_mode="threading",
        message_queue=os.environ["REDIS_URL"],
        channel=os.environ["SOCKETIO_CHANNEL"],
        cors_allowed_origins="*",
    )
    ids = itertools.count(int(os.environ["BARE_PROCESS"]), 2)  # odd ids on one process, even on the other

    @app.get("/health")
    def health():
        return {"status": "ok"}

    @sio.on("connect", namespace=NAMESPACE)
    def connect(auth=None):
        session["user_id"] = int(auth["token"])
        join_room(f"user:{session['user_id']}")

    @sio.on("join", namespace=NAMESPACE)
    def join(data):
        join_room(f"conversation:{data['conversation_id']}")
        return {"ok": True, "conversation_id": data["conversation_id"]}

    @sio.on("message", namespace=NAMESPACE)
    def message(data):
        k = data["conversation_id"]
        stored = {
            "id": next(ids),
            "conversation_id": k,
            "author_id": session["user_id"],
            "client_id": data["client_id"],
            "text": data["text"],
            "created_at": datetime.now(UTC).isoformat(),
            "is_deleted": False,
        }
        rooms = [f"conversation:{k}", f"user:{2 * k - 1}", f"user:{2 * k}"]
        sio.emit("message", stored, to=rooms, namespace=NAMESPACE, skip_sid=request.sid)
        return {"ok": True, "message": stored}

    return app


# --- the web processes ------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """`gunicorn -w 1 --threads N <app>` on a free port, ready once /health answers; output to a log file."""

    def __init__(self, app_spec: str, env: dict[str, str], threads: int, log_path: Path):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = log_path
        self._log = open(log_path, "w")  # closed in stop()
        command = [sys.executable, "-m", "gunicorn", "-w", "1", "--threads", str(threads)]
        self.process = subprocess.Popen(
            [*command, "-b", f"127.0.0.1:{self.port}", app_spec],
            cwd=ROOT,  # gunicorn.conf.py: Stride's threaded worker class, for both apps
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )

    def wait_ready(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"{self.url} exited with {self.process.returncode}:\n{self.output()}")
            try:
                if requests.get(self.url + "/health", timeout=2).status_code == 200:
                    return
            except requests.RequestException:
                pass  # not listening yet
            time.sleep(0.2)
        raise SystemExit(f"{self.url} did not answer /health within {timeout:.0f} s:\n{self.output()}")

    def cpu_seconds(self) -> float:
        """User + system CPU time so far of gunicorn's master and its worker (Linux /proc; 0 elsewhere)."""
        pid = self.process.pid
        try:
            pids = [pid, *map(int, Path(f"/proc/{pid}/task/{pid}/children").read_text().split())]
            stats = [Path(f"/proc/{p}/stat").read_text().rpartition(")")[2].split() for p in pids]
        except OSError:
            return 0.0
        return sum(int(stat[11]) + int(stat[12]) for stat in stats) / os.sysconf("SC_CLK_TCK")

    def output(self, last: int = 3000) -> str:
        return self.log_path.read_text(errors="replace")[-last:]

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self._log.close()


def start_servers(specs: list[tuple[str, dict[str, str], str]], threads: int, folder: Path) -> list[Server]:
    """Start every `(app spec, env, name)` at once, then wait until each answers."""
    servers: list[Server] = []
    try:
        for spec, env, name in specs:
            servers.append(Server(spec, env, threads, folder / f"{name}.log"))
        for server in servers:
            server.wait_ready()
    except BaseException:
        stop_servers(servers)
        raise
    return servers


def stop_servers(servers: list[Server]) -> None:
    for server in servers:
        server.stop()


def server_env(args, database_url: str, secret: str, channel: str) -> dict[str, str]:
    """Production settings (REDIS_URL: the Socket.IO message queue), rate limits off: the per-person message rate
    (RATELIMIT_MESSAGES) would otherwise be what is measured."""
    drop = ("DATABASE_URL", "REDIS_URL", "TEST_DATABASE_URL", "TEST_REDIS_URL", "FLASK_RUN_FROM_CLI", "FLASK_APP")
    env = {k: v for k, v in os.environ.items() if k not in drop}
    env.update(
        {
            "STRIDE_ENV": "production",
            "SECRET_KEY": secret,
            "JWT_SECRET_KEY": secret,
            "JWT_ACCESS_TOKEN_EXPIRES": "7200",
            "DATABASE_URL": database_url,
            "REDIS_URL": args.redis_url,
            "SOCKETIO_CHANNEL": channel,
            "RATELIMIT_ENABLED": "0",
            "JOBS_RUN_INLINE": "0",
            "MAIL_BACKEND": "console",
            "LOG_LEVEL": "WARNING",
            "PYTHONUNBUFFERED": "1",
        }
    )
    return env


# --- seeding ----------------------------------------------------------------------------------------------------


def seed(app, db, pairs: int) -> tuple[dict[int, str], float]:
    """People 1..2*pairs (pair k: 2k-1 sends, 2k receives; friends), one login session each, set-based; then an
    access token each, signed in-process. Returns the tokens by person and the seconds it took."""
    from app.models import User
    from app.services.tokens import issue_access_token

    began = time.perf_counter()
    now = datetime.now(UTC)
    with app.app_context():
        for table in CHAT_TABLES:
            if db.session.scalar(text(f"SELECT count(*) FROM {table}")):  # noqa: S608 - our own table names
                raise SystemExit(f"the benchmark database is not empty ({table} has rows); give it an empty one")
        db.session.remove()
        hashed = User()
        hashed.set_password(PASSWORD)  # the app's own hasher at the testing config's low cost; hashed once for all
        params = {
            "people": 2 * pairs,
            "hash": hashed.password_hash,
            "created": now - timedelta(days=30),
            "expires": now + timedelta(days=30),
        }
        with db.engine.begin() as conn:
            conn.execute(text("SET LOCAL synchronous_commit = off"))
            conn.execute(
                text(
                    """
                    INSERT INTO users (id, username, email, password_hash, role, privacy, timezone, created_at)
                    SELECT i, 'chat' || i, 'chat' || i || '@bench.invalid', :hash, 'user', 'public', 'UTC', :created
                    FROM generate_series(1, :people) AS i
                    """
                ),
                params,
            )
            conn.execute(text("SELECT setval(pg_get_serial_sequence('users', 'id'), :people)"), params)
            conn.execute(
                text(
                    """
                    INSERT INTO friendships (user_id, friend_id, created_at)
                    SELECT a, b, :created FROM generate_series(1, :people, 2) AS i,
                         LATERAL (VALUES (i, i + 1), (i + 1, i)) AS pair(a, b)
                    """
                ),
                params,
            )
            conn.execute(
                text(
                    """
                    INSERT INTO auth_sessions (id, user_id, created_at, last_used_at, expires_at, user_agent)
                    SELECT md5('chat-bench-' || i), i, :created, :created, :expires, 'bench.chat'
                    FROM generate_series(1, :people) AS i
                    """
                ),
                params,
            )
        tokens = {
            i: issue_access_token(str(i), hashlib.md5(f"chat-bench-{i}".encode()).hexdigest())  # noqa: S324 - an id
            for i in range(1, 2 * pairs + 1)
        }
        db.session.remove()
    return tokens, time.perf_counter() - began


def start_conversations(url: str, tokens: dict[int, str], pairs: int) -> dict[int, int]:
    """`POST /api/v1/conversations/` by each sender with their recipient. Returns conversation ids by pair."""

    def start(k: int) -> int:
        response = requests.post(
            url + "/api/v1/conversations/",
            json={"user_id": 2 * k},
            headers={"Authorization": f"Bearer {tokens[2 * k - 1]}"},
            timeout=30,
        )
        if response.status_code not in (200, 201):
            raise SystemExit(f"POST /api/v1/conversations/ answered {response.status_code}: {response.text[:300]}")
        return response.json()["id"]

    with ThreadPoolExecutor(CONNECTING) as pool:
        return dict(zip(range(1, pairs + 1), pool.map(start, range(1, pairs + 1)), strict=True))


# --- the clients ------------------------------------------------------------------------------------------------


@dataclass
class Sent:
    pair: int
    sent_at: float
    acked_at: float | None = None
    message_id: int | None = None
    refusal: object = None


@dataclass
class Ledger:
    """Everything sent and received in one run, by client_id, under one lock (clients call in from their threads)."""

    sent: dict[str, Sent] = field(default_factory=dict)
    received: dict[str, list[tuple[float, int, int]]] = field(default_factory=dict)  # (at, message id, receiver)
    strays: list = field(default_factory=list)  # events with no client_id of ours
    lock: threading.Lock = field(default_factory=threading.Lock)

    def sending(self, client_id: str, pair: int) -> None:
        with self.lock:
            self.sent[client_id] = Sent(pair, time.perf_counter())

    def acked(self, client_id: str, ack) -> None:
        at = time.perf_counter()
        with self.lock:
            sent = self.sent[client_id]
            sent.acked_at = at
            if isinstance(ack, dict) and ack.get("ok") and isinstance(ack.get("message"), dict):
                sent.message_id = ack["message"].get("id")
            else:
                sent.refusal = ack

    def got(self, receiver: int, payload) -> None:
        at = time.perf_counter()
        client_id = payload.get("client_id") if isinstance(payload, dict) else None
        with self.lock:
            if client_id in self.sent:
                self.received.setdefault(client_id, []).append((at, payload.get("id"), receiver))
            else:
                self.strays.append(payload)

    def delivered_count(self) -> int:
        with self.lock:
            return sum(len(got) for got in self.received.values())


class Peer:
    """One person's python-socketio client on /chat over WebSocket."""

    def __init__(self, person: int, ledger: Ledger):
        self.person = person
        self.sio = socketio.Client(reconnection=False)
        self.sio.on("message", lambda payload: ledger.got(person, payload), namespace=NAMESPACE)

    def connect(self, url: str, token: str) -> None:
        self.sio.connect(url, auth={"token": token}, namespaces=[NAMESPACE], transports=["websocket"], wait_timeout=30)

    def join(self, conversation_id: int) -> None:
        ack = self.sio.call("join", {"conversation_id": conversation_id}, namespace=NAMESPACE, timeout=30)
        if not (isinstance(ack, dict) and ack.get("ok")):
            raise SystemExit(f"person {self.person} could not join conversation {conversation_id}: {ack}")

    def close(self) -> None:
        try:
            self.sio.disconnect()
        except Exception:  # best effort: the server may have gone first
            pass


class Sender:
    """Drives one pair: sends the next message from the acknowledgement of the last (`window` in flight), until
    `stop_at`. Runs in the socket client's own thread: no thread of its own."""

    def __init__(self, peer: Peer, pair: int, conversation_id: int, ledger: Ledger, text_: str, run: str):
        self.peer, self.pair, self.conversation_id, self.ledger, self.text = peer, pair, conversation_id, ledger, text_
        self.prefix = f"{run}-{pair}-"
        self.numbers = itertools.count(1)
        self.stop_at = 0.0
        self.in_flight = 0
        self.lock = threading.Lock()
        self.done = threading.Event()

    def start(self, stop_at: float, window: int) -> None:
        self.stop_at = stop_at
        for _ in range(window):
            self._send()

    def _send(self) -> None:
        with self.lock:
            if time.perf_counter() >= self.stop_at:
                if self.in_flight == 0:
                    self.done.set()
                return
            self.in_flight += 1
        client_id = f"{self.prefix}{next(self.numbers)}"
        self.ledger.sending(client_id, self.pair)
        payload = {"conversation_id": self.conversation_id, "client_id": client_id, "text": self.text}
        try:
            self.peer.sio.emit(
                "message", payload, namespace=NAMESPACE, callback=lambda *ack: self._acked(client_id, ack)
            )
        except Exception as error:  # a broken connection: counted as unacknowledged, and this sender stops
            self.ledger.acked(client_id, f"emit failed: {error}")
            with self.lock:
                self.in_flight -= 1
                self.stop_at = 0.0
            self.done.set()

    def _acked(self, client_id: str, ack: tuple) -> None:
        self.ledger.acked(client_id, ack[0] if ack else None)
        with self.lock:
            self.in_flight -= 1
        self._send()


# --- one run ----------------------------------------------------------------------------------------------------


@dataclass
class Run:
    label: str
    connect_seconds: float = 0.0
    measured_seconds: float = 0.0
    sent: int = 0
    acked_in_window: int = 0
    unacked: int = 0
    refused: list = field(default_factory=list)
    delivered: int = 0  # message events received by recipients for messages of ours
    missing: int = 0  # acknowledged, never received
    duplicates: int = 0  # received more than once by the recipient
    to_sender: int = 0  # received by the sender's own socket
    wrong_id: int = 0  # the id received is not the id acknowledged
    strays: int = 0
    ack_ms: list = field(default_factory=list)
    delivery_ms: list = field(default_factory=list)
    cpu_seconds: float = 0.0  # of the two web processes, during the sending

    @property
    def rate(self) -> float:
        return self.acked_in_window / self.measured_seconds

    @property
    def exactly_once(self) -> bool:
        faults = (self.unacked, self.refused, self.missing, self.duplicates, self.to_sender, self.wrong_id, self.strays)
        return self.sent > 0 and self.delivered == self.sent and not any(faults)


@dataclass
class Target:
    """One app under test: its two web processes, its clients and what they sent and received."""

    run: Run
    servers: list[Server]
    tokens: dict[int, str]
    conversations: dict[int, int]
    ledger: Ledger = field(default_factory=Ledger)
    peers: dict[int, Peer] = field(default_factory=dict)
    timed: list[tuple[float, float]] = field(default_factory=list)  # the windows whose messages are timed

    def connect(self) -> None:
        """Pair k: the sender (2k-1) on one process, the recipient (2k) on the other (alternating), both joined."""
        self.peers = {person: Peer(person, self.ledger) for person in self.tokens}
        began = time.perf_counter()
        with ThreadPoolExecutor(CONNECTING) as pool:
            list(pool.map(self._join, self.peers.values()))
        self.run.connect_seconds = time.perf_counter() - began

    def _join(self, peer: Peer) -> None:
        pair = (peer.person + 1) // 2
        peer.connect(self.servers[(pair + peer.person) % 2].url, self.tokens[peer.person])
        peer.join(self.conversations[pair])

    def send_for(self, seconds: float, warm_up: float, args, tag: str) -> None:
        """Every sender sends for `seconds`; returns once every message sent was acknowledged (or ACK_TIMEOUT)."""
        text_ = ("hello from the chat bench " * 200)[: args.text]
        senders = [
            Sender(self.peers[2 * k - 1], k, conversation, self.ledger, text_, tag)
            for k, conversation in self.conversations.items()
        ]
        cpu_before = sum(server.cpu_seconds() for server in self.servers)
        start = time.perf_counter()
        stop_at = start + seconds
        for sender in senders:
            sender.start(stop_at, args.window)
        time.sleep(max(0.0, stop_at - time.perf_counter()))
        for sender in senders:
            sender.done.wait(max(0.1, stop_at + ACK_TIMEOUT - time.perf_counter()))
        self.run.cpu_seconds += sum(server.cpu_seconds() for server in self.servers) - cpu_before
        self.timed.append((start + warm_up, stop_at))

    def finish(self) -> Run:
        drain(self.ledger)
        tally(self.run, self.ledger, self.timed)
        return self.run

    def close(self) -> None:
        with ThreadPoolExecutor(max(1, len(self.peers))) as pool:  # a WebSocket close can wait 3 s: all at once
            list(pool.map(Peer.close, self.peers.values()))


def drain(ledger: Ledger) -> None:
    """Wait (up to DRAIN seconds) until as many messages were received as were acknowledged, then a little more."""
    with ledger.lock:
        acked = sum(sent.message_id is not None for sent in ledger.sent.values())
    deadline = time.monotonic() + DRAIN
    while ledger.delivered_count() < acked and time.monotonic() < deadline:
        time.sleep(0.1)
    time.sleep(0.5)  # a duplicate would come right behind


def tally(run: Run, ledger: Ledger, timed: list[tuple[float, float]]) -> None:
    run.measured_seconds = sum(end - start for start, end in timed)
    run.sent = len(ledger.sent)
    run.strays = len(ledger.strays)
    for client_id, sent in ledger.sent.items():
        if sent.acked_at is None:
            run.unacked += 1
            continue
        if sent.message_id is None:
            run.refused.append(sent.refusal)
            continue
        got = ledger.received.get(client_id, [])
        by_recipient = [entry for entry in got if entry[2] == 2 * sent.pair]
        run.to_sender += len(got) - len(by_recipient)
        run.delivered += len(by_recipient)
        run.missing += not by_recipient
        run.duplicates += max(0, len(by_recipient) - 1)
        run.wrong_id += sum(entry[1] != sent.message_id for entry in by_recipient)
        if any(start <= sent.sent_at < end for start, end in timed):
            run.acked_in_window += 1
            run.ack_ms.append((sent.acked_at - sent.sent_at) * 1000)
            if by_recipient:
                run.delivery_ms.append((by_recipient[0][0] - sent.sent_at) * 1000)


# --- the benchmark ----------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    from app import create_app
    from app.extensions import db

    given = nullcontext((args.database_url, False)) if args.database_url else bench_database()
    with given as (url, throwaway), tempfile.TemporaryDirectory(prefix="stride-bench-chat-") as folder:
        secret = secrets.token_hex(32)
        app = create_app(
            "testing",
            DATABASE_URL=url,
            REDIS_URL=None,
            SOCKETIO_MESSAGE_QUEUE=False,
            LOG_LEVEL="WARNING",
            JWT_SECRET_KEY=secret,
            JWT_ACCESS_TOKEN_EXPIRES=timedelta(hours=2),
        )
        try:
            return run_benchmark(app, db, args, url, throwaway, secret, Path(folder))
        finally:
            with app.app_context():
                db.session.remove()
                db.engine.dispose()


def run_benchmark(app, db, args, url: str, throwaway: bool, secret: str, folder: Path) -> int:
    import flask_migrate

    with app.app_context():
        flask_migrate.upgrade()
        version = db.session.scalar(text("SHOW server_version"))
        db.session.remove()
    tokens, seed_seconds = seed(app, db, args.pairs)
    channel = f"stride-bench-chat-{os.getpid()}"  # pub/sub ignores database numbers: keep other runs out
    stride_env = server_env(args, url, secret, channel)
    specs = [("wsgi:app", stride_env, "web1"), ("wsgi:app", stride_env, "web2")]
    if not args.no_baseline:
        bare_env = server_env(args, url, secret, channel + "-bare")
        specs += [("bench.chat:bare_app()", bare_env | {"BARE_PROCESS": str(i)}, f"bare{i}") for i in (1, 2)]
    servers = start_servers(specs, args.threads, folder)
    targets: list[Target] = []
    try:
        began = time.perf_counter()
        conversations = start_conversations(servers[0].url, tokens, args.pairs)
        conversation_seconds = time.perf_counter() - began
        if not args.no_baseline:
            everyone = {person: str(person) for person in tokens}  # the floor's token is the person's id
            floor = Target(Run("bare Socket.IO echo"), servers[2:], everyone, {k: k for k in conversations})
            targets.append(floor)
        targets.append(Target(Run("Stride /chat"), servers[:2], tokens, conversations))
        for target in targets:
            target.connect()
        runs = interleave(targets, args)
    except BaseException:
        for server in servers:
            print(f"--- {server.log_path.name}\n{server.output()}", file=sys.stderr)
        raise
    finally:
        for target in targets:
            target.close()
        stop_servers(servers)
    return report(args, runs, version, url, throwaway, seed_seconds, conversation_seconds)


def interleave(targets: list[Target], args) -> list[Run]:
    """`--rounds` turns of `--seconds / --rounds` each, the targets taking turns, so that a change in the machine's
    load (other processes on the same cores) weighs on the floor and on Stride alike and their ratio holds. The
    first turn of each starts with `--warm-up` seconds not timed."""
    turn = args.seconds / args.rounds
    for round_no in range(args.rounds):
        for target in targets:
            tag = f"{target.run.label.split()[0]}{round_no}"
            target.send_for(turn, args.warm_up if round_no == 0 else 0.0, args, tag)
    return [target.finish() for target in targets]


def report(args, runs: list[Run], version: str, url: str, throwaway: bool, seed_s: float, conv_s: float) -> int:
    from sqlalchemy import make_url

    database = make_url(url).database
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"Stride benchmark: chat over Socket.IO /chat on PostgreSQL {version} and Redis ({args.redis_url})")
    print(f"  database      {database}{' (throwaway)' if throwaway else ''}")
    print(f"  people        {args.pairs:,} pairs, {2 * args.pairs:,} sockets: each pair's sender on one web process,")
    print("                its recipient on the other (alternating), both joined to their conversation")
    print(f"  servers       two `gunicorn -w 1 --threads {args.threads}` per app, REDIS_URL set (message queue)")
    print(f"  seed          {seed_s:.1f} s (people, friendships, sessions; tokens signed in-process)")
    print(f"                {args.pairs:,} conversations over POST /api/v1/conversations/ in {conv_s:.1f} s")
    print(f"  machine       {os.cpu_count()} CPUs, load average {load} (1, 5, 15 min) after the run")
    print()
    in_flight = f"{args.window} message{'s' if args.window > 1 else ''} of {args.text} characters in flight"
    print(f"Each sender sends for {args.seconds:g} s ({args.warm_up:g} s of warm-up not timed), {in_flight};")
    if len(runs) > 1:
        print(f"the floor and Stride take turns of {args.seconds / args.rounds:g} s ({args.rounds} each)")
    print(f"  {'':<40}" + "".join(f"{run.label:>24}" for run in runs))
    rows: list[tuple[str, Callable[[Run], str]]] = [
        ("connect + join all sockets", lambda r: f"{r.connect_seconds:.1f} s"),
        ("messages sent (all)", lambda r: f"{r.sent:,}"),
        ("acknowledged, timed", lambda r: f"{r.acked_in_window:,}"),
        ("messages/s acknowledged", lambda r: f"{r.rate:,.1f}"),
        ("send -> ack p50 / p99", lambda r: ms_pair(r.ack_ms)),
        ("send -> delivery p50 / p99", lambda r: ms_pair(r.delivery_ms)),
        ("web CPU per message (2 processes)", lambda r: f"{r.cpu_seconds / max(r.sent, 1) * 1000:.2f} ms"),
        ("delivered / sent", lambda r: f"{r.delivered / max(r.sent, 1):.6f}"),
        ("unacked, refused", lambda r: f"{r.unacked}, {len(r.refused)}"),
        ("missing, twice, to sender, wrong id", lambda r: f"{r.missing}, {r.duplicates}, {r.to_sender}, {r.wrong_id}"),
    ]
    for label, show in rows:
        print(f"  {label:<40}" + "".join(f"{show(run):>24}" for run in runs))
    stride = runs[-1]
    if len(runs) == 2:
        bare = runs[0]
        print()
        print(f"  Stride messages/s = {stride.rate / bare.rate:.2f}x the bare floor")
        for label, times in (("send -> ack", "ack_ms"), ("send -> delivery", "delivery_ms")):
            ratio = statistics.median(getattr(stride, times)) / statistics.median(getattr(bare, times))
            print(f"  Stride p50 {label} = {ratio:.1f}x the floor's")
    for run in runs:
        if run.refused:
            print(f"  {run.label}: first refusals: {run.refused[:3]}")
    print()
    print("Checks")
    failed = []
    for run in runs:
        ok = run.exactly_once
        print(f"  {run.label}: every message acknowledged and delivered exactly once  {'OK' if ok else 'FAIL'}")
        if not ok:
            failed.append(run.label)
    print()
    print("PASS" if not failed else f"FAIL: {', '.join(failed)}")
    return 0 if not failed else 1


def ms_pair(times: list[float]) -> str:
    if not times:
        return "-"
    return f"{statistics.median(times):.1f} / {percentile(times, 99):.1f} ms"


if __name__ == "__main__":
    sys.exit(main())
