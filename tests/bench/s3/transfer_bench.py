#!/usr/bin/env python3
#
# Copyright (c) 2026 mlcloud developers
# Distributed under the Boost Software License, Version 1.0.
#
"""S3 transfers of one file through the local sink: mlcloud against aws s3 cp and raw curl.

    transfer_bench.py --build-dir BUILD [--size-mb 2048] [--rounds 1] [--dir /dev/shm] [--drop-caches]

Starts BUILD/tests/bench/s3/s3_sink, writes a file of random bytes in --dir (tmpfs by default),
and per round times, in this order, curl --upload-file (one PutObject), eight curls side by side
each uploading an eighth of the file (raw uploads over as many connections as mlcloud uses: the
sink check), aws s3 cp (awscli's
defaults: 8 MiB parts, 10 in flight) and bench_s3_transfer (mlcloud's defaults: 8 MiB parts,
8 in flight, payload signed; downloads 8 MiB ranges, 4 in flight), then the downloads: curl,
aws s3 cp, mlcloud. Before anything, the sink's MD5 is checked against OpenSSL
(s3_sink --self-test); after the uploads, mlcloud's multipart ETag against the file's. Then the three
uploads again to a second sink started with --no-md5 (client-bound figures). Wall time is
measured around each process, peak RSS and CPU time come from /usr/bin/time (the kernel's
rusage), so the three are measured alike; the sink's CPU time is read from /proc. The best
round counts. The files are deleted at the end.

Prints a human report and machine lines "RESULT|metric|mlcloud|peer|ratio|target" for run.sh.
"""
import argparse
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import time


def run(cmd, env=None):
    """(wall seconds, peak RSS KiB, user+sys CPU seconds, stdout) of one process.

    Started through /usr/bin/time, whose small process forks it: the peak RSS the kernel
    reports survives exec, so a child forked straight from this Python would count Python's.
    """
    with tempfile.NamedTemporaryFile("r") as stats:
        start = time.monotonic()
        proc = subprocess.run(["/usr/bin/time", "-q", "-f", "%M %U %S", "-o", stats.name] + cmd,
                              capture_output=True, env=env)
        wall = time.monotonic() - start
        if proc.returncode != 0:
            sys.exit(f"transfer_bench: {cmd[0]} failed ({proc.returncode}): "
                     f"{proc.stderr.decode(errors='replace')[-2000:]}")
        rss, user, system = stats.read().split()[-3:]
    return wall, int(rss), float(user) + float(system), proc.stdout.decode()


