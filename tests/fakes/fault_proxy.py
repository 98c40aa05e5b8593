#!/usr/bin/env python3
# Copyright (c) 2026 mlcloud developers
# Distributed under the Boost Software License, Version 1.0.
"""A fault-injecting HTTP forward proxy, for the fault matrix (tests/integration/faults).

    fault_proxy.py <port>

Clients use it as their plain-HTTP proxy (net::proxy_options::http_proxy): requests arrive in
absolute form (`GET http://127.0.0.1:5055/bucket/key HTTP/1.1`) and are forwarded to that
origin, which must be on loopback. The request is passed on unchanged (Host and every signed
header stay as they were), so SigV4 signatures still verify behind the proxy.

Each request is named by the operation it carries, read from the request itself:
  AWS Query (EC2, STS)     the Action parameter: RunInstances, DescribeInstances, ...
  AWS JSON (Logs)          the X-Amz-Target operation: GetLogEvents, ...
  Lambda                   Invoke
  S3 (AWS and RunPod)      PutObject, GetObject, HeadObject, ListObjectsV2, DeleteObject,
                           CreateMultipartUpload, UploadPart, CompleteMultipartUpload, ...
  RunPod REST (/rest/v2)   CreatePod, ListPods, GetPod, PodLogs, PodAction, DeletePod, GpuCatalog, ...
  RunPod serverless (/ai)  RunSync, Run, JobStatus, JobCancel, Health

Faults are registered with POST /_proxy/faults (origin form, to the proxy itself) and apply to
the requests they match; a JSON object or a list of them:

  {"fault": KIND,               what to do (below)
   "operation": "RunInstances", only requests of this operation (optional)
   "contains": "job-123",       only requests whose URL or body contains this text (so parallel
                                tests never meet each other's faults)
   "skip": 0,                   let this many matching requests through first
   "times": 1,                  how many requests get the fault; 0 = every one from now on
   "forward": false,            forward the request first, so it takes effect upstream, even for
                                the answers made up here (500, 503, 429, expired)
   "retry_after": 1,            seconds, for 429 (and 503)
   "delay": 4}                  seconds of silence, for timeout

  reset_before_headers  forward; then reset the connection (RST) before any byte of the answer
  reset_after_headers   forward; send the answer's head and part of its body, then reset
  status_500            answer 500 InternalError in the protocol's error format
  status_503            answer 503: S3 SlowDown, EC2 RequestLimitExceeded, JSON
                        ServiceUnavailableException, RunPod problem+json
  status_429            answer 429 Too Many Requests with Retry-After
  timeout               forward; then say nothing for `delay` seconds and close
  truncated             forward; send the head with the real Content-Length and half the body,
                        then close (FIN); a chunked stream is closed after its first piece
  malformed             forward; keep status and head, replace the body by one that does not
                        parse (not XML, not JSON); an event stream gets a malformed event first;
                        an object (S3 GetObject) keeps its bytes, which have no syntax, and gets
                        a Content-Range that does not parse
  expired               answer the protocol's expired-credential error: S3 400 ExpiredToken,
                        EC2 400 RequestExpired, JSON 400/403 ExpiredTokenException, RunPod 401
  forbidden             answer 403 as a server that rejects the credential does, echoing what
                        real ones echo: S3 SignatureDoesNotMatch with the request's access key
                        id, string to sign and signature; EC2 AuthFailure; JSON
                        UnrecognizedClientException; RunPod 403 (for the secrets test: nothing
                        of it may reach a user)

EC2's ClientToken: moto 5 ignores it, so the proxy keeps the first successful RunInstances
answer of each ClientToken and answers a repeat with it without forwarding (EC2 starts nothing
for a token it has seen: "Ensuring idempotency" in the EC2 API reference). A client that
resends a launch with a new token still reaches moto and starts a second instance.

GET /_proxy/log?contains=TEXT lists the requests seen (operation, method, url, fault, status,
note; TEXT is looked for in the URL and the body), for counting attempts; "note" says when a fault could not apply as such (an answer with
no body cannot be truncated). POST /_proxy/drop {"contains": TEXT} drops the faults registered
with that "contains"; POST /_proxy/clear drops every fault and the log. GET /_proxy/health.
"""
import json
import select
import socket
import socketserver
import sys
import threading
import time
import urllib.parse
import uuid

from net_fault_server import Closed, Conn

