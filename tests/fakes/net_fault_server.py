#!/usr/bin/env python3
# Copyright (c) 2026 mlcloud developers
# Distributed under the Boost Software License, Version 1.0.
"""A loopback HTTP/1.1 server that misbehaves on request, for the transport's tests.

    net_fault_server.py <port>

Every request may carry ?id=<test-unique id>; the server counts requests and connections per
id and records their headers, so parallel tests do not see each other. GET /stats?id=X
returns {"requests": n, "connections": k, "headers": [{...}, ...]} (not counted itself).

Paths (query parameters in brackets):
  /hello                      200 "hello", keep-alive
  /echo                       200 JSON: method, target, headers, body size
  /status [codes=500,200] [retry_after=S] [retry_after_date=S]
                              the n-th request gets the n-th code (the last one repeats)
  /reset-before-headers [times=N]  reads the request, then resets (N times, then 200)
  /reset-mid-body [times=N]   sends the head and 100 of 1000 body bytes, then resets
  /truncated                  Content-Length 1000, sends 500 bytes, closes
  /slow-headers [delay=S]     waits S seconds before answering
  /post-cut [times=N]         reads the whole request, closes without answering (N times)
  /idle-close [after=S]       answers, then closes the connection if idle for S seconds
  /big [size=N] [chunked=1]   N bytes of the test pattern (see pattern_byte)
  /upload                     reads the body, checks the test pattern: {"size", "pattern_ok"}
  /sse [count=N] [cut_after=K] events 1..N (honours Last-Event-ID); the first connection of
                              an id is cut in the middle of event K+1; then the stream ends
  /sse-forever [interval=S]   an event every S seconds, forever
  /sse-204                    204: do not reconnect
  /sse-wrong-type             200 text/plain
"""
import json
import socket
import socketserver
import struct
import sys
import threading
import time
import urllib.parse
from email.utils import formatdate

LOCK = threading.Lock()
STATS = {}  # id -> {"requests": int, "connections": set, "headers": [dict]}
CONN_SERIAL = [0]


def pattern_byte(i):
    return (i * 31 + 7) % 251


PATTERN_PERIOD = 251
PATTERN = bytes(pattern_byte(i) for i in range(PATTERN_PERIOD * 256))  # a whole number of periods


def pattern_chunk(offset, size):
    start = offset % PATTERN_PERIOD
    out = bytearray()
    while len(out) < size:
        piece = PATTERN[start:start + size - len(out)]
        out += piece
        start = 0
    return bytes(out)


def record(test_id, conn_serial, headers):
    if not test_id:
        return 0
    with LOCK:
        s = STATS.setdefault(test_id, {"requests": 0, "connections": set(), "headers": []})
        s["requests"] += 1
        s["connections"].add(conn_serial)
        s["headers"].append(headers)
        return s["requests"]


class Closed(Exception):
    pass


class Conn:
    def __init__(self, sock):
        self.sock = sock
        self.buf = b""

    def read_head(self, limit=65536):
        while b"\r\n\r\n" not in self.buf:
            if len(self.buf) > limit:
                raise Closed()
            data = self.sock.recv(65536)
            if not data:
                raise Closed()
            self.buf += data
        head, self.buf = self.buf.split(b"\r\n\r\n", 1)
        return head.decode("latin-1")

    def read_body(self, n, sink=None):
        """Reads n bytes; gives them to sink piece by piece (never holds more than 64 KiB)."""
        got = 0
        while got < n:
            if not self.buf:
                self.buf = self.sock.recv(min(65536, n - got))
                if not self.buf:
                    raise Closed()
            piece, self.buf = self.buf[:n - got], self.buf[n - got:]
            got += len(piece)
            if sink:
                sink(piece)
        return got

    def send(self, data):
        self.sock.sendall(data)

    def reset(self):
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.sock.close()


