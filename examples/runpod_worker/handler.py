#!/usr/bin/env python3
#
# Copyright (c) 2026 mlcloud developers
# Distributed under the Boost Software License, Version 1.0.
#
"""The mlcloud prediction worker for RunPod serverless endpoints.

It applies a model saved by `mlcloud-trainer train` to CSV rows, through the trainer's own
predict mode (`mlcloud-trainer predict --model P --input P --output P`), with the models and
input files read from the endpoint's network volume (mounted by RunPod at /runpod-volume).

Job input (the "input" object of /run and /runsync, as mlcloud::runpod::prediction sends it):
    model    runpod://DATACENTER/VOLUME/path/model.json   (or a path relative to the volume)
    rows     CSV text with a header row, inline; or
    input    runpod://DATACENTER/VOLUME/path/rows.csv     (a file on the volume)
    output   optional runpod:// location: the predictions are also written there
    request  optional caller's request key (only logged)

Job output: {"predictions": "<CSV: the input columns plus 'prediction'>", "rows": N}
(and "output": the location, when one was given).

Errors: the handler returns {"error": "<code>: <message>"}; RunPod then marks the job FAILED
with that string, and mlcloud maps the code to its errc: not_found (no model or input file),
invalid_argument (bad input, rows the model cannot read), payload_too_large (predictions too
big for RunPod's 20 MB result limit: pass "output"), job_failed (anything else).

Run by RunPod: `python3 -u handler.py` starts the runpod SDK's worker loop. Run locally
(tests, or to try a model): `python3 handler.py --job job.json` or
`python3 handler.py --test_input '{"input": {...}}'` prints one JSON line, {"output": ...} or
{"error": ...}, shaped as the SDK reports the job. Environment: MLCLOUD_VOLUME_ROOT (default
/runpod-volume), MLCLOUD_TRAINER (default: mlcloud-trainer on PATH), MLCLOUD_PREDICT_TIMEOUT
(seconds, default 600).
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

MAX_RESULT_BYTES = 15 << 20  # RunPod drops results above 20 MB; keep a margin for the JSON


class JobError(Exception):
    def __init__(self, code, message):
        super().__init__(f"{code}: {message}")
        self.code = code


def volume_root():
    return os.environ.get("MLCLOUD_VOLUME_ROOT", "/runpod-volume")


def volume_path(location, what):
    """runpod://DC/VOLUME/key (or a relative key) -> the file on the mounted volume."""
    if not isinstance(location, str) or not location:
        raise JobError("invalid_argument", f"'{what}' must be a runpod:// location or a path on the volume")
    key = location
    if location.startswith("runpod://"):
        parts = location[len("runpod://"):].split("/", 2)
        if len(parts) < 3 or not parts[2]:
            raise JobError("invalid_argument", f"'{what}' {location} names no file")
        expected = os.environ.get("MLCLOUD_VOLUME_ID")
        if expected and parts[1] != expected:
            raise JobError("invalid_argument", f"'{what}' is on volume {parts[1]}, but this endpoint mounts {expected}")
        key = parts[2]
    elif "://" in location:
        raise JobError("invalid_argument", f"'{what}' {location} is not on the network volume")
    root = os.path.realpath(volume_root())
    path = os.path.realpath(os.path.join(root, key))
    if path != root and not path.startswith(root + os.sep):
        raise JobError("invalid_argument", f"'{what}' {location} points outside the volume")
    return path


def trainer_command():
    trainer = os.environ.get("MLCLOUD_TRAINER") or shutil.which("mlcloud-trainer")
    if not trainer:
        raise JobError("job_failed", "mlcloud-trainer is not installed in the worker image")
    return trainer


def handler(job):
    """The RunPod handler: job = {"id": ..., "input": {...}}."""
    try:
        return predict(job.get("input"))
    except JobError as e:
        return {"error": str(e)}