LOCK = threading.Lock()
FAULTS = []  # registered fault specs, in order
LOG = []     # one entry per proxied request
ALLOWED_HOSTS = {"127.0.0.1", "localhost"}
KINDS = {"reset_before_headers", "reset_after_headers", "status_500", "status_503", "status_429", "timeout",
         "truncated", "malformed", "expired", "forbidden"}
MAX_LOG = 20000
CLIENT_TOKENS = {}  # RunInstances ClientToken -> the first answer (moto does not deduplicate)


# ------------------------------------------------------------------------------------------
# Reading and writing HTTP/1.1 on raw sockets (no buffering we cannot see: streams are relayed),
# on top of the loopback fault server's connection reader

class Reader(Conn):
    def fill(self):
        data = self.sock.recv(65536)
        if not data:
            raise Closed()
        self.buf += data

    def head(self):
        return self.read_head(limit=1 << 20)

    def exactly(self, n):
        while len(self.buf) < n:
            self.fill()
        out, self.buf = self.buf[:n], self.buf[n:]
        return out

    def line(self):
        while b"\r\n" not in self.buf:
            self.fill()
        out, self.buf = self.buf.split(b"\r\n", 1)
        return out

    def chunked(self):
        """A whole chunked body, decoded."""
        out = b""
        while True:
            size = int(self.line().split(b";")[0].strip() or b"0", 16)
            if size == 0:
                while self.line():
                    pass
                return out
            out += self.exactly(size)
            self.line()

    def until_close(self):
        out = self.buf
        self.buf = b""
        while True:
            data = self.sock.recv(65536)
            if not data:
                return out
            out += data


def parse_head(text):
    lines = text.split("\r\n")
    first = lines[0]
    headers = []
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers.append((name.strip(), value.strip()))
    return first, headers


def header(headers, name, default=None):
    name = name.lower()
    for k, v in headers:
        if k.lower() == name:
            return v
    return default


def without(headers, *names):
    drop = {n.lower() for n in names}
    return [(k, v) for k, v in headers if k.lower() not in drop]


def render_head(first, headers):
    return (first + "\r\n" + "".join("%s: %s\r\n" % kv for kv in headers) + "\r\n").encode("latin-1")


def reset(sock):
    try:
        Conn(sock).reset()
    except OSError:
        sock.close()


# ------------------------------------------------------------------------------------------
# What a request is

def s3_operation(method, path, query, headers):
    parts = path.lstrip("/").split("/", 1)
    has_key = len(parts) > 1 and parts[1] != ""
    if method == "GET":
        if "list-type" in query:
            return "ListObjectsV2"
        if "uploads" in query:
            return "ListMultipartUploads"
        return "GetObject" if has_key else "ListObjects"
    if method == "HEAD":
        return "HeadObject" if has_key else "HeadBucket"
    if method == "PUT":
        if "partNumber" in query:
            return "UploadPart"
        if header(headers, "x-amz-copy-source"):
            return "CopyObject"
        return "PutObject" if has_key else "CreateBucket"
    if method == "POST":
        if "uploads" in query:
            return "CreateMultipartUpload"
        if "uploadId" in query:
            return "CompleteMultipartUpload"
        if "delete" in query:
            return "DeleteObjects"
    if method == "DELETE":
        if "uploadId" in query:
            return "AbortMultipartUpload"
        return "DeleteObject" if has_key else "DeleteBucket"
    return "S3:" + method


def runpod_rest_operation(method, parts):
    if parts == ["pods"]:
        return "CreatePod" if method == "POST" else "ListPods"
    if len(parts) == 2 and parts[0] == "pods":
        return {"GET": "GetPod", "DELETE": "DeletePod"}.get(method, "Pod:" + method)
    if len(parts) == 3 and parts[0] == "pods":
        return {"logs": "PodLogs", "action": "PodAction"}.get(parts[2], "Pod:" + parts[2])
    if parts == ["catalog", "gpus"]:
        return "GpuCatalog"
    if parts and parts[0] == "network-volumes":
        return "CreateNetworkVolume" if method == "POST" else "NetworkVolumes"
    return "RunPod:" + "/".join(parts)


def runpod_serverless_operation(parts):
    if len(parts) >= 2:
        return {"runsync": "RunSync", "run": "Run", "status": "JobStatus", "cancel": "JobCancel",
                "health": "Health"}.get(parts[1], "Serverless:" + parts[1])
    return "Serverless"