def run_parallel(cmds, env=None):
    """(wall seconds, largest peak RSS KiB, summed CPU seconds) of processes run side by side."""
    stats = [tempfile.NamedTemporaryFile("r") for _ in cmds]
    try:
        start = time.monotonic()
        procs = [subprocess.Popen(["/usr/bin/time", "-q", "-f", "%M %U %S", "-o", st.name] + cmd,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
                 for cmd, st in zip(cmds, stats)]
        errors = [p.communicate()[1] for p in procs]
        wall = time.monotonic() - start
        rss, cpu = 0, 0.0
        for p, err, st in zip(procs, errors, stats):
            if p.returncode != 0:
                sys.exit(f"transfer_bench: {cmds[0][0]} failed ({p.returncode}): {err.decode(errors='replace')[-2000:]}")
            m, user, system = st.read().split()[-3:]
            rss = max(rss, int(m))
            cpu += float(user) + float(system)
        return wall, rss, cpu
    finally:
        for st in stats:
            st.close()


def file_digest(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(8 << 20):
            h.update(block)
    return h.digest()


def multipart_etag(path, part):
    digests = b""
    count = 0
    with open(path, "rb") as f:
        while True:
            block = f.read(part)
            if not block:
                break
            digests += hashlib.md5(block).digest()
            count += 1
    return hashlib.md5(digests).hexdigest() + f"-{count}"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build-dir", required=True)
    ap.add_argument("--size-mb", type=int, default=int(os.environ.get("MLCLOUD_BENCH_SIZE_MB", "2048")))
    ap.add_argument("--rounds", type=int, default=int(os.environ.get("MLCLOUD_BENCH_ROUNDS", "1")))
    ap.add_argument("--dir", default="/dev/shm" if os.path.isdir("/dev/shm") else "/tmp")
    ap.add_argument("--drop-caches", action="store_true", default=os.environ.get("MLCLOUD_BENCH_DROP_CACHES") == "1",
                    help="as root: drop the page cache before each timed run (see docs/performance.md)")
    args = ap.parse_args()

    bench = os.path.join(args.build_dir, "tests", "bench", "s3")
    sink_exe = os.path.join(bench, "s3_sink")
    client_exe = os.path.join(bench, "bench_s3_transfer")
    aws = shutil.which("aws")
    curl = shutil.which("curl")
    if not aws or not curl:
        sys.exit("transfer_bench: needs aws (awscli) and curl on PATH")

    # The sink's ETags come from its own multi-buffer MD5: checked against OpenSSL first.
    check = subprocess.run([sink_exe, "--self-test"], capture_output=True, text=True)
    print(check.stdout.strip())
    if check.returncode != 0:
        sys.exit("transfer_bench: the sink's MD5 self-test failed")

    work = tempfile.mkdtemp(prefix="mlcloud-bench-", dir=args.dir)
    sinks = []
    try:
        size = args.size_mb << 20
        source = os.path.join(work, "source.bin")
        with open(source, "wb") as f:
            left = size
            block = os.urandom(8 << 20)
            while left > 0:
                f.write(block[: min(left, len(block))])
                block = hashlib.sha512(block[:64]).digest() + block[64:]  # not all parts alike
                left -= min(left, len(block))

        env = dict(os.environ, AWS_ACCESS_KEY_ID="AKIDBENCHMARK", AWS_SECRET_ACCESS_KEY="benchmark-secret",
                   AWS_DEFAULT_REGION="us-east-1", AWS_CONFIG_FILE="/dev/null",
                   AWS_SHARED_CREDENTIALS_FILE="/dev/null")
        env.pop("AWS_PROFILE", None)
        ticks = os.sysconf("SC_CLK_TCK")
        best = {}

        def start_sink(*extra):
            port_file = os.path.join(work, f"port{len(sinks)}")
            sink = subprocess.Popen([sink_exe, "--port-file", port_file, *extra], stdout=subprocess.DEVNULL)
            sinks.append(sink)
            for _ in range(200):
                if os.path.exists(port_file):
                    break
                time.sleep(0.05)
            sink.endpoint = f"http://127.0.0.1:{open(port_file).read().strip()}"
            return sink, sink.endpoint

        def process_cpu(pid):
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            return (int(fields[11]) + int(fields[12])) / ticks

        def settle(endpoint):
            # A page cache filled by earlier work makes every page written to tmpfs pay for
            # reclaim (2-3x the system time on this VM): each client starts from the same state.
            # Then both clients' code is read back in (an untimed listing each), so that neither
            # pays for its own start from disk.
            if args.drop_caches:
                os.sync()
                with open("/proc/sys/vm/drop_caches", "w") as f:
                    f.write("3\n")
                subprocess.run([aws, "s3", "ls", "--endpoint-url", endpoint, "s3://bench/"], env=env,
                               capture_output=True)
                subprocess.run([client_exe], capture_output=True)

        def timed(name, sink, cmd, env=None, parallel=None):
            settle(sink.endpoint)
            before = process_cpu(sink.pid)
            if parallel:
                (wall, rss, cpu), out = run_parallel(parallel, env), ""
            else:
                wall, rss, cpu, out = run(cmd, env)
            sink_used = process_cpu(sink.pid) - before
            b = best.get(name)
            if b is None or wall < b[0]:
                best[name] = (wall, rss, cpu)
            print(f"  {name:29s} {wall:7.2f} s  {size / wall / 2**20:8.1f} MiB/s  peak RSS {rss / 1024:7.1f} MiB"
                  f"  CPU {cpu:6.2f} s  sink CPU {sink_used:6.2f} s", flush=True)
            return out

        # The file in `connections` slices, for as many curls side by side: raw uploads over as
        # many connections as mlcloud uses, so that the sink check does not compare one
        # connection (one core of MD5 in the sink) against several.
        connections = int(os.environ.get("MLCLOUD_BENCH_CONCURRENCY", "8"))
        slices = []
        with open(source, "rb") as f:
            step = -(-size // connections)
            for i in range(connections):
                path = os.path.join(work, f"slice{i}.bin")
                with open(path, "wb") as out:
                    out.write(f.read(step))
                slices.append(path)

        def uploads(sink, endpoint, suffix):
            aws_cmd = [aws, "s3", "cp", "--no-progress", "--only-show-errors", "--endpoint-url", endpoint]
            timed("curl upload" + suffix, sink,
                  [curl, "-sS", "-f", "-o", "/dev/null", "--upload-file", source, f"{endpoint}/bench/curl-upload"])
            timed(f"curl x{connections} upload" + suffix, sink, None, parallel=[
                [curl, "-sS", "-f", "-o", "/dev/null", "--upload-file", p, f"{endpoint}/bench/curl-slice{i}"]
                for i, p in enumerate(slices)])
            timed("aws upload" + suffix, sink, aws_cmd + [source, "s3://bench/aws-upload"], env)
            out = timed("mlcloud upload" + suffix, sink,
                        [client_exe, "upload", endpoint, source, "bench", "mlcloud-upload"])
            # The same client reading each part through its buffer instead of sendfile(2).
            timed("mlcloud upload, buffered" + suffix, sink,
                  [client_exe, "upload", endpoint, source, "bench", "mlcloud-upload-buffered"],
                  dict(os.environ, MLCLOUD_BENCH_BUFFERED="1"))
            return out.split()[2]

        sink, endpoint = start_sink()
        print(f"S3 transfers of {args.size_mb} MiB through the sink at {endpoint} (files in {work})")
        etag = None
        for r in range(args.rounds):
            print(f"round {r + 1}")
            etag = uploads(sink, endpoint, "")
            dl = {name: os.path.join(work, f"{name}.bin") for name in ("curl", "aws", "mlcloud")}
            timed("curl download", sink, [curl, "-sS", "-f", "-o", dl["curl"], f"{endpoint}/bench/mlcloud-upload"])
            os.remove(dl["curl"])
            timed("aws download", sink, [aws, "s3", "cp", "--no-progress", "--only-show-errors", "--endpoint-url",
                                         endpoint, "s3://bench/mlcloud-upload", dl["aws"]], env)
            # Each download writes next to the same files: aws's is checked and removed first.
            aws_digest = file_digest(dl["aws"]) if os.path.getsize(dl["aws"]) == size else None
            os.remove(dl["aws"])
            timed("mlcloud download", sink, [client_exe, "download", endpoint, "bench", "mlcloud-upload", dl["mlcloud"]])
            # Both downloads must be the sink's generated stream, byte for byte alike.
            if aws_digest is None or file_digest(dl["mlcloud"]) != aws_digest:
                sys.exit("transfer_bench: the mlcloud and aws downloads differ")
            for p in dl.values():
                if os.path.exists(p):
                    os.remove(p)

        expected = multipart_etag(source, int(os.environ.get("MLCLOUD_BENCH_PART_MB", "8")) << 20)
        if etag != expected:
            sys.exit(f"transfer_bench: mlcloud's upload has ETag {etag}, the file's multipart ETag is {expected}")
        print(f"  multipart ETag checked: {etag}")

        # The same uploads to a sink that does not hash: what the clients can send when the
        # sink's MD5 (one core per connection) is out of the way.
        quick_sink, quick_endpoint = start_sink("--no-md5")
        print(f"uploads to a sink without MD5 at {quick_endpoint}")
        for _ in range(args.rounds):
            uploads(quick_sink, quick_endpoint, ", no MD5")

        def mibs(name):
            return size / best[name][0] / 2**20

        part_bound_mib = int(os.environ.get("MLCLOUD_BENCH_PART_MB", "8")) * connections + 16
        n = f"of {args.size_mb} MiB,"
        results = [
            (f"upload {n} MiB/s vs aws s3 cp", mibs("mlcloud upload"), mibs("aws upload"), ">= 2x"),
            (f"upload {n} MiB/s vs raw curl", mibs("mlcloud upload"), mibs("curl upload"), ">= 0.6x"),
            (f"upload {n} peak RSS (MiB) vs aws s3 cp", best["mlcloud upload"][1] / 1024,
             best["aws upload"][1] / 1024, f"<= 0.25x and <= {part_bound_mib} MiB"),
            (f"download {n} MiB/s vs aws s3 cp", mibs("mlcloud download"), mibs("aws download"), ">= 2x"),
            (f"sink check: curl upload {n} MiB/s vs the fastest client under test", mibs("curl upload"),
             max(mibs("aws upload"), mibs("mlcloud upload")), "> 1x"),
            (f"sink check: {connections} curl uploads side by side {n} MiB/s vs the fastest client under test",
             mibs(f"curl x{connections} upload"), max(mibs("aws upload"), mibs("mlcloud upload")), "> 1x"),
            (f"sink check without MD5: curl upload {n} MiB/s vs the fastest client", mibs("curl upload, no MD5"),
             max(mibs("aws upload, no MD5"), mibs("mlcloud upload, no MD5")), "> 1x"),
            (f"upload {n} MiB/s vs aws s3 cp, sink without MD5", mibs("mlcloud upload, no MD5"),
             mibs("aws upload, no MD5"), "(client-bound)"),
            (f"upload {n} MiB/s vs raw curl, sink without MD5", mibs("mlcloud upload, no MD5"),
             mibs("curl upload, no MD5"), "(client-bound)"),
            (f"upload {n} client CPU seconds vs aws s3 cp", best["mlcloud upload"][2], best["aws upload"][2], "(reported)"),
            (f"download {n} client CPU seconds vs aws s3 cp", best["mlcloud download"][2], best["aws download"][2],
             "(reported)"),
            (f"upload {n} client CPU seconds, sendfile vs read through the buffer", best["mlcloud upload"][2],
             best["mlcloud upload, buffered"][2], "(reported)"),
            (f"upload {n} MiB/s, sendfile vs read through the buffer", mibs("mlcloud upload"),
             mibs("mlcloud upload, buffered"), "(reported)"),
        ]
        for metric, mine, peer, target in results:
            print(f"RESULT|{metric}|{mine:.4g}|{peer:.4g}|{mine / peer:.2f}x|{target}")
    finally:
        for sink in sinks:
            sink.kill()
            sink.wait()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