def predict(inp):
    if not isinstance(inp, dict):
        raise JobError("invalid_argument", "the job input must be an object with 'model' and 'rows' or 'input'")
    model = volume_path(inp.get("model"), "model")
    if not os.path.isfile(model):
        raise JobError("not_found", f"no model at {inp.get('model')}")
    with tempfile.TemporaryDirectory(prefix="mlcloud-worker-") as tmp:
        if "input" in inp:
            rows_path = volume_path(inp["input"], "input")
            if not os.path.isfile(rows_path):
                raise JobError("not_found", f"no input file at {inp['input']}")
        elif isinstance(inp.get("rows"), str):
            rows_path = os.path.join(tmp, "rows.csv")
            with open(rows_path, "w", encoding="utf-8", newline="") as f:
                f.write(inp["rows"])
        else:
            raise JobError("invalid_argument", "the job input needs 'rows' (CSV text) or 'input' (a file on the volume)")
        out_path = os.path.join(tmp, "predictions.csv")
        timeout = float(os.environ.get("MLCLOUD_PREDICT_TIMEOUT", "600"))
        try:
            proc = subprocess.run([trainer_command(), "predict", "--model", model, "--input", rows_path,
                                   "--output", out_path], capture_output=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            raise JobError("job_failed", f"the prediction took longer than {timeout:g} s")
        if proc.returncode != 0:
            lines = [l for l in proc.stderr.decode("utf-8", "replace").splitlines() if l.strip()]
            reason = lines[-1] if lines else f"mlcloud-trainer exited with status {proc.returncode}"
            if reason.startswith("error: "):
                reason = reason[len("error: "):]
            # Exit status 1 is the data or the model; anything else is the worker's own trouble.
            raise JobError("invalid_argument" if proc.returncode == 1 else "job_failed", reason)
        with open(out_path, encoding="utf-8", newline="") as f:
            predictions = f.read()
        rows = max(0, predictions.count("\n") - 1) if predictions.endswith("\n") else predictions.count("\n")
        result = {"rows": rows}
        if inp.get("output"):
            target = volume_path(inp["output"], "output")
            os.makedirs(os.path.dirname(target), exist_ok=True)
            tmp_target = target + ".tmp"
            shutil.copyfile(out_path, tmp_target)
            os.replace(tmp_target, target)
            result["output"] = inp["output"]
        if len(predictions.encode("utf-8")) > MAX_RESULT_BYTES:
            if not inp.get("output"):
                raise JobError("payload_too_large", f"{len(predictions) >> 20} MB of predictions is above RunPod's "
                                                    "result limit: pass 'output' to have them written to the volume")
        else:
            result["predictions"] = predictions
        return result


def run_locally(argv):
    """`--job FILE` or `--test_input JSON`: one job, reported as one JSON line."""
    if len(argv) == 2 and argv[0] == "--job":
        with open(argv[1], encoding="utf-8") as f:
            job = json.load(f)
    elif len(argv) == 2 and argv[0] == "--test_input":
        job = json.loads(argv[1])
    else:
        print(__doc__, file=sys.stderr)
        return 2
    job.setdefault("id", "local-test")
    try:
        result = handler(job)
    except Exception as e:  # what the SDK reports for an uncaught exception: a JSON-encoded string
        import traceback
        error = json.dumps({"error_type": str(type(e)), "error_message": str(e),
                            "error_traceback": traceback.format_exc(), "hostname": os.uname().nodename,
                            "worker_id": "local", "runpod_version": "none (local run)"})
        print(json.dumps({"id": job["id"], "status": "FAILED", "error": error}))
        return 0
    if isinstance(result, dict) and "error" in result:
        print(json.dumps({"id": job["id"], "status": "FAILED", "error": result["error"]}))
    else:
        print(json.dumps({"id": job["id"], "status": "COMPLETED", "output": result}))
    return 0


if __name__ == "__main__":
    if len(sys.argv) > 1:
        sys.exit(run_locally(sys.argv[1:]))
    import runpod  # the RunPod SDK, installed in the worker image

    runpod.serverless.start({"handler": handler})