def classify(method, url, headers, body):
    """(protocol, operation) of a request."""
    path = url.path
    query = urllib.parse.parse_qs(url.query, keep_blank_values=True)
    if "/rest/v2/" in path:
        parts = [p for p in path.split("/rest/v2/", 1)[1].split("/") if p]
        return "runpod_rest", runpod_rest_operation(method, parts)
    if "/ai/v2/" in path:
        parts = [p for p in path.split("/ai/v2/", 1)[1].split("/") if p]
        return "runpod_serverless", runpod_serverless_operation(parts)
    target = header(headers, "X-Amz-Target")
    if target:
        return "aws_json", target.split(".", 1)[-1]
    if path.startswith("/2015-03-31/functions/"):
        return "aws_lambda", "Invoke" if path.endswith("/invocations") else "Lambda:" + method
    content_type = header(headers, "Content-Type", "")
    if method == "POST" and path == "/" and content_type.startswith("application/x-www-form-urlencoded"):
        form = urllib.parse.parse_qs(body.decode("utf-8", "replace"))
        return "aws_query", form.get("Action", ["?"])[0]
    return "s3", s3_operation(method, path, query, headers)


# ------------------------------------------------------------------------------------------
# Answers made up here, in each protocol's error format

def error_answer(protocol, operation, status, code, message, extra=None, extra_xml=""):
    rid = str(uuid.uuid4())
    headers = [("x-amz-request-id", rid), ("x-amzn-RequestId", rid), ("X-Request-Id", rid)]
    if protocol == "aws_query":
        body = ('<?xml version="1.0" encoding="UTF-8"?><Response><Errors><Error><Code>%s</Code><Message>%s</Message>'
                '</Error></Errors><RequestID>%s</RequestID></Response>' % (code, message, rid))
        ctype = "text/xml"
    elif protocol in ("aws_json", "aws_lambda"):
        body = json.dumps({"__type": code, "message": message})
        ctype = "application/x-amz-json-1.1" if protocol == "aws_json" else "application/json"
        headers.append(("x-amzn-ErrorType", code))
    elif protocol == "runpod_rest":
        body = json.dumps({"title": code, "status": status, "detail": message})
        ctype = "application/problem+json"
    elif protocol == "runpod_serverless":
        body = json.dumps({"error": message})
        ctype = "application/json"
    else:
        body = ('<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>%s</Code><Message>%s</Message>%s'
                '<RequestId>%s</RequestId></Error>' % (code, message, extra_xml, rid))
        ctype = "application/xml"
    body = body.encode()
    headers += [("Content-Type", ctype), ("Content-Length", str(len(body)))] + list(extra or [])
    reasons = {400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 429: "Too Many Requests",
               500: "Internal Server Error", 503: "Service Unavailable"}
    return render_head("HTTP/1.1 %d %s" % (status, reasons.get(status, "Error")), headers) + body


def access_key_of(headers):
    """The access key id of a SigV4 Authorization header ("" when there is none)."""
    auth = header(headers, "Authorization", "")
    marker = "Credential="
    if marker not in auth:
        return ""
    return auth.split(marker, 1)[1].split("/", 1)[0]


def forbidden_answer(protocol, operation, headers):
    key = access_key_of(headers)
    auth = header(headers, "Authorization", "")
    signature = auth.rsplit("Signature=", 1)[-1] if "Signature=" in auth else ""
    if protocol == "s3":
        echoed = ("<AWSAccessKeyId>%s</AWSAccessKeyId><StringToSign>AWS4-HMAC-SHA256 %s</StringToSign>"
                  "<SignatureProvided>%s</SignatureProvided>" % (key, auth, signature))
        return error_answer(protocol, operation, 403, "SignatureDoesNotMatch",
                            "The request signature we calculated does not match the signature you provided. "
                            "Check your key and signing method.", extra_xml=echoed)
    if protocol == "aws_query":
        return error_answer(protocol, operation, 401, "AuthFailure",
                            "AWS was not able to validate the provided access credentials")
    if protocol in ("aws_json", "aws_lambda"):
        return error_answer(protocol, operation, 403, "UnrecognizedClientException",
                            "The security token included in the request is invalid.")
    return error_answer(protocol, operation, 403, "Forbidden", "this API key may not do that")


