#!/usr/bin/env python3
# Copyright (c) 2026 mlcloud developers
# Distributed under the Boost Software License, Version 1.0.
"""No secret in any output (docs/reliability.md, "Secrets").

    cli_secrets.py <mlcloud> <fixture dir> <examples/data>

Runs the CLI with recognisable fake secrets in its environment (AWS access key id, secret key
and session token, RunPod API key and S3 keys, a Telegram bot token) through a success path
and every error path this script can provoke on each provider: wrong or rejected credentials
(401, 403 with the access key echoed as S3 does, an expired token), 500 on every attempt,
503 and 429, a server that goes silent, a truncated and a malformed answer, an unreadable
credentials file that holds a secret, unknown commands and bad arguments. Then it searches
everything the runs left for each secret, and for every 12-character piece of it: stdout,
stderr, and every file under the runs' HOME (job records, local job logs, local storage),
except the files this script planted there itself. Zero occurrences is the only pass.

Each run must also end as intended (success, or a failure with a non-zero exit status), so a
path that stopped being provoked shows up as a failure rather than as a vacuous pass.

Servers: moto (fixture faults_moto), a RunPod fake started with these very secrets as its keys
(fixture faults_secrets_runpod), and the fault proxy (fixture faults_proxy), which the CLI
reaches through HTTP_PROXY. Faults are scoped by text unique to this run, so the fault matrix
running beside it never meets them.

The Telegram bot (mlcloud-bot, when built) runs the same way, through bot_runs(): its usage
and configuration errors (one with a secret put where the file must not have one), its console
mode driven through stdin on AWS (moto) and RunPod (the fake) with a dataset upload, a refused
upload and a refused listing, and its Telegram mode against the Bot API fake (fixture
bot_api_fake) with a token the API rejects. A new bot run is one more entry there.
"""
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request

CLI, FIXTURE_DIR, DATA_DIR = sys.argv[1], sys.argv[2], sys.argv[3]
BOT = sys.argv[4] if len(sys.argv) > 4 else None  # mlcloud-bot, when the examples have it
TOKEN = "sx%d" % os.getpid()  # scopes this run's objects and faults

# Recognisable fake secrets (shapes of the real ones; values found nowhere else).
SECRETS = {
    "AWS_ACCESS_KEY_ID": "AKIAQSECRETLEAK7TEST",
    "AWS_SECRET_ACCESS_KEY": "wJalrSECRETLEAKtestK7MDENGbPxRfiCYzzSECRET",
    "AWS_SESSION_TOKEN": "IQoJb3JpZ2luX2VjSECRETLEAKsessionTOKENq7Wz3Kp9Rt2Xv",
    "RUNPOD_API_KEY": "rpa_SECRETLEAKapiKEYh4Jm8Qw2Zx6Nc3Vb9Lp5Tr",
    "RUNPOD_S3_ACCESS_KEY_ID": "user_SECRETLEAKs3ACCESS01",
    "RUNPOD_S3_SECRET_ACCESS_KEY": "rps_SECRETLEAKs3SECRETg7Hk2Mn5Qp8Rs4Wt",
    "TELEGRAM_BOT_TOKEN": "7093151846:AAHSECRETLEAKtelegramTOKEN_k3Jd9Fh2Lq5",
}
# The same secrets, each wrong (a credential the server refuses), for "bad credentials" runs.
WRONG_RUNPOD_API_KEY = "rpa_WRONGKEYSECRETLEAKd8Fs2Gh6Jk1Lz4Xc7Vb"
PIECE = 12  # every piece of a secret this long is searched for as well

WRONG_TELEGRAM_TOKEN = "0:AAHWRONGtokenSECRETLEAKr5Tg8Yh1Uj4Ik"  # the Bot API fake rejects "0:" tokens


def fixture_url(name):
    with open(os.path.join(FIXTURE_DIR, name + ".port"), encoding="utf-8") as f:
        return "http://127.0.0.1:%d" % int(f.read())


