#!/bin/sh
#
# Copyright (c) 2026 mlcloud developers
# Distributed under the Boost Software License, Version 1.0.
#
# The long soak of mlcloud-bot (docs/reliability.md, "Soak"):
#
#     tests/soak/run.sh [--minutes 10] [--users 150] [--bot PATH] [--seed N] [--report FILE]
#
# Without --bot it uses build/release, else build/sanitize, else build (the first that holds
# examples/telegram_bot/mlcloud-bot). Everything runs on 127.0.0.1. Prints the figures as JSON;
# exits non-zero when a check failed.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
minutes=10
users=150
seed=1
bot=""
report=""
while [ $# -gt 0 ]; do
    case "$1" in
        --minutes) minutes=$2; shift 2 ;;
        --users) users=$2; shift 2 ;;
        --bot) bot=$2; shift 2 ;;
        --seed) seed=$2; shift 2 ;;
        --report) report=$2; shift 2 ;;
        *) echo "usage: $0 [--minutes N] [--users N] [--bot PATH] [--seed N] [--report FILE]" >&2; exit 2 ;;
    esac
done
if [ -z "$bot" ]; then
    for dir in build/release build/sanitize build/dev build; do
        if [ -x "$root/$dir/examples/telegram_bot/mlcloud-bot" ]; then
            bot="$root/$dir/examples/telegram_bot/mlcloud-bot"
            break
        fi
    done
fi
if [ -z "$bot" ]; then
    echo "$0: no mlcloud-bot built; build the examples (cmake --preset release) or pass --bot" >&2
    exit 2
fi
echo "soak: $bot, $users users, $minutes min, seed $seed" >&2
set -- --bot "$bot" --seconds "$((minutes * 60))" --users "$users" --seed "$seed"
if [ -n "$report" ]; then
    set -- "$@" --report "$report"
fi
exec python3 "$here/bot_soak.py" "$@"
