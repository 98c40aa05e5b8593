#!/usr/bin/env bash
# The mlcloud CLI on the local backend: cp, ls, train --follow, jobs, status, logs, predict,
# cancel, rm, gpus, and the errors a user meets first. Usage: local_end_to_end.sh MLCLOUD TRAINER_DIR DATA_DIR
set -euo pipefail
mlcloud=$1 trainer_dir=$2 data=$3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export HOME=$work MLCLOUD_HOME=$work/store PATH=$trainer_dir:$PATH
unset MLCLOUD_PROVIDER MLCLOUD_CLI_STATE

fail() { echo "FAIL: $*" >&2; exit 1; }
expect() { # expect <needle> <text>
    [[ $2 == *"$1"* ]] || fail "expected '$1' in: $2"
}

out=$("$mlcloud" cp "$data/iris.csv" datasets/iris.csv)
expect "uploaded 3858 bytes to datasets/iris.csv" "$out"
expect "datasets/iris.csv" "$("$mlcloud" ls)"
# A destination ending in / is a directory: the file keeps its name there, as with cp(1).
expect "uploaded 3858 bytes to copies/iris.csv" "$("$mlcloud" cp "$data/iris.csv" copies/)"

out=$("$mlcloud" train --data datasets/iris.csv --target species --name e2e-iris --follow)
expect "epoch 1/" "$out"
expect "✅ Model saved successfully!" "$out"
expect "Training complete" "$out"
job=$("$mlcloud" jobs | awk -F'\t' '$3 == "e2e-iris" {print $2}')
[[ $job == local-* ]] || fail "no job record for e2e-iris"

expect "state: succeeded" "$("$mlcloud" status "$job")"
[[ $("$mlcloud" logs "$job" | tail -n 1) == "✅ Model saved successfully!" ]] || fail "logs do not end with the marker"

"$mlcloud" predict --model models/e2e-iris/model.json --input "$data/iris-predict.csv" --output "$work/pred.csv" >/dev/null
rows=$(($(wc -l <"$work/pred.csv") - 1))
inputs=$(($(wc -l <"$data/iris-predict.csv") - 1))
[[ $rows -eq $inputs ]] || fail "predicted $rows rows for $inputs inputs"
head -n 1 "$work/pred.csv" | grep -q ',prediction$' || fail "no prediction column"
# The input may also be a stored object, named by its key.
"$mlcloud" cp "$data/iris-predict.csv" inputs/rows.csv >/dev/null
"$mlcloud" predict --model models/e2e-iris/model.json --input inputs/rows.csv --output "$work/pred2.csv" >/dev/null
cmp -s "$work/pred.csv" "$work/pred2.csv" || fail "a stored input predicted other rows"

# A log longer than one read (64 KiB) is printed whole without --follow.
"$mlcloud" train --data datasets/iris.csv --target species --name e2e-chatty --follow -- sh -c 'seq 1 30000; echo "✅ Model saved successfully!"' >/dev/null
chatty=$("$mlcloud" jobs | awk -F'\t' '$3 == "e2e-chatty" {print $2}')
[[ $("$mlcloud" logs "$chatty" | wc -l) -eq 30001 ]] || fail "logs without --follow cut a long log short"

# A long job, cancelled.
"$mlcloud" train --data datasets/iris.csv --target species --name e2e-long -- sh -c 'echo started; sleep 300' >/dev/null
long=$("$mlcloud" jobs | awk -F'\t' '$3 == "e2e-long" {print $2}')
expect "cancelled" "$("$mlcloud" cancel "$long")"
expect "state: cancelled" "$("$mlcloud" status "$long")"

# A path that is a file here and a stored object too: cp does not guess which way to copy.
mkdir -p "$work/here/datasets"
cp "$data/iris.csv" "$work/here/datasets/iris.csv"
set +e
err=$(cd "$work/here" && "$mlcloud" cp datasets/iris.csv copy.csv 2>&1); rc=$?
set -e
[[ $rc -eq 2 ]] || fail "ambiguous cp exit code $rc"; expect "say --upload or --download" "$err"
expect "downloaded 3858 bytes from datasets/iris.csv" "$(cd "$work/here" && "$mlcloud" cp --download datasets/iris.csv copy.csv)"
cmp -s "$work/here/copy.csv" "$data/iris.csv" || fail "cp --download copied other bytes"
# A file:// URI on the local side is that path (it was taken for a stored key, or a file named "file:").
expect "downloaded 3858 bytes" "$("$mlcloud" cp --download datasets/iris.csv "file://$work/here/copy2.csv")"
cmp -s "$work/here/copy2.csv" "$data/iris.csv" || fail "cp to a file:// URI wrote elsewhere"

