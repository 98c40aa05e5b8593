#!/usr/bin/env python3
# Copyright (c) 2026 mlcloud developers
# Distributed under the Boost Software License, Version 1.0.
"""`mlcloud reconcile` end to end, on the local backend (jobs of a temporary MLCLOUD_HOME), on AWS (moto, fixture faults_moto, region eu-west-2 that
nothing else uses) and on RunPod (the fake of fixture faults_runpod).

    cli_reconcile.py <mlcloud> <fixture dir>

For each provider: a job launched by the CLI (so it has a record), an orphan launched behind
the CLI's back (boto3 / the REST API, tagged or named as mlcloud does), and a record whose
machine is gone. Then: the report (exit 3, the orphan with its cost, the gone record), the
report with --terminate while the orphan is younger than --min-age (left alone), --terminate
--min-age 0 (stopped), and a last report with nothing left (exit 0).
"""
import json
import os
import subprocess
import sys
import tempfile
import unittest
import urllib.request

import boto3

CLI, FIXTURE_DIR = sys.argv[1], sys.argv[2]


def fixture_url(name):
    with open(os.path.join(FIXTURE_DIR, name + ".port"), encoding="utf-8") as f:
        return "http://127.0.0.1:%d" % int(f.read())


def clean_env():
    env = {k: v for k, v in os.environ.items() if not k.startswith(("RUNPOD_", "MLCLOUD_", "AWS_"))}
    for k in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "ALL_PROXY", "all_proxy"):
        env.pop(k, None)
    return env


class Reconcile:
    provider = ""

    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.env = clean_env()
        self.env.update({"HOME": self.tmp.name, "MLCLOUD_CLI_STATE": os.path.join(self.tmp.name, "state"),
                         "MLCLOUD_TRAINER_IMAGE": "ghcr.io/acme/trainer:1"})

    def tearDown(self):
        self.tmp.cleanup()

    def mlcloud(self, *args, code=0):
        p = subprocess.run([CLI, "--provider", self.provider, *args], env=self.env, capture_output=True, text=True,
                           timeout=120)
        self.assertEqual(p.returncode, code, "mlcloud %s\nstdout:\n%s\nstderr:\n%s" % (" ".join(args), p.stdout, p.stderr))
        return p.stdout + p.stderr

    def write_record(self, job_id):
        jobs = os.path.join(self.env["MLCLOUD_CLI_STATE"], "jobs")
        os.makedirs(jobs, exist_ok=True)
        with open(os.path.join(jobs, job_id + ".json"), "w", encoding="utf-8") as f:
            json.dump({"provider": self.provider, "id": job_id, "name": "gone"}, f)

    def recorded_ids(self):
        return sorted(n[:-5] for n in os.listdir(os.path.join(self.env["MLCLOUD_CLI_STATE"], "jobs")))

    def scenario(self, launch_recorded, launch_orphan, is_stopped, gone_id):
        launch_recorded()
        recorded = self.recorded_ids()
        self.assertEqual(len(recorded), 1)
        orphan = launch_orphan()
        self.write_record(gone_id)

        out = self.mlcloud("reconcile", code=3)
        self.assertIn("1 orphan(s): running without a record", out)
        self.assertIn(orphan, out)
        self.assertIn("cost so far $", out)
        self.assertIn("orphans' cost so far: $", out)
        self.assertIn("1 with a record here", out)
        self.assertIn("%s  gone" % gone_id, out)
        self.assertIn("reconcile --terminate", out)
        self.assertNotIn(recorded[0], out)  # a tracked job is only counted
        self.assertFalse(is_stopped(orphan))

        # --terminate gives a machine 10 minutes to be recorded by whoever launched it.
        out = self.mlcloud("reconcile", "--terminate")  # nothing to do yet: exit 0
        self.assertIn("launched too recently to judge", out)
        self.assertFalse(is_stopped(orphan))

        out = self.mlcloud("reconcile", "--terminate", "--min-age", "0")
        self.assertIn("-> stopped", out)
        self.assertIn(orphan, out)
        self.assertTrue(is_stopped(orphan))

        out = self.mlcloud("reconcile")
        self.assertIn("no orphans", out)
        # The recorded job was never touched.
        status = self.mlcloud("status", recorded[0])
        self.assertRegex(status, r"state: (running|provisioning)")
        self.mlcloud("cancel", recorded[0])


class LocalReconcile(Reconcile, unittest.TestCase):
    provider = "local"

    def setUp(self):
        super().setUp()
        self.env["MLCLOUD_HOME"] = os.path.join(self.tmp.name, "local")
        self.mlcloud("cp", __file__, "datasets/x.csv")

    def tearDown(self):
        # Nothing of this test may outlive it: stop whatever job is left.
        subprocess.run([CLI, "--provider", "local", "reconcile", "--terminate", "--min-age", "0"], env=self.env,
                       capture_output=True, timeout=60)
        super().tearDown()

    def launch_orphan(self):
        # Launched by the CLI, then its record is lost.
        before = set(self.recorded_ids())
        self.mlcloud("train", "--data", "datasets/x.csv", "--target", "y", "--name", "orphan", "--yes", "--",
                     "/bin/sleep", "120")
        (new,) = set(self.recorded_ids()) - before
        os.remove(os.path.join(self.env["MLCLOUD_CLI_STATE"], "jobs", new + ".json"))
        return new

    def is_stopped(self, job_id):
        out = subprocess.run([CLI, "--provider", "local", "status", job_id], env=self.env, capture_output=True,
                             text=True, timeout=60).stdout
        return "state: cancelled" in out

    def test_reconcile(self):
        self.scenario(lambda: self.mlcloud("train", "--data", "datasets/x.csv", "--target", "y", "--yes", "--",
                                           "/bin/sleep", "120"),
                      self.launch_orphan, self.is_stopped, "local-20260101T000000-0badf00d")


