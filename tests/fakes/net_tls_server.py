#!/usr/bin/env python3
# Copyright (c) 2026 mlcloud developers
# Distributed under the Boost Software License, Version 1.0.
"""A loopback HTTPS server for the transport's TLS tests.

    net_tls_server.py <port> <cert-dir> <name>

Serves <cert-dir>/<name>.pem with <name>.key (made by net_make_certs.sh). Paths:
  /hello          200 "hello over tls", keep-alive
  /sni            200 with the server name the client sent (SNI), or "-" for none
  /stats?id=X     {"requests": n, "connections": k} of requests that carried ?id=X
"""
import http.server
import json
import os
import ssl
import sys
import threading
import urllib.parse

LOCK = threading.Lock()
STATS = {}
SERIAL = [0]


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def setup(self):
        # The handshake runs here, in the connection's own thread, so a client that gives up
        # (a refused certificate, the fixture's readiness probe) never blocks the server.
        self.request.settimeout(10)
        try:
            self.request.do_handshake()
        except (ssl.SSLError, OSError):
            self.tls_failed = True
        else:
            self.tls_failed = False
        with LOCK:
            SERIAL[0] += 1
            self.serial = SERIAL[0]
        super().setup()

    def handle(self):
        if not self.tls_failed:
            super().handle()

    def log_message(self, fmt, *args):
        pass

    def reply(self, body, content_type="text/plain"):
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        url = urllib.parse.urlsplit(self.path)
        q = dict(urllib.parse.parse_qsl(url.query))
        test_id = q.get("id", "")
        if url.path == "/stats":
            with LOCK:
                s = STATS.get(test_id, {"requests": 0, "connections": set()})
                body = json.dumps({"requests": s["requests"], "connections": len(s["connections"])}).encode()
            self.reply(body, "application/json")
            return
        if test_id:
            with LOCK:
                s = STATS.setdefault(test_id, {"requests": 0, "connections": set()})
                s["requests"] += 1
                s["connections"].add(self.serial)
        if url.path == "/sni":
            name = getattr(self.request, "mlcloud_sni", None) or "-"
            self.reply(name.encode())
            return
        self.reply(b"hello over tls")


def main():
    port, cert_dir, name = int(sys.argv[1]), sys.argv[2], sys.argv[3]
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    ctx.load_cert_chain(os.path.join(cert_dir, name + ".pem"), os.path.join(cert_dir, name + ".key"))

    def remember_sni(sock, server_name, _ctx):
        sock.mlcloud_sni = server_name

    ctx.sni_callback = remember_sni

    class Server(http.server.ThreadingHTTPServer):
        daemon_threads = True

        def get_request(self):
            sock, addr = self.socket.accept()
            return ctx.wrap_socket(sock, server_side=True, do_handshake_on_connect=False), addr

    with Server(("127.0.0.1", port), Handler) as server:
        server.serve_forever()


if __name__ == "__main__":
    main()
