#!/usr/bin/env python3
# Copyright (c) 2026 mlcloud developers
# Distributed under the Boost Software License, Version 1.0.
"""A fake of the AWS Lambda Runtime API (2018-06-01) for testing custom runtimes.

    GET  /2018-06-01/runtime/invocation/next          long poll: the next queued event
    POST /2018-06-01/runtime/invocation/<id>/response  the function's answer     -> 202
    POST /2018-06-01/runtime/invocation/<id>/error     the function's error      -> 202
    POST /2018-06-01/runtime/init/error                an initialisation error   -> 202

Used in-process (RuntimeApi(port).start(); enqueue(); results()) or standalone
(`lambda_runtime_api.py <port>`, with POST /test/enqueue and GET /test/results).
"""
import json
import queue
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PREFIX = "/2018-06-01/runtime"


class RuntimeApi:
    def __init__(self, port=0):
        self.events = queue.Queue()
        self.lock = threading.Lock()
        self.answers = {}   # request id -> {"kind": "response"|"error", "body": str, "error_type": str}
        self.init_errors = []
        self.handed_out = []
        api = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, fmt, *args):
                pass

            def reply(self, status, body=b"", headers=None):
                if isinstance(body, str):
                    body = body.encode()
                self.send_response(status)
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def body(self):
                n = int(self.headers.get("Content-Length", "0") or 0)
                return self.rfile.read(n).decode() if n else ""

            def do_GET(self):
                if self.path == PREFIX + "/invocation/next":
                    request_id, event = api.events.get()  # blocks, as the real long poll does
                    with api.lock:
                        api.handed_out.append(request_id)
                    deadline = int((time.time() + 300) * 1000)
                    return self.reply(200, event, {
                        "Content-Type": "application/json",
                        "Lambda-Runtime-Aws-Request-Id": request_id,
                        "Lambda-Runtime-Deadline-Ms": str(deadline),
                        "Lambda-Runtime-Invoked-Function-Arn": "arn:aws:lambda:us-east-1:123456789012:function:fake",
                        "Lambda-Runtime-Trace-Id": "Root=1-00000000-000000000000000000000000",
                    })
                if self.path == "/test/results":
                    return self.reply(200, json.dumps(api.results()), {"Content-Type": "application/json"})
                return self.reply(404, '{"errorMessage":"unknown path"}')

            def do_POST(self):
                data = self.body()
                if self.path == "/test/enqueue":
                    return self.reply(200, api.enqueue(data))
                if self.path == PREFIX + "/init/error":
                    with api.lock:
                        api.init_errors.append({"body": data,
                                                "error_type": self.headers.get("Lambda-Runtime-Function-Error-Type", "")})
                    return self.reply(202, '{"status":"OK"}')
                parts = self.path[len(PREFIX):].split("/")  # ['', 'invocation', id, kind]
                if self.path.startswith(PREFIX + "/invocation/") and len(parts) == 4 and parts[3] in ("response", "error"):
                    request_id, kind = parts[2], parts[3]
                    with api.lock:
                        if request_id not in api.handed_out:
                            return self.reply(400, '{"errorMessage":"unknown request id","errorType":"InvalidRequestID"}')
                        if request_id in api.answers:
                            return self.reply(400, '{"errorMessage":"already answered","errorType":"InvalidStateTransition"}')
                        api.answers[request_id] = {
                            "kind": kind, "body": data,
                            "error_type": self.headers.get("Lambda-Runtime-Function-Error-Type", ""),
                        }
                    return self.reply(202, '{"status":"OK"}')
                return self.reply(404, '{"errorMessage":"unknown path"}')

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]

    def start(self):
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self):
        self.server.shutdown()

    def enqueue(self, event):
        request_id = str(uuid.uuid4())
        self.events.put((request_id, event))
        return request_id

    def results(self):
        with self.lock:
            return {"answers": dict(self.answers), "init_errors": list(self.init_errors)}

    def wait_for(self, request_ids, timeout):
        end = time.time() + timeout
        while time.time() < end:
            with self.lock:
                if all(r in self.answers for r in request_ids):
                    return True
            time.sleep(0.05)
        return False


if __name__ == "__main__":
    api = RuntimeApi(int(sys.argv[1]))
    api.server.serve_forever()
