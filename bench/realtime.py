"""Live delivery: post over HTTP, measure until every socket in the channel has it.

    REDIS_URL=redis://127.0.0.1:6379/3 \\
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/nabolag_msg \\
    .venv/bin/python bench/realtime.py [--sockets 50 200] [--messages 200]

Three servers take the same posts from the same client code (a JSON POST on a
kept-alive connection, sent from a worker thread) and deliver them to the same N
sockets, each measured the same way:

* Ours, as it runs in production: ``daphne hub.asgi:application`` with
  hub.settings.production, the Redis pub/sub channel layer and PostgreSQL when
  DATABASE_URL is set (SQLite in var/ otherwise). N authenticated sockets in one
  channel; the post goes through the JSON API (session, CSRF, rate limit,
  database write, rendering) and the event through the layer to every socket.
* The Daphne floor (bench/daphne_floor.py): the same ``daphne`` binary and
  channel layer serving Channels 4 and nothing of ours, no views, database,
  sessions or authentication: what the fixed stack costs by itself. The post, at
  the same URL, becomes one ``group_send`` of a frame as long as the one ours
  sent, then 201. Its sockets join the group the stock way, each with a layer
  channel of its own (ours share one subscription per process, messaging.fanout).
* The floor: a minimal broadcast server written with the ``websockets`` library,
  which broadcasts the post's body to the N sockets before answering 201; so the
  p99 ratio compares the servers, not the client's HTTP cost. The older floor,
  where a publisher socket sends a frame and no HTTP is involved, is printed
  beside it ("ws floor", ``floor_ws_*`` in the JSON).

For each socket count and server it posts messages one after another and records
the time from the post to the moment the last socket has the message (p50, p99)
and the server process's own CPU time (user and system, all its threads, read from
/proc) during those posts, divided by deliveries; for ours and the Daphne floor it
then posts from 8 concurrent clients to measure messages per second.

The posts rotate among enough posters that none passes the real send limit, and
each run uses cache and channel-layer prefixes of its own, so counters left by an
earlier run never count. Ends with one line of JSON.
"""

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path

import support

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DAPHNE = str(Path(sys.executable).with_name("daphne"))
CLK_TCK = os.sysconf("SC_CLK_TCK")
CSRF = "benchcsrfsecret00000000000000000"  # a valid 32-character CSRF secret
RUN_PREFIX = f"bench-{uuid.uuid4().hex[:10]}"


# --- helpers ---------------------------------------------------------------------


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process, from /proc (no psutil)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))
    return ordered[index]


def server_env() -> dict:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "hub.settings.production",
        "SECRET_KEY": os.environ.get("SECRET_KEY", "bench-only-" + "x" * 40),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "0",
        "SECURE_HSTS_SECONDS": "0",
    }
    # Rate-limit counters and layer groups of this run only: counters left by an
    # earlier run in the same minute must not push a poster over the limit.
    env["CACHE_KEY_PREFIX"] = env["CHANNEL_LAYER_PREFIX"] = RUN_PREFIX
    if not env.get("DATABASE_URL"):
        sqlite = ROOT / "var" / "bench-realtime.sqlite3"
        env["SQLITE_PATH"] = support.sqlite_file(sqlite)
    return env


def stop(process: subprocess.Popen) -> None:
    """Stop a server we started; kill it if it does not stop in 10 seconds."""
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def wait_until_up(url: str, process: subprocess.Popen) -> None:
    import requests

    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"server exited with {process.returncode}")
        try:
            requests.get(url, timeout=1)
            return
        except requests.ConnectionError:
            time.sleep(0.2)
    raise SystemExit(f"server at {url} did not start")


# --- the platform's data -----------------------------------------------------------


POSTS_PER_POSTER = 20  # the real limit (SEND_LIMIT) is 30 a minute; stay under it


