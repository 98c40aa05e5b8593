#!/usr/bin/env python3
#
# Copyright (c) 2026 mlcloud developers
# Distributed under the Boost Software License, Version 1.0.
#
"""`mlcloud --provider runpod` end to end against the RunPod contract fake (fixture runpod_fake):
setup (twice), cp, ls, train --follow, jobs, logs, status, predict, and cancel of a second job.

    cli_e2e.py MLCLOUD_CLI SOURCE_DIR FIXTURE_DIR
"""
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.request

CLI, SOURCE_DIR, FIXTURE_DIR = sys.argv[1], sys.argv[2], sys.argv[3]
MARKER = "\u2705 Model saved successfully!"
DATACENTER = "EU-CZ-1"


def fake_url():
    with open(os.path.join(FIXTURE_DIR, "runpod_fake.port"), encoding="utf-8") as f:
        return f"http://127.0.0.1:{int(f.read())}"


class RunPodCli(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        base = fake_url()
        cls.base = base
        cls.env = {k: v for k, v in os.environ.items() if not k.startswith(("RUNPOD_", "MLCLOUD_"))}
        cls.env.update({
            "RUNPOD_API_KEY": "rpa_test_key",
            "RUNPOD_REST_URL": base + "/rest/v2",
            "RUNPOD_SERVERLESS_URL": base + "/ai/v2",
            "RUNPOD_S3_ENDPOINT_URL": base,
            "RUNPOD_S3_ACCESS_KEY_ID": "user_test",
            "RUNPOD_S3_SECRET_ACCESS_KEY": "rps_test_secret",
            "RUNPOD_DATACENTER": DATACENTER,
            "RUNPOD_ENDPOINT_ID": "ep-test",
            "MLCLOUD_TRAINER_IMAGE": "mlcloud/trainer:test",
            "MLCLOUD_CLI_STATE": os.path.join(cls.tmp.name, "state"),
            "MLCLOUD_PROVIDER": "runpod",
            "NO_PROXY": "127.0.0.1", "no_proxy": "127.0.0.1",
        })
        for k in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "ALL_PROXY", "all_proxy"):
            cls.env.pop(k, None)
        cls.volume_name = f"e2e-{os.getpid()}"

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def mlcloud(self, *args, ok=True):
        p = subprocess.run([CLI, *args], capture_output=True, env=self.env, timeout=300)
        out, err = p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")
        if ok and p.returncode != 0:
            self.fail(f"mlcloud {' '.join(args)} exited {p.returncode}\nstdout:\n{out}\nstderr:\n{err}")
        return p.returncode, out, err

    def inject(self, fault):
        req = urllib.request.Request(self.base + "/_fake/faults", data=json.dumps(fault).encode(), method="POST",
                                     headers={"Content-Type": "application/json"})
        urllib.request.urlopen(req, timeout=10).close()

    def fake(self, path):
        with urllib.request.urlopen(self.base + path, timeout=10) as r:
            return json.loads(r.read())

    def test_end_to_end(self):
        # setup: creates the volume the first time, finds it the second time and changes nothing.
        _, out, _ = self.mlcloud("setup", "--volume-name", self.volume_name)
        self.assertIn("API key: accepted", out)
        self.assertIn(f"network volume: created '{self.volume_name}'", out)
        self.assertIn("S3 API key: accepted", out)
        self.assertIn("serverless endpoint ep-test: workers:", out)
        volume = re.search(r"\(([a-z0-9]+), \d+ GB\) in " + DATACENTER, out).group(1)
        _, again, _ = self.mlcloud("setup", "--volume-name", self.volume_name)
        self.assertIn(f"network volume: found '{self.volume_name}' ({volume}", again)
        self.assertNotIn("created", again)
        self.assertNotIn("saved:", again)
        named = [v for v in self.fake("/_fake/requests?contains=" + self.volume_name)["requests"]
                 if v["method"] == "POST"]
        self.assertEqual(len(named), 1)
        root = f"runpod://{DATACENTER}/{volume}/"

        # cp and ls
        iris = os.path.join(SOURCE_DIR, "examples", "data", "iris.csv")
        _, out, _ = self.mlcloud("cp", iris, root + "e2e/iris.csv")
        self.assertIn("uploaded", out)
        _, out, _ = self.mlcloud("ls", root + "e2e/")
        self.assertIn(root + "e2e/iris.csv", out)
        _, out, _ = self.mlcloud("ls")  # the default volume saved by setup
        self.assertIn(root + "e2e/iris.csv", out)

        # train, following the log to the end; the real trainer runs in the fake's pod
        _, out, err = self.mlcloud("train", "--data", root + "e2e/iris.csv", "--target", "species",
                                   "--gpu", "NVIDIA RTX A5000", "--name", "e2e-iris", "--yes", "--follow")
        self.assertIn("dataset: ", out)
        self.assertIn(MARKER, out)

        _, jobs, _ = self.mlcloud("jobs")
        line = [l for l in jobs.splitlines() if "e2e-iris" in l][0]
        provider, job_id = line.split("\t")[:2]
        self.assertEqual(provider, "runpod")
        pods = self.fake("/_fake/pods?name_contains=mlcloud-e2e-iris")["pods"]
        self.assertEqual(len(pods), 1)
        self.assertEqual(pods[0]["status"], "TERMINATED")  # stopped after the completion line

        _, out, _ = self.mlcloud("logs", job_id)
        self.assertIn(MARKER, out)
        _, out, _ = self.mlcloud("status", job_id)
        self.assertIn("state: succeeded", out)
        self.assertIn("cost so far: $", out)

        # predict on the serverless endpoint, with the model the job saved on the volume
        _, models, _ = self.mlcloud("ls", root + "models/")
        model = [l.split("\t")[1] for l in models.splitlines() if l.endswith("/model.json") and "e2e-iris" in l][0]
        rows = os.path.join(SOURCE_DIR, "examples", "data", "iris-predict.csv")
        _, out, err = self.mlcloud("predict", "--model", model, "--input", rows)
        lines = out.splitlines()
        self.assertTrue(lines[0].endswith(",prediction"))
        with open(rows, encoding="utf-8") as f:
            self.assertEqual(len(lines), len(f.read().splitlines()))
        self.assertIn("runpod-", err)

        # cancel a job that would run forever
        self.mlcloud("train", "--data", root + "e2e/iris.csv", "--target", "species", "--gpu", "NVIDIA RTX A5000",
                     "--name", "e2e-forever", "--yes", "--", "working", "@hang")
        _, jobs, _ = self.mlcloud("jobs")
        forever = [l for l in jobs.splitlines() if "e2e-forever" in l][0].split("\t")[1]
        _, out, _ = self.mlcloud("cancel", forever)
        self.assertIn("cancelled", out)
        pods = self.fake("/_fake/pods?name_contains=mlcloud-e2e-forever")["pods"]
        self.assertEqual([p["status"] for p in pods], ["TERMINATED"])

        # A launch whose answer is lost and whose pod is not listed yet: the CLI names the --name
        # and --key that adopt the pod, and using them starts no second one.
        self.inject({"kind": "create_unreadable", "scope": "e2e-adopt", "unlisted": 8})  # beyond the 2 checks 2 s apart
        adopt = ["train", "--data", root + "e2e/iris.csv", "--target", "species", "--gpu", "NVIDIA RTX A5000",
                 "--name", "e2e-adopt", "--yes"]
        code, _, err = self.mlcloud(*adopt, "--", "working", "@hang", ok=False)
        self.assertEqual(code, 1, err)
        key = re.search(r"run the same command with --name e2e-adopt --key (\S+)", err).group(1)
        for _ in range(100):  # until RunPod lists the pod, as the hint says
            if "mlcloud-e2e-adopt" in self.mlcloud("reconcile", ok=False)[1]:
                break
            time.sleep(0.2)
        self.mlcloud(*adopt, "--key", key, "--", "working", "@hang")
        pods = self.fake("/_fake/pods?name_contains=mlcloud-e2e-adopt")["pods"]
        self.assertEqual(len(pods), 1, pods)
        _, jobs, _ = self.mlcloud("jobs")
        adopted = [l for l in jobs.splitlines() if "e2e-adopt" in l][0].split("\t")[1]
        self.assertEqual(adopted, pods[0]["id"])
        self.mlcloud("cancel", adopted)

    def test_errors_are_clear(self):
        env = dict(self.env, RUNPOD_API_KEY="rpa_wrong")
        p = subprocess.run([CLI, "setup"], capture_output=True, env=env, timeout=60)
        self.assertNotEqual(p.returncode, 0)
        text = (p.stdout + p.stderr).decode()
        self.assertIn("API key", text)
        self.assertNotIn("rpa_wrong", text)

    def test_the_api_key_from_runpods_own_config_file(self):
        # Without RUNPOD_API_KEY, the key runpodctl saved in ~/.runpod/config.toml is used.
        home = os.path.join(self.tmp.name, "home")
        config = os.path.join(home, ".runpod", "config.toml")
        os.makedirs(os.path.dirname(config), exist_ok=True)
        env = {k: v for k, v in self.env.items() if k != "RUNPOD_API_KEY"}
        env["HOME"] = home

        def setup(text):
            with open(config, "w") as f:
                f.write(text)
            p = subprocess.run([CLI, "setup", "--volume-name", f"home-{os.getpid()}"], capture_output=True, env=env,
                               timeout=120)
            return p.returncode, (p.stdout + p.stderr).decode()

        code, out = setup('apikey = "rpa_test_key"\napiurl = "https://api.runpod.io/graphql"\n')
        self.assertEqual(code, 0, out)
        self.assertIn("API key: accepted", out)
        # A file that cannot be read: its name and line, never the key.
        code, out = setup('apikey = "rpa_test_key\n')
        self.assertNotEqual(code, 0)
        self.assertIn(config + " line 1", out)
        self.assertNotIn("rpa_test_key", out)


if __name__ == "__main__":
    unittest.main(argv=[sys.argv[0], "-v"])
