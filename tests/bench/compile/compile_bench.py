#!/usr/bin/env python3
#
# Copyright (c) 2026 mlcloud developers
# Distributed under the Boost Software License, Version 1.0.
#
"""Compile times of a few translation units, mlcloud against what a user would write without it.

    compile_bench.py --source-dir SRC [--cxx g++] [--rounds 1] [--only api|aws]

Each TU in this directory is compiled to an object file with the flags of the Release build
(-O3 -DNDEBUG -std=gnu++20, the Boost link defines) and the compiler's user+sys CPU time is
taken (from wait4; not wall time, as the machine is shared). The best of --rounds counts.

  api_only.cpp     <mlcloud/concepts.hpp> + <mlcloud/types.hpp>   vs  asio_only.cpp  <boost/asio.hpp>
  aws_backend.cpp  the AWS backend, header-only                   vs  beast_https.cpp (Beast+SSL+JSON, one request)
  aws_backend.cpp  -DMLCLOUD_SEPARATE_COMPILATION                  vs  beast_https.cpp

Prints "RESULT|metric|mlcloud|peer|ratio|target" lines for run.sh.
"""
import argparse
import os
import resource
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
FLAGS = ["-O3", "-DNDEBUG", "-std=gnu++20", "-DBOOST_JSON_DYN_LINK", "-DBOOST_JSON_NO_LIB", "-DBOOST_URL_DYN_LINK",
         "-DBOOST_URL_NO_LIB", "-DBOOST_SYSTEM_DYN_LINK", "-DBOOST_SYSTEM_NO_LIB", "-DBOOST_CONTAINER_DYN_LINK",
         "-DBOOST_CONTAINER_NO_LIB"]


def compile_seconds(cxx, include, tu, extra, rounds):
    best = None
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(rounds):
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            cmd = [cxx] + FLAGS + extra + ["-I", include, "-c", os.path.join(HERE, tu), "-o", os.path.join(tmp, "tu.o")]
            if subprocess.call(cmd) != 0:
                sys.exit(f"compile_bench: {' '.join(cmd)} failed")
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
            best = cpu if best is None else min(best, cpu)
    print(f"  {tu:18s} {' '.join(extra):34s} {best:6.2f} s CPU", flush=True)
    return best


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--source-dir", required=True)
    ap.add_argument("--cxx", default=os.environ.get("CXX", "g++"))
    ap.add_argument("--rounds", type=int, default=int(os.environ.get("MLCLOUD_BENCH_COMPILE_ROUNDS", "1")))
    ap.add_argument("--only", choices=["api", "aws"])
    args = ap.parse_args()
    include = os.path.join(args.source_dir, "include")
    version = subprocess.run([args.cxx, "--version"], capture_output=True, text=True).stdout.splitlines()[0]
    print(f"Compile times ({version}, {' '.join(FLAGS[:3])}, best of {args.rounds})")

    def t(tu, *extra):
        return compile_seconds(args.cxx, include, tu, list(extra), args.rounds)

    rows = []
    if args.only in (None, "api"):
        api, asio = t("api_only.cpp"), t("asio_only.cpp")
        rows.append(("compile s: concepts.hpp+types.hpp TU vs <boost/asio.hpp> TU", api, asio, "<= 1x"))
    if args.only in (None, "aws"):
        beast = t("beast_https.cpp")
        header_only = t("aws_backend.cpp")
        separate = t("aws_backend.cpp", "-DMLCLOUD_SEPARATE_COMPILATION")
        rows.append(("compile s: AWS backend TU, header-only vs Beast+SSL+JSON TU", header_only, beast, "<= 1.5x"))
        rows.append(("compile s: AWS backend TU, separate compilation vs Beast+SSL+JSON TU", separate, beast, "<= 0.5x"))
    for metric, mine, peer, target in rows:
        print(f"RESULT|{metric}|{mine:.2f}|{peer:.2f}|{mine / peer:.2f}x|{target}")


if __name__ == "__main__":
    main()