def response(status, body=b"", content_type="text/plain", extra=None, close=False):
    reasons = {200: "OK", 204: "No Content", 404: "Not Found", 429: "Too Many Requests",
               500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Unavailable"}
    lines = [f"HTTP/1.1 {status} {reasons.get(status, 'Status')}",
             f"Content-Type: {content_type}", f"Content-Length: {len(body)}",
             "X-Request-Id: fault-" + str(status)]
    for k, v in (extra or {}).items():
        lines.append(f"{k}: {v}")
    if close:
        lines.append("Connection: close")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


class Handler(socketserver.BaseRequestHandler):
    def handle(self):
        with LOCK:
            CONN_SERIAL[0] += 1
            serial = CONN_SERIAL[0]
        conn = Conn(self.request)
        idle_after = None
        try:
            while True:
                if idle_after is not None:
                    self.request.settimeout(idle_after)
                try:
                    head = conn.read_head()
                except (socket.timeout, TimeoutError):
                    return  # idle too long: close, as servers drop idle keep-alive connections
                self.request.settimeout(None)
                idle_after = None
                keep = self.serve(conn, serial, head)
                if keep is False:
                    return
                if isinstance(keep, float):
                    idle_after = keep
        except (Closed, ConnectionError, OSError):
            return

    def serve(self, conn, serial, head):
        lines = head.split("\r\n")
        method, target, _ = lines[0].split(" ", 2)
        headers = {}
        for line in lines[1:]:
            k, _, v = line.partition(":")
            headers[k.strip().lower()] = v.strip()
        url = urllib.parse.urlsplit(target)
        q = dict(urllib.parse.parse_qsl(url.query))
        path = url.path
        test_id = q.get("id", "")
        length = int(headers.get("content-length", "0") or 0)

        if path == "/stats":
            conn.read_body(length)
            with LOCK:
                s = STATS.get(test_id, {"requests": 0, "connections": set(), "headers": []})
                body = json.dumps({"requests": s["requests"], "connections": len(s["connections"]),
                                   "headers": s["headers"]}).encode()
            conn.send(response(200, body, "application/json"))
            return True

        headers_seen = dict(headers)
        if path == "/upload":
            state = {"offset": 0, "ok": True}

            def check(piece):
                if piece != pattern_chunk(state["offset"], len(piece)):
                    state["ok"] = False
                state["offset"] += len(piece)
            conn.read_body(length, check)
            record(test_id, serial, headers_seen)
            body = json.dumps({"size": state["offset"], "pattern_ok": state["ok"]}).encode()
            conn.send(response(200, body, "application/json"))
            return True

        conn.read_body(length)
        n = record(test_id, serial, headers_seen)
        times = int(q.get("times", "1000000"))

        if path == "/hello":
            conn.send(response(200, b"hello"))
            return True
        if path == "/echo":
            body = json.dumps({"method": method, "target": target, "headers": headers,
                               "body_size": length}).encode()
            conn.send(response(200, body, "application/json"))
            return True
        if path == "/status":
            codes = [int(c) for c in q.get("codes", "500,200").split(",")]
            code = codes[min(n, len(codes)) - 1]
            extra = {}
            if code != 200 and "retry_after" in q:
                extra["Retry-After"] = q["retry_after"]
            if code != 200 and "retry_after_date" in q:
                extra["Retry-After"] = formatdate(time.time() + float(q["retry_after_date"]), usegmt=True)
            conn.send(response(code, f"status {code} for request {n}".encode(), extra=extra))
            return True
        if path == "/reset-before-headers":
            if n <= times:
                conn.reset()
                return False
            conn.send(response(200, b"recovered"))
            return True
        if path == "/reset-mid-body":
            if n <= times:
                conn.send(b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n" + b"x" * 100)
                time.sleep(0.05)
                conn.reset()
                return False
            conn.send(response(200, b"y" * 1000))
            return True
        if path == "/truncated":
            conn.send(b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\nX-Request-Id: truncated-1\r\n\r\n" + b"t" * 500)
            time.sleep(0.05)
            conn.sock.shutdown(socket.SHUT_RDWR)
            conn.sock.close()
            return False
        if path == "/slow-headers":
            time.sleep(float(q.get("delay", "5")))
            conn.send(response(200, b"late"))
            return True
        if path == "/post-cut":
            if n <= times:
                conn.sock.close()
                return False
            conn.send(response(200, b"created"))
            return True
        if path == "/idle-close":
            conn.send(response(200, b"ok"))
            return float(q.get("after", "0.1"))
        if path == "/big":
            size = int(q.get("size", "0"))
            self.send_big(conn, size, q.get("chunked") == "1")
            return True
        if path == "/sse":
            return self.serve_sse(conn, test_id, headers, int(q.get("count", "10")), int(q.get("cut_after", "-1")))
        if path == "/sse-forever":
            return self.serve_sse_forever(conn, headers, float(q.get("interval", "0.05")))
        if path == "/sse-204":
            conn.send(response(204))
            return True
        if path == "/sse-wrong-type":
            conn.send(response(200, b"data: nope\n\n", "text/plain"))
            return True
        conn.send(response(404, b"no such path"))
        return True

    def send_big(self, conn, size, chunked):
        if chunked:
            conn.send(b"HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nTransfer-Encoding: chunked\r\n\r\n")
        else:
            conn.send(f"HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: {size}\r\n\r\n".encode())
        sent = 0
        step = PATTERN_PERIOD * 256
        while sent < size:
            n = min(step, size - sent)
            data = PATTERN[:n] if sent % PATTERN_PERIOD == 0 else pattern_chunk(sent, n)
            conn.send(f"{n:x}\r\n".encode() + data + b"\r\n" if chunked else data)
            sent += n
        if chunked:
            conn.send(b"0\r\n\r\n")

    @staticmethod
    def sse_head():
        return (b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\n"
                b"Transfer-Encoding: chunked\r\n\r\n")

    @staticmethod
    def chunk(data):
        return f"{len(data):x}\r\n".encode() + data + b"\r\n"

    def serve_sse(self, conn, test_id, headers, count, cut_after):
        last = int(headers.get("last-event-id", "0") or 0)
        with LOCK:
            first_connection = STATS[test_id]["requests"] == 1 if test_id else True
        conn.send(self.sse_head())
        conn.send(self.chunk(b": welcome\n\nretry: 50\n\n"))
        for i in range(last + 1, count + 1):
            event = f"id: {i}\nevent: log\ndata: line {i}\ndata: second line {i}\n\n".encode()
            if first_connection and i == cut_after + 1:
                conn.send(self.chunk(event[:len(event) // 2]))
                time.sleep(0.05)
                conn.reset()
                return False
            # Split every event across two chunks, sent apart, to exercise partial frames.
            half = len(event) // 3
            conn.send(self.chunk(event[:half]))
            time.sleep(0.002)
            conn.send(self.chunk(event[half:]))
        conn.send(b"0\r\n\r\n")
        return True

    def serve_sse_forever(self, conn, headers, interval):
        i = int(headers.get("last-event-id", "0") or 0)
        conn.send(self.sse_head())
        while True:
            i += 1
            conn.send(self.chunk(f"id: {i}\ndata: {i}\n\n".encode()))
            time.sleep(interval)


class Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128


def main():
    port = int(sys.argv[1])
    with Server(("127.0.0.1", port), Handler) as server:
        server.serve_forever()


if __name__ == "__main__":
    main()
