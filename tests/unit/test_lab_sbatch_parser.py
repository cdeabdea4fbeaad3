"""The sbatch-to-job lab reads its expectations from the Slurm script: test that reader (the
lab's ``slurm.py``, imported as part of the lab's package)."""

from __future__ import annotations

import pytest

from coursecore.lab_package import lab_module
from coursecore.labs import find


@pytest.fixture(scope="module")
def checks():
    return lab_module(find("sbatch-to-job").path, "slurm.py")


def test_directives_long_short_and_flags(checks):
    text = (
        "#!/bin/bash\n#SBATCH -J sweep -a 1-3\n#SBATCH --time 10  # minutes\n#SBATCH --no-requeue\n"
        "echo #SBATCH --mem=1G\n"
    )
    assert checks.directives(text) == {"job-name": "sweep", "array": "1-3", "time": "10", "no-requeue": ""}


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("30", 1800),
        ("30:15", 1815),
        ("1:00:00", 3600),
        ("00:30:00", 1800),
        ("1-2", 93600),
        ("1-2:30", 95400),
        ("1-0:0:1", 86401),
    ],
)
def test_walltime_formats(checks, text, seconds):
    assert checks.walltime_seconds(text) == seconds


@pytest.mark.parametrize(
    ("text", "size"), [("4G", 4 * 2**30), ("512", 512 * 2**20), ("100M", 100 * 2**20), ("1T", 2**40)]
)
def test_memory(checks, text, size):
    assert checks.memory_bytes(text) == size


@pytest.mark.parametrize(
    ("text", "indexes", "throttle"),
    [("0-9%4", list(range(10)), 4), ("1,3,5", [1, 3, 5], None), ("0-15:4", [0, 4, 8, 12], None)],
)
def test_arrays(checks, text, indexes, throttle):
    assert checks.array_indexes(text) == (indexes, throttle)


def test_the_shipped_script(checks):
    text = checks.script().text
    d = checks.directives(text)
    assert checks.script().options == d and checks.script()["mem"] == "4G" and "no-requeue" in checks.script()
    assert (d["job-name"], d["array"], d["time"], d["cpus-per-task"], d["mem"]) == (
        "mc-pi",
        "0-9%4",
        "00:30:00",
        "2",
        "4G",
    )
    program, assigns = checks.awk_program(text)
    assert program.strip().startswith("BEGIN {") and "n=2000000" in assigns
