# Copyright (c) 2026 mlcloud developers
# Distributed under the Boost Software License, Version 1.0.
#
# Sourced by the stand-ins: appends one record per call to $FAKE_LOG:
#   <argc>\0<command>\0<arg 1>\0...<arg n>\0
# (arguments may hold spaces, quotes and newlines, never NUL).
record_call() {
    local name
    name=$(basename "$0")
    printf '%s\0' "$#" "$name" "$@" >>"${FAKE_LOG:?FAKE_LOG is not set}"
}
