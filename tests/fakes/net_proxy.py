#!/usr/bin/env python3
# Copyright (c) 2026 mlcloud developers
# Distributed under the Boost Software License, Version 1.0.
"""A loopback HTTP proxy for the transport's tests: CONNECT tunnels and absolute-form
forwarding, with Basic authentication.

    net_proxy.py <port> <user> <password>

Only 127.0.0.1 and localhost are reachable through it: tests never touch the internet.
GET /stats (origin-form, to the proxy itself) returns
    {"connects": [{"target", "user_agent", "authorized"}], "forwards": [{"url", "had_auth"}]}
"""
import base64
import json
import socket
import socketserver
import sys
import threading

LOCK = threading.Lock()
CONNECTS = []
FORWARDS = []
ALLOWED_HOSTS = {"127.0.0.1", "localhost"}


def read_head(sock):
    buf = b""
    while b"\r\n\r\n" not in buf:
        data = sock.recv(65536)
        if not data:
            return None, b""
        buf += data
        if len(buf) > 65536:
            return None, b""
    head, rest = buf.split(b"\r\n\r\n", 1)
    return head.decode("latin-1"), rest


def relay(src, dst):
    try:
        while True:
            data = src.recv(65536)
            if not data:
                break
            dst.sendall(data)
    except OSError:
        pass
    finally:
        for s in (src, dst):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


class Handler(socketserver.BaseRequestHandler):
    def handle(self):
        client = self.request
        head, rest = read_head(client)
        if head is None:
            return
        lines = head.split("\r\n")
        method, target, _ = lines[0].split(" ", 2)
        headers = {}
        for line in lines[1:]:
            k, _, v = line.partition(":")
            headers[k.strip().lower()] = v.strip()
        expected = "Basic " + base64.b64encode(f"{self.server.user}:{self.server.password}".encode()).decode()
        authorized = headers.get("proxy-authorization") == expected

        if method == "GET" and target.startswith("/stats"):
            with LOCK:
                body = json.dumps({"connects": CONNECTS, "forwards": FORWARDS}).encode()
            client.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n"
                           + f"Content-Length: {len(body)}\r\n\r\n".encode() + body)
            return

        if method == "CONNECT":
            with LOCK:
                CONNECTS.append({"target": target, "user_agent": headers.get("user-agent", ""),
                                 "authorized": authorized})
            if not authorized:
                client.sendall(b"HTTP/1.1 407 Proxy Authentication Required\r\n"
                               b"Proxy-Authenticate: Basic realm=\"test\"\r\nContent-Length: 0\r\n\r\n")
                return
            host, _, port = target.rpartition(":")
            if host.strip("[]") not in ALLOWED_HOSTS:
                client.sendall(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n")
                return
            try:
                upstream = socket.create_connection((host.strip("[]"), int(port)), timeout=10)
                upstream.settimeout(None)
            except OSError:
                client.sendall(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n")
                return
            client.sendall(b"HTTP/1.1 200 Connection Established\r\n\r\n")
            if rest:
                upstream.sendall(rest)
            t = threading.Thread(target=relay, args=(upstream, client), daemon=True)
            t.start()
            relay(client, upstream)
            t.join()
            return

        # Absolute-form: forward one request with Connection: close, relay the answer.
        with LOCK:
            FORWARDS.append({"url": target, "had_auth": "proxy-authorization" in headers})
        if not authorized:
            client.sendall(b"HTTP/1.1 407 Proxy Authentication Required\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
            return
        if not target.startswith("http://"):
            client.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
            return
        authority, _, path = target[len("http://"):].partition("/")
        host, _, port = authority.rpartition(":")
        if host not in ALLOWED_HOSTS:
            client.sendall(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
            return
        out = [f"{method} /{path} HTTP/1.1"]
        for line in lines[1:]:
            name = line.partition(":")[0].strip().lower()
            if name not in ("proxy-authorization", "connection"):
                out.append(line)
        out.append("Connection: close")
        upstream = socket.create_connection((host, int(port or "80")), timeout=10)
        upstream.sendall(("\r\n".join(out) + "\r\n\r\n").encode("latin-1") + rest)
        relay(upstream, client)


class Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


def main():
    port, user, password = int(sys.argv[1]), sys.argv[2], sys.argv[3]
    with Server(("127.0.0.1", port), Handler) as server:
        server.user, server.password = user, password
        server.serve_forever()


if __name__ == "__main__":
    main()
