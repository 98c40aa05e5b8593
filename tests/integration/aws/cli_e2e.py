#!/usr/bin/env python3
# Copyright (c) 2026 mlcloud developers
# Distributed under the Boost Software License, Version 1.0.
"""`mlcloud --provider aws` end to end against moto_server, as a user would try it with
AWS_ENDPOINT_URL pointing at moto.

    cli_e2e.py <mlcloud> <mlcloud-trainer> <examples/data> <fixture dir>

setup (twice: the second run creates nothing), cp, ls, train, status, logs, cancel, predict,
rm. moto runs no instance and no function code: where the instance would write its log and
tag its result, and where the Lambda function would answer, this script does it through the
same APIs (boto3), with the answer computed by mlcloud-trainer's own predict command.
"""
import json
import os
import re
import subprocess
import sys
import tempfile
import urllib.request

import boto3

failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
    return cond


def main():
    cli, trainer, data_dir, fixture_dir = sys.argv[1:5]
    moto = "http://127.0.0.1:" + open(os.path.join(fixture_dir, "aws_moto.port")).read().strip()
    tmp = tempfile.mkdtemp(prefix="mlcloud-cli-aws-")
    pid = os.getpid()
    log_group = "/mlcloud/cli-%d" % pid
    function = "mlcloud-predict-%d" % pid
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": tmp,
        "AWS_ACCESS_KEY_ID": "AKIDMLCLOUDTEST",
        "AWS_SECRET_ACCESS_KEY": "mlcloud-test-secret",
        "AWS_REGION": "us-east-1",
        "AWS_ENDPOINT_URL": moto,
        "MLCLOUD_CLI_STATE": os.path.join(tmp, "state"),
        "MLCLOUD_AWS_AMI": "ami-12345678",
        "MLCLOUD_AWS_INSTANCE_PROFILE": "mlcloud-worker",
        "MLCLOUD_AWS_LOG_GROUP": log_group,
        "MLCLOUD_AWS_LAMBDA_FUNCTION": function,
        "MLCLOUD_TRAINER_IMAGE": "ghcr.io/acme/mlcloud-trainer:1",
    }
    session = boto3.session.Session(aws_access_key_id=env["AWS_ACCESS_KEY_ID"],
                                    aws_secret_access_key=env["AWS_SECRET_ACCESS_KEY"], region_name="us-east-1")
    logs = session.client("logs", endpoint_url=moto)
    ec2 = session.client("ec2", endpoint_url=moto)

    def mlcloud(*args, expect=0):
        p = subprocess.run([cli, "--provider", "aws", *args], env=env, capture_output=True, text=True, timeout=120)
        check(p.returncode == expect, "mlcloud %s: exit %d (expected %d)\nstdout: %s\nstderr: %s"
              % (" ".join(args), p.returncode, expect, p.stdout[-2000:], p.stderr[-2000:]))
        return p.stdout + p.stderr

    # setup: the bucket is named after the account and remembered; the second run finds all.
    bucket = "mlcloud-123456789012-us-east-1"
    first = mlcloud("setup")
    check(re.search(r"(created|found) bucket " + bucket, first), "setup 1: bucket: " + first)
    check("created log group " + log_group in first, "setup 1: log group: " + first)
    check("missing Lambda function" in first, "setup 1: function: " + first)
    second = mlcloud("setup")
    check("found bucket " + bucket in second and "found log group " + log_group in second, "setup 2: " + second)
    check("created" not in second, "setup 2 created something: " + second)

    # cp and ls
    iris = os.path.join(data_dir, "iris.csv")
    out = mlcloud("cp", iris, "s3://%s/datasets/iris.csv" % bucket)
    check("uploaded %d bytes" % os.path.getsize(iris) in out, "cp: " + out)
    out = mlcloud("ls", "s3://%s/datasets/" % bucket)
    check("%d\ts3://%s/datasets/iris.csv" % (os.path.getsize(iris), bucket) in out, "ls: " + out)
    # A relative key is below the bucket and prefix setup remembered, as train's datasets are;
    # a bare ls lists that place; a destination ending in / keeps the file's name.
    out = mlcloud("cp", iris, "datasets/relative.csv")
    check("to s3://%s/mlcloud/datasets/relative.csv" % bucket in out, "cp to a relative key: " + out)
    out = mlcloud("ls")
    check("\ts3://%s/mlcloud/datasets/relative.csv" % bucket in out, "bare ls: " + out)
    out = mlcloud("rm", "datasets/relative.csv")
    check("removed s3://%s/mlcloud/datasets/relative.csv" % bucket in out, "rm of a relative key: " + out)
    out = mlcloud("cp", iris, "s3://%s/copies/" % bucket)
    check("to s3://%s/copies/iris.csv" % bucket in out, "cp to a directory: " + out)
    out = mlcloud("cp", iris, ".")
    check("to s3://%s/mlcloud/iris.csv" % bucket in out, "cp to the default place: " + out)
    out = mlcloud("cp", iris, "../outside.csv", expect=1)
    check("climbs out of s3://%s/mlcloud" % bucket in out, "cp out of the default place: " + out)
    back = os.path.join(tmp, "iris-back.csv")
    mlcloud("cp", "s3://%s/datasets/iris.csv" % bucket, back, "--download")
    check(open(back).read() == open(iris).read(), "cp --download: different bytes")

    # train: a local file is uploaded first, then one instance is launched (moto checks that
    # the instance profile exists)
    iam = session.client("iam", endpoint_url=moto)
    try:
        iam.create_instance_profile(InstanceProfileName="mlcloud-worker")
    except iam.exceptions.EntityAlreadyExistsException:
        pass
    out = mlcloud("train", "--data", iris, "--target", "species", "--gpu", "g4dn.xlarge", "--name", "iris-cli",
                  "--yes")
    jobs = mlcloud("jobs")
    ids = re.findall(r"^aws\t(i-[0-9a-f]+)\tiris-cli", jobs, re.M)
    if not check(len(ids) == 1, "jobs: " + jobs + "\ntrain: " + out):
        return report()
    job = ids[0]
    inst = ec2.describe_instances(InstanceIds=[job])["Reservations"][0]["Instances"][0]
    tags = {t["Key"]: t["Value"] for t in inst["Tags"]}
    check(inst["InstanceType"] == "g4dn.xlarge", "instance type %s" % inst["InstanceType"])
    check(tags.get("mlcloud:name") == "iris-cli", "tags %r" % tags)
    check(tags.get("mlcloud:output") == "s3://%s/mlcloud/models/iris-cli/model.json" % bucket, "output tag %r" % tags)
    out = mlcloud("status", job)
    check("state: running" in out or "state: provisioning" in out, "status: " + out)

    # the instance writes its log (docker's awslogs driver) ...
    logs.create_log_stream(logGroupName=log_group, logStreamName=job)
    lines = ["loading data", "epoch 1/2", "epoch 2/2", "\u2705 Model saved successfully!"]
    now = int(__import__("time").time() * 1000)
    logs.put_log_events(logGroupName=log_group, logStreamName=job,
                        logEvents=[{"timestamp": now + i, "message": l} for i, l in enumerate(lines)])
    out = mlcloud("logs", job)
    check(out.splitlines()[:4] == lines, "logs: %r" % out)
    # ... tags its result and powers off
    ec2.create_tags(Resources=[job], Tags=[{"Key": "mlcloud:result", "Value": "succeeded"},
                                           {"Key": "mlcloud:exit-code", "Value": "0"}])
    ec2.terminate_instances(InstanceIds=[job])
    out = mlcloud("status", job)
    check("state: succeeded" in out and "exit code: 0" in out, "status after: " + out)

    # cancel another job
    mlcloud("train", "--data", "s3://%s/datasets/iris.csv" % bucket, "--target", "species", "--gpu", "g5.xlarge",
            "--spot", "--name", "to-cancel", "--yes")
    other = re.findall(r"^aws\t(i-[0-9a-f]+)\tto-cancel", mlcloud("jobs"), re.M)
    if check(len(other) == 1, "second job not recorded"):
        out = mlcloud("cancel", other[0])
        check("cancelled" in out, "cancel: " + out)
        check("state: cancelled" in mlcloud("status", other[0]), "status after cancel")
    out = mlcloud("status", "i-0123456789abcdef0", expect=1)
    check("not found" in out.lower() or "NotFound" in out, "unknown job: " + out)

    # predict: the model trained here, the function played through moto's simple Lambda mode
    model = os.path.join(tmp, "model.json")
    subprocess.run([trainer, "train", "--data", iris, "--target", "species", "--model", model, "--epochs", "30"],
                   check=True, capture_output=True)
    mlcloud("cp", model, "s3://%s/models/iris.json" % bucket)
    rows = os.path.join(data_dir, "iris-predict.csv")
    expected_file = os.path.join(tmp, "expected.csv")
    subprocess.run([trainer, "predict", "--model", model, "--input", rows, "--output", expected_file], check=True,
                   capture_output=True)
    expected = open(expected_file).read()
    post(moto + "/moto-api/config", {"lambda": {"use_docker": False}})
    role = iam.create_role(RoleName="mlcloud-cli-%d" % pid, AssumeRolePolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"},
                                               "Action": "sts:AssumeRole"}]}))["Role"]["Arn"]
    session.client("lambda", endpoint_url=moto).create_function(
        FunctionName=function, Runtime="provided.al2023", Role=role, Handler="bootstrap", MemorySize=1024,
        Code={"ZipFile": b"PK\x05\x06" + b"\x00" * 18})
    post(moto + "/moto-api/static/lambda-simple/response",
         {"results": [json.dumps({"output": expected, "rows": expected.count("\n") - 1})], "region": "us-east-1"})
    predictions = os.path.join(tmp, "predictions.csv")
    out = mlcloud("predict", "--model", "s3://%s/models/iris.json" % bucket, "--input", rows, "--output", predictions)
    check(os.path.exists(predictions) and open(predictions).read() == expected, "predict output differs: " + out)
    check("aws-" in out, "predict: no request id: " + out)
    out = mlcloud("predict", "--model", "s3://%s/models/none.json" % bucket, "--input", rows, expect=1)
    check("does not exist" in out, "predict missing model: " + out)

    out = mlcloud("rm", "s3://%s/datasets/iris.csv" % bucket)
    check("removed" in out, "rm: " + out)
    check("datasets/iris.csv" not in mlcloud("ls", "s3://%s/datasets/" % bucket), "ls after rm")
    return report()


def post(url, doc):
    req = urllib.request.Request(url, data=json.dumps(doc).encode(), headers={"Content-Type": "application/json"},
                                 method="POST")
    with urllib.request.urlopen(req) as r:
        r.read()


def report():
    if failures:
        print("FAILED:\n" + "\n---\n".join(failures))
        return 1
    print("mlcloud --provider aws: every command worked against moto")
    return 0


if __name__ == "__main__":
    sys.exit(main())
