"""The README's local-cluster example, run: a Ray head and a second worker node on this machine
(``ray start``), ``slsim-nation-study --executor ray --address``, and the study folder compared
byte for byte, every file, with the basic executor's.

The nodes are started with ``ray start ... --block`` and stopped by their own process ids (the
README's ``ray stop`` stops every Ray process of the user on the machine, other clusters too).
They run with a token of their own (Ray 2.52+ asks for one: ``RAY_AUTH_MODE=token``,
``RAY_AUTH_TOKEN``), bound to 127.0.0.1, with a temp dir of their own."""

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import pytest
from nation_study_helpers import files, tiny

pytest.importorskip("ray")

BIN = Path(sys.executable).parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start(args: list, env: dict, log: Path) -> subprocess.Popen:
    proc = subprocess.Popen(
        [str(BIN / "ray"), "start", *args, "--num-cpus=1", "--node-ip-address=127.0.0.1", "--disable-usage-stats"]
        + ["--block"],
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    deadline = time.monotonic() + 90
    while "Ray runtime started" not in log.read_text():
        if proc.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"ray start failed: {log.read_text()[-2000:]}")
        time.sleep(0.3)
    return proc


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)  # ray start --block stops its node's processes
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)  # its own session: the node's processes only
            proc.wait()


@pytest.fixture
def cluster(tmp_path):
    port = _free_port()
    temp = tempfile.mkdtemp(prefix="ray", dir="/tmp")  # short: Ray's socket paths must fit 107 bytes
    env = {**os.environ, "RAY_AUTH_MODE": "token", "RAY_AUTH_TOKEN": uuid.uuid4().hex}
    env.pop("RAY_ADDRESS", None)
    nodes = []
    try:
        head = ["--head", f"--port={port}", f"--temp-dir={temp}", "--include-dashboard=false"]
        nodes.append(_start(head, env, tmp_path / "head.log"))
        nodes.append(_start([f"--address=127.0.0.1:{port}"], env, tmp_path / "worker.log"))
        yield f"127.0.0.1:{port}", env
    finally:
        for proc in reversed(nodes):
            _stop(proc)
        shutil.rmtree(temp, ignore_errors=True)


def test_a_two_node_ray_cluster_writes_the_basic_executors_bytes(cluster, tmp_path):
    address, env = cluster
    study = BIN / "slsim-nation-study"
    ray_out, basic_out = tmp_path / "ray", tmp_path / "basic"
    proc = subprocess.run(
        [str(study), "--executor", "ray", "--address", address, "--out", str(ray_out), *tiny()],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "4 national runs" in proc.stdout
    basic = subprocess.run(
        [str(study), "--quiet", "--out", str(basic_out), *tiny()], capture_output=True, text=True, timeout=300
    )
    assert basic.returncode == 0, basic.stderr[-3000:]
    got, want = files(ray_out), files(basic_out)
    assert len(want) == 4 + 4 * (3 + 4)  # four study files; each run's three tables and four schemes
    assert sorted(got) == sorted(want)
    assert [name for name in want if got[name] != want[name]] == []