def made_up_answer(kind, protocol, operation, spec, headers=()):
    if kind == "forbidden":
        return forbidden_answer(protocol, operation, headers)
    if kind == "status_500":
        return error_answer(protocol, operation, 500, "InternalError", "We encountered an internal error. Please try again.")
    if kind == "status_503":
        code = {"s3": "SlowDown", "aws_query": "RequestLimitExceeded"}.get(protocol, "ServiceUnavailableException")
        message = "Please reduce your request rate." if protocol == "s3" else "Service unavailable, try again later."
        extra = [("Retry-After", str(spec["retry_after"]))] if spec.get("retry_after_on_503") else []
        return error_answer(protocol, operation, 503, code, message, extra)
    if kind == "status_429":
        code = {"s3": "SlowDown", "aws_query": "Throttling"}.get(protocol, "TooManyRequestsException")
        return error_answer(protocol, operation, 429, code, "Rate exceeded",
                            [("Retry-After", str(spec.get("retry_after", 1)))])
    if kind == "expired":
        if protocol == "s3":
            return error_answer(protocol, operation, 400, "ExpiredToken", "The provided token has expired.")
        if protocol == "aws_query":
            return error_answer(protocol, operation, 400, "RequestExpired", "Request has expired.")
        if protocol == "aws_json":
            return error_answer(protocol, operation, 400, "ExpiredTokenException",
                                "The security token included in the request is expired")
        if protocol == "aws_lambda":
            return error_answer(protocol, operation, 403, "ExpiredTokenException",
                                "The security token included in the request is expired")
        return error_answer(protocol, operation, 401, "Unauthorized", "the API key has expired")
    raise ValueError(kind)


def withhold_answer(client, kind, spec):
    """The faults that send no byte of the answer; the client connection is done."""
    if kind == "reset_before_headers":
        reset(client)
    else:
        time.sleep(float(spec.get("delay", 4)))
    return False