def prepare(max_sockets: int, posts: int) -> tuple[int, list[str], list[str]]:
    """Migrate, then one community with its general channel, ``max_sockets``
    readers and enough posters that rotating ``posts`` among them keeps each
    under the per-person rate limit, each with a session. Returns (channel id,
    reader sessions, poster sessions)."""
    os.environ.update(server_env())
    import django

    django.setup()
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.core.management import call_command

    from accounts.models import User
    from communities.models import Community, Membership
    from messaging.services import channel_ensure_general

    call_command("migrate", verbosity=0, interactive=False)
    community, _created = Community.objects.get_or_create(
        slug="bench-realtime",
        defaults={"name": "Bench realtime", "kind": Community.Kind.VILLAGE},
    )
    channel = channel_ensure_general(community=community)

    def person(n: int) -> User:
        user, _created = User.objects.get_or_create(
            email=f"bench-{n}@bench.example", defaults={"display_name": f"Bench {n}"}
        )
        Membership.objects.get_or_create(
            community=community, user=user, defaults={"state": "active"}
        )
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        return session.session_key

    readers = [person(n) for n in range(1, max_sockets + 1)]
    posters = [person(-n) for n in range(max(40, -(-posts // POSTS_PER_POSTER)))]
    return channel.pk, readers, posters


# --- measuring -----------------------------------------------------------------------


class Deliveries:
    """Counts arrivals per message token; wakes the poster when all are in.
    Keeps the length of the longest message frame (``frame_chars``)."""

    def __init__(self, sockets: int) -> None:
        self.sockets = sockets
        self.pending: dict[str, list] = {}
        self.frame_chars = 0

    def expect(self, token: str) -> asyncio.Event:
        done = asyncio.Event()
        self.pending[token] = [0, done, 0.0]
        return done

    def arrived(self, raw: str) -> None:
        start = raw.find("bench:")
        if start < 0:
            return
        token = raw[start : raw.find(":", start + 6)]
        entry = self.pending.get(token)
        if entry is None:
            return
        entry[0] += 1
        self.frame_chars = max(self.frame_chars, len(raw))
        if entry[0] == self.sockets:
            entry[2] = time.perf_counter()
            entry[1].set()

    def finished_at(self, token: str) -> float:
        return self.pending.pop(token)[2]


async def reader(ws, deliveries: Deliveries) -> None:
    async for raw in ws:
        deliveries.arrived(raw)


async def open_sockets(url: str, count: int, headers_for) -> list:
    import websockets

    sockets = []
    for n in range(count):
        ws = await websockets.connect(
            url, origin="http://127.0.0.1", additional_headers=headers_for(n),
            max_queue=None, ping_interval=None,
        )  # fmt: skip
        sockets.append(ws)
    return sockets


async def run_rounds(post, deliveries: Deliveries, messages: int) -> list[float]:
    latencies = []
    for n in range(messages):
        token = f"bench:{uuid.uuid4().hex[:12]}"
        done = deliveries.expect(token)
        started = time.perf_counter()
        await post(f"{token}: message {n}")
        await asyncio.wait_for(done.wait(), 10)
        latencies.append((deliveries.finished_at(token) - started) * 1000)
    return latencies


async def run_throughput(post, deliveries: Deliveries, messages: int) -> float:
    queue: asyncio.Queue = asyncio.Queue()
    events = []
    for n in range(messages):
        token = f"bench:{uuid.uuid4().hex[:12]}"
        events.append(deliveries.expect(token))
        queue.put_nowait(f"{token}: burst {n}")

    async def worker() -> None:
        while not queue.empty():
            await post(queue.get_nowait())

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(8)))
    await asyncio.wait_for(asyncio.gather(*(e.wait() for e in events)), 60)
    deliveries.pending.clear()
    return messages / (time.perf_counter() - started)


def api_path(channel_id: int) -> str:
    return f"/api/messaging/conversations/{channel_id}/messages"


def poster(url: str, posters: list[str]):
    """The bench's post as ours takes it: JSON on a kept-alive connection, from a
    worker thread, signed in as the next of ``posters`` with its CSRF token."""
    import requests

    http = requests.Session()
    turn = iter(range(10**9))

    def post_sync(body: str) -> None:
        session = posters[next(turn) % len(posters)]
        response = http.post(
            url,
            cookies={"sessionid": session, "csrftoken": CSRF},
            json={"body": body, "client_id": uuid.uuid4().hex},
            headers={"X-CSRFToken": CSRF, "Referer": "http://127.0.0.1/"},
            timeout=10,
        )
        if response.status_code != 201:
            raise SystemExit(f"post failed: {response.status_code} {response.text}")

    async def post(body: str) -> None:
        await asyncio.to_thread(post_sync, body)

    return post


async def measure_daphne(
    app: str, env: dict, health: str, sockets: int, messages: int, setup
) -> dict:
    """Serve ``app`` with our ``daphne`` binary and measure it: ``sockets``
    signed-in sockets at /ws/, each greeted with one frame once subscribed, and
    posts to the channel's API URL. ``health`` is a path that answers once up."""
    channel_id, readers, posters = setup
    port = free_port()
    process = subprocess.Popen(  # noqa: ASYNC220 (started once, before measuring)
        [DAPHNE, "-b", "127.0.0.1", "-p", str(port), app],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_until_up(f"http://127.0.0.1:{port}{health}", process)
        deliveries = Deliveries(sockets)
        wss = await open_sockets(
            f"ws://127.0.0.1:{port}/ws/",
            sockets,
            lambda n: {"Cookie": f"sessionid={readers[n]}"},
        )
        for ws in wss:
            await ws.recv()  # the subscriptions frame
        tasks = [asyncio.create_task(reader(ws, deliveries)) for ws in wss]
        post = poster(f"http://127.0.0.1:{port}{api_path(channel_id)}", posters)
        await run_rounds(post, deliveries, 10)  # warm up
        cpu_before = cpu_seconds(process.pid)
        latencies = await run_rounds(post, deliveries, messages)
        cpu_used = cpu_seconds(process.pid) - cpu_before
        per_second = await run_throughput(post, deliveries, messages)
        for task in tasks:
            task.cancel()
        for ws in wss:
            await ws.close()
    finally:
        stop(process)
    return {
        "p50_ms": statistics.median(latencies),
        "p99_ms": percentile(latencies, 99),
        "msgs_per_s": per_second,
        "cpu_us_per_delivery": cpu_used * 1e6 / (messages * sockets),
        "frame_chars": deliveries.frame_chars,
    }


async def measure_platform(sockets: int, messages: int, setup) -> dict:
    return await measure_daphne(
        "hub.asgi:application", server_env(), "/healthz", sockets, messages, setup
    )


async def measure_daphne_floor(
    sockets: int, messages: int, setup, frame_chars: int
) -> dict:
    """bench/daphne_floor.py, sending frames of ``frame_chars`` characters, with
    the channel layer (and a layer prefix of this run) that ours had."""
    env = {
        **os.environ,
        "CHANNEL_LAYER_PREFIX": RUN_PREFIX,
        "FLOOR_FRAME_CHARS": str(frame_chars),
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)  # it configures its own settings
    health = api_path(setup[0])  # answers a GET with 405
    return await measure_daphne(
        "bench.daphne_floor:application", env, health, sockets, messages, setup
    )


FLOOR_SERVER = """
import asyncio, json, sys, websockets
clients = set()
async def handler(ws):
    if ws.request.path == "/publish":
        async for message in ws:
            websockets.broadcast(clients, message)
        return
    clients.add(ws)
    try:
        await ws.wait_closed()
    finally:
        clients.discard(ws)
async def http(reader, writer):
    # HTTP/1.1 with keep-alive: each POST's JSON body is broadcast, then 201.
    try:
        while True:
            head = await reader.readuntil(b"\\r\\n\\r\\n")
            length = 0
            for line in head.split(b"\\r\\n"):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":", 1)[1])
            body = json.loads(await reader.readexactly(length))
            websockets.broadcast(
                clients, json.dumps({"type": "message.new", "message": body})
            )
            writer.write(b"HTTP/1.1 201 Created\\r\\nContent-Type: application/json"
                         b"\\r\\nContent-Length: 2\\r\\n\\r\\n{}")
    except (asyncio.IncompleteReadError, ConnectionError):
        writer.close()
async def main():
    port, http_port = int(sys.argv[1]), int(sys.argv[2])
    async with websockets.serve(handler, "127.0.0.1", port, ping_interval=None):
        await asyncio.start_server(http, "127.0.0.1", http_port)
        await asyncio.Future()
asyncio.run(main())
"""


async def measure_floor(sockets: int, messages: int, setup, *, over_http: bool) -> dict:
    """The floor server; the post arrives over HTTP from the same client code as
    ours (``over_http``), or as a frame on a publisher socket."""
    import websockets

    port, http_port = free_port(), free_port()
    process = subprocess.Popen(  # noqa: ASYNC220 (started once, before measuring)
        [sys.executable, "-c", FLOOR_SERVER, str(port), str(http_port)], cwd=ROOT
    )
    try:
        for _attempt in range(100):
            try:
                publisher = await websockets.connect(
                    f"ws://127.0.0.1:{port}/publish", ping_interval=None
                )
                break
            except OSError:
                await asyncio.sleep(0.1)
        deliveries = Deliveries(sockets)
        wss = await open_sockets(f"ws://127.0.0.1:{port}/", sockets, lambda n: {})
        await asyncio.sleep(0.2)
        tasks = [asyncio.create_task(reader(ws, deliveries)) for ws in wss]
        channel_id, _readers, posters = setup
        post_http = poster(
            f"http://127.0.0.1:{http_port}{api_path(channel_id)}", posters
        )

        async def post(body: str) -> None:
            if over_http:
                await post_http(body)
            else:
                await publisher.send(json.dumps({"type": "message.new", "body": body}))

        await run_rounds(post, deliveries, 10)
        cpu_before = cpu_seconds(process.pid)
        latencies = await run_rounds(post, deliveries, messages)
        cpu_used = cpu_seconds(process.pid) - cpu_before
        for task in tasks:
            task.cancel()
        for ws in [*wss, publisher]:
            await ws.close()
    finally:
        stop(process)
    return {
        "p50_ms": statistics.median(latencies),
        "p99_ms": percentile(latencies, 99),
        "cpu_us_per_delivery": cpu_used * 1e6 / (messages * sockets),
    }


SERVERS = {  # JSON key prefix: name
    "": "ours",
    "daphne_floor_": "Daphne floor",
    "floor_": "websockets floor",
    "floor_ws_": "ws floor, no HTTP",
}


def figures(prefix: str, measured: dict) -> dict:
    """One server's figures for the JSON line, its keys prefixed."""
    return {
        prefix + key: round(measured[key], 2 if key.endswith("_ms") else 1)
        for key in ("p50_ms", "p99_ms", "msgs_per_s", "cpu_us_per_delivery")
        if key in measured
    }


def measure_row(sockets: int, messages: int, setup) -> dict:
    ours = asyncio.run(measure_platform(sockets, messages, setup))
    daphne_floor = asyncio.run(
        measure_daphne_floor(sockets, messages, setup, ours["frame_chars"])
    )
    floor = asyncio.run(measure_floor(sockets, messages, setup, over_http=True))
    ws_floor = asyncio.run(measure_floor(sockets, messages, setup, over_http=False))
    return {
        "sockets": sockets,
        "frame_chars": ours["frame_chars"],
        **figures("", ours),
        "p99_vs_floor": round(ours["p99_ms"] / floor["p99_ms"], 2),
        **figures("daphne_floor_", daphne_floor),
        "daphne_floor_p99_vs_floor": round(daphne_floor["p99_ms"] / floor["p99_ms"], 2),
        **figures("floor_", floor),
        **figures("floor_ws_", ws_floor),
    }


def print_row(row: dict) -> None:
    """One line per server; p99/floor is its p99 over the websockets floor's."""
    for prefix, name in SERVERS.items():
        p99 = row[prefix + "p99_ms"]
        print(
            f"{row['sockets']:>7}  {name:<18} {row[prefix + 'p50_ms']:>8} {p99:>8} "
            f"{round(p99 / row['floor_p99_ms'], 2):>9} "
            f"{row.get(prefix + 'msgs_per_s', '-'):>8} "
            f"{row[prefix + 'cpu_us_per_delivery']:>11}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sockets", type=int, nargs="+", default=[50, 200])
    parser.add_argument("--messages", type=int, default=200)
    args = parser.parse_args()
    if not os.environ.get("REDIS_URL"):
        raise SystemExit("Set REDIS_URL: the benchmark measures the Redis layer.")
    support.require("websockets")
    if os.environ.get("DATABASE_URL", "").startswith("postgres"):
        support.postgres_database(os.environ["DATABASE_URL"])
    # Each socket count: 10 warm-up posts, the sequential run, the burst.
    setup = prepare(max(args.sockets), len(args.sockets) * (10 + 2 * args.messages))
    database = "PostgreSQL" if os.environ.get("DATABASE_URL") else "SQLite"
    print(f"Daphne + Redis pub/sub layer + {database}; {os.cpu_count()} CPUs;")
    print(f"{args.messages} sequential posts per run, then 8 concurrent posters\n")
    print(
        f"{'sockets':>7}  {'server':<18} {'p50 ms':>8} {'p99 ms':>8} "
        f"{'p99/floor':>9} {'msgs/s':>8} {'CPU us/dlv':>11}"
    )
    results = []
    for sockets in args.sockets:
        row = measure_row(sockets, args.messages, setup)
        results.append(row)
        print_row(row)
    print(json.dumps({"bench": "realtime", "results": results}))


if __name__ == "__main__":
    main()