MOTO = fixture_url("faults_moto")
RUNPOD = fixture_url("faults_secrets_runpod")
PROXY = fixture_url("faults_proxy")


def inject(fault, operation, contains, times=0, **extra):
    spec = dict(fault=fault, operation=operation, contains=contains, times=times, **extra)
    req = urllib.request.Request(PROXY + "/_proxy/faults", data=json.dumps(spec).encode(), method="POST",
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=10) as r:
        assert r.status == 200


def drop(contains):
    req = urllib.request.Request(PROXY + "/_proxy/drop", data=json.dumps({"contains": contains}).encode(),
                                 method="POST", headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=10) as r:
        assert r.status == 200


def closed_port():
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def base_env(home):
    env = {"PATH": "/usr/bin:/bin", "HOME": home, "MLCLOUD_CLI_STATE": os.path.join(home, "state"),
           "MLCLOUD_HOME": os.path.join(home, "local"), "MLCLOUD_TRAINER_IMAGE": "ghcr.io/acme/trainer:1",
           "ASAN_OPTIONS": os.environ.get("ASAN_OPTIONS", ""), "UBSAN_OPTIONS": os.environ.get("UBSAN_OPTIONS", "")}
    env.update(SECRETS)
    return env


def aws_env(home, region="us-west-2"):
    env = base_env(home)
    env.update({"AWS_REGION": region, "AWS_ENDPOINT_URL": MOTO, "MLCLOUD_AWS_AMI": "ami-12345678",
                "MLCLOUD_AWS_BUCKET": "secrets-" + TOKEN, "MLCLOUD_AWS_LOG_GROUP": "/mlcloud/secrets-" + TOKEN})
    return env


def runpod_env(home):
    env = base_env(home)
    env.update({"RUNPOD_REST_URL": RUNPOD + "/rest/v2", "RUNPOD_SERVERLESS_URL": RUNPOD + "/ai/v2",
                "RUNPOD_S3_ENDPOINT_URL": RUNPOD, "RUNPOD_DATACENTER": "EU-RO-1",
                "RUNPOD_NETWORK_VOLUME_ID": "voleusecret1"})
    return env


def proxied(env):
    env = dict(env)
    env["HTTP_PROXY"] = PROXY
    return env


