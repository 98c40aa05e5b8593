#!/usr/bin/env python3
#
# Copyright (c) 2026 mlcloud developers
# Distributed under the Boost Software License, Version 1.0.
#
"""Times botocore's SigV4 signers on the request bench_sigv4 signs (a typical S3 PUT).

Usage: botocore_sigv4_bench.py SECONDS REPEATS
Prints one JSON object: botocore version, the Authorization value for the fixed instant
2015-08-30T12:36:00Z (to check that both sides sign the same request), and the best and median
rates (per second of thread CPU time) over REPEATS timing loops of about SECONDS each, for S3SigV4Auth.add_auth (header
signing) and S3SigV4QueryAuth.add_auth (presigning) on one reused AWSRequest, as botocore
re-signs a request on every retry.
"""
import datetime
import json
import statistics
import sys
import time

import botocore
import botocore.auth as botocore_auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

CREDS = Credentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
URL = "https://my-bucket.s3.us-east-1.amazonaws.com/datasets/train%20set/part-0001.csv"
HEADERS = {
    "Content-Type": "text/csv",
    "Content-Length": "1048576",
    "x-amz-storage-class": "STANDARD",
    "x-amz-meta-job": "job-1234",
}


class StreamedUpload:
    """A client config with S3 payload signing off: the body is streamed (UNSIGNED-PAYLOAD)."""

    s3 = {"payload_signing_enabled": False}


def put_request():
    request = AWSRequest(method="PUT", url=URL, headers=HEADERS)
    request.context["client_config"] = StreamedUpload
    return request


def rate(fn, seconds):
    """Calls per second of this thread's CPU time (the machine may be shared)."""
    n = 0
    start = time.thread_time()
    while True:
        for _ in range(200):
            fn()
        n += 200
        now = time.thread_time()
        if now - start >= seconds:
            return n / (now - start)


def main():
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 1.0
    repeats = int(sys.argv[2]) if len(sys.argv) > 2 else 5

    signer = botocore_auth.S3SigV4Auth(CREDS, "s3", "us-east-1")
    presigner = botocore_auth.S3SigV4QueryAuth(CREDS, "s3", "us-east-1", expires=3600)

    real_clock = botocore_auth.get_current_datetime
    botocore_auth.get_current_datetime = lambda *a, **k: datetime.datetime(2015, 8, 30, 12, 36, 0)
    fixed = put_request()
    signer.add_auth(fixed)
    botocore_auth.get_current_datetime = real_clock

    request = put_request()
    header_rates = [rate(lambda: signer.add_auth(request), seconds) for _ in range(repeats)]

    def presign_once():
        presigner.add_auth(put_request())

    presign_rates = [rate(presign_once, seconds) for _ in range(repeats)]

    print(json.dumps({
        "botocore": botocore.__version__,
        "python": sys.version.split()[0],
        "authorization_fixed": fixed.headers["Authorization"],
        "header_best": max(header_rates),
        "header_median": statistics.median(header_rates),
        "presign_best": max(presign_rates),
        "presign_median": statistics.median(presign_rates),
    }))


if __name__ == "__main__":
    main()