"$mlcloud" rm datasets/iris.csv >/dev/null
[[ $("$mlcloud" ls datasets/) == "" ]] || fail "rm left the object"
expect "NVIDIA RTX A5000" "$("$mlcloud" gpus)"

# Errors: clear words and the right exit codes, never a crash.
set +e
err=$("$mlcloud" train --data s3://x/y --target a 2>&1); rc=$?
[[ $rc -eq 1 ]] || fail "bad URI exit code $rc"; expect "3 to 63 characters" "$err"
err=$("$mlcloud" --provider gcp ls 2>&1); rc=$?
[[ $rc -eq 1 ]] || fail "unknown provider exit code $rc"; expect "unknown provider 'gcp'" "$err"
err=$("$mlcloud" status local-does-not-exist 2>&1); rc=$?
[[ $rc -eq 1 ]] || fail "unknown job exit code $rc"
err=$("$mlcloud" cp ../../etc/passwd.csv x 2>&1); rc=$?
[[ $rc -eq 1 ]] || fail "escaping download exit code $rc"
err=$("$mlcloud" predict --model models/e2e-iris/model.json --input no-such-rows.csv 2>&1); rc=$?
[[ $rc -eq 1 ]] || fail "missing input exit code $rc"; expect "no input file no-such-rows.csv here, and no stored object" "$err"
err=$("$mlcloud" frobnicate 2>&1); rc=$?
[[ $rc -eq 2 ]] || fail "unknown command exit code $rc"
err=$("$mlcloud" train --target a 2>&1); rc=$?
[[ $rc -eq 2 ]] || fail "missing --data exit code $rc"; expect "missing --data" "$err"
err=$("$mlcloud" train --data datasets/iris.csv --target a python train.py 2>&1); rc=$?
[[ $rc -eq 2 ]] || fail "workload without -- exit code $rc"; expect "unexpected argument 'python'" "$err"
err=$("$mlcloud" logs "$job" -f 2>&1); rc=$?
[[ $rc -eq 2 ]] || fail "single-dash option exit code $rc"; expect "unknown option -f" "$err"
err=$("$mlcloud" status "$job" "$job" 2>&1); rc=$?
[[ $rc -eq 2 ]] || fail "second job id exit code $rc"
err=$("$mlcloud" train --data datasets/iris.csv --target a --max-price cheap 2>&1); rc=$?
[[ $rc -eq 2 ]] || fail "bad number exit code $rc"; expect "--max-price: expected a number" "$err"
err=$("$mlcloud" train --data datasets/iris.csv --target a --max-runtime 99999999999999999d 2>&1); rc=$?
[[ $rc -eq 2 ]] || fail "overflowing duration exit code $rc"
err=$("$mlcloud" --provider 2>&1); rc=$?
[[ $rc -eq 2 ]] || fail "--provider without a value exit code $rc"; expect "--provider needs a value" "$err"
err=$("$mlcloud" predict --model models/e2e-iris/model.json --input "$data/iris-predict.csv" --output "$work/pred.csv/p.csv" 2>&1); rc=$?
[[ $rc -eq 1 ]] || fail "unwritable --output exit code $rc"
[[ -f "$work/pred.csv" ]] || fail "unwritable --output touched the file in its way"
# An --output that is a directory fails and leaves no temporary file beside it.
mkdir "$work/outdir"
err=$("$mlcloud" predict --model models/e2e-iris/model.json --input "$data/iris-predict.csv" --output "$work/outdir" 2>&1); rc=$?
[[ $rc -eq 1 ]] || fail "directory --output exit code $rc"
[[ ! -e "$work/outdir.mlcloud-tmp" && ! -e "$work/outdir.tmp" ]] || fail "a failed --output left its temporary file"
# A dataset that is neither a file here nor a stored object stops before any launch.
err=$("$mlcloud" train --data iris.cvs --target species --name e2e-typo 2>&1); rc=$?
[[ $rc -eq 1 ]] || fail "missing dataset exit code $rc"; expect "no dataset file iris.cvs here, and no stored object" "$err"
[[ -z $("$mlcloud" jobs | awk -F'\t' '$3 == "e2e-typo"') ]] || fail "a missing dataset launched a job"
# Usage mistakes the CLI once let through.
out=$("$mlcloud" train --help); rc=$?
[[ $rc -eq 0 ]] || fail "train --help exit code $rc"; expect "usage: mlcloud" "$out"
err=$("$mlcloud" logs "$job" --follow --interval 0 2>&1); rc=$?
[[ $rc -eq 2 ]] || fail "--interval 0 exit code $rc"; expect "--interval: expected a duration from 1s to 1h" "$err"
err=$("$mlcloud" reconcile --terminate --min-age 999999d 2>&1); rc=$?
[[ $rc -eq 2 ]] || fail "huge --min-age exit code $rc"; expect "at most 366d" "$err"
err=$("$mlcloud" gpus --provider gcp 2>&1); rc=$?
[[ $rc -eq 2 ]] || fail "gpus of an unknown provider exit code $rc"; expect "unknown provider 'gcp'" "$err"
err=$("$mlcloud" setup --datacenter EU-RO-1 2>&1); rc=$?
[[ $rc -eq 2 ]] || fail "local setup with a RunPod option exit code $rc"; expect "unknown option --datacenter" "$err"
err=$("$mlcloud" train --data "$data/iris.csv" --target bot 2>&1); rc=$?
[[ $rc -eq 2 ]] || fail "a job named like the bot's exit code $rc"; expect "are the bot's" "$err"
err=$("$mlcloud" train --data "$data/iris.csv" --target species --name Bot_x 2>&1); rc=$?
[[ $rc -eq 2 ]] || fail "a name RunPod spells as the bot's exit code $rc"; expect "are the bot's" "$err"
err=$("$mlcloud" train --data "$data/iris.csv" --target species --key "" 2>&1); rc=$?
[[ $rc -eq 2 ]] || fail "an empty --key exit code $rc"; expect "--key" "$err"
# A damaged record is reported, and reconcile --terminate stops nothing while one exists.
echo '{not json' >"$HOME/.mlcloud/cli/jobs/local-damaged.json"
err=$("$mlcloud" jobs 2>&1 >/dev/null); rc=$?
[[ $rc -eq 1 ]] || fail "jobs with a damaged record exit code $rc"; expect "local-damaged.json" "$err"
"$mlcloud" train --data "$data/iris.csv" --target species --name e2e-kept -- sh -c 'sleep 300' >/dev/null
kept=$("$mlcloud" jobs 2>/dev/null | awk -F'\t' '$3 == "e2e-kept" {print $2}')
mv "$HOME/.mlcloud/cli/jobs/$kept.json" "$work/kept.json" # its record lost: it looks like an orphan
err=$("$mlcloud" reconcile --terminate --min-age 0 2>&1); rc=$?
[[ $rc -eq 1 ]] || fail "reconcile --terminate with a damaged record exit code $rc"
expect "not stopping anything while a job record cannot be read" "$err"
mv "$work/kept.json" "$HOME/.mlcloud/cli/jobs/$kept.json"
[[ $("$mlcloud" status "$kept") != *"state: cancelled"* ]] || fail "reconcile stopped a job while a record was damaged"
"$mlcloud" cancel "$kept" >/dev/null
rm "$HOME/.mlcloud/cli/jobs/local-damaged.json"
# Ctrl-C while train --follows: the CLI stops following, says the job goes on, exits 130.
"$mlcloud" train --data "$data/iris.csv" --target species --name e2e-sigint --follow -- sh -c 'echo started; sleep 300' \
    >"$work/sigint.out" 2>&1 &
follower=$!
for _ in $(seq 1 300); do grep -q '^started' "$work/sigint.out" && break; sleep 0.1; done
kill -INT "$follower"
wait "$follower"; rc=$?
[[ $rc -eq 130 ]] || fail "train --follow after SIGINT exit code $rc: $(cat "$work/sigint.out")"
expect "stopped following" "$(cat "$work/sigint.out")"
sigint=$("$mlcloud" jobs | awk -F'\t' '$3 == "e2e-sigint" {print $2}')
[[ $("$mlcloud" status "$sigint") != *"state: cancelled"* ]] || fail "SIGINT stopped the job, not the following"
"$mlcloud" cancel "$sigint" >/dev/null
set -e
echo "cli end to end: ok"