class Runs:
    def __init__(self, home):
        self.home = home
        self.planted = set()
        self.outputs = []  # (name, text)
        self.failures = []

    def run(self, name, argv, env, ok, says=None, timeout=120, stdin=None, cwd=None):
        start = time.monotonic()
        try:
            p = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=timeout, input=stdin, cwd=cwd)
        except subprocess.TimeoutExpired as e:
            out = lambda b: (b or b"").decode("utf-8", "replace") if isinstance(b, bytes) else (b or "")
            self.outputs.append((name + " (stdout)", out(e.stdout)))
            self.outputs.append((name + " (stderr)", out(e.stderr)))
            self.failures.append("%s: still running after %d s" % (name, timeout))
            return None
        self.outputs.append((name + " (stdout)", p.stdout))
        self.outputs.append((name + " (stderr)", p.stderr))
        if ok is True and p.returncode != 0:
            self.failures.append("%s: expected success, exit %d\n%s%s" % (name, p.returncode, p.stdout, p.stderr))
        if ok is False and p.returncode == 0:
            self.failures.append("%s: expected a failure, exit 0\n%s%s" % (name, p.stdout, p.stderr))
        if ok is False and not (p.stdout + p.stderr).strip():
            self.failures.append("%s: failed without saying why" % name)
        if says is not None and says not in p.stdout + p.stderr:
            self.failures.append("%s: expected %r in the output\n%s%s" % (name, says, p.stdout, p.stderr))
        if p.returncode < 0 or "Sanitizer" in p.stderr:
            self.failures.append("%s: crashed (%d)\n%s" % (name, p.returncode, p.stderr[-3000:]))
        print("%-58s exit %d  %4.1f s" % (name, p.returncode, time.monotonic() - start))
        if os.environ.get("MLCLOUD_SECRETS_VERBOSE"):
            print("    " + (p.stdout + p.stderr).strip().replace("\n", "\n    "))
        return p

    def converse(self, name, argv, env, steps, says=None, timeout=30, cwd=None):
        """Runs an interactive program (the bot's console): for each (text, line) step, waits
        until `text` has appeared on its output, then types `line`; then ends its input and
        waits for it to exit. It must exit with 0, having shown every text and `says`."""
        start = time.monotonic()
        p = subprocess.Popen(argv, env=env, cwd=cwd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE)
        output = {"out": b"", "err": b""}

        def pump(stream, key):
            for chunk in iter(lambda: stream.read1(65536), b""):
                output[key] += chunk

        readers = [threading.Thread(target=pump, args=(p.stdout, "out"), daemon=True),
                   threading.Thread(target=pump, args=(p.stderr, "err"), daemon=True)]
        for t in readers:
            t.start()
        text = lambda: (output["out"] + output["err"]).decode("utf-8", "replace")
        missing = None
        for wait_for, line in steps:
            while wait_for not in text() and time.monotonic() - start < timeout and p.poll() is None:
                time.sleep(0.05)
            if wait_for not in text():
                missing = wait_for
                break
            p.stdin.write((line + "\n").encode())
            p.stdin.flush()
        p.stdin.close()
        try:
            code = p.wait(timeout=max(1, timeout - (time.monotonic() - start)))
        except subprocess.TimeoutExpired:
            p.kill()
            code = p.wait()
            self.failures.append("%s: still running after %d s" % (name, timeout))
        for t in readers:
            t.join(timeout=5)
        self.outputs.append((name + " (stdout)", output["out"].decode("utf-8", "replace")))
        self.outputs.append((name + " (stderr)", output["err"].decode("utf-8", "replace")))
        if missing is not None:
            self.failures.append("%s: never showed %r\n%s" % (name, missing, text()))
        elif says is not None and says not in text():
            self.failures.append("%s: expected %r in the output\n%s" % (name, says, text()))
        if code != 0:
            self.failures.append("%s: exit %d\n%s" % (name, code, text()))
        print("%-58s exit %d  %4.1f s" % (name, code, time.monotonic() - start))
        if os.environ.get("MLCLOUD_SECRETS_VERBOSE"):
            print("    " + text().strip().replace("\n", "\n    "))

    def mlcloud(self, name, provider, args, env, ok, says=None):
        return self.run(name, [CLI, "--provider", provider, *args], env, ok, says)

    def plant(self, path, text):
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        self.planted.add(os.path.realpath(path))

    def files(self):
        for root, _dirs, names in os.walk(self.home):
            for n in names:
                path = os.path.join(root, n)
                if os.path.realpath(path) in self.planted or os.path.islink(path):
                    continue
                with open(path, "rb") as f:
                    yield os.path.relpath(path, self.home), f.read().decode("utf-8", "replace")


def job_of(jobs, provider):
    """The id of the one job `mlcloud jobs` lists for this provider ("" when there is none)."""
    if jobs is None:
        return ""
    ids = [line.split("\t")[1] for line in jobs.stdout.splitlines() if line.startswith(provider + "\t")]
    return ids[0] if len(ids) == 1 else ""


def pieces(secret):
    return {secret[i:i + PIECE] for i in range(0, len(secret) - PIECE + 1)}


def leaks(runs):
    found = []
    texts = list(runs.outputs) + [("file " + name, text) for name, text in runs.files()]
    for var, secret in list(SECRETS.items()) + [("wrong RUNPOD_API_KEY", WRONG_RUNPOD_API_KEY),
                                                 ("wrong TELEGRAM_BOT_TOKEN", WRONG_TELEGRAM_TOKEN)]:
        for where, text in texts:
            hit = next((p for p in sorted(pieces(secret)) if p in text), None)
            if hit is not None:
                at = text.index(hit)
                found.append("%s leaked into %s: ...%s..." % (var, where, text[max(0, at - 60):at + 60]))
    return found, len(texts)