def malformed_body(protocol, operation, content_type, body):
    """A body that cannot be what the client expects, of a similar size."""
    if "json" in content_type or protocol in ("aws_json", "aws_lambda", "runpod_rest", "runpod_serverless"):
        return b'{"this is": not JSON at all ' + b"x" * max(0, len(body) // 2)
    return b"<<this is not XML>" + b"x" * max(0, len(body) // 2)


def ec2_client_token(protocol, operation, body):
    if protocol != "aws_query" or operation != "RunInstances":
        return None
    form = urllib.parse.parse_qs(body.decode("utf-8", "replace"))
    return form.get("ClientToken", [None])[0]


# ------------------------------------------------------------------------------------------
# Faults and the log

def take_fault(operation, text):
    with LOCK:
        for spec in FAULTS:
            if spec.get("operation") and spec["operation"] != operation:
                continue
            if spec.get("contains") and spec["contains"] not in text:
                continue
            if spec.get("skip", 0) > 0:
                spec["skip"] -= 1
                continue
            if spec.get("times", 1) > 0:
                spec["times"] -= 1
                if spec["times"] == 0:
                    FAULTS.remove(spec)
            return dict(spec)
    return None


def log(entry):
    with LOCK:
        LOG.append(entry)
        if len(LOG) > MAX_LOG:
            del LOG[: len(LOG) - MAX_LOG]


# ------------------------------------------------------------------------------------------

class Handler(socketserver.BaseRequestHandler):
    def handle(self):
        client = self.request
        reader = Reader(client)
        try:
            while True:
                try:
                    head = reader.head()
                except (Closed, OSError):
                    return
                if not self.serve(client, reader, head):
                    return
        except (Closed, ConnectionError, OSError):
            return
        finally:
            try:
                client.close()
            except OSError:
                pass

    # -- one request; returns whether the client connection stays open
    def serve(self, client, reader, head):
        first, headers = parse_head(head)
        method, target, _version = first.split(" ", 2)
        if header(headers, "Transfer-Encoding", "").lower() == "chunked":
            body = reader.chunked()
            headers = without(headers, "Transfer-Encoding") + [("Content-Length", str(len(body)))]
        else:
            body = reader.exactly(int(header(headers, "Content-Length", "0") or 0))
        if target.startswith("/"):
            return self.control(client, method, target, body)

        url = urllib.parse.urlsplit(target)
        if url.scheme != "http" or url.hostname not in ALLOWED_HOSTS:
            client.sendall(render_head("HTTP/1.1 403 Forbidden", [("Content-Length", "0")]))
            return True
        protocol, operation = classify(method, url, headers, body)
        text = target + "\n" + body.decode("utf-8", "replace")
        spec = take_fault(operation, text)
        kind = spec["fault"] if spec else None
        # Object bytes are not searched (S3 keys are in the URL); API bodies are, whole: an EC2
        # launch carries its tags after kilobytes of user data.
        kept = body[:2000] if protocol == "s3" else body[:1 << 20]
        entry = {"time": time.time(), "operation": operation, "method": method, "url": target, "fault": kind,
                 "status": 0, "note": "", "body": kept.decode("utf-8", "replace")}
        # Logged now, completed as the answer goes: a request the proxy holds (timeout) is seen
        # by a test that counts attempts as soon as the client has given up on it.
        log(entry)
        return self.answer(client, method, url, headers, body, protocol, operation, spec, entry)

    def answer(self, client, method, url, headers, body, protocol, operation, spec, entry):
        kind = spec["fault"] if spec else None
        made_up = kind in ("status_500", "status_503", "status_429", "expired", "forbidden")
        if made_up and not spec.get("forward"):
            answer = made_up_answer(kind, protocol, operation, spec, headers)
            entry["status"] = int(answer.split(b" ", 2)[1])
            client.sendall(answer)
            return True

        token = ec2_client_token(protocol, operation, body)
        with LOCK:
            seen = CLIENT_TOKENS.get(token) if token else None
        if seen:
            # EC2 answers a RunInstances whose ClientToken it has seen with the first answer and
            # starts nothing; moto ignores ClientToken, so the proxy plays that part.
            status_line, resp_headers, resp_body = seen
            no_body = False
            entry["status"] = int(status_line.split(" ", 2)[1])
            entry["note"] = "ClientToken seen before: EC2's first answer, nothing started"
        else:
            upstream = socket.create_connection((url.hostname, url.port or 80), timeout=120)
            try:
                path = url.path + ("?" + url.query if url.query else "")
                fwd = without(headers, "Proxy-Connection", "Proxy-Authorization", "Connection", "Keep-Alive")
                fwd.append(("Connection", "close"))
                upstream.sendall(render_head("%s %s HTTP/1.1" % (method, path or "/"), fwd) + body)
                up = Reader(upstream)
                status_line, resp_headers = parse_head(up.head())
                status_line = "HTTP/1.1 " + status_line.split(" ", 1)[1]  # framing is ours from here
                status = int(status_line.split(" ", 2)[1])
                entry["status"] = status
                no_body = method == "HEAD" or status in (204, 304) or 100 <= status < 200
                chunked = header(resp_headers, "Transfer-Encoding", "").lower() == "chunked"
                if no_body:
                    resp_body = b""
                elif chunked:
                    return self.stream(client, upstream, up, status_line, resp_headers, spec, entry)
                elif header(resp_headers, "Content-Length") is not None:
                    resp_body = up.exactly(int(header(resp_headers, "Content-Length")))
                else:
                    resp_body = up.until_close()
                    resp_headers = resp_headers + [("Content-Length", str(len(resp_body)))]
            finally:
                if not entry.get("streamed"):
                    upstream.close()
            if token and status == 200:
                with LOCK:
                    CLIENT_TOKENS[token] = (status_line, resp_headers, resp_body)
        resp_headers = without(resp_headers, "Connection", "Keep-Alive")

        if made_up:
            answer = made_up_answer(kind, protocol, operation, spec, headers)
            entry["status"] = int(answer.split(b" ", 2)[1])
            client.sendall(answer)
            return True
        if kind is None:
            client.sendall(render_head(status_line, resp_headers) + resp_body)
            return True
        if kind in ("reset_before_headers", "timeout"):
            return withhold_answer(client, kind, spec)
        if kind == "reset_after_headers":
            if not resp_body:
                entry["note"] = "no body: the head was complete"
            client.sendall(render_head(status_line, resp_headers) + resp_body[: len(resp_body) // 2])
            reset(client)
            return False
        if kind == "truncated":
            if not resp_body:
                entry["note"] = "no body to cut"
                client.sendall(render_head(status_line, resp_headers))
                return True
            client.sendall(render_head(status_line, resp_headers) + resp_body[: len(resp_body) // 2])
            client.shutdown(socket.SHUT_RDWR)
            return False
        if kind == "malformed":
            if no_body:
                entry["note"] = "no body to spoil"
                client.sendall(render_head(status_line, resp_headers))
                return True
            if protocol == "s3" and operation == "GetObject":
                # Object bytes have no syntax to break (and TLS guards them in transit): what can
                # be malformed is the framing the client relies on, the Content-Range.
                if header(resp_headers, "Content-Range") is None:
                    entry["note"] = "no Content-Range to spoil; object bytes have no syntax"
                    client.sendall(render_head(status_line, resp_headers) + resp_body)
                    return True
                bad_headers = without(resp_headers, "Content-Range") + [("Content-Range", "bytes garbage")]
                client.sendall(render_head(status_line, bad_headers) + resp_body)
                return True
            bad = malformed_body(protocol, operation, header(resp_headers, "Content-Type", ""), resp_body)
            bad_headers = without(resp_headers, "Content-Length", "Content-MD5") + [("Content-Length", str(len(bad)))]
            client.sendall(render_head(status_line, bad_headers) + bad)
            return True
        raise ValueError(kind)

    def stream(self, client, upstream, up, status_line, resp_headers, spec, entry):
        """Relays a chunked answer (an event stream) as it comes; the client connection is closed
        at its end. Stops when either side goes away."""
        entry["streamed"] = True
        kind = spec["fault"] if spec else None
        resp_headers = without(resp_headers, "Connection", "Keep-Alive") + [("Connection", "close")]
        try:
            if kind in ("reset_before_headers", "timeout"):
                return withhold_answer(client, kind, spec)
            client.sendall(render_head(status_line, resp_headers))
            if kind == "malformed":
                bad = b"id: 0/0\ndata: {this is not JSON\n\n"
                client.sendall(b"%x\r\n%s\r\n" % (len(bad), bad))
            pending = up.buf
            up.buf = b""
            first_piece = True
            while True:
                if not pending:
                    readable, _, _ = select.select([upstream, client], [], [], 30)
                    if client in readable:
                        try:
                            if client.recv(1, socket.MSG_PEEK) == b"":
                                return False  # the client left
                        except OSError:
                            return False
                    if upstream not in readable:
                        continue
                    pending = upstream.recv(65536)
                    if not pending:
                        return False  # the stream ended (the head said Connection: close)
                if kind in ("reset_after_headers", "truncated") and first_piece:
                    client.sendall(pending[: max(1, len(pending) // 2)])
                    if kind == "reset_after_headers":
                        reset(client)
                    else:
                        client.shutdown(socket.SHUT_RDWR)
                    return False
                client.sendall(pending)
                pending = b""
                first_piece = False
        finally:
            upstream.close()

    # -- the proxy's own endpoints
    def control(self, client, method, target, body):
        url = urllib.parse.urlsplit(target)
        query = urllib.parse.parse_qs(url.query)
        status, answer = 200, {"ok": True}
        if url.path == "/_proxy/faults" and method == "POST":
            try:
                data = json.loads(body or b"null")
                specs = data if isinstance(data, list) else [data]
                for s in specs:
                    if s.get("fault") not in KINDS:
                        raise ValueError("unknown fault %r" % s.get("fault"))
                with LOCK:
                    for s in specs:
                        FAULTS.append(dict(s, times=int(s.get("times", 1)), skip=int(s.get("skip", 0))))
            except (ValueError, AttributeError) as e:
                status, answer = 400, {"error": str(e)}
        elif url.path == "/_proxy/log":
            contains = query.get("contains", [""])[0]
            with LOCK:
                answer = {"requests": [{k: v for k, v in e.items() if k != "body"} for e in LOG
                                       if contains in e["url"] or contains in e.get("body", "")]}
        elif url.path == "/_proxy/drop" and method == "POST":
            contains = json.loads(body or b"{}").get("contains", "")
            with LOCK:
                FAULTS[:] = [f for f in FAULTS if f.get("contains", "") != contains]
        elif url.path == "/_proxy/clear" and method == "POST":
            with LOCK:
                FAULTS.clear()
                LOG.clear()
        elif url.path == "/_proxy/health":
            pass
        else:
            status, answer = 404, {"error": "no such endpoint"}
        data = json.dumps(answer).encode()
        client.sendall(render_head("HTTP/1.1 %d %s" % (status, "OK" if status == 200 else "Error"),
                                   [("Content-Type", "application/json"), ("Content-Length", str(len(data)))]) + data)
        return True


class Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


def main():
    server = Server(("127.0.0.1", int(sys.argv[1])), Handler)
    server.serve_forever()


if __name__ == "__main__":
    main()
