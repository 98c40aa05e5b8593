#!/usr/bin/env python3
#
# Copyright (c) 2026 mlcloud developers
# Distributed under the Boost Software License, Version 1.0.
#
"""Soak test of mlcloud-bot: many users in concurrent conversations, random faults, bounded time.

    bot_soak.py --bot build/examples/telegram_bot/mlcloud-bot --seconds 45 --users 60

Everything runs on 127.0.0.1: our Bot API fake (tests/fakes/telegram_bot_api.py) is started on a
free port with random faults turned on (429 with retry_after, 500, connections closed without an
answer, slow answers), and mlcloud-bot on the local backend with a short shell workload. Each
simulated user runs conversations one after the other (/train to completion, /predict, /status,
/cancel at the confirmation or while the job runs, a stale button pressed again) and waits for
every reply it expects.

Checks, after the time is up and the bot is stopped with SIGTERM:
  - the bot never crashed and exits 0;
  - no reply lost: every awaited reply came;
  - no reply sent twice: per user, the messages the fake recorded are exactly the expected ones
    (counted by kind), every button press was answered exactly once;
  - every job recorded exactly once: the bot's database and the local backend's job directories
    name the same jobs, one row per job and per idempotency key, as many as launches confirmed;
  - resident memory flat after warm-up: median VmRSS of the last third of the run is within
    --rss-margin of the first third's.

Prints the figures as one JSON object on stdout (and --report FILE); exit status 0 when all
checks hold.
"""
import argparse
import collections
import http.client
import json
import os
import random
import re
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
FAKE = os.path.join(HERE, "..", "fakes", "telegram_bot_api.py")
TOKEN = "424242:soak-token-0123456789abcdefghijklmnopqrstu"
FIRST_USER = 5000

# Dataset and prediction input: small, so the work is the bot's, not the workload's.
DATASET = "x1,x2,label\n" + "".join(f"{i},{i * 2},{'a' if i % 2 else 'b'}\n" for i in range(40))
INPUT = "x1,x2\n1,2\n3,4\n5,6\n"

# What the bot says, by kind: the first pattern that matches a message's text names it.
KINDS = [
    ("train_ask_dataset", r"Send the dataset"),
    ("reading", r"Reading .*…"),
    ("ask_column", r"Which column should the model predict"),
    ("confirm", r"Confirm the launch"),
    ("launching", r"Launching "),
    ("launched", r"Training launched"),
    ("log_view", r"Training logs"),
    ("complete", r"Training complete"),
    ("stopped", r"Stopped .*It cost"),
    ("ask_model", r"Which model should predict"),
    ("ask_input", r"Send the input"),
    ("predicting", r"Running the prediction"),
    ("predictions", r"Predictions ready"),
    ("status", r"Status"),
    ("cancelled", r"Cancelled|Nothing to cancel"),
]


def kind_of(text):
    for kind, pattern in KINDS:
        if re.search(pattern, text or ""):
            return kind
    return "other: " + (text or "")[:60].replace("\n", " ")


class Http:
    """One keep-alive connection to the fake, JSON in and out."""

    def __init__(self, port):
        self.port = port
        self.conn = None

    def call(self, method, path, body=None):
        for attempt in range(5):
            try:
                if self.conn is None:
                    self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
                data = json.dumps(body).encode() if body is not None else None
                self.conn.request(method, path, body=data, headers={"Content-Type": "application/json"})
                r = self.conn.getresponse()
                raw = r.read()
                if r.status != 200:
                    raise RuntimeError(f"{path}: HTTP {r.status}: {raw[:200]!r}")
                return json.loads(raw)
            except (OSError, http.client.HTTPException):
                self.conn = None
                if attempt == 4:
                    raise
                time.sleep(0.1)

    def get(self, path):
        return self.call("GET", path)

    def post(self, path, body):
        body = dict(body, token=TOKEN)
        return self.call("POST", path, body)


