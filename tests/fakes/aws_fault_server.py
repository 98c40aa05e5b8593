#!/usr/bin/env python3
# Copyright (c) 2026 mlcloud developers
# Distributed under the Boost Software License, Version 1.0.
"""A small AWS fake for what moto does not model.

    aws_fault_server.py <port>

It serves EC2 and STS (Query protocol), CloudWatch Logs (JSON 1.1), Lambda Invoke and S3
(path style) on 127.0.0.1, and

  * verifies every SigV4 signature with botocore (key AKIDMLCLOUDTEST, secret
    mlcloud-test-secret) and, for S3, that x-amz-content-sha256 matches the body;
  * implements RunInstances' ClientToken idempotency (same token and parameters: the same
    instance; same token, other parameters: IdempotentParameterMismatch);
  * injects faults chosen by names in the request (instance type, bucket, function, stream):

      EC2 instance type  capacity.*  InsufficientInstanceCapacity (HTTP 500)
                         quota.*     VcpuLimitExceeded (400)
                         invalid.*   InvalidParameterValue (400)
                         throttle.*  RequestLimitExceeded (503) for the first 2 calls of a token
                         slow.*      launches, then answers after 3 s
                         drop.*      launches, then closes the connection without an answer
                                     (the first call of a token only)
                         selfstop.*  TerminateInstances stops it as an instance-initiated shutdown
                         blind.*     once terminated, DescribeInstances of it answers 500
      S3 bucket          denied-*    AccessDenied (403) for everything
                         slowdown-*  SlowDown (503) for the first 2 PUTs of a key
                         flaky-*     CompleteMultipartUpload answers 200 + <Error>InternalError
                                     the first time
                         broken-*    CompleteMultipartUpload always 200 + <Error>InvalidPart
                         loop-*      ListObjectsV2 repeats its continuation token forever
                         slowparts-* UploadPart answers after 5 s
                         slowabort-* UploadPart answers after 5 s, AbortMultipartUpload after 1 s
                         slowranges-* every key is 256 KiB of pattern bytes ((i * 31 + 7) % 251);
                                     the first 3 ranged GETs after its first byte of a key
                                     answer after 5 s
      Lambda function    throttled-* TooManyRequestsException (429, Retry-After: 1) once
                         failing-*   X-Amz-Function-Error: Unhandled, a ValueError
                         nomodel-*   X-Amz-Function-Error: Unhandled, mlcloud.NotFound
                         missing-*   ResourceNotFoundException (404)
                         anything else: {"output": "x\\n1\\n", "rows": 1} with a REPORT log tail
      Logs stream        throttle-*  ThrottlingException (400) once (events are kept per stream)

GET /stats?name=<name> returns the counters of one name as JSON (requests, instances
launched, aborts, ...); GET /stats returns the global ones (signature failures).
"""
import base64
import hashlib
import json
import re
import sys
import threading
import time
import urllib.parse
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from botocore.auth import S3SigV4Auth, SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

KEY = "AKIDMLCLOUDTEST"
SECRET = "mlcloud-test-secret"
EC2_NS = "http://ec2.amazonaws.com/doc/2016-11-15/"

lock = threading.Lock()
stats = {}          # name -> {counter: n}
global_stats = {"requests": 0, "signature_failures": 0}
tokens = {}         # ClientToken -> (params without the token, instance id)
instances = {}      # id -> dict
uploads = {}        # upload id -> {part: etag}
log_events = {}     # stream -> [message]


# The object every key of a slowranges-* bucket holds (the tests' pattern bytes).
SLOW_OBJECT = bytes((i * 31 + 7) % 251 for i in range(256 * 1024))


def count(name, counter, n=1):
    with lock:
        c = stats.setdefault(name, {})
        c[counter] = c.get(counter, 0) + n
        return c[counter]


AUTH_RE = re.compile(r"AWS4-HMAC-SHA256 Credential=([^/]+)/(\d{8})/([^/]+)/([^/]+)/aws4_request, "
                     r"SignedHeaders=([^,]+), Signature=([0-9a-f]{64})$")


