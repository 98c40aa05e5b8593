#!/usr/bin/env python3
#
# Copyright (c) 2026 mlcloud developers
# Distributed under the Boost Software License, Version 1.0.
#
"""The RunPod worker (examples/runpod_worker/handler.py) fed jobs shaped as RunPod delivers them,
and the trainer image's entrypoint (examples/trainer/entrypoint.sh) run on small workloads.

    worker_test.py SOURCE_DIR TRAINER
"""
import importlib.util
import json
import os
import subprocess
import sys
import tempfile
import unittest

SOURCE_DIR, TRAINER = sys.argv[1], sys.argv[2]
HANDLER = os.path.join(SOURCE_DIR, "examples", "runpod_worker", "handler.py")
ENTRYPOINT = os.path.join(SOURCE_DIR, "examples", "trainer", "entrypoint.sh")
IRIS = os.path.join(SOURCE_DIR, "examples", "data", "iris.csv")
IRIS_PREDICT = os.path.join(SOURCE_DIR, "examples", "data", "iris-predict.csv")
MARKER = "\u2705 Model saved successfully!"
FINISHED = "mlcloud: workload finished: " + MARKER


def load_handler():
    spec = importlib.util.spec_from_file_location("mlcloud_worker_handler", HANDLER)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class Worker(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.volume = os.path.join(cls.tmp.name, "runpod-volume")
        os.makedirs(os.path.join(cls.volume, "models", "iris"))
        # A real model, trained by the trainer the worker uses.
        subprocess.run([TRAINER, "train", "--data", IRIS, "--target", "species", "--epochs", "50",
                        "--model", os.path.join(cls.volume, "models", "iris", "model.json")],
                       check=True, capture_output=True)
        os.makedirs(os.path.join(cls.volume, "inputs"))
        with open(IRIS_PREDICT, encoding="utf-8") as f:
            cls.rows = f.read()
        with open(os.path.join(cls.volume, "inputs", "iris.csv"), "w", encoding="utf-8") as f:
            f.write(cls.rows)
        os.environ["MLCLOUD_VOLUME_ROOT"] = cls.volume
        os.environ["MLCLOUD_TRAINER"] = TRAINER
        cls.handler = load_handler()

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def job(self, **inp):
        # What the runpod SDK hands a handler: the job id and the client's input.
        return {"id": "sync-5f0e9a3c-2b7d-4c1e-9d3f-0a1b2c3d4e5f-e1", "input": inp}

    def run_cli(self, job):
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
            json.dump(job, f)
        try:
            out = subprocess.run([sys.executable, HANDLER, "--job", f.name], capture_output=True, check=True)
        finally:
            os.unlink(f.name)
        return json.loads(out.stdout.decode().strip().splitlines()[-1])

    def test_inline_rows_get_one_prediction_each(self):
        out = self.handler.handler(self.job(model="runpod://EU-RO-1/vol/models/iris/model.json", rows=self.rows))
        self.assertNotIn("error", out)
        lines = out["predictions"].splitlines()
        self.assertEqual(lines[0], self.rows.splitlines()[0] + ",prediction")
        self.assertEqual(out["rows"], len(self.rows.splitlines()) - 1)
        self.assertEqual(len(lines), len(self.rows.splitlines()))
        for line in lines[1:]:
            self.assertIn(line.rsplit(",", 1)[1], ("setosa", "versicolor", "virginica"))

    def test_input_file_on_the_volume_and_output_location(self):
        out = self.handler.handler(self.job(model="models/iris/model.json", input="runpod://EU-RO-1/vol/inputs/iris.csv",
                                            output="runpod://EU-RO-1/vol/predictions/iris.csv"))
        self.assertNotIn("error", out)
        with open(os.path.join(self.volume, "predictions", "iris.csv"), encoding="utf-8") as f:
            self.assertEqual(f.read(), out["predictions"])
        self.assertEqual(out["output"], "runpod://EU-RO-1/vol/predictions/iris.csv")

    def test_missing_model_and_input_are_not_found(self):
        out = self.handler.handler(self.job(model="runpod://EU-RO-1/vol/models/none.json", rows=self.rows))
        self.assertEqual(out, {"error": "not_found: no model at runpod://EU-RO-1/vol/models/none.json"})
        out = self.handler.handler(self.job(model="models/iris/model.json", input="inputs/none.csv"))
        self.assertEqual(out, {"error": "not_found: no input file at inputs/none.csv"})

    def test_bad_requests_are_invalid_argument(self):
        for inp in ({"rows": self.rows}, {"model": "models/iris/model.json"},
                    {"model": "../../etc/passwd", "rows": self.rows},
                    {"model": "s3://bucket/model.json", "rows": self.rows},
                    {"model": "runpod://EU-RO-1/vol", "rows": self.rows}):
            out = self.handler.handler(self.job(**inp))
            self.assertTrue(out.get("error", "").startswith("invalid_argument: "), (inp, out))
        self.assertTrue(self.handler.handler({"id": "x", "input": "rows"})["error"].startswith("invalid_argument: "))

    def test_rows_the_model_cannot_read_carry_the_trainers_words(self):
        out = self.handler.handler(self.job(model="models/iris/model.json", rows="a,b\n1,2\n"))
        self.assertTrue(out["error"].startswith("invalid_argument: the input has no column"), out)

    def test_volume_id_check(self):
        os.environ["MLCLOUD_VOLUME_ID"] = "vol"
        try:
            ok = self.handler.handler(self.job(model="runpod://EU-RO-1/vol/models/iris/model.json", rows=self.rows))
            self.assertNotIn("error", ok)
            other = self.handler.handler(self.job(model="runpod://EU-RO-1/other/models/iris/model.json", rows=self.rows))
            self.assertTrue(other["error"].startswith("invalid_argument: 'model' is on volume other"), other)
        finally:
            del os.environ["MLCLOUD_VOLUME_ID"]

    def test_local_runs_report_as_the_sdk_does(self):
        done = self.run_cli(self.job(model="models/iris/model.json", rows=self.rows))
        self.assertEqual(done["status"], "COMPLETED")
        self.assertIn("predictions", done["output"])
        failed = self.run_cli(self.job(model="models/none.json", rows=self.rows))
        self.assertEqual(failed["status"], "FAILED")
        self.assertTrue(failed["error"].startswith("not_found: "))

    def test_an_escaping_exception_is_a_json_encoded_error(self):
        env = dict(os.environ, MLCLOUD_TRAINER=os.path.join(self.tmp.name, "no-such-trainer"))
        job = json.dumps(self.job(model="models/iris/model.json", rows=self.rows))
        out = subprocess.run([sys.executable, HANDLER, "--test_input", job], capture_output=True, env=env, check=True)
        result = json.loads(out.stdout.decode().strip())
        self.assertEqual(result["status"], "FAILED")
        error = json.loads(result["error"])
        self.assertEqual(error["error_type"], "<class 'FileNotFoundError'>")
        self.assertIn("no-such-trainer", error["error_message"])
        self.assertIn("Traceback", error["error_traceback"])


class Entrypoint(unittest.TestCase):
    def run_entry(self, *argv, **env):
        e = dict(os.environ, MLCLOUD_AFTER_EXIT="exit")
        e.pop("RUNPOD_POD_ID", None)
        e.update(env)
        p = subprocess.run(["bash", ENTRYPOINT, *argv], capture_output=True, env=e, timeout=60)
        return p.returncode, p.stdout.decode().splitlines()

    def test_success_ends_with_the_finished_line(self):
        code, lines = self.run_entry("sh", "-c", f"echo training; echo '{MARKER}'")
        self.assertEqual(code, 0)
        self.assertEqual(lines, ["training", MARKER, FINISHED])

    def test_the_verdict_is_the_last_line_after_a_chatty_workload(self):
        # status() reads only the log's tail: lines after the marker must not push it out.
        code, lines = self.run_entry("sh", "-c", f"echo '{MARKER}'; seq 1 200")
        self.assertEqual(code, 0)
        self.assertEqual(lines[-1], FINISHED)
        self.assertEqual(len(lines), 202)

    def test_the_marker_without_its_check_mark_is_not_success(self):
        code, lines = self.run_entry("sh", "-c", "echo 'Model saved successfully!'")
        self.assertEqual(lines[-1], "mlcloud: workload exited with status 0")

    def test_an_error_after_the_marker_does_not_undo_the_saved_model(self):
        code, lines = self.run_entry("sh", "-c", f"echo '{MARKER}'; exit 2")
        self.assertEqual(code, 2)
        self.assertEqual(lines[-1], FINISHED)

    def test_failure_prints_the_exit_line(self):
        code, lines = self.run_entry("sh", "-c", "echo loading; echo 'error: bad row' >&2; exit 3")
        self.assertEqual(code, 3)
        self.assertEqual(lines, ["loading", "error: bad row", "mlcloud: workload exited with status 3"])

    def test_exit_zero_without_the_marker_is_reported(self):
        code, lines = self.run_entry("true")
        self.assertEqual(lines, ["mlcloud: workload exited with status 0"])

    def test_max_runtime_ends_the_workload_with_124(self):
        code, lines = self.run_entry("sleep", "30", MLCLOUD_MAX_RUNTIME_SECONDS="1")
        self.assertEqual(code, 124)
        self.assertEqual(lines, ["mlcloud: workload exited with status 124"])

    def test_the_real_trainer_through_the_entrypoint(self):
        with tempfile.TemporaryDirectory() as tmp:
            code, lines = self.run_entry(TRAINER, "train", "--epochs", "5", MLCLOUD_DATASET=IRIS,
                                         MLCLOUD_OUTPUT=os.path.join(tmp, "model.json"), MLCLOUD_TARGET="species")
            self.assertEqual(code, 0)
            self.assertEqual(lines[-2:], [MARKER, FINISHED])
            code, lines = self.run_entry(TRAINER, "train", MLCLOUD_DATASET=os.path.join(tmp, "missing.csv"),
                                         MLCLOUD_OUTPUT=os.path.join(tmp, "model.json"))
            self.assertEqual(code, 1)
            self.assertEqual(lines[-1], "mlcloud: workload exited with status 1")


if __name__ == "__main__":
    unittest.main(argv=[sys.argv[0], "-v"])