class Journal:
    """Follows the fake's journal and hands each chat its entries, in order."""

    def __init__(self, port):
        self.http = Http(port)
        self.next = 0
        self.cond = threading.Condition()
        self.by_chat = collections.defaultdict(list)
        self.answers = {}  # callback query id -> [texts]
        self.stop = False
        self.error = None
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self):
        q = urllib.parse.quote(TOKEN)
        while not self.stop:
            try:
                out = self.http.get(f"/test/journal?token={q}&since={self.next}")
            except Exception as e:  # the fake is gone: every wait then times out and says so
                self.error = e
                return
            with self.cond:
                for e in out["entries"]:
                    if e["method"] == "answerCallbackQuery":
                        self.answers.setdefault(e["callback_query_id"], []).append(e["text"])
                    else:
                        self.by_chat[e["chat_id"]].append(e)
                self.next = out["next"]
                self.cond.notify_all()
            time.sleep(0.05)

    def wait(self, chat, start, predicate, timeout):
        """The index and entry of the first entry of `chat` at or after `start` that satisfies
        `predicate`, or None after `timeout` seconds."""
        deadline = time.monotonic() + timeout
        with self.cond:
            while True:
                entries = self.by_chat[chat]
                for i in range(start, len(entries)):
                    if predicate(entries[i]):
                        return i, entries[i]
                left = deadline - time.monotonic()
                if left <= 0:
                    return None
                self.cond.wait(min(left, 0.5))

    def wait_answer(self, qid, timeout):
        deadline = time.monotonic() + timeout
        with self.cond:
            while qid not in self.answers:
                left = deadline - time.monotonic()
                if left <= 0:
                    return None
                self.cond.wait(min(left, 0.5))
            return self.answers[qid]

    def count(self, chat):
        with self.cond:
            return len(self.by_chat[chat])


class Lost(Exception):
    pass