def verify_signature(handler, body):
    """None when the request is signed correctly, else (code, message)."""
    auth = handler.headers.get("Authorization")
    if not auth:
        return ("MissingAuthenticationToken", "Request is missing Authentication Token")
    m = AUTH_RE.match(auth)
    if not m:
        return ("IncompleteSignature", "Authorization header is malformed")
    akid, _date, region, service, signed, signature = m.groups()
    if akid != KEY:
        return ("InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist in our records.")
    headers = {}
    for name in signed.split(";"):
        value = handler.headers.get(name)
        if value is None:
            return ("SignatureDoesNotMatch", "signed header %s is missing" % name)
        headers[name] = value
    url = "http://" + handler.headers["Host"] + handler.path
    req = AWSRequest(method=handler.command, url=url, headers=headers, data=body)
    req.context["timestamp"] = handler.headers.get("X-Amz-Date", "")
    cls = S3SigV4Auth if service == "s3" else SigV4Auth
    signer = cls(Credentials(KEY, SECRET), service, region)
    creq = signer.canonical_request(req)
    expected = signer.signature(signer.string_to_sign(req, creq), req)
    if expected != signature:
        return ("SignatureDoesNotMatch",
                "The request signature we calculated does not match the signature you provided.")
    if service == "s3":
        claimed = handler.headers.get("x-amz-content-sha256", "")
        if claimed != "UNSIGNED-PAYLOAD" and claimed != hashlib.sha256(body).hexdigest():
            return ("XAmzContentSHA256Mismatch",
                    "The provided 'x-amz-content-sha256' header does not match what was computed.")
    return None


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        sys.stderr.write("%s %s\n" % (self.command, self.path))

    # ---- plumbing
    def reply(self, status, body=b"", headers=None, content_type="text/xml"):
        if isinstance(body, str):
            body = body.encode()
        rid = str(uuid.uuid4())
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("x-amz-request-id", rid)
        self.send_header("x-amzn-RequestId", rid)
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def read_body(self):
        n = int(self.headers.get("Content-Length", "0") or 0)
        return self.rfile.read(n) if n else b""

    def do_GET(self):
        self.dispatch()

    def do_PUT(self):
        self.dispatch()

    def do_POST(self):
        self.dispatch()

    def do_DELETE(self):
        self.dispatch()

    def do_HEAD(self):
        self.dispatch()

    def dispatch(self):
        body = self.read_body()
        parsed = urllib.parse.urlsplit(self.path)
        if parsed.path == "/stats":
            name = urllib.parse.parse_qs(parsed.query).get("name", [None])[0]
            with lock:
                data = dict(stats.get(name, {})) if name else dict(global_stats)
            return self.reply(200, json.dumps(data), content_type="application/json")
        with lock:
            global_stats["requests"] += 1
        problem = verify_signature(self, body)
        target = self.headers.get("X-Amz-Target", "")
        is_query = self.command == "POST" and parsed.path == "/" and not target
        if problem:
            with lock:
                global_stats["signature_failures"] += 1
            code, message = problem
            if is_query:
                return self.ec2_error(401 if code != "MissingAuthenticationToken" else 403, "AuthFailure", message)
            if target or parsed.path.startswith("/2015-03-31/"):
                return self.reply(403, json.dumps({"__type": code, "message": message}),
                                  {"x-amzn-ErrorType": code}, "application/x-amz-json-1.1")
            return self.s3_error(403, code, message)
        if is_query:
            return self.query(dict(urllib.parse.parse_qsl(body.decode(), keep_blank_values=True)))
        if target.startswith("Logs_20140328."):
            return self.logs(target.split(".", 1)[1], json.loads(body or b"{}"))
        if parsed.path.startswith("/2015-03-31/functions/"):
            return self.lambda_invoke(urllib.parse.unquote(parsed.path.split("/")[3]), body)
        return self.s3(parsed, body)

    # ---- EC2 and STS
    def ec2_error(self, status, code, message):
        self.reply(status, '<?xml version="1.0" encoding="UTF-8"?><Response><Errors><Error><Code>%s</Code>'
                           '<Message>%s</Message></Error></Errors><RequestID>%s</RequestID></Response>'
                   % (code, message, uuid.uuid4()))

    def query(self, p):
        action = p.get("Action")
        if action == "GetCallerIdentity":
            return self.reply(200, '<GetCallerIdentityResponse><GetCallerIdentityResult><Arn>arn:aws:iam::'
                                   '111122223333:user/fault</Arn><UserId>AIDFAULT</UserId><Account>111122223333'
                                   '</Account></GetCallerIdentityResult></GetCallerIdentityResponse>')
        if action == "RunInstances":
            return self.run_instances(p)
        if action == "DescribeInstances":
            ids = [v for k, v in p.items() if k.startswith("InstanceId.")]
            found = [instances[i] for i in ids if i in instances]
            if ids and len(found) != len(ids):
                return self.ec2_error(400, "InvalidInstanceID.NotFound",
                                      "The instance ID '%s' does not exist" % ids[0])
            if any(i["type"].startswith("blind.") and i["state"][0] == "terminated" for i in found):
                return self.ec2_error(500, "InternalError", "An internal error has occurred")
            if not ids:
                found = [i for i in instances.values() if self.matches_filters(i, p)]
            items = "".join("<item><reservationId>r-1</reservationId><instancesSet>%s</instancesSet></item>"
                            % self.instance_xml(i) for i in found)
            return self.reply(200, '<DescribeInstancesResponse xmlns="%s"><requestId>%s</requestId>'
                                   '<reservationSet>%s</reservationSet></DescribeInstancesResponse>'
                              % (EC2_NS, uuid.uuid4(), items))
        if action == "TerminateInstances":
            iid = p.get("InstanceId.1")
            count(iid, "TerminateInstances")
            if iid not in instances:
                return self.ec2_error(400, "InvalidInstanceID.NotFound", "The instance ID '%s' does not exist" % iid)
            instances[iid]["state"] = ("terminated", 48)
            # "selfstop." instances stop as if they had powered themselves off.
            instances[iid]["reason"] = ("Client.InstanceInitiatedShutdown" if instances[iid]["type"].startswith("selfstop.")
                                        else "Client.UserInitiatedShutdown")
            return self.reply(200, '<TerminateInstancesResponse xmlns="%s"><instancesSet>%s</instancesSet>'
                                   '</TerminateInstancesResponse>' % (EC2_NS, self.instance_xml(instances[iid])))
        return self.ec2_error(400, "InvalidAction", "The action %s is not valid for this web service." % action)

    @staticmethod
    def matches_filters(inst, p):
        n = 1
        while "Filter.%d.Name" % n in p:
            name = p["Filter.%d.Name" % n]
            values = [v for k, v in p.items() if k.startswith("Filter.%d.Value." % n)]
            if name.startswith("tag:") and inst["tags"].get(name[4:]) not in values:
                return False
            if name == "tag-key" and not any(v in inst["tags"] for v in values):
                return False
            n += 1
        return True

    def instance_xml(self, i):
        tags = "".join("<item><key>%s</key><value>%s</value></item>" % (k, v) for k, v in i["tags"].items())
        reason = ""
        if i.get("reason"):
            reason = "<stateReason><code>%s</code><message>%s</message></stateReason>" % (i["reason"], i["reason"])
        return ("<item><instanceId>%s</instanceId><instanceType>%s</instanceType><instanceState><code>%d</code>"
                "<name>%s</name></instanceState>%s<clientToken>%s</clientToken><launchTime>%s</launchTime>"
                "<tagSet>%s</tagSet></item>"
                % (i["id"], i["type"], i["state"][1], i["state"][0], reason, i["token"], i["launched"], tags))

    def run_instances(self, p):
        token = p.get("ClientToken", "")
        itype = p.get("InstanceType", "")
        count(token, "requests")
        count(itype, "requests")
        params = {k: v for k, v in p.items() if k != "ClientToken"}
        with lock:
            known = tokens.get(token)
        if known:
            if known[0] != params:
                return self.ec2_error(400, "IdempotentParameterMismatch",
                                      "The client token %s was already used with other parameters" % token)
            return self.run_reply(instances[known[1]])
        if itype.startswith("capacity."):
            return self.ec2_error(500, "InsufficientInstanceCapacity",
                                  "We currently do not have sufficient %s capacity in the Availability Zone "
                                  "you requested." % itype)
        if itype.startswith("quota."):
            return self.ec2_error(400, "VcpuLimitExceeded",
                                  "You have requested more vCPU capacity than your current vCPU limit allows.")
        if itype.startswith("invalid."):
            return self.ec2_error(400, "InvalidParameterValue", "Invalid value '%s' for InstanceType." % itype)
        if itype.startswith("throttle.") and count(token, "throttled") <= 2:
            return self.ec2_error(503, "RequestLimitExceeded", "Request limit exceeded.")
        iid = "i-" + uuid.uuid4().hex[:17]
        tags = {}
        n = 1
        while "TagSpecification.1.Tag.%d.Key" % n in p:
            tags[p["TagSpecification.1.Tag.%d.Key" % n]] = p["TagSpecification.1.Tag.%d.Value" % n]
            n += 1
        launched = time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime())
        inst = {"id": iid, "type": itype, "state": ("pending", 0), "token": token, "tags": tags, "launched": launched}
        with lock:
            instances[iid] = inst
            tokens[token] = (params, iid)
        count(itype, "instances")
        if itype.startswith("slow."):
            time.sleep(3)
        if itype.startswith("drop.") and count(token, "dropped") == 1:
            # The launch happened, but the answer is lost on the way back.
            self.close_connection = True
            self.connection.shutdown(2)
            return None
        return self.run_reply(inst)

    def run_reply(self, inst):
        return self.reply(200, '<RunInstancesResponse xmlns="%s"><requestId>%s</requestId><reservationId>r-1'
                               '</reservationId><instancesSet>%s</instancesSet></RunInstancesResponse>'
                          % (EC2_NS, uuid.uuid4(), self.instance_xml(inst)))

    # ---- CloudWatch Logs
    def logs(self, op, req):
        stream = req.get("logStreamName", "")
        count(stream, op)
        if stream.startswith("throttle-") and count(stream, "throttled") == 1:
            return self.reply(400, json.dumps({"__type": "ThrottlingException", "message": "Rate exceeded"}),
                              content_type="application/x-amz-json-1.1")
        with lock:
            events = log_events.setdefault(stream, [])
            if op == "PutLogEvents":
                events.extend(e["message"] for e in req.get("logEvents", []))
            messages = list(events)
        if op == "GetLogEvents":
            if req.get("startFromHead"):
                start = int((req.get("nextToken") or "f/0")[2:])
                page = messages[start:]
                token = "f/%d" % (start + len(page))
            else:
                page = messages[-int(req.get("limit", 10000)):]
                token = "f/%d" % len(messages)
            return self.reply(200, json.dumps({"events": [{"timestamp": 0, "message": m} for m in page],
                                               "nextForwardToken": token, "nextBackwardToken": "b/0"}),
                              content_type="application/x-amz-json-1.1")
        return self.reply(200, "{}", content_type="application/x-amz-json-1.1")

    # ---- Lambda
    def lambda_invoke(self, fn, body):
        count(fn, "invocations")
        json_type = "application/json"
        if fn.startswith("missing-"):
            return self.reply(404, json.dumps({"Type": "User", "message": "Function not found: %s" % fn}),
                              {"X-Amzn-ErrorType": "ResourceNotFoundException"}, json_type)
        if fn.startswith("throttled-") and count(fn, "throttled") == 1:
            return self.reply(429, json.dumps({"Reason": "ConcurrentInvocationLimitExceeded", "Type": "User",
                                               "message": "Rate Exceeded."}),
                              {"X-Amzn-ErrorType": "TooManyRequestsException", "Retry-After": "1"}, json_type)
        if fn.startswith("failing-"):
            return self.reply(200, json.dumps({"errorType": "ValueError", "errorMessage": "boom in the handler"}),
                              {"X-Amz-Function-Error": "Unhandled"}, json_type)
        if fn.startswith("nomodel-"):
            return self.reply(200, json.dumps({"errorType": "mlcloud.NotFound",
                                               "errorMessage": "the model s3://b/m.json does not exist"}),
                              {"X-Amz-Function-Error": "Unhandled"}, json_type)
        tail = base64.b64encode(b"START RequestId: 1 Version: $LATEST\nREPORT RequestId: 1\tDuration: 41.20 ms\t"
                                b"Billed Duration: 42 ms\tMemory Size: 512 MB\tMax Memory Used: 60 MB\t\n").decode()
        return self.reply(200, json.dumps({"output": "x,prediction\n1,2\n", "rows": 1}),
                          {"X-Amz-Log-Result": tail, "X-Amz-Executed-Version": "$LATEST"}, json_type)

    # ---- S3 (path style)
    def s3_error(self, status, code, message):
        self.reply(status, '<?xml version="1.0" encoding="UTF-8"?><Error><Code>%s</Code><Message>%s</Message>'
                           '<RequestId>%s</RequestId><HostId>fault</HostId></Error>' % (code, message, uuid.uuid4()))

    def slow_range(self, name):
        first, last = (int(v) for v in self.headers["Range"].split("=", 1)[1].split("-"))
        last = min(last, len(SLOW_OBJECT) - 1)
        if first > 0 and count(name, "slowed ranges") <= 3:
            time.sleep(5)
        self.reply(206, SLOW_OBJECT[first:last + 1],
                   {"ETag": '"0123456789abcdef0123456789abcdef"',
                    "Content-Range": "bytes %d-%d/%d" % (first, last, len(SLOW_OBJECT))},
                   content_type="application/octet-stream")

    def s3(self, parsed, body):
        parts = parsed.path.lstrip("/").split("/", 1)
        bucket = parts[0]
        key = urllib.parse.unquote(parts[1]) if len(parts) > 1 else ""
        q = urllib.parse.parse_qs(parsed.query, keep_blank_values=True)
        count(bucket, self.command)
        if bucket.startswith("denied-"):
            return self.s3_error(403, "AccessDenied", "Access Denied")
        if self.command == "GET" and "list-type" in q:
            if bucket.startswith("loop-"):
                return self.reply(200, "<ListBucketResult><IsTruncated>true</IsTruncated><KeyCount>1</KeyCount>"
                                       "<NextContinuationToken>same</NextContinuationToken><Contents><Key>k</Key>"
                                       "<Size>1</Size><ETag>&quot;e&quot;</ETag></Contents></ListBucketResult>")
            return self.reply(200, "<ListBucketResult><IsTruncated>false</IsTruncated></ListBucketResult>")
        if self.command == "POST" and "uploads" in q:
            upload_id = uuid.uuid4().hex
            with lock:
                uploads[upload_id] = {}
            return self.reply(200, "<InitiateMultipartUploadResult><Bucket>%s</Bucket><Key>%s</Key><UploadId>%s"
                                   "</UploadId></InitiateMultipartUploadResult>" % (bucket, key, upload_id))
        if self.command == "PUT" and "partNumber" in q:
            if bucket.startswith(("slowparts-", "slowabort-")):
                time.sleep(5)
            etag = '"%s"' % hashlib.md5(body).hexdigest()
            return self.reply(200, "", {"ETag": etag})
        if self.command == "POST" and "uploadId" in q:
            n = count(bucket, "complete")
            if bucket.startswith("broken-") or (bucket.startswith("flaky-") and n == 1):
                code = "InvalidPart" if bucket.startswith("broken-") else "InternalError"
                # S3 answers 200 first and reports the failure in the body.
                return self.reply(200, '<?xml version="1.0" encoding="UTF-8"?>\n\n<Error><Code>%s</Code><Message>'
                                       'the parts could not be assembled</Message><RequestId>rid-in-body</RequestId>'
                                       '</Error>' % code)
            return self.reply(200, "<CompleteMultipartUploadResult><Bucket>%s</Bucket><Key>%s</Key><ETag>&quot;"
                                   "abc-2&quot;</ETag></CompleteMultipartUploadResult>" % (bucket, key))
        if self.command == "DELETE" and "uploadId" in q:
            count(bucket, "aborts")
            if bucket.startswith("slowabort-"):
                time.sleep(1)
            return self.reply(204)
        if self.command == "PUT":
            if bucket.startswith("slowdown-") and count(bucket + "/" + key, "slowed") <= 2:
                return self.s3_error(503, "SlowDown", "Please reduce your request rate.")
            return self.reply(200, "", {"ETag": '"%s"' % hashlib.md5(body).hexdigest()})
        if self.command == "GET" and bucket.startswith("slowranges-"):
            return self.slow_range(bucket + "/" + key)
        if self.command in ("GET", "HEAD"):
            return self.s3_error(404, "NoSuchKey", "The specified key does not exist.")
        return self.reply(204)


def main():
    server = ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Handler)
    server.daemon_threads = True
    server.serve_forever()


if __name__ == "__main__":
    main()
