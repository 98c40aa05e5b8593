#!/usr/bin/env python3
#
# Copyright (c) 2026 mlcloud developers
# Distributed under the Boost Software License, Version 1.0.
#
"""Signs requests with botocore, as a differential oracle for mlcloud's SigV4 signer.

Usage: botocore_oracle.py REQUESTS.json RESULTS.json

REQUESTS.json: {"cases": [case, ...]}, each case:
  id, mode ("header" | "presign"), service, region, s3 (bool), method, scheme, host,
  path_hex (the raw path bytes, hex), query ([[name_hex, value_hex], ...], raw bytes),
  headers ([[name, value], ...], in order, repeats allowed), body_hex,
  unsigned_payload (bool, S3 header mode: payload signing disabled),
  access_key, secret_key, token (or null), timestamp ("YYYYMMDDTHHMMSSZ"), expires (presign).

The request is built the way botocore builds one: the path and the query go on the URL
percent-encoded once (urllib.parse.quote with the RFC 3986 unreserved set, as botocore's
serialisers do), the headers are added one by one (repeats become multi-value headers).

RESULTS.json: [{"id", "authorization" | "url", "canonical_request", "headers"}, ...]

Exit status 77 with "MLCLOUD_SKIP:" on stdout when botocore cannot be imported.
"""
import datetime
import json
import sys
from urllib.parse import quote

try:
    import botocore.auth as botocore_auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials
except ImportError as e:  # pragma: no cover - depends on the machine
    print(f"MLCLOUD_SKIP: botocore is not importable ({e})")
    sys.exit(77)


def capturing(cls):
    """A subclass of a botocore signer that remembers its canonical request."""

    class Capturing(cls):
        def canonical_request(self, request):
            cr = super().canonical_request(request)
            self.last_canonical_request = cr
            return cr

    return Capturing


SIGNERS = {
    ("header", True): capturing(botocore_auth.S3SigV4Auth),
    ("header", False): capturing(botocore_auth.SigV4Auth),
    ("presign", True): capturing(botocore_auth.S3SigV4QueryAuth),
    ("presign", False): capturing(botocore_auth.SigV4QueryAuth),
}

UNRESERVED = "-_.~"


class S3PayloadSigningDisabled:
    """Stands for a botocore client config with s3={'payload_signing_enabled': False}."""

    s3 = {"payload_signing_enabled": False}


def build_url(case):
    path = quote(bytes.fromhex(case["path_hex"]), safe="/" + UNRESERVED)
    query = "&".join(
        quote(bytes.fromhex(n), safe=UNRESERVED) + "=" + quote(bytes.fromhex(v), safe=UNRESERVED)
        for n, v in case["query"]
    )
    url = f"{case['scheme']}://{case['host']}{path}"
    if query:
        url += "?" + query
    return url


class _FixedDatetime(datetime.datetime):
    """datetime.datetime whose clock is frozen, for botocore releases without get_current_datetime."""

    frozen = None

    @classmethod
    def utcnow(cls):
        return cls.frozen

    @classmethod
    def now(cls, tz=None):
        return cls.frozen


class _DatetimeModule:
    datetime = _FixedDatetime


def freeze_clock(when):
    """Makes botocore sign at `when` (its patch point moved between releases)."""
    if hasattr(botocore_auth, "get_current_datetime"):  # recent releases
        botocore_auth.get_current_datetime = lambda *args, **kwargs: when
    else:  # older releases call datetime.datetime.utcnow() in botocore.auth
        _FixedDatetime.frozen = when
        botocore_auth.datetime = _DatetimeModule


def sign(case):
    when = datetime.datetime.strptime(case["timestamp"], "%Y%m%dT%H%M%SZ")
    freeze_clock(when)

    creds = Credentials(case["access_key"], case["secret_key"], case.get("token"))
    request = AWSRequest(method=case["method"], url=build_url(case), data=bytes.fromhex(case["body_hex"]))
    for name, value in case["headers"]:
        request.headers[name] = value  # an HTTPMessage: assignment appends
    if case.get("unsigned_payload"):
        request.context["client_config"] = S3PayloadSigningDisabled

    cls = SIGNERS[(case["mode"], case["s3"])]
    if case["mode"] == "presign":
        signer = cls(creds, case["service"], case["region"], expires=case["expires"])
    else:
        signer = cls(creds, case["service"], case["region"])
    signer.add_auth(request)

    result = {"id": case["id"], "canonical_request": signer.last_canonical_request}
    if case["mode"] == "presign":
        result["url"] = request.url
    else:
        result["authorization"] = request.headers["Authorization"]
        result["headers"] = [[k, v] for k, v in request.headers.items()]
    return result


def main():
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    with open(sys.argv[1], encoding="utf-8") as f:
        cases = json.load(f)["cases"]
    results = [sign(c) for c in cases]
    with open(sys.argv[2], "w", encoding="utf-8") as f:
        json.dump(results, f)
    return 0


if __name__ == "__main__":
    sys.exit(main())
