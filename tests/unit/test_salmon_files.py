"""Bounded reads of input files (salmon_algorithm._files.read_bounded): regular files only, never past a limit."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from salmon_algorithm._files import read_bounded

SOLVER = Path(__file__).resolve().parents[2] / "labs" / "argo-salmon" / "solver"


def test_reads_a_regular_file_up_to_the_limit(tmp_path):
    path = tmp_path / "x.txt"
    path.write_bytes(b"12345")
    assert read_bounded(path, 5) == b"12345"
    with pytest.raises(ValueError, match="5 bytes is more than the limit of 4 bytes"):
        read_bounded(path, 4)


def test_a_character_device_that_never_ends_is_refused_without_reading_it():
    with pytest.raises(ValueError, match="it is a character device, not a regular file"):
        read_bounded("/dev/zero", 1024)


def test_a_fifo_without_a_writer_is_refused_instead_of_blocking(tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    with pytest.raises(ValueError, match=r"named pipe \(FIFO\)"):
        read_bounded(fifo, 1024)


def test_folders_and_sockets_are_refused(tmp_path):
    with pytest.raises(ValueError, match="it is a folder"):
        read_bounded(tmp_path, 1024)
    with socket.socket(socket.AF_UNIX) as server:
        server.bind(str(tmp_path / "sock"))
        with pytest.raises(OSError):  # open(2) of a socket fails with ENXIO before fstat can tell
            read_bounded(tmp_path / "sock", 1024)


def test_a_missing_file_is_an_os_error_with_its_reason(tmp_path):
    with pytest.raises(FileNotFoundError):
        read_bounded(tmp_path / "missing", 10)


@pytest.mark.parametrize("kind", ["dev-zero", "fifo"])
def test_the_solver_refuses_them_with_one_line_and_status_2(kind, tmp_path):
    """The whole command: no MemoryError traceback for /dev/zero, no hang on a FIFO nobody writes."""
    if kind == "fifo":
        path = tmp_path / "instance.txt"
        os.mkfifo(path)
    else:
        path = Path("/dev/zero")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(SOLVER), os.environ.get("PYTHONPATH")]))}
    proc = subprocess.run(
        [sys.executable, "-m", "salmon_algorithm", "--instance", str(path), "--seed", "1"],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )
    assert proc.returncode == 2, proc.stderr
    assert proc.stdout == ""
    assert proc.stderr.startswith(f'error: failed to read instance "{path}": it is a ')
    assert proc.stderr.count("\n") == 1 and "not a regular file" in proc.stderr