class User:
    """One allowlisted user running conversations until the time is up."""

    def __init__(self, uid, port, journal, deadline, seed, reply_timeout):
        self.uid = uid
        self.http = Http(port)
        self.journal = journal
        self.deadline = deadline
        self.random = random.Random(seed)
        self.reply_timeout = reply_timeout
        self.cursor = 0
        self.expected = collections.Counter()   # message kinds the bot should have sent
        self.optional = collections.Counter()   # kinds it may have sent, at most this many more
        self.presses = []                        # callback query ids
        self.stale_presses = []
        self.launches = 0
        self.views = []           # message ids of the live log views
        self.complete_views = []  # those of jobs that completed: they must end on the marker
        self.has_model = False
        self.scenarios = collections.Counter()
        self.failures = []
        self.updates = 0

    # -- the user's side of the chat

    def say(self, text):
        self.updates += 1
        self.http.post("/test/message", {"user_id": self.uid, "chat_id": self.uid, "text": text})

    def send_file(self, name, content):
        import base64
        self.updates += 1
        self.http.post("/test/message", {"user_id": self.uid, "chat_id": self.uid, "document": {
            "file_name": name, "content_base64": base64.b64encode(content.encode()).decode()}})

    def press(self, entry, label):
        for row in (entry.get("reply_markup") or {}).get("inline_keyboard", []):
            for b in row:
                if label in b["text"]:
                    self.updates += 1
                    r = self.http.post("/test/callback", {"user_id": self.uid, "chat_id": self.uid,
                                                          "message_id": entry["message_id"], "data": b["callback_data"]})
                    return r["id"], b["callback_data"]
        raise Lost(f"no button '{label}' on {kind_of(entry.get('text'))}")

    def expect(self, kind, timeout=None):
        """Waits for the next new message of `kind`; the entries before it are skipped over (they
        are counted at the end)."""
        found = self.journal.wait(self.uid, self.cursor,
                                  lambda e: e["method"] in ("sendMessage", "sendDocument")
                                  and kind_of(e.get("text") or e.get("caption")) == kind,
                                  timeout or self.reply_timeout)
        if found is None:
            raise Lost(f"no '{kind}' within {timeout or self.reply_timeout} s")
        self.expected[kind] += 1
        self.cursor = found[0] + 1
        return found[1]

    def expect_any(self, kinds, timeout=None):
        found = self.journal.wait(self.uid, self.cursor,
                                  lambda e: e["method"] in ("sendMessage", "sendDocument")
                                  and kind_of(e.get("text") or e.get("caption")) in kinds,
                                  timeout or self.reply_timeout)
        if found is None:
            raise Lost(f"none of {kinds} within {timeout or self.reply_timeout} s")
        kind = kind_of(found[1].get("text") or found[1].get("caption"))
        self.expected[kind] += 1
        self.cursor = found[0] + 1
        return kind, found[1]

    # -- conversations

    def to_confirmation(self):
        self.say("/train")
        self.expect("train_ask_dataset")
        self.send_file("soak.csv", DATASET)
        self.expect("reading")
        columns = self.expect("ask_column")
        self.presses.append(self.press(columns, "label")[0])
        return self.expect("confirm")

    def launch(self, confirm):
        qid, data = self.press(confirm, "Launch")
        self.presses.append(qid)
        self.expect("launching")
        self.expect("launched")
        self.launches += 1
        self.views.append(self.expect("log_view")["message_id"])
        return qid, data

    def train(self):
        confirm = self.to_confirmation()
        self.launch(confirm)
        self.expect("complete")
        self.complete_views.append(self.views[-1])
        self.has_model = True
        if self.random.random() < 0.5:
            # The confirmation's Launch button again, after the conversation ended: refused.
            qid, _ = self.press(confirm, "Launch")
            self.stale_presses.append(qid)

    def cancel_at_confirmation(self):
        self.to_confirmation()
        self.say("/cancel")
        self.expect("cancelled")

    def cancel_running(self):
        confirm = self.to_confirmation()
        self.launch(confirm)
        self.say("/cancel")
        # The job may have finished before /cancel arrived: then /cancel finds nothing running,
        # and says so or not depending on whether the job was still running when it looked.
        kind, _ = self.expect_any({"stopped", "complete"})
        if kind == "complete":
            self.complete_views.append(self.views[-1])
            self.has_model = True
            self.optional["cancelled"] += 1

    def predict(self):
        self.say("/predict")
        ask = self.expect("ask_model")
        self.presses.append(self.press(ask, "soak.csv")[0])
        self.expect("ask_input")
        self.send_file("input.csv", INPUT)
        self.expect("predicting")
        self.expect("predictions")

    def status(self):
        self.say("/status")
        self.expect("status")

    def run(self):
        try:
            while time.monotonic() < self.deadline:
                choices = [("train", 3), ("status", 2), ("cancel_at_confirmation", 1), ("cancel_running", 1)]
                if self.has_model:
                    choices.append(("predict", 3))
                name = self.random.choices([c for c, _ in choices], [w for _, w in choices])[0]
                getattr(self, name)()
                self.scenarios[name] += 1
                time.sleep(self.random.uniform(0, 0.5))
        except Lost as e:
            self.failures.append(f"user {self.uid}: {e}")
        except Exception as e:  # a bug in this driver or the fake: report it as a failure
            self.failures.append(f"user {self.uid}: {type(e).__name__}: {e}")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_health(port, proc, limit=20):
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError("the fake exited")
        try:
            Http(port).get("/test/health")
            return
        except Exception:
            time.sleep(0.1)
    raise RuntimeError("the fake did not start")