def local_runs(r, home):
    env = base_env(home)
    iris = os.path.join(DATA_DIR, "iris.csv")
    r.mlcloud("local: cp", "local", ["cp", iris, "datasets/iris.csv"], env, ok=True)
    r.mlcloud("local: ls", "local", ["ls", "datasets/"], env, ok=True)
    r.mlcloud("local: train (a workload that prints and exits)", "local",
              ["train", "--data", "datasets/iris.csv", "--target", "species", "--yes", "--follow", "--", "/bin/echo",
               "hello"], env, ok=False)  # exits without the completion marker: a failed job
    r.mlcloud("local: jobs", "local", ["jobs"], env, ok=True)
    r.mlcloud("local: reconcile", "local", ["reconcile"], env, ok=True)
    r.mlcloud("local: status of an unknown job", "local", ["status", "local-20260101T000000-00000000"], env, ok=False)
    r.mlcloud("local: cp of a missing file", "local", ["cp", os.path.join(home, "nope.csv"), "x.csv"], env, ok=False)
    r.mlcloud("local: rm outside the root", "local", ["rm", "../../etc/passwd"], env, ok=False)


def usage_runs(r, home):
    env = base_env(home)
    r.run("usage: unknown command", [CLI, "frobnicate"], env, ok=False, says="unknown command")
    r.run("usage: unknown option", [CLI, "train", "--nonsense", "1"], env, ok=False, says="unknown option")
    r.run("usage: missing argument", [CLI, "cp"], env, ok=False, says="missing")
    r.run("usage: unknown provider", [CLI, "--provider", "nosuch", "jobs"], env, ok=False, says="unknown provider")
    r.run("usage: bad duration", [CLI, "reconcile", "--min-age", "soon"], env, ok=False, says="--min-age")
    r.run("usage: --help", [CLI, "--help"], env, ok=True)
    r.run("usage: --version", [CLI, "--version"], env, ok=True)


