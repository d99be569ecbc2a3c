"""Ctrl-C during ``skl-lrp report``: exit code 130, one line, no traceback,
no process left behind (folds in this process, and in joblib's workers)."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.skipif(
    not Path("/proc/self/stat").exists(), reason="needs POSIX signals and /proc"
)


def _session(sid):
    """The processes of session `sid` still running (not zombies)."""
    alive = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[3]) == sid and fields[0] != "Z":  # session id, state
            alive.append(int(stat.parent.name))
    return alive


@pytest.mark.parametrize("n_jobs", ["1", "2"])
def test_ctrl_c_during_report(n_jobs, tmp_path):
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT), *sys.path]))
    argv = [sys.executable, "-m", "skl_lrp", "report", "--dataset", "digits"]
    # Long enough (a minute or more) never to end before the signal.
    argv += ["--cv", "10", "--n-repeats", "20", "--n-jobs", n_jobs]
    argv += ["--out", str(tmp_path / "r.html")]
    process = subprocess.Popen(
        argv,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=tmp_path,
        start_new_session=True,  # its own process group, as a terminal's job
    )
    try:
        # The first line comes before the folds start; then let them run.
        assert process.stdout.readline().startswith("skl-lrp report: digits")
        time.sleep(1.5)
        assert process.poll() is None, "the report ended before the signal"
        os.killpg(process.pid, signal.SIGINT)  # Ctrl-C: the whole group
        _, err = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
    assert process.returncode == 130, err
    assert err.strip() == "skl-lrp report: interrupted", err
    deadline = time.monotonic() + 10
    while _session(process.pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _session(process.pid) == []
    assert not (tmp_path / "r.html").exists()