def rss_by_minute(samples):
    """The median VmRSS of each minute of the run ([(seconds, KiB)] -> [KiB]): the curve that
    shows whether memory levels off after warm-up."""
    minutes = collections.defaultdict(list)
    for t, kib in samples:
        minutes[int(t // 60)].append(kib)
    return [statistics.median(minutes[m]) for m in sorted(minutes)]


def rss_kib(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def write_config(work, port, users, job_seconds):
    lines = max(2, int(job_seconds / 0.2))
    workload = ("i=1; while [ $i -le %d ]; do echo step $i; i=$((i+1)); sleep 0.2; done; "
                "echo 'final: train_accuracy=1.0000 train_loss=0.0100'; echo '{\"soak\": 1}' > \"$MLCLOUD_OUTPUT\"; "
                "echo '\u2705 Model saved successfully!'" % lines)
    predictor = ("awk -F, 'NR==1{print $0\",prediction\"; next}{print $0\",a\"}' \"$1\" > \"$2\"")
    config = {
        "provider": "local",
        "backend": {"root": os.path.join(work, "root"),
                    "predictor_command": ["/bin/sh", "-c", predictor, "predictor", "{input}", "{output}"],
                    "poll_interval_ms": 50, "terminate_grace_ms": 1000},
        "trainer": {"command": ["/bin/sh", "-c", workload]},
        "access": {"allowed_user_ids": list(range(FIRST_USER, FIRST_USER + users))},
        "telegram": {"api_base_url": f"http://127.0.0.1:{port}", "poll_timeout_s": 5,
                     "log_edit_interval_ms": 300, "per_chat_per_second": 20, "per_chat_burst": 20,
                     "global_per_second": 1000},
        "database": os.path.join(work, "bot.db"),
        "follow_interval_ms": 200,
    }
    path = os.path.join(work, "bot.json")
    with open(path, "w") as f:
        json.dump(config, f, indent=1)
    return path


def job_records(work):
    """The bot's jobs (database) and the local backend's (its job directories)."""
    db = sqlite3.connect(os.path.join(work, "bot.db"))
    rows = db.execute("SELECT id, user_id, idempotency_key, phase, outcome, handle FROM jobs").fetchall()
    models = db.execute("SELECT job_id FROM models").fetchall()
    db.close()
    state = os.path.join(work, "root", ".mlcloud", "jobs")
    backend = {}
    for name in os.listdir(state) if os.path.isdir(state) else []:
        p = os.path.join(state, name, "job.json")
        if os.path.exists(p):
            with open(p) as f:
                backend[name] = json.load(f)
    return rows, models, backend


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bot", required=True, help="the mlcloud-bot executable")
    ap.add_argument("--seconds", type=float, default=45, help="how long users start new conversations")
    ap.add_argument("--users", type=int, default=60)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--job-seconds", type=float, default=3, help="how long one training job runs")
    ap.add_argument("--reply-timeout", type=float, default=120)
    ap.add_argument("--p-429", type=float, default=0.02)
    ap.add_argument("--p-500", type=float, default=0.02)
    ap.add_argument("--p-drop", type=float, default=0.02)
    ap.add_argument("--p-slow", type=float, default=0.03)
    ap.add_argument("--slow-ms", type=int, default=800)
    ap.add_argument("--rss-margin", type=float, default=0.10, help="allowed growth of the median RSS, as a fraction")
    ap.add_argument("--rss-slack-kib", type=int, default=2048, help="allowed growth in KiB on top of the fraction")
    ap.add_argument("--work", default=None, help="scratch directory (default: a fresh one under /tmp)")
    ap.add_argument("--keep", action="store_true", help="keep the scratch directory")
    ap.add_argument("--report", default=None, help="also write the figures to this JSON file")
    args = ap.parse_args()

    work = args.work or f"/tmp/mlcloud-bot-soak-{os.getpid()}"
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    port = free_port()
    fake = subprocess.Popen([sys.executable, FAKE, "--port", str(port)], stdout=subprocess.DEVNULL)
    bot = None
    failures = []
    figures = {"users": args.users, "seconds": args.seconds, "seed": args.seed}
    try:
        wait_health(port, fake)
        control = Http(port)
        control.post("/test/chaos", {"seed": args.seed, "p_429": args.p_429, "retry_after": 1, "p_500": args.p_500,
                                     "p_drop": args.p_drop, "p_slow": args.p_slow, "slow_ms": args.slow_ms})
        config = write_config(work, port, args.users, args.job_seconds)
        log = open(os.path.join(work, "bot.log"), "w")
        env = dict(os.environ, TELEGRAM_BOT_TOKEN=TOKEN)
        # ASan keeps freed memory in a quarantine (256 MB by default) that would look like growth.
        env["ASAN_OPTIONS"] = env.get("ASAN_OPTIONS", "") + ":quarantine_size_mb=4:thread_local_quarantine_size_kb=64"
        started = time.monotonic()
        bot = subprocess.Popen([args.bot, "--config", config], stdout=log, stderr=subprocess.STDOUT, env=env,
                               stdin=subprocess.DEVNULL)
        samples = []
        sampling = threading.Event()

        def sample():
            while not sampling.is_set():
                r = rss_kib(bot.pid)
                if r is not None:
                    samples.append((time.monotonic() - started, r))
                sampling.wait(0.5)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        journal = Journal(port)
        time.sleep(1.0)
        figures["rss_idle_kib"] = rss_kib(bot.pid)

        deadline = time.monotonic() + args.seconds
        users = [User(FIRST_USER + i, port, journal, deadline, args.seed * 100003 + i, args.reply_timeout)
                 for i in range(args.users)]
        threads = [threading.Thread(target=u.run) for u in users]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        active_end = time.monotonic()
        for u in users:
            failures += u.failures

        # Quiet: no faults, let the outbox drain, then read everything the bot sent.
        control.post("/test/chaos", {})
        stable_since, last = time.monotonic(), -1
        while time.monotonic() - stable_since < 3 and time.monotonic() - active_end < 120:
            n = journal.next
            if n != last:
                stable_since, last = time.monotonic(), n
            time.sleep(0.2)
        sampling.set()
        sampler.join()
        journal.stop = True
        journal.thread.join()
        if journal.error is not None:
            failures.append(f"reading the fake's journal failed: {journal.error}")
        if bot.poll() is not None:
            failures.append(f"the bot exited during the run with status {bot.returncode}")

        # Every press has an id of its own; two sharing one would make the answers below ambiguous.
        pressed = collections.Counter(qid for u in users for qid in u.presses + u.stale_presses)
        shared = [qid for qid, n in pressed.items() if n > 1]
        if shared:
            failures.append(f"the fake gave {len(shared)} callback id(s) to more than one press, e.g. {shared[0]}")

        # Accounting: per user, what the fake recorded against what was expected.
        with journal.cond, open(os.path.join(work, "journal.json"), "w") as f:
            json.dump({"by_chat": journal.by_chat, "answers": journal.answers}, f, indent=0)
        sent = collections.Counter()
        for u in users:
            got = collections.Counter()
            with journal.cond:
                entries = list(journal.by_chat[u.uid])
            for e in entries:
                if e["method"] in ("sendMessage", "sendDocument"):
                    got[kind_of(e.get("text") or e.get("caption"))] += 1
            sent.update(got)
            if not u.failures and not (u.expected <= got <= u.expected + u.optional):
                extra = got - u.expected - u.optional
                missing = u.expected - got
                failures.append(f"user {u.uid}: sent twice or unexpected {dict(extra)}, missing {dict(missing)}")
            final_text = {}
            for e in entries:
                if e.get("text") is not None:
                    final_text[e["message_id"]] = e["text"]
            for view in u.complete_views:
                if not final_text.get(view, "").rstrip().endswith("Model saved successfully!</pre>"):
                    failures.append(f"user {u.uid}: the log view of a completed job does not end on its last line: "
                                    f"{final_text.get(view, '')[-80:]!r}")
            for qid in u.presses + u.stale_presses:
                answers = journal.answers.get(qid, [])
                if len(answers) != 1:
                    failures.append(f"user {u.uid}: callback {qid} answered {len(answers)} times")
            for qid in u.stale_presses:
                for text in journal.answers.get(qid, []):
                    if "no longer active" not in text:
                        failures.append(f"user {u.uid}: a stale button was answered '{text}'")

        # SIGTERM: the bot stops after the current long poll and exits 0.
        bot.send_signal(signal.SIGTERM)
        try:
            code = bot.wait(timeout=60)
        except subprocess.TimeoutExpired:
            bot.kill()
            code = bot.wait()
            failures.append("the bot did not stop within 60 s of SIGTERM")
        if code != 0:
            failures.append(f"the bot exited with status {code}")

        rows, models, backend = job_records(work)
        launches = sum(u.launches for u in users)
        db_ids = [json.loads(r[5])["id"] for r in rows if r[5]]
        keys = [r[2] for r in rows]
        backend_keys = [b.get("idempotency_key") for b in backend.values()]
        if len(rows) != launches:
            failures.append(f"{len(rows)} jobs in the database for {launches} launches confirmed")
        if len(set(db_ids)) != len(db_ids) or len(set(keys)) != len(keys):
            failures.append("a job is recorded twice in the database")
        if set(db_ids) != set(backend):
            failures.append(f"database and backend disagree: only in the database {sorted(set(db_ids) - set(backend))}, "
                            f"only in the backend {sorted(set(backend) - set(db_ids))}")
        if sorted(backend_keys) != sorted(keys):
            failures.append("the backend's idempotency keys are not the database's")
        if any(r[3] != "finished" for r in rows):
            failures.append("jobs not finished at the end: " + str([r[:5] for r in rows if r[3] != "finished"][:5]))
        figures["job_phases"] = dict(collections.Counter(r[3] for r in rows))
        figures["job_outcomes"] = dict(collections.Counter(r[4] for r in rows))

        calls = control.get("/test/calls?token=" + urllib.parse.quote(TOKEN))
        injected = control.get("/test/chaos?token=" + urllib.parse.quote(TOKEN))
        rss = [r for _, r in samples]
        third = max(1, len(rss) // 3)
        first, last_third = statistics.median(rss[:third]), statistics.median(rss[-third:])
        if last_third > first * (1 + args.rss_margin) + args.rss_slack_kib:
            failures.append(f"resident memory grew: median {first} KiB in the first third, {last_third} KiB in the last")
        with open(os.path.join(work, "bot.log")) as f:
            bot_log = f.read()
        if "ERROR: AddressSanitizer" in bot_log or "runtime error:" in bot_log:
            failures.append("the sanitizers reported an error in the bot's log")

        figures.update({
            "duration_s": round(time.monotonic() - started, 1),
            "updates": sum(u.updates for u in users),
            "scenarios": dict(sum((u.scenarios for u in users), collections.Counter())),
            "launches": launches,
            "jobs_in_database": len(rows),
            "jobs_in_backend": len(backend),
            "models": len(models),
            "messages_sent": sum(1 for c in calls if c["method"] in ("sendMessage", "sendDocument") and c["status"] == 200),
            "edits": sum(1 for c in calls if c["method"].startswith("edit") and c["status"] == 200),
            "bot_api_calls": len(calls),
            "faults_injected": injected,
            "messages_by_kind": dict(sent),
            "rss_first_third_median_kib": first,
            "rss_last_third_median_kib": last_third,
            "rss_max_kib": max(rss),
            "rss_samples": len(rss),
            "rss_median_kib_by_minute": rss_by_minute(samples),
            "failures": failures,
        })
    finally:
        if bot is not None and bot.poll() is None:
            bot.kill()
            bot.wait()
        fake.terminate()
        fake.wait()
    out = json.dumps(figures, indent=1)
    print(out)
    if args.report:
        with open(args.report, "w") as f:
            f.write(out + "\n")
    if failures:
        print(f"SOAK FAILED ({len(failures)} problems); the bot's log and database are in {work}", file=sys.stderr)
        for f in failures[:40]:
            print("  " + f, file=sys.stderr)
        return 1
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