def aws_runs(r, home):
    env = aws_env(home)
    bucket = env["MLCLOUD_AWS_BUCKET"]
    iris = os.path.join(DATA_DIR, "iris.csv")
    key = "s3://%s/%s/iris.csv" % (bucket, TOKEN)
    r.mlcloud("aws: setup", "aws", ["setup"], env, ok=True)
    r.mlcloud("aws: cp", "aws", ["cp", iris, key], env, ok=True)
    r.mlcloud("aws: ls", "aws", ["ls", "s3://%s/%s/" % (bucket, TOKEN)], env, ok=True)
    r.mlcloud("aws: cp --download", "aws", ["cp", key, os.path.join(home, "back.csv"), "--download"], env, ok=True)
    r.mlcloud("aws: train", "aws", ["train", "--data", key, "--target", "species", "--gpu", "g4dn.xlarge",
                                    "--name", TOKEN, "--yes"], env, ok=True)
    job = job_of(r.mlcloud("aws: jobs", "aws", ["jobs"], env, ok=True), "aws")
    r.mlcloud("aws: status", "aws", ["status", job], env, ok=True, says="state:")
    r.mlcloud("aws: logs", "aws", ["logs", job], env, ok=True)
    r.mlcloud("aws: cancel", "aws", ["cancel", job], env, ok=True, says="cancelled")
    r.mlcloud("aws: reconcile --terminate", "aws", ["reconcile", "--terminate", "--min-age", "0"], env, ok=True)
    r.mlcloud("aws: status of an unknown instance", "aws", ["status", "i-0123456789abcdef0"], env, ok=False)

    # The server refuses the credential, in the ways AWS does (each fault on every attempt).
    faulted = proxied(env)
    cases = [
        ("403 SignatureDoesNotMatch echoing the key id", "forbidden", "up-403", "(unauthorized; HTTP 403"),
        ("expired token", "expired", "up-expired", "(unauthorized; HTTP 400"),
        ("500 on every attempt", "status_500", "up-500", "(provider error; HTTP 500"),
        ("503 SlowDown on every attempt", "status_503", "up-503", "(rate limited; HTTP 503"),
        ("429 on every attempt", "status_429", "up-429", "(rate limited; HTTP 429"),
        # The proxy holds the request 1 s, then closes: the CLI has no option for a shorter
        # timeout than its defaults; the fault matrix drives real timeouts.
        ("no answer (1 s of silence, then closed)", "timeout", "up-silent", "closed the connection before responding"),
        ("reset before the answer", "reset_before_headers", "up-reset", "Connection reset"),
    ]
    for title, fault, tag, says in cases:
        scope = "%s-%s" % (TOKEN, tag)
        inject(fault, "PutObject", scope, delay=1, retry_after=1)
        r.mlcloud("aws: cp, " + title, "aws", ["cp", iris, "s3://%s/%s/x.csv" % (bucket, scope)], faulted, ok=False,
                  says=says)
    for title, fault, op in [("401 AuthFailure", "forbidden", "RunInstances"),
                             ("expired token", "expired", "RunInstances")]:
        scope = "%s-launch-%s" % (TOKEN, fault)
        inject(fault, op, scope)
        r.mlcloud("aws: train, " + title, "aws", ["train", "--data", key, "--target", "species", "--gpu",
                                                  "g4dn.xlarge", "--name", scope, "--yes"], faulted, ok=False,
                  says="(unauthorized; HTTP 40")
    scope = "%s-ls-bad" % TOKEN
    inject("malformed", "ListObjectsV2", scope)
    r.mlcloud("aws: ls, malformed answer", "aws", ["ls", "s3://%s/%s/" % (bucket, scope)], faulted, ok=False,
              says="protocol error")
    scope = "%s-get-cut" % TOKEN
    r.mlcloud("aws: cp (for the truncated download)", "aws", ["cp", iris, "s3://%s/%s.csv" % (bucket, scope)], env,
              ok=True)
    inject("truncated", "GetObject", scope)
    r.mlcloud("aws: cp --download, truncated answer", "aws",
              ["cp", "s3://%s/%s.csv" % (bucket, scope), os.path.join(home, "cut.csv"), "--download"], faulted, ok=False,
              says="lost in the middle of the response")

    refused = dict(env)
    refused["AWS_ENDPOINT_URL"] = "http://127.0.0.1:%d" % closed_port()
    r.mlcloud("aws: ls, an endpoint that refuses connections", "aws", ["ls", "s3://%s/" % bucket], refused, ok=False,
              says="(network error)")

    # Credentials from a shared file that does not parse, with the secret on the broken line.
    broken = dict(env)
    for var in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        broken.pop(var)
    creds = os.path.join(home, "broken-aws", "credentials")
    r.plant(creds, "[default]\naws_access_key_id = %s\naws_secret_access_key %s\naws_session_token = %s\n["
            % (SECRETS["AWS_ACCESS_KEY_ID"], SECRETS["AWS_SECRET_ACCESS_KEY"], SECRETS["AWS_SESSION_TOKEN"]))
    broken["AWS_SHARED_CREDENTIALS_FILE"] = creds
    broken["AWS_CONFIG_FILE"] = os.path.join(home, "broken-aws", "config")
    r.mlcloud("aws: ls, credentials file that does not parse", "aws", ["ls", "s3://%s/" % bucket], broken, ok=False,
              says="is malformed at line 3")
    # No credentials at all.
    broken.pop("AWS_SHARED_CREDENTIALS_FILE")
    broken["AWS_SHARED_CREDENTIALS_FILE"] = os.path.join(home, "nowhere")
    r.mlcloud("aws: ls, no credentials", "aws", ["ls", "s3://%s/" % bucket], broken, ok=False,
              says="no AWS credentials")
    # Last: the refused launches above train on this dataset (train checks that it exists).
    r.mlcloud("aws: rm", "aws", ["rm", key], env, ok=True)


