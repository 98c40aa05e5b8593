#!/usr/bin/env python3
"""Start or stop a loopback server for a CTest fixture.

    fixture.py start <dir> <name> [--ready-path /x] -- <command with {port} ...>
    fixture.py stop  <dir> <name>

`start` picks a free port on 127.0.0.1, substitutes it for {port} in the command, starts
the command in its own process group (output to <dir>/<name>.log), waits until the port
accepts connections (and, with --ready-path, until GET <path> answers), then writes
<dir>/<name>.port and <dir>/<name>.pid. `stop` kills the process group. Tests read the port
with mlcloud_test::fixture_port("<name>").
"""
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request

READY_TIMEOUT_S = 60


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_ready(port, ready_path, proc):
    deadline = time.monotonic() + READY_TIMEOUT_S
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            return False
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                pass
            if ready_path:
                urllib.request.urlopen(f"http://127.0.0.1:{port}{ready_path}", timeout=2).read()
            return True
        except Exception:
            time.sleep(0.1)
    return False


def start(directory, name, args):
    ready_path = None
    if args and args[0] == "--ready-path":
        ready_path, args = args[1], args[2:]
    if args and args[0] == "--":
        args = args[1:]
    os.makedirs(directory, exist_ok=True)
    stop(directory, name)
    port = free_port()
    cmd = [a.replace("{port}", str(port)).replace("{dir}", directory) for a in args]
    log = open(os.path.join(directory, f"{name}.log"), "wb")
    proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                            start_new_session=True)
    if not wait_ready(port, ready_path, proc):
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        sys.stderr.write(f"fixture {name}: server did not come up; command: {' '.join(cmd)}\n")
        with open(os.path.join(directory, f"{name}.log"), "rb") as f:
            sys.stderr.write(f.read().decode(errors="replace")[-4000:])
        return 1
    with open(os.path.join(directory, f"{name}.pid"), "w") as f:
        f.write(str(proc.pid))
    with open(os.path.join(directory, f"{name}.port"), "w") as f:
        f.write(str(port))
    print(f"fixture {name}: 127.0.0.1:{port} (pid {proc.pid})")
    return 0


def stop(directory, name):
    pid_file = os.path.join(directory, f"{name}.pid")
    try:
        pid = int(open(pid_file).read())
    except (OSError, ValueError):
        return 0
    try:
        os.killpg(pid, signal.SIGTERM)
        for _ in range(50):
            os.killpg(pid, 0)
            time.sleep(0.1)
        os.killpg(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    for suffix in (".pid", ".port"):
        try:
            os.remove(os.path.join(directory, name + suffix))
        except OSError:
            pass
    return 0


if __name__ == "__main__":
    if len(sys.argv) < 4 or sys.argv[1] not in ("start", "stop"):
        sys.stderr.write(__doc__)
        sys.exit(2)
    action, directory, name = sys.argv[1:4]
    sys.exit(start(directory, name, sys.argv[4:]) if action == "start" else stop(directory, name))
