#!/usr/bin/env python3
#
# Copyright (c) 2026 mlcloud developers
# Distributed under the Boost Software License, Version 1.0.
#
"""A contract fake of RunPod on one loopback port (tests only; Python standard library + botocore).

    runpod_fake.py --port P --data-dir DIR [--api-key K] [--s3-access-key A --s3-secret S]
                   [--trainer PATH] [--worker examples/runpod_worker/handler.py]

Routes (the base URLs a test gives the providers):
  /rest/v2/...        REST v2 (api.runpod.io/v2): pods, pod logs (SSE), GPU catalog, network volumes
  /ai/v2/{endpoint}/  serverless runtime (api.runpod.ai/v2): run, runsync, status, cancel, health
  /_fake/...          control: faults, inspection (no auth)
  anything else       the S3-compatible API of the network volumes (SigV4, region = datacenter)

It follows shared/reference/runpod-api.md: status codes, problem+json error bodies, field
names, RateLimit headers, the pod state machine PROVISIONING -> STARTING -> RUNNING -> EXITED
| ERROR | TERMINATED with the actions valid in each, SSE logs with `id: <ms>/<seq>` and
Last-Event-ID, the serverless job states and limits (10 MB /run, 20 MB /runsync; 413 is our
assumption for the undocumented oversize answer).

Pods run a workload given by their `args`:
  - "mlcloud-trainer ..." runs the real trainer (--trainer) with the volume mounted where the
    pod's mounts say (paths in env and args are mapped into DIR/volumes/<id>), and, like the
    image's entrypoint, ends the log with "mlcloud: workload finished: <marker>" or, when it
    did not print the marker, "mlcloud: workload exited with status N";
  - anything else is a script, one token per step: a plain word is printed as a line;
    "@sleep=S" waits; "@lines=N" prints N numbered lines; "@marker" prints the completion
    marker; "@exit=N" prints the entrypoint's exit line and exits with N; "@fail" exits 1
    silently; "@crash" puts the pod in ERROR; "@hang" runs until terminated. The container
    exits (pod EXITED) at the end of the script. FAKE_LINE_DELAY in the pod env sets the pause
    between lines (default 0.02 s).

Serverless jobs run the worker handler (--worker) with /runpod-volume mapped to the volume the
job's model is on.

Faults (POST /_fake/faults with {"kind": ..., "scope": ..., "times": 1, ...}) apply to requests
whose pod name / job input / S3 key contains `scope`, so parallel tests never see each other's:
  pods create: create_then_500, create_then_drop (pod created, connection closed),
               create_unreadable (pod created, 201 with a body that is not a pod; "unlisted":
               seconds the pod stays out of the pod list), create_slow (pod created, the 201
               sent "seconds" later), slow_start (the pod stays PROVISIONING "seconds" more),
               error_500,
               capacity (400, optional "gpu"), quota (402), forbidden (403, "gpu"), invalid (422),
               throttle (429; "retry_after" seconds or none; "body": false for no JSON;
               "ratelimit": the RateLimit header, else the minute window of "retry_after")
  pod list:    list_error_500, list_throttle (never scoped: a list is every test's; the tests
               that use them take turns)
  pod read:    get_throttle (GET /pods/{id}; 429 with the headers of "throttle"; the scope is
               matched against the pod's name and the request's User-Agent)
  volume create (scope: the volume's name): volume_throttle (429 with the headers of
               "throttle"), volume_unreadable (volume created, 201 with a body that is not a
               volume; "unlisted": seconds it stays out of the volume list)
  pod logs:    cut ("after": events sent before the stream is cut mid-event), logs_error_500
POST /_fake/faults/clear with {"scope": ...} removes the faults of that scope that are left.
  serverless:  run_throttle, run_error_500, stuck (job stays IN_QUEUE), expire (job deleted
               after it completes: /status 404), slow ("seconds" more in the queue),
               overrun (the worker runs past the job's executionTimeout: TIMED_OUT),
               worker_exception (FAILED with runpod-python's JSON-encoded error, "message")
  s3:          repeat_token (ListObjectsV2 repeats its continuation token), error_502
"""
import argparse
import datetime
import json
import os
import random
import select
import shlex
import shutil
import socket
import string
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fake_s3 import S3Volumes  # noqa: E402

MARKER = "\u2705 Model saved successfully!"
EXIT_LINE = "mlcloud: workload exited with status "
FINISHED_LINE = "mlcloud: workload finished: " + MARKER
DATACENTERS = ["EU-RO-1", "EU-CZ-1", "EUR-IS-1", "US-KS-2", "US-TX-3", "US-CA-2", "US-GA-2"]
CATALOG = [
    # id, name, pool, memory, secure price, community price, serverless $/h
    ("NVIDIA RTX A5000", "RTX A5000", "AMPERE_24", 24, 0.29, 0.17, 0.68),
    ("NVIDIA GeForce RTX 4090", "RTX 4090", "ADA_24", 24, 0.69, 0.34, 1.1),
    ("NVIDIA A40", "A40", "AMPERE_48", 48, 0.44, 0.39, 1.22),
    ("NVIDIA L40S", "L40S", "ADA_48_PRO", 48, 0.86, None, 1.9),
    ("NVIDIA A100 80GB PCIe", "A100 PCIe 80GB", "AMPERE_80", 80, 1.64, 1.19, 2.72),
    ("NVIDIA H100 80GB HBM3", "H100 SXM", "ADA_80_PRO", 80, 2.99, 2.69, 4.18),
]
GPU_IDS = {g[0] for g in CATALOG}
POD_FIELDS = {"name", "image", "args", "gpu", "cpu", "cloud", "dataCenterIds", "disk", "env", "ports", "registry",
              "mounts", "startSsh", "startJupyter", "globalNetworking", "templateId", "entrypoint"}