def runpod_runs(r, home):
    env = runpod_env(home)
    iris = os.path.join(DATA_DIR, "iris.csv")
    uri = "runpod://EU-RO-1/voleusecret1/%s/iris.csv" % TOKEN
    r.mlcloud("runpod: cp", "runpod", ["cp", iris, uri], env, ok=True)
    r.mlcloud("runpod: ls", "runpod", ["ls", "runpod://EU-RO-1/voleusecret1/%s/" % TOKEN], env, ok=True)
    r.mlcloud("runpod: train", "runpod", ["train", "--data", uri, "--target", "species", "--gpu", "NVIDIA RTX A5000",
                                          "--name", TOKEN, "--yes", "--", "@lines=3", "@hang"], env, ok=True)
    job = job_of(r.mlcloud("runpod: jobs", "runpod", ["jobs"], env, ok=True), "runpod")
    r.mlcloud("runpod: status", "runpod", ["status", job], env, ok=True, says="state:")
    r.mlcloud("runpod: logs", "runpod", ["logs", job], env, ok=True)
    r.mlcloud("runpod: cancel", "runpod", ["cancel", job], env, ok=True, says="cancelled")
    r.mlcloud("runpod: reconcile --terminate", "runpod", ["reconcile", "--terminate", "--min-age", "0"], env, ok=True)
    r.mlcloud("runpod: gpus", "runpod", ["gpus"], env, ok=True)
    r.mlcloud("runpod: status of an unknown pod", "runpod", ["status", "nosuchpod0000x"], env, ok=False)

    refused = dict(env)
    refused["RUNPOD_REST_URL"] = "http://127.0.0.1:%d/rest/v2" % closed_port()
    r.mlcloud("runpod: reconcile, an API that refuses connections", "runpod", ["reconcile"], refused, ok=False,
              says="(network error)")

    wrong = dict(env)
    wrong["RUNPOD_API_KEY"] = WRONG_RUNPOD_API_KEY
    r.mlcloud("runpod: train, wrong API key (401)", "runpod",
              ["train", "--data", uri, "--target", "species", "--gpu", "NVIDIA RTX A5000", "--yes", "--", "@hang"],
              wrong, ok=False, says="(unauthorized; HTTP 401")
    r.mlcloud("runpod: reconcile, wrong API key (401)", "runpod", ["reconcile"], wrong, ok=False,
              says="(unauthorized; HTTP 401")
    wrong_s3 = dict(env)
    wrong_s3["RUNPOD_S3_SECRET_ACCESS_KEY"] = "rps_WRONGs3secretSECRETLEAKm3Nb6Vc9Xz"
    r.mlcloud("runpod: cp, wrong S3 secret (403)", "runpod", ["cp", iris, uri + ".2"], wrong_s3, ok=False,
              says="(unauthorized; HTTP 403")

    faulted = proxied(env)
    for title, fault, says in [("500 on every attempt", "status_500", "(provider error; HTTP 500"),
                               ("403", "forbidden", "(forbidden; HTTP 403"),
                               ("expired key", "expired", "(unauthorized; HTTP 401"),
                               ("no answer (1 s of silence, then closed)", "timeout", "closed the connection"),
                               ("malformed answer", "malformed", "protocol error")]:
        # ListPods carries no text of ours but the address of this run's own RunPod fake.
        inject(fault, "ListPods", RUNPOD[len("http://"):], delay=1)
        r.mlcloud("runpod: reconcile, " + title, "runpod", ["reconcile"], faulted, ok=False, says=says)
        drop(RUNPOD[len("http://"):])
    # (No 500 on every S3 attempt here: RunPod's S3 client retries for about a minute.)
    for title, fault, tag, says in [("403 SignatureDoesNotMatch", "forbidden", "up-403", "(unauthorized; HTTP 403"),
                                    ("truncated answer (retried)", "truncated", "up-cut", "uploaded")]:
        scope = "%s-%s" % (TOKEN, tag)
        inject(fault, "PutObject", scope)
        r.mlcloud("runpod: cp, " + title, "runpod",
                  ["cp", iris, "runpod://EU-RO-1/voleusecret1/%s/x.csv" % scope], faulted,
                  ok=fault == "truncated", says=says)  # a PUT whose answer was cut is sent again
    return [wrong_s3["RUNPOD_S3_SECRET_ACCESS_KEY"]]