class AwsReconcile(Reconcile, unittest.TestCase):
    provider = "aws"
    region = "eu-west-2"

    def setUp(self):
        super().setUp()
        moto = fixture_url("faults_moto")
        self.env.update({"AWS_ACCESS_KEY_ID": "AKIDMLCLOUDTEST", "AWS_SECRET_ACCESS_KEY": "mlcloud-test-secret",
                         "AWS_REGION": self.region, "AWS_ENDPOINT_URL": moto, "MLCLOUD_AWS_AMI": "ami-12345678",
                         "MLCLOUD_AWS_BUCKET": "reconcile-data"})
        self.ec2 = boto3.session.Session(aws_access_key_id="AKIDMLCLOUDTEST", aws_secret_access_key="x",
                                         region_name=self.region).client("ec2", endpoint_url=moto)

    def launch_orphan(self):
        tags = [{"Key": "mlcloud:job", "Value": "orphan-%d" % os.getpid()}, {"Key": "mlcloud:name", "Value": "orphan"},
                {"Key": "mlcloud:managed-by", "Value": "mlcloud"}, {"Key": "Name", "Value": "orphan"}]
        r = self.ec2.run_instances(ImageId="ami-12345678", InstanceType="g4dn.xlarge", MinCount=1, MaxCount=1,
                                   TagSpecifications=[{"ResourceType": "instance", "Tags": tags}])
        return r["Instances"][0]["InstanceId"]

    def is_stopped(self, instance_id):
        r = self.ec2.describe_instances(InstanceIds=[instance_id])
        return r["Reservations"][0]["Instances"][0]["State"]["Name"] in ("shutting-down", "terminated")

    def test_reconcile(self):
        # train checks that its dataset is stored.
        s3 = boto3.session.Session(aws_access_key_id="AKIDMLCLOUDTEST", aws_secret_access_key="x",
                                   region_name=self.region).client("s3", endpoint_url=fixture_url("faults_moto"))
        try:
            s3.create_bucket(Bucket="reconcile-data", CreateBucketConfiguration={"LocationConstraint": self.region})
        except s3.exceptions.BucketAlreadyOwnedByYou:
            pass
        self.mlcloud("cp", __file__, "s3://reconcile-data/iris.csv")
        self.scenario(lambda: self.mlcloud("train", "--data", "s3://reconcile-data/iris.csv", "--target", "species",
                                           "--gpu", "g4dn.xlarge", "--yes"),
                      self.launch_orphan, self.is_stopped, "i-0123456789abcdef0")


class RunPodReconcile(Reconcile, unittest.TestCase):
    provider = "runpod"

    def setUp(self):
        super().setUp()
        self.base = fixture_url("faults_runpod")
        self.env.update({"RUNPOD_API_KEY": "rpa_test_key", "RUNPOD_REST_URL": self.base + "/rest/v2",
                         "RUNPOD_SERVERLESS_URL": self.base + "/ai/v2", "RUNPOD_S3_ENDPOINT_URL": self.base,
                         "RUNPOD_S3_ACCESS_KEY_ID": "user_test", "RUNPOD_S3_SECRET_ACCESS_KEY": "rps_test_secret",
                         "RUNPOD_DATACENTER": "EU-RO-1", "RUNPOD_NETWORK_VOLUME_ID": "voleutest01"})

    def rest(self, method, path, body=None):
        req = urllib.request.Request(self.base + path, method=method,
                                     data=json.dumps(body).encode() if body is not None else None,
                                     headers={"Authorization": "Bearer rpa_test_key",
                                              "Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=30) as r:
            data = r.read()
            return json.loads(data) if data else None

    def launch_orphan(self):
        pod = self.rest("POST", "/rest/v2/pods", {
            "name": "mlcloud-orphan-%d" % os.getpid(), "image": "ghcr.io/acme/trainer:1", "args": "@hang",
            "gpu": {"id": "NVIDIA RTX A5000", "count": 1}, "cloud": "SECURE", "dataCenterIds": ["EU-RO-1"]})
        return pod["id"]

    def is_stopped(self, pod_id):
        pods = json.loads(urllib.request.urlopen(self.base + "/_fake/pods", timeout=30).read())["pods"]
        return [p["status"] for p in pods if p["id"] == pod_id] == ["TERMINATED"]

    def test_reconcile(self):
        self.mlcloud("cp", __file__, "runpod://EU-RO-1/voleutest01/datasets/x.csv")  # train checks it is stored
        # A pod of the bot's on the same account: the bot reconciles it, the CLI leaves it alone.
        bots = self.rest("POST", "/rest/v2/pods", {
            "name": "mlcloud-bot-7-%d" % os.getpid(), "image": "ghcr.io/acme/trainer:1", "args": "@hang",
            "gpu": {"id": "NVIDIA RTX A5000", "count": 1}, "cloud": "SECURE", "dataCenterIds": ["EU-RO-1"]})["id"]
        try:
            self.scenario(lambda: self.mlcloud("train", "--data", "runpod://EU-RO-1/voleutest01/datasets/x.csv",
                                               "--target", "y", "--gpu", "NVIDIA RTX A5000", "--yes", "--", "@hang"),
                          self.launch_orphan, self.is_stopped, "nosuchpod0000x")
            self.assertIn("carry the bot's name (mlcloud-bot-...): the bot reconciles them", self.mlcloud("reconcile"))
            self.assertFalse(self.is_stopped(bots))
        finally:
            self.rest("POST", "/rest/v2/pods/%s/action" % bots, {"action": "terminate"})


if __name__ == "__main__":
    unittest.main(argv=[sys.argv[0], "-v"])
