#!/usr/bin/env python3
# Copyright (c) 2026 mlcloud developers
# Distributed under the Boost Software License, Version 1.0.
"""examples/lambda_worker's `bootstrap` against the fake Lambda Runtime API, with the model
and rows in moto's S3.

    lambda_worker_test.py <bootstrap> <mlcloud-trainer> <examples/data> <fixture dir>

A model is trained with mlcloud-trainer on iris.csv and put into S3; five invocations are
queued (inline rows, rows in S3, a missing model, rows without a feature, an event that is
not JSON); the bootstrap serves them and stops (--max-invocations). Each answer is checked.
"""
import csv
import io
import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "fakes"))
from lambda_runtime_api import RuntimeApi  # noqa: E402

import boto3  # noqa: E402


def main():
    bootstrap, trainer, data_dir, fixture_dir = sys.argv[1:5]
    moto = "http://127.0.0.1:" + open(os.path.join(fixture_dir, "aws_moto.port")).read().strip()
    env = {
        "PATH": "/usr/bin:/bin",
        "AWS_ACCESS_KEY_ID": "AKIDMLCLOUDTEST",
        "AWS_SECRET_ACCESS_KEY": "mlcloud-test-secret",
        "AWS_REGION": "us-east-1",
        "AWS_ENDPOINT_URL": moto,
    }
    s3 = boto3.client("s3", endpoint_url=moto, region_name="us-east-1",
                      aws_access_key_id=env["AWS_ACCESS_KEY_ID"], aws_secret_access_key=env["AWS_SECRET_ACCESS_KEY"])
    bucket = "lambda-worker-%d" % os.getpid()
    s3.create_bucket(Bucket=bucket)

    with tempfile.TemporaryDirectory() as tmp:
        model = os.path.join(tmp, "model.json")
        subprocess.run([trainer, "train", "--data", os.path.join(data_dir, "iris.csv"), "--model", model,
                        "--target", "species", "--epochs", "50"], check=True, capture_output=True)
        s3.upload_file(model, bucket, "models/iris.json")
        rows = open(os.path.join(data_dir, "iris-predict.csv")).read()
        s3.put_object(Bucket=bucket, Key="rows/iris-predict.csv", Body=rows.encode())
        expected_rows = len(list(csv.reader(io.StringIO(rows)))) - 1

        api = RuntimeApi().start()
        model_uri = "s3://%s/models/iris.json" % bucket
        ids = {
            "inline": api.enqueue(json.dumps({"model": model_uri, "input": rows, "request": "r1"})),
            "uri": api.enqueue(json.dumps({"model": model_uri, "input_uri": "s3://%s/rows/iris-predict.csv" % bucket})),
            "missing": api.enqueue(json.dumps({"model": "s3://%s/models/none.json" % bucket, "input": rows})),
            "bad_rows": api.enqueue(json.dumps({"model": model_uri, "input": "sepal_length\n5.1\n"})),
            "not_json": api.enqueue("this is not json"),
        }
        worker_env = dict(env, AWS_LAMBDA_RUNTIME_API="127.0.0.1:%d" % api.port, HOME=tmp)
        proc = subprocess.run([bootstrap, "--max-invocations", str(len(ids))], env=worker_env,
                              capture_output=True, text=True, timeout=120)
        answers = api.results()["answers"]
        failures = []

        def check(cond, what):
            if not cond:
                failures.append(what)

        check(proc.returncode == 0, "bootstrap exit status %d: %s" % (proc.returncode, proc.stderr[-2000:]))
        for name in ("inline", "uri"):
            a = answers.get(ids[name])
            check(a is not None and a["kind"] == "response", "%s: %r" % (name, a))
            if a and a["kind"] == "response":
                doc = json.loads(a["body"])
                table = list(csv.reader(io.StringIO(doc["output"])))
                check(doc["rows"] == expected_rows, "%s: rows %r" % (name, doc.get("rows")))
                check(table[0][-1] == "prediction", "%s: header %r" % (name, table[0]))
                check(len(table) == expected_rows + 1, "%s: %d lines" % (name, len(table)))
                check(all(r[-1] in ("setosa", "versicolor", "virginica") for r in table[1:]),
                      "%s: predictions %r" % (name, [r[-1] for r in table[1:]]))
        for name, error_type, text in (("missing", "mlcloud.NotFound", "does not exist"),
                                       ("bad_rows", "mlcloud.InvalidInput", ""),
                                       ("not_json", "mlcloud.InvalidInput", "")):
            a = answers.get(ids[name])
            check(a is not None and a["kind"] == "error", "%s: %r" % (name, a))
            if a and a["kind"] == "error":
                doc = json.loads(a["body"])
                check(a["error_type"] == error_type, "%s: header type %r" % (name, a["error_type"]))
                check(doc["errorType"] == error_type, "%s: errorType %r" % (name, doc))
                check(text in doc["errorMessage"], "%s: message %r" % (name, doc["errorMessage"]))
        api.stop()

    if failures:
        print("FAILED:\n  " + "\n  ".join(failures))
        return 1
    print("lambda worker: %d invocations answered as expected" % len(ids))
    return 0


if __name__ == "__main__":
    sys.exit(main())