def bot_config(home, name, provider, backend, storage):
    """A bot configuration for console runs (the terminal's user is the allowed one)."""
    path = os.path.join(home, "bot", name + ".json")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        json.dump({"provider": provider, "backend": backend, "storage": storage,
                   "trainer": {"image": "ghcr.io/acme/trainer:1"}, "access": {"allowed_user_ids": [4242]},
                   "telegram": {"api_base_url": fixture_url("bot_api_fake"), "poll_timeout_s": 1},
                   "database": os.path.join(home, "bot", name + ".db")}, f)
    return path


def bot_runs(r, home):
    """The bot's runs: (name, arguments, environment, must succeed, expected text, stdin)."""
    iris = os.path.join(DATA_DIR, "iris.csv")
    aws = aws_env(home)
    bucket = aws["MLCLOUD_AWS_BUCKET"]
    aws_config = bot_config(home, "aws", "aws", {"bucket": bucket, "instance_types": ["g4dn.xlarge"]},
                            {"datasets": "s3://%s/bot/datasets" % bucket, "models": "s3://%s/bot/models" % bucket,
                             "inputs": "s3://%s/bot/inputs" % bucket})
    runpod = runpod_env(home)
    volume = "runpod://EU-RO-1/voleusecret1/bot"
    runpod_config = bot_config(home, "runpod", "runpod", {"datacenter": "EU-RO-1", "network_volume_id": "voleusecret1"},
                               {"datasets": volume + "/datasets", "models": volume + "/models",
                                "inputs": volume + "/inputs"})
    secret_in_file = bot_config(home, "secret-in-file", "aws",
                                {"bucket": bucket, "secret_access_key": SECRETS["AWS_SECRET_ACCESS_KEY"]}, {})
    r.planted.add(os.path.realpath(secret_in_file))
    # The dataset upload is refused (403 echoing the key id) the way S3 refuses a signature.
    inject("forbidden", "PutObject", "bot/datasets/4242/")
    # Conversations: a dataset by path, the target column, the recommended GPU, then Cancel (2)
    # or Launch (1) at the confirmation.
    upload = [("Ctrl-D ends", "/train"), ("Send the dataset", iris), ("Which column", "5"),
              ("Accept the recommendation", "1")]
    cancel = upload + [("Confirm the launch", "2")]
    runs = [
        ("--help", ["--help"], aws, True, "usage", None),
        ("unknown argument", ["--frobnicate"], aws, False, "unknown argument", None),
        ("--check-config aws", ["--check-config", aws_config], aws, True, None, None),
        ("--check-config with a secret in the file", ["--check-config", secret_in_file], aws, False,
         "secret_access_key", None),
        ("telegram: a token the Bot API rejects (401)", ["--config", aws_config],
         dict(aws, TELEGRAM_BOT_TOKEN=WRONG_TELEGRAM_TOKEN), False, "getMe", None),
    ]
    conversations = [
        ("console aws: /help", aws_config, aws, [("Ctrl-D ends", "/help")], "/train"),
        ("console aws: dataset uploaded, launch cancelled", aws_config, aws, cancel, "Cancelled"),
        ("console aws: dataset upload refused (403)", aws_config, proxied(aws), upload[:2],
         "rejected the credentials"),
        ("console runpod: dataset uploaded, launch cancelled", runpod_config, runpod, cancel, "Cancelled"),
        ("console runpod: launch with a wrong API key (401)", runpod_config,
         dict(runpod, RUNPOD_API_KEY=WRONG_RUNPOD_API_KEY), upload + [("Confirm the launch", "1")],
         "rejected the credentials"),
    ]
    for name, config, env, steps, says in conversations:
        r.converse("bot: " + name, [BOT, "--console", "--config", config], env, steps, says=says, cwd=home)
    for name, args, env, ok, says, stdin in runs:
        r.run("bot: " + name, [BOT, *args], env, ok, says=says, stdin=stdin, timeout=60, cwd=home)
    # Its own database: the console runs above left conversations in theirs.
    telegram_config = bot_config(home, "aws-telegram", "aws", {"bucket": bucket}, {})
    telegram_run(r, home, telegram_config, aws)