RUN_LIMIT = 10 << 20
RUNSYNC_LIMIT = 20 << 20


def now_iso(ts=None):
    ts = time.time() if ts is None else ts
    return datetime.datetime.fromtimestamp(ts, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def parse_iso(text):
    text = text.replace("Z", "+00:00")
    return datetime.datetime.fromisoformat(text).timestamp()


def new_id(n=14):
    return "".join(random.choice(string.ascii_lowercase + string.digits) for _ in range(n))


class HttpError(Exception):
    def __init__(self, status, detail, title=None, errors=None):
        super().__init__(detail)
        self.status, self.detail, self.title, self.errors = status, detail, title, errors


TITLES = {400: "Bad Request", 401: "Unauthorized", 402: "Payment Required", 403: "Forbidden", 404: "Not Found",
          405: "Method Not Allowed", 409: "Conflict", 413: "Content Too Large", 422: "Unprocessable Entity",
          429: "Too Many Requests", 500: "Internal Server Error"}


class DropConnection(Exception):
    """Close the connection without an answer."""


# ----------------------------------------------------------------------------------------------
class Pod:
    def __init__(self, fake, body, gpu, datacenter):
        self.fake = fake
        self.id = new_id()
        self.name = body["name"]
        self.image = body["image"]
        self.args = body.get("args", "")
        self.gpu = gpu
        self.cloud = body.get("cloud", "SECURE")
        self.datacenter = datacenter
        self.disk = body.get("disk", 50)
        self.env = dict(body.get("env", {}))
        self.ports = list(body.get("ports", []))
        self.mounts = body.get("mounts", {})
        self.status = "PROVISIONING"
        self.start_delay = body.get("_fake_start_delay", 0.0)  # the slow_start fault
        self.created = time.time()
        self.started = None
        self.events = []  # (seq, ts, source, line)
        self.cond = threading.Condition(fake.lock)
        self.process = None
        price = fake.gpu_price(gpu["id"], self.cloud) or 0.0
        self.price = round(price * gpu.get("count", 1), 4)
        threading.Thread(target=self.run, daemon=True).start()

    # -- state (call with fake.lock held)
    def ended(self):
        return self.status in ("EXITED", "ERROR", "TERMINATED")

    def actions(self):
        return {"RUNNING": ["stop", "restart", "terminate"], "EXITED": ["start", "terminate"],
                "ERROR": ["start", "terminate"], "PROVISIONING": ["stop", "terminate"],
                "STARTING": ["stop", "terminate"]}.get(self.status, [])

    def to_json(self):
        running = self.status == "RUNNING"
        return {
            "id": self.id, "name": self.name, "status": self.status, "actions": self.actions(),
            "image": self.image, "args": self.args, "disk": self.disk, "mounts": self.mounts, "ports": self.ports,
            "env": self.env, "registry": None, "cloud": self.cloud, "dataCenterId": self.datacenter,
            "cudaVersion": "12.8", "ssh": None, "template": None,
            "cost": 0.0 if self.status in ("EXITED", "TERMINATED") else self.price, "locked": False,
            "runtime": {"uptime": int(time.time() - self.started), "ports": []} if running and self.started else None,
            "createdAt": now_iso(self.created), "startedAt": now_iso(self.started) if self.started else None,
            "globalNetworking": False, "gpu": {"id": self.gpu["id"], "count": self.gpu.get("count", 1)},
        }

    def emit(self, line, source="container"):
        with self.fake.lock:
            if self.status == "TERMINATED":
                return
            self.events.append((len(self.events) + 1, time.time(), source, line))
            self.cond.notify_all()

    def set_status(self, status):
        with self.fake.lock:
            if self.status == "TERMINATED":
                return
            self.status = status
            self.cond.notify_all()

    def terminated(self):
        with self.fake.lock:
            return self.status == "TERMINATED"

    def terminate(self):
        with self.fake.lock:
            self.status = "TERMINATED"
            self.cond.notify_all()
            proc = self.process
        if proc and proc.poll() is None:
            proc.kill()

    # -- the workload
    def sleep(self, seconds):
        end = time.time() + seconds
        while time.time() < end:
            if self.terminated():
                return False
            time.sleep(min(0.02, max(0.0, end - time.time())))
        return not self.terminated()

    def run(self):
        try:
            if not self.sleep(self.fake.provision_delay + self.start_delay):
                return
            self.set_status("STARTING")
            self.emit("Pulling image " + self.image, "system")
            if not self.sleep(self.fake.provision_delay):
                return
            with self.fake.lock:
                if self.status == "TERMINATED":
                    return
                self.started = time.time()
                self.status = "RUNNING"
            self.emit("Pod started", "system")
            argv = shlex.split(self.args) if self.args else []
            if argv and os.path.basename(argv[0]) == "mlcloud-trainer" and self.fake.trainer:
                final = self.run_trainer(argv)
            else:
                final = self.run_script(argv)
            if final and not self.terminated():
                self.emit("Container exited", "system")
                self.set_status(final)
        except Exception:  # pragma: no cover - a bug in the fake
            self.fake.log(traceback.format_exc())
            self.set_status("ERROR")

    def run_script(self, argv):
        delay = float(self.env.get("FAKE_LINE_DELAY", "0.02"))
        for token in argv:
            if self.terminated():
                return None
            if token.startswith("@sleep="):
                if not self.sleep(float(token[7:])):
                    return None
            elif token.startswith("@lines="):
                n = int(token[7:])
                for i in range(1, n + 1):
                    self.emit(f"line {i}/{n}")
                    if not self.sleep(delay):
                        return None
            elif token == "@marker":
                self.emit(MARKER)
            elif token.startswith("@exit="):
                self.emit(EXIT_LINE + token[6:])
                return "EXITED"
            elif token == "@fail":
                return "EXITED"
            elif token == "@crash":
                return "ERROR"
            elif token == "@hang":
                while self.sleep(0.1):
                    pass
                return None
            else:
                self.emit(token)
                if not self.sleep(delay):
                    return None
        return "EXITED"

    def map_path(self, value):
        """A path below the pod's network volume mount -> the fake's directory of that volume."""
        for mount in self.mounts.get("network", []):
            root = mount.get("path", "/workspace").rstrip("/") or "/"
            vol_dir = os.path.join(self.fake.data_dir, "volumes", mount["volumeId"])
            if value == root:
                return vol_dir
            if value.startswith(root + "/"):
                return os.path.join(vol_dir, value[len(root) + 1:])
        return value

    def run_trainer(self, argv):
        env = {k: self.map_path(v) for k, v in self.env.items()}
        env["PATH"] = os.environ.get("PATH", "/usr/bin:/bin")
        env["RUNPOD_POD_ID"] = self.id
        for key in ("ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS"):
            if key in os.environ:
                env[key] = os.environ[key]
        cmd = [self.fake.trainer] + [self.map_path(a) for a in argv[1:]]
        proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        with self.fake.lock:
            self.process = proc
        saw_marker = False
        for raw in proc.stdout:
            line = raw.decode("utf-8", "replace").rstrip("\r\n")
            saw_marker = saw_marker or MARKER in line
            self.emit(line)
        code = proc.wait()
        if self.terminated():
            return None
        # The verdict line examples/trainer/entrypoint.sh ends the log with.
        self.emit(FINISHED_LINE if saw_marker else EXIT_LINE + str(code))
        return "EXITED"


# ----------------------------------------------------------------------------------------------
class Job:
    def __init__(self, fake, endpoint, body, sync):
        self.fake = fake
        self.endpoint = endpoint
        self.id = ("sync-" if sync else "") + str(uuid.uuid4()) + ("" if sync else "-u1")
        self.input = body.get("input")
        policy = body.get("policy") or {}
        self.ttl = policy.get("ttl", 86400000) / 1000.0
        self.execution_timeout = policy.get("executionTimeout", 600000) / 1000.0
        self.status = "IN_QUEUE"
        self.submitted = time.time()
        self.started = None
        self.finished = None
        self.output = None
        self.error = None
        self.deleted = False
        self.cancelled = False
        self.process = None
        scope = json.dumps(self.input)
        self.stuck = fake.take_fault("serverless", scope, kinds=("stuck",)) is not None
        self.expire = fake.take_fault("serverless", scope, kinds=("expire",)) is not None
        crash = fake.take_fault("serverless", scope, kinds=("worker_exception",))
        self.crash_message = crash.get("message", "the handler raised") if crash else None
        slow = fake.take_fault("serverless", scope, kinds=("slow",))
        self.extra_delay = float(slow.get("seconds", 2)) if slow else 0.0
        # A worker that runs past the job's executionTimeout: RunPod ends the job TIMED_OUT.
        self.overrun = fake.take_fault("serverless", scope, kinds=("overrun",)) is not None
        threading.Thread(target=self.run, daemon=True).start()

    def to_json(self):
        out = {"id": self.id, "status": self.status}
        if self.started:
            out["delayTime"] = int((self.started - self.submitted) * 1000)
        if self.finished and self.started:
            out["executionTime"] = int((self.finished - self.started) * 1000)
        if self.status == "COMPLETED" and self.output is not None:
            out["output"] = self.output
        if self.status == "FAILED":
            out["error"] = self.error
        return out

    def set(self, **fields):
        with self.fake.lock:
            if self.status == "CANCELLED":
                return False
            for k, v in fields.items():
                setattr(self, k, v)
            self.fake.job_cond.notify_all()
            return True

    def run(self):
        time.sleep(self.fake.queue_delay + self.extra_delay)
        if self.stuck:
            return
        with self.fake.lock:
            if self.status == "CANCELLED":
                return
        if not self.set(status="IN_PROGRESS", started=time.time()):
            return
        if self.overrun:
            time.sleep(self.execution_timeout)
            self.set(status="TIMED_OUT", finished=time.time())
            return
        if self.crash_message is not None:
            # What runpod-python sends for an uncaught exception: the error as a JSON string.
            output, error = None, json.dumps({
                "error_type": "<class 'RuntimeError'>", "error_message": self.crash_message,
                "error_traceback": "Traceback (most recent call last):\n  ...\nRuntimeError: " + self.crash_message,
                "hostname": "fake-worker", "worker_id": "w1", "runpod_version": "1.7.0"})
        else:
            try:
                output, error = self.fake.run_worker(self)
            except subprocess.TimeoutExpired:  # the worker ran past executionTimeout
                self.set(status="TIMED_OUT", finished=time.time())
                return
        if error is not None:
            self.set(status="FAILED", error=error, finished=time.time())
        else:
            self.set(status="COMPLETED", output=output, finished=time.time())
        if self.expire:
            with self.fake.lock:
                self.deleted = True


# ----------------------------------------------------------------------------------------------
class RunPodFake:
    def __init__(self, args):
        self.data_dir = os.path.abspath(args.data_dir)
        if args.fresh:
            shutil.rmtree(os.path.join(self.data_dir, "volumes"), ignore_errors=True)
        os.makedirs(os.path.join(self.data_dir, "volumes"), exist_ok=True)
        self.api_key = args.api_key
        self.s3_access_key = args.s3_access_key
        self.s3_secret = args.s3_secret
        self.trainer = args.trainer
        self.worker = args.worker
        self.provision_delay = args.provision_delay
        self.queue_delay = args.queue_delay
        self.endpoints = set(args.endpoint)
        self.lock = threading.RLock()
        self.job_cond = threading.Condition(self.lock)
        self.pods = {}
        self.jobs = {}
        self.volumes = {}
        self.volumes_listed_after = {}  # volume id -> time it appears in the list (volume_unreadable)
        self.faults = []
        self.requests = []
        self.s3 = S3Volumes(self)
        self.log_file = open(os.path.join(self.data_dir, "fake.log"), "a", encoding="utf-8")

    def log(self, text):
        with self.lock:
            self.log_file.write(f"{now_iso()} {text}\n")
            self.log_file.flush()

    def gpu_price(self, gpu_id, cloud):
        for g in CATALOG:
            if g[0] == gpu_id:
                return g[4] if cloud == "SECURE" else g[5]
        return None

    # -- faults
    def take_fault(self, area, scope_text, kinds=None, gpu=None):
        if not self.faults:  # the common case, without the lock the pods' threads contend for
            return None
        with self.lock:
            for f in self.faults:
                if f["area"] != area or (kinds and f["kind"] not in kinds):
                    continue
                if f.get("scope") and f["scope"] not in scope_text:
                    continue
                if f.get("gpu") and f["gpu"] != gpu:
                    continue
                f["times"] -= 1
                if f["times"] <= 0:
                    self.faults.remove(f)
                return dict(f)
        return None

    AREAS = {
        "create_then_500": "create", "create_then_drop": "create", "create_unreadable": "create",
        "create_slow": "create", "slow_start": "create",
        "error_500": "create", "capacity": "create",
        "quota": "create", "forbidden": "create", "invalid": "create", "throttle": "create",
        "list_error_500": "list", "list_throttle": "list", "get_throttle": "get", "cut": "logs", "logs_error_500": "logs",
        "run_throttle": "run", "run_error_500": "run", "stuck": "serverless", "expire": "serverless", "slow": "serverless", "worker_exception": "serverless",
        "overrun": "serverless", "volume_throttle": "volume", "volume_unreadable": "volume",
        "repeat_token": "s3", "error_502": "s3",
    }

    def add_fault(self, f):
        kind = f.get("kind")
        if kind not in self.AREAS:
            raise HttpError(400, f"unknown fault kind {kind!r}")
        f = dict(f)
        f["area"] = self.AREAS[kind]
        if f["area"] == "list" and f.get("scope"):
            # A list shows every test's pods, so no scope can keep a list fault to one test:
            # such a fault is unscoped, and the tests that use it take turns (RESOURCE_LOCK).
            raise HttpError(400, f"{kind} cannot be scoped: a pod list is every test's")
        f.setdefault("times", 1)
        with self.lock:
            self.faults.append(f)

    # -- serverless worker
    def run_worker(self, job):
        """Runs the worker handler on the job as RunPod would deliver it: (output, error)."""
        if not self.worker or not self.trainer:
            return None, "job_failed: the fake has no worker (--worker and --trainer)"
        model = (job.input or {}).get("model", "") if isinstance(job.input, dict) else ""
        volume_root = self.data_dir
        if model.startswith("runpod://"):
            parts = model[len("runpod://"):].split("/")
            if len(parts) >= 2:
                volume_root = os.path.join(self.data_dir, "volumes", parts[1])
        with tempfile.TemporaryDirectory() as tmp:
            job_file = os.path.join(tmp, "job.json")
            with open(job_file, "w", encoding="utf-8") as f:
                json.dump({"id": job.id, "input": job.input}, f)
            env = dict(os.environ)
            env.update({"MLCLOUD_VOLUME_ROOT": volume_root, "MLCLOUD_TRAINER": self.trainer, "TMPDIR": tmp})
            proc = subprocess.run([sys.executable, self.worker, "--job", job_file], env=env, capture_output=True,
                                  timeout=max(1.0, job.execution_timeout))
            try:
                result = json.loads(proc.stdout.decode("utf-8", "replace").strip().splitlines()[-1])
            except (ValueError, IndexError):
                return None, json.dumps({"error_type": "<class 'RuntimeError'>",
                                         "error_message": "the worker crashed: " +
                                         proc.stderr.decode("utf-8", "replace")[-500:],
                                         "error_traceback": "", "hostname": "fake", "worker_id": "w1",
                                         "runpod_version": "fake"})
            if "error" in result:
                return None, result["error"] if isinstance(result["error"], str) else json.dumps(result["error"])
            return result.get("output"), None


# ----------------------------------------------------------------------------------------------
class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "runpod-fake/1"
    fake: RunPodFake = None

    def log_message(self, fmt, *args):
        self.fake.log(fmt % args)

    # -- plumbing
    def read_body(self):
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            data = b""
            while True:
                size = int(self.rfile.readline().strip().split(b";")[0], 16)
                if size == 0:
                    self.rfile.readline()
                    return data
                data += self.rfile.read(size)
                self.rfile.readline()
        length = int(self.headers.get("Content-Length", "0") or 0)
        return self.rfile.read(length) if length else b""

    def send(self, status, body=b"", headers=None, content_type="application/json"):
        if isinstance(body, (dict, list)):
            body = json.dumps(body).encode()
        elif isinstance(body, str):
            body = body.encode()
        self.send_response(status)
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        if body or status not in (204, 304):
            if content_type and not any(k.lower() == "content-type" for k in (headers or {})):
                self.send_header("Content-Type", content_type)
            if not any(k.lower() == "content-length" for k in (headers or {})):
                self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if body and self.command != "HEAD":
            self.wfile.write(body)

    def rate_headers(self):
        return {"RateLimit": '"minute";r=59;t=60, "hour";r=2999;t=3600, "day";r=49999;t=86400',
                "RateLimit-Policy": '"minute";q=60;w=60, "hour";q=3000;w=3600, "day";q=50000;w=86400',
                "X-Request-Id": uuid.uuid4().hex}

    def problem(self, status, detail, title=None, errors=None, headers=None):
        body = {"title": title or TITLES.get(status, "Error"), "status": status, "detail": detail}
        if errors:
            body["errors"] = errors
        h = self.rate_headers()
        h.update(headers or {})
        self.send(status, body, h, "application/problem+json")

    def record(self, body):
        with self.fake.lock:
            self.fake.requests.append({"method": self.command, "path": self.path,
                                       "last_event_id": self.headers.get("Last-Event-ID"),
                                       "user_agent": self.headers.get("User-Agent", ""),
                                       "body": body[:2000].decode("utf-8", "replace"), "size": len(body),
                                       "time": time.time()})

    def dispatch(self):
        body = self.read_body()
        url = urlsplit(self.path)
        path = url.path
        query = parse_qs(url.query, keep_blank_values=True)
        if not path.startswith("/_fake/"):
            self.record(body)
        try:
            if path.startswith("/_fake/"):
                return self.control(path[len("/_fake/"):], query, body)
            if path.startswith("/rest/v2/"):
                return self.rest(path[len("/rest/v2/"):], query, body)
            if path.startswith("/ai/v2/"):
                return self.serverless(path[len("/ai/v2/"):], query, body)
            status, headers, data = self.fake.s3.handle(self.command, url.path, url.query, self.headers, body)
            self.send(status, data, headers, None)
        except HttpError as e:
            if self.path.startswith("/ai/"):
                self.send(e.status, {"error": e.detail})
            else:
                self.problem(e.status, e.detail, e.title, e.errors)
        except DropConnection:
            self.close_connection = True
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = do_PATCH = dispatch

    def check_key(self, bare_allowed=False):
        auth = self.headers.get("Authorization", "")
        if auth == "Bearer " + self.fake.api_key or (bare_allowed and auth == self.fake.api_key):
            return
        if not auth:
            raise HttpError(401, "missing bearer token")
        raise HttpError(401, "invalid api key")

    def json_body(self, body):
        try:
            v = json.loads(body or b"null")
        except ValueError:
            raise HttpError(400, "request could not be processed")
        return v

    # -- control
    def control(self, path, query, body):
        f = self.fake
        if path == "faults" and self.command == "POST":
            data = self.json_body(body)
            for item in data if isinstance(data, list) else [data]:
                f.add_fault(item)
            return self.send(200, {"ok": True})
        if path == "faults/clear" and self.command == "POST":
            scope = self.json_body(body).get("scope")
            with f.lock:
                f.faults = [x for x in f.faults if x.get("scope") != scope]
            return self.send(200, {"ok": True})
        if path == "pods":
            contains = query.get("name_contains", [""])[0]
            with f.lock:
                pods = [dict(p.to_json(), lines=len(p.events)) for p in f.pods.values() if contains in p.name]
            return self.send(200, {"pods": pods})
        if path == "requests":
            contains = query.get("contains", [""])[0]
            with f.lock:
                reqs = [r for r in f.requests if contains in r["path"] or contains in r["body"]]
            return self.send(200, {"requests": reqs})
        if path == "volumes" and self.command == "GET":
            with f.lock:
                return self.send(200, {"volumes": list(f.volumes.values())})
        if path == "volumes" and self.command == "POST":
            data = self.json_body(body)
            vol = {"id": data.get("id") or new_id(10), "name": data.get("name", "test"), "size": data.get("size", 10),
                   "dataCenter": data["dataCenter"], "type": "STANDARD"}
            os.makedirs(f.s3.volume_dir(vol["id"]), exist_ok=True)
            with f.lock:
                f.volumes[vol["id"]] = vol
            return self.send(200, vol)
        if path == "health":
            return self.send(200, {"ok": True})
        raise HttpError(404, "no such control endpoint")

    # -- REST v2
    def rest(self, path, query, body):
        self.check_key()
        parts = [unquote(p) for p in path.split("/") if p]
        m = self.command
        if parts == ["pods"] and m == "POST":
            return self.create_pod(self.json_body(body))
        if parts == ["pods"] and m == "GET":
            return self.list_pods()
        if len(parts) == 2 and parts[0] == "pods" and m == "GET":
            return self.get_pod(parts[1])
        if len(parts) == 2 and parts[0] == "pods" and m == "DELETE":
            return self.delete_pod(parts[1])
        if len(parts) == 3 and parts[0] == "pods" and parts[2] == "action" and m == "POST":
            return self.pod_action(parts[1], self.json_body(body))
        if len(parts) == 3 and parts[0] == "pods" and parts[2] == "logs" and m == "GET":
            return self.pod_logs(parts[1], query)
        if parts == ["catalog", "gpus"] and m == "GET":
            return self.catalog(query)
        if parts == ["network-volumes"] and m == "GET":
            with self.fake.lock:
                now = time.time()
                vols = [v for v in self.fake.volumes.values() if self.fake.volumes_listed_after.get(v["id"], 0) <= now]
            return self.send(200, {"networkVolumes": vols}, self.rate_headers())
        if parts == ["network-volumes"] and m == "POST":
            return self.create_volume(self.json_body(body))
        if len(parts) == 2 and parts[0] == "network-volumes" and m == "GET":
            with self.fake.lock:
                vol = self.fake.volumes.get(parts[1])
            if not vol:
                raise HttpError(404, "network volume not found")
            return self.send(200, vol, self.rate_headers())
        if parts and parts[0] in ("pods", "catalog", "network-volumes"):
            raise HttpError(405, "method not allowed")
        raise HttpError(404, "resource not found")

    def get_pod(self, pod_id):
        pod = self.pod(pod_id)
        # Matched against the User-Agent too: other tests read every listed pod (reconcile,
        # jobs), so a test that counts its own reads scopes the fault to a User-Agent of its own.
        fault = self.fake.take_fault("get", pod.name + "\n" + self.headers.get("User-Agent", ""))
        if fault and fault["kind"] == "get_throttle":
            return self.throttled(fault)
        # Read without the lock, as before get_pod existed: a pod's thread may be changing its
        # status meanwhile, which a client polling the real API sees as well.
        self.send(200, pod.to_json(), self.rate_headers())

    def throttled(self, fault):
        """The 429 of a throttle fault: Retry-After when "retry_after" is given, and the windows
        this 429 exhausted: "ratelimit" (e.g. '"minute";r=0;t=1, "hour";r=0;t=1800'), else the
        minute window of Retry-After. Without either, the usual headers (a 429 of a server that
        says nothing about when to come back). "body": false sends no JSON."""
        headers = {"Retry-After": str(fault["retry_after"])} if fault.get("retry_after") is not None else {}
        if fault.get("ratelimit") is not None:
            headers["RateLimit"] = fault["ratelimit"]
        elif fault.get("retry_after") is not None:
            headers["RateLimit"] = ('"minute";r=0;t=' + str(fault["retry_after"]) +
                                    ', "hour";r=2000;t=3600, "day";r=49000;t=86400')
        if fault.get("body", True):
            return self.problem(429, "rate limit exceeded for the minute window", headers=headers)
        self.send_response(429)
        for k, v in headers.items():
            self.send_header(k, v)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def pod(self, pod_id):
        with self.fake.lock:
            p = self.fake.pods.get(pod_id)
        if not p:
            raise HttpError(404, "pod not found")
        return p

    def validate_pod(self, body):
        errors = []
        if not isinstance(body, dict):
            raise HttpError(422, "Request validation failed.", errors=["$: expected an object"])
        for k in body:
            if k not in POD_FIELDS:
                errors.append(f"$: additional properties '{k}' not allowed")
        if not isinstance(body.get("name"), str) or not body.get("name"):
            errors.append("$.name: required")
        if not isinstance(body.get("image"), str) or not body.get("image"):
            errors.append("$.image: required")
        if "args" in body and not isinstance(body["args"], str):
            errors.append("$.args: expected string")
        gpu = body.get("gpu")
        if not isinstance(gpu, dict) or not isinstance(gpu.get("id"), str):
            errors.append("$.gpu.id: required")
        elif gpu["id"] not in GPU_IDS:
            errors.append(f"$.gpu.id: value must be one of the GPU type ids ({gpu['id']!r} is not)")
        if body.get("cloud", "SECURE") not in ("SECURE", "COMMUNITY"):
            errors.append("$.cloud: must be SECURE or COMMUNITY")
        env = body.get("env", {})
        if not isinstance(env, dict) or not all(isinstance(v, str) for v in env.values()):
            errors.append("$.env: expected an object of strings")
        network = (body.get("mounts") or {}).get("network", [])
        if not isinstance(network, list) or len(network) > 1:
            errors.append("$.mounts.network: at most one network volume")
        if errors:
            raise HttpError(422, "Request validation failed.", errors=errors)
        return gpu, network

    def create_pod(self, body):
        gpu, network = self.validate_pod(body)
        name = body["name"]
        fault = self.fake.take_fault("create", name, gpu=gpu["id"])
        kind = fault["kind"] if fault else None
        if kind == "throttle":
            return self.throttled(fault)
        if kind == "capacity":
            raise HttpError(400, "There are no longer any instances available with the requested specifications. "
                                 "Please refresh and try again.")
        if kind == "quota":
            raise HttpError(402, "insufficient balance: at least one hour of credit is needed to deploy this pod")
        if kind == "forbidden":
            raise HttpError(403, "access denied")
        if kind == "invalid":
            raise HttpError(422, "Request validation failed.", errors=["$.disk: must be at least 10"])
        if kind == "error_500":
            raise HttpError(500, "internal error")
        if "count" not in gpu:
            # What the MCP server saw: without gpu.count every create fails like this.
            raise HttpError(400, "There are no longer any instances available with the requested specifications.")
        dcs = body.get("dataCenterIds") or []
        for dc in dcs:
            if dc not in DATACENTERS:
                raise HttpError(400, f"unknown datacenter {dc}")
        datacenter = dcs[0] if dcs else random.choice(DATACENTERS)
        for mount in network:
            with self.fake.lock:
                vol = self.fake.volumes.get(mount.get("volumeId"))
            if not vol:
                raise HttpError(400, f"network volume {mount.get('volumeId')} not found")
            if vol["dataCenter"] != datacenter:
                raise HttpError(400, f"network volume {vol['id']} is in {vol['dataCenter']}, not {datacenter}")
        if body.get("cloud") == "COMMUNITY" and self.fake.gpu_price(gpu["id"], "COMMUNITY") is None:
            raise HttpError(400, "There are no longer any instances available with the requested specifications.")
        if kind == "slow_start":
            body = dict(body, _fake_start_delay=float(fault.get("seconds", 30)))
        pod = Pod(self.fake, body, gpu, datacenter)
        if kind == "create_unreadable":
            pod.listed_after = time.time() + float(fault.get("unlisted", 0))
        with self.fake.lock:
            self.fake.pods[pod.id] = pod
        if kind == "create_then_500":
            raise HttpError(500, "Something went wrong. Please try again later or contact support.")
        if kind == "create_then_drop":
            raise DropConnection()
        if kind == "create_unreadable":
            return self.send(201, {"message": "created"}, self.rate_headers())
        if kind == "create_slow":
            time.sleep(float(fault.get("seconds", 3)))
        with self.fake.lock:
            data = pod.to_json()
        self.send(201, data, self.rate_headers())

    def list_pods(self):
        fault = self.fake.take_fault("list", "")  # never scoped: see add_fault
        if fault and fault["kind"] == "list_error_500":
            raise HttpError(500, "internal error")
        if fault and fault["kind"] == "list_throttle":
            return self.problem(429, "rate limit exceeded for the minute window", headers={"Retry-After": "1"})
        with self.fake.lock:
            now = time.time()
            pods = [p.to_json() for p in self.fake.pods.values()
                    if p.status != "TERMINATED" and getattr(p, "listed_after", 0) <= now]
        self.send(200, {"pods": pods}, self.rate_headers())

    def pod_action(self, pod_id, body):
        pod = self.pod(pod_id)
        action = (body or {}).get("action") if isinstance(body, dict) else None
        if action not in ("start", "stop", "restart", "terminate"):
            raise HttpError(422, "Request validation failed.", errors=["$.action: must be start, stop, restart or terminate"])
        with self.fake.lock:
            allowed = action in pod.actions()
        if not allowed:
            raise HttpError(409, f"action {action} is not valid for a pod in status {pod.status}")
        if action == "terminate":
            pod.terminate()
            return self.send(204, b"", self.rate_headers())
        if action == "stop":
            pod.set_status("EXITED")
        with self.fake.lock:
            data = pod.to_json()
        self.send(200, data, self.rate_headers())

    def delete_pod(self, pod_id):
        pod = self.pod(pod_id)
        if pod.terminated():
            raise HttpError(404, "pod not found")
        pod.terminate()
        self.send(204, b"", self.rate_headers())

    def catalog(self, query):
        include = query.get("include", [""])[0]
        if include == "AVAILABILITY" and not query.get("product"):
            raise HttpError(400, "product is required with include=AVAILABILITY")
        gpus = []
        for gid, name, pool, mem, secure, community, serverless in CATALOG:
            gpus.append({"id": gid, "name": name, "pool": pool, "memory": mem, "secure": True,
                         "community": community is not None,
                         "price": {"secure": secure, "community": community, "serverless": serverless},
                         "maxCount": {"secure": 8, "community": 8 if community else 0}})
        self.send(200, {"gpus": gpus}, self.rate_headers())

    def create_volume(self, body):
        errors = []
        if not isinstance(body, dict):
            raise HttpError(422, "Request validation failed.", errors=["$: expected an object"])
        for k in body:
            if k not in ("name", "dataCenter", "size", "type"):
                errors.append(f"$: additional properties '{k}' not allowed")
        if body.get("dataCenter") not in DATACENTERS:
            errors.append("$.dataCenter: unknown datacenter")
        size = body.get("size")
        if not isinstance(size, int) or not 10 <= size <= 4096:
            errors.append("$.size: must be between 10 and 4096")
        if not body.get("name"):
            errors.append("$.name: required")
        if errors:
            raise HttpError(422, "Request validation failed.", errors=errors)
        fault = self.fake.take_fault("volume", body["name"])
        kind = fault["kind"] if fault else None
        if kind == "volume_throttle":
            return self.throttled(fault)
        vol = {"id": new_id(10), "name": body["name"], "size": size, "dataCenter": body["dataCenter"],
               "type": body.get("type", "STANDARD")}
        os.makedirs(self.fake.s3.volume_dir(vol["id"]), exist_ok=True)
        with self.fake.lock:
            self.fake.volumes[vol["id"]] = vol
            if kind == "volume_unreadable":
                self.fake.volumes_listed_after[vol["id"]] = time.time() + float(fault.get("unlisted", 0))
        if kind == "volume_unreadable":
            return self.send(201, {"message": "created"}, self.rate_headers())
        self.send(201, vol, self.rate_headers())

    # -- SSE logs
    def pod_logs(self, pod_id, query):
        pod = self.pod(pod_id)
        source = query.get("source", [None])[0]
        if source not in (None, "container", "system"):
            raise HttpError(400, "source must be container or system")
        last_id = self.headers.get("Last-Event-ID")
        try:
            tail = int(query.get("tail", ["100"])[0])
            since = parse_iso(query["since"][0]) if "since" in query else None
        except (ValueError, KeyError):
            raise HttpError(400, "request could not be processed")
        if not 0 <= tail <= 5000:
            raise HttpError(400, "tail must be between 0 and 5000")

        if self.fake.take_fault("logs", pod.name, kinds=("logs_error_500",)):
            raise HttpError(500, "logs are unavailable")

        def wanted(ev):
            return source is None or ev[2] == source

        with self.fake.lock:
            events = [ev for ev in pod.events if wanted(ev)]
            if last_id:
                try:
                    after = int(last_id.split("/")[-1])
                except ValueError:
                    raise HttpError(400, "Last-Event-ID is not one of ours")
                start = next((i for i, ev in enumerate(events) if ev[0] > after), len(events))
            else:
                # The reference does not say how `since` and `tail` combine. The fake takes the
                # reading that loses most: both apply, so a `since` alone still gets at most the
                # default 100 lines.
                start = max(0, len(events) - tail)
                if since is not None:
                    start = max(start, next((i for i, ev in enumerate(events) if ev[1] >= since), len(events)))
            next_seq = events[start][0] if start < len(events) else (pod.events[-1][0] + 1 if pod.events else 1)
            if start >= len(events) and pod.ended():
                return self.send(204, b"", self.rate_headers())
        cut = self.fake.take_fault("logs", pod.name, kinds=("cut",))

        self.send_response(200)
        for k, v in self.rate_headers().items():
            self.send_header(k, v)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Connection", "keep-alive")
        self.send_header("X-Accel-Buffering", "no")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()

        def chunk(data):
            self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
            self.wfile.flush()

        sent = 0
        idle_since = time.time()
        while True:
            with self.fake.lock:
                batch = [ev for ev in pod.events if ev[0] >= next_seq and wanted(ev)]
                if batch:
                    next_seq = batch[-1][0] + 1
                ended = pod.ended()
                if not batch and not ended:
                    pod.cond.wait(timeout=0.5)
                    if time.time() - idle_since > 15:
                        idle_since = time.time()
                        batch = None  # keep-alive comment below
            if not batch and not ended and self.client_gone():
                return
            if batch is None:
                chunk(b": keep-alive\n\n")
                continue
            for seq, ts, src, line in batch:
                frame = (f"id: {int(ts * 1000)}/{seq}\n" +
                         "data: " + json.dumps({"ts": now_iso(ts), "source": src, "line": line}) + "\n\n").encode()
                if cut and sent >= cut.get("after", 1):
                    # Half an event, then the connection is gone: no final chunk.
                    self.wfile.write(f"{len(frame):x}\r\n".encode() + frame[: len(frame) // 2])
                    self.wfile.flush()
                    raise DropConnection()
                chunk(frame)
                sent += 1
                idle_since = time.time()
            if not batch and ended:
                self.wfile.write(b"0\r\n\r\n")
                self.wfile.flush()
                return

    def client_gone(self):
        """True when the client closed its end (a log reader whose window ended)."""
        try:
            readable, _, _ = select.select([self.connection], [], [], 0)
            return bool(readable) and self.connection.recv(1, socket.MSG_PEEK) == b""
        except OSError:
            return True

    # -- serverless
    def serverless(self, path, query, body):
        parts = [unquote(p) for p in path.split("/") if p]
        if not parts:
            raise HttpError(404, "Not Found")
        self.check_key(bare_allowed=True)
        endpoint, rest = parts[0], parts[1:]
        if endpoint not in self.fake.endpoints:
            return self.send(404, {"message": "Not Found"})
        m = self.command
        if rest in (["run"], ["runsync"]) and m == "POST":
            sync = rest == ["runsync"]
            if len(body) > (RUNSYNC_LIMIT if sync else RUN_LIMIT):
                return self.send(413, {"error": "request body too large"})
            data = self.json_body(body)
            if not isinstance(data, dict) or "input" not in data:
                raise HttpError(400, "the request needs an input")
            fault = self.fake.take_fault("run", json.dumps(data.get("input")))
            if fault and fault["kind"] == "run_throttle":
                if fault.get("body", True):
                    return self.send(429, {"error": "rate limited"}, {"Retry-After": "1"})
                self.send_response(429)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            if fault and fault["kind"] == "run_error_500":
                return self.send(500, {"error": "internal error"})
            job = Job(self.fake, endpoint, data, sync)
            with self.fake.lock:
                self.fake.jobs[job.id] = job
            if sync:
                wait = min(300000, max(1000, int(query.get("wait", ["90000"])[0]))) / 1000.0
                end = time.time() + wait
                with self.fake.lock:
                    while job.status not in ("COMPLETED", "FAILED", "CANCELLED", "TIMED_OUT") and time.time() < end:
                        self.fake.job_cond.wait(timeout=max(0.01, end - time.time()))
                    return self.send(200, job.to_json())
            return self.send(200, {"id": job.id, "status": "IN_QUEUE"})
        if len(rest) == 2 and rest[0] in ("status", "cancel"):
            with self.fake.lock:
                job = self.fake.jobs.get(rest[1])
                expired = job and (job.deleted or time.time() - job.submitted > job.ttl)
            if not job or expired:
                return self.send(404, {"error": "job not found"})
            if rest[0] == "cancel" and m == "POST":
                with self.fake.lock:
                    if job.status not in ("COMPLETED", "FAILED", "TIMED_OUT"):
                        job.status = "CANCELLED"
                    return self.send(200, {"id": job.id, "status": job.status})
            if rest[0] == "status" and m == "GET":
                with self.fake.lock:
                    return self.send(200, job.to_json())
        if rest == ["health"] and m == "GET":
            with self.fake.lock:
                jobs = [j for j in self.fake.jobs.values() if j.endpoint == endpoint]
                counts = {s: sum(1 for j in jobs if j.status == s) for s in
                          ("IN_QUEUE", "IN_PROGRESS", "COMPLETED", "FAILED")}
            return self.send(200, {"jobs": {"completed": counts["COMPLETED"], "failed": counts["FAILED"],
                                            "inProgress": counts["IN_PROGRESS"], "inQueue": counts["IN_QUEUE"],
                                            "retried": 0},
                                   "workers": {"idle": 1, "running": counts["IN_PROGRESS"]}})
        raise HttpError(404, "Not Found")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--data-dir", required=True)
    ap.add_argument("--api-key", default="rpa_test_key")
    ap.add_argument("--s3-access-key", default="user_test")
    ap.add_argument("--s3-secret", default="rps_test_secret")
    ap.add_argument("--trainer")
    ap.add_argument("--worker")
    ap.add_argument("--provision-delay", type=float, default=0.05)
    ap.add_argument("--queue-delay", type=float, default=0.05)
    ap.add_argument("--endpoint", action="append", default=[], help="a serverless endpoint id that exists")
    ap.add_argument("--fresh", action="store_true", help="start with empty volumes")
    ap.add_argument("--volume", action="append", default=[], help="ID=DATACENTER: a volume that exists from the start")
    args = ap.parse_args()
    fake = RunPodFake(args)
    for spec in args.volume:
        vid, _, dc = spec.partition("=")
        fake.volumes[vid] = {"id": vid, "name": vid, "size": 10, "dataCenter": dc, "type": "STANDARD"}
        os.makedirs(fake.s3.volume_dir(vid), exist_ok=True)
    Handler.fake = fake
    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    server.daemon_threads = True
    server.serve_forever()


if __name__ == "__main__":
    main()
