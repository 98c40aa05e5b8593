#!/usr/bin/env python3
#
# Copyright (c) 2026 mlcloud developers
# Distributed under the Boost Software License, Version 1.0.
#
"""Starts the RunPod fake on a free port and runs bench_runpod_logs against it.

    logs_bench.py --build-dir BUILD --source-dir SRC [--jobs 1000] [--polls 3]

Also reports the CPU the fake used, to show which side is the bottleneck.
"""
import argparse
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def process_cpu(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build-dir", required=True)
    ap.add_argument("--source-dir", required=True)
    ap.add_argument("--jobs", type=int, default=int(os.environ.get("MLCLOUD_BENCH_JOBS", "1000")))
    ap.add_argument("--polls", type=int, default=3)
    args = ap.parse_args()

    exe = os.path.join(args.build_dir, "tests", "bench", "runpod", "bench_runpod_logs")
    fake_py = os.path.join(args.source_dir, "tests", "fakes", "runpod", "runpod_fake.py")
    data = tempfile.mkdtemp(prefix="mlcloud-bench-runpod-")
    port = free_port()
    # The fake as the tests run it, but with a listen backlog for a thousand clients: Python's
    # default of 5 drops SYNs when hundreds of followers connect at once, and the kernel's
    # retransmission backoff (1 s, 3 s, 7 s...) would then be what the benchmark measures.
    launcher = ("import runpy, sys\n"
                "from http.server import ThreadingHTTPServer\n"
                "ThreadingHTTPServer.request_queue_size = 4096\n"
                "sys.argv = sys.argv[1:]\n"
                "runpy.run_path(sys.argv[0], run_name='__main__')\n")
    fake = subprocess.Popen([sys.executable, "-c", launcher, fake_py, "--port", str(port), "--data-dir", data,
                             "--fresh"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(200):
            try:
                urllib.request.urlopen(base + "/_fake/health", timeout=1).read()
                break
            except OSError:
                time.sleep(0.05)
        print(f"Following {args.jobs} jobs' logs against the RunPod fake at {base}", flush=True)
        before = process_cpu(fake.pid)
        code = subprocess.call([exe, base + "/rest/v2", str(args.jobs), str(args.polls)])
        print(f"the fake used {process_cpu(fake.pid) - before:.1f} s of CPU meanwhile (one Python process, "
              "a thread per pod and per connection)", flush=True)
        if code != 0:
            sys.exit(f"logs_bench: bench_runpod_logs failed ({code})")
    finally:
        fake.kill()
        fake.wait()
        shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    main()