def bot_api(method, path, body=None):
    url = fixture_url("bot_api_fake") + path
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=10) as resp:
        return json.loads(resp.read() or b"null")


def telegram_run(r, home, config, env):
    """The bot polling the Bot API fake with the secret token: /help answered after a
    sendMessage that failed with 500 (the bot logs the failed call), then SIGTERM."""
    name = "bot: telegram: a failed sendMessage logged, /help answered"
    token = SECRETS["TELEGRAM_BOT_TOKEN"]
    start = time.monotonic()
    p = subprocess.Popen([BOT, "--config", config], env=env, cwd=home, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE)
    bot_api("POST", "/test/fault", {"token": token, "method": "sendMessage", "error_code": 500, "count": 1,
                                    "description": "Internal Server Error"})
    bot_api("POST", "/test/message", {"token": token, "user_id": 4242, "chat_id": 4242, "text": "/help"})
    answered = False
    while not answered and time.monotonic() - start < 30 and p.poll() is None:
        messages = bot_api("GET", "/test/messages?token=%s&chat_id=4242" % urllib.parse.quote(token))
        answered = any("/train" in m.get("text", "") for m in messages)
        time.sleep(0.1)
    p.terminate()
    try:
        out, err = p.communicate(timeout=20)
    except subprocess.TimeoutExpired:
        p.kill()
        out, err = p.communicate()
    out, err = out.decode("utf-8", "replace"), err.decode("utf-8", "replace")
    r.outputs.append((name + " (stdout)", out))
    r.outputs.append((name + " (stderr)", err))
    if not answered:
        calls = bot_api("GET", "/test/calls?token=%s" % urllib.parse.quote(token))
        r.failures.append("%s: /help was never answered\n%s%s\ncalls: %s" % (name, out, err, calls[-10:]))
    if "sendMessage" not in out + err:
        r.failures.append("%s: the failed sendMessage was not logged\n%s%s" % (name, out, err))
    if p.returncode != 0:
        r.failures.append("%s: exit %d\n%s%s" % (name, p.returncode, out, err))
    print("%-58s exit %d  %4.1f s" % (name, p.returncode, time.monotonic() - start))
    if os.environ.get("MLCLOUD_SECRETS_VERBOSE"):
        print("    " + (out + err).strip().replace("\n", "\n    "))


def main():
    with tempfile.TemporaryDirectory(prefix="mlcloud-secrets-") as home:
        r = Runs(home)
        usage_runs(r, home)
        local_runs(r, home)
        aws_runs(r, home)
        extra = runpod_runs(r, home)
        if BOT:
            bot_runs(r, home)
        found, searched = leaks(r)
        for secret in extra:
            for where, text in r.outputs:
                if any(p in text for p in pieces(secret)):
                    found.append("the wrong RunPod S3 secret leaked into " + where)
        runs = len(r.outputs) // 2
        print("\n%d runs, %d outputs and files searched for %d secrets (and every %d-character piece): %d leaks"
              % (runs, searched, len(SECRETS) + 2 + len(extra), PIECE, len(found)))
        for f in r.failures + found:
            print("FAIL:", f)
        return 1 if r.failures or found else 0


if __name__ == "__main__":
    sys.exit(main())
