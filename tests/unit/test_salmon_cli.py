"""The solver's command line (salmon_algorithm.cli): JSON on stdout, one-line errors, exit codes."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from salmon_algorithm.cli import main
from salmon_algorithm.generate import generate

FAST = ["--generations", "20", "--population", "40", "--survival", "8", "--elite", "3"]


@pytest.fixture
def instance_file(tmp_path):
    path = tmp_path / "gen.txt"
    path.write_text(generate(genome_length=400, coverage=4, fragment_length=80, seed=3).matrix_text())
    return path


def test_prints_one_json_result_and_writes_the_requested_files(instance_file, tmp_path, capsys):
    output, score_file = tmp_path / "out" / "5.json", tmp_path / "score"
    code = main(
        [
            "--instance",
            str(instance_file),
            "--seed",
            "5",
            *FAST,
            "--output",
            str(output),
            "--score-file",
            str(score_file),
        ]
    )
    captured = capsys.readouterr()
    assert (code, captured.err) == (0, "")
    printed = json.loads(captured.out)
    assert captured.out.count("\n") == 1
    assert {"instance", "seed", "score", "length", "generation", "seconds", "tour"} <= printed.keys()
    assert (printed["instance"], printed["seed"], printed["format"]) == ("gen.txt", 5, "dna")
    assert json.loads(output.read_text()) == printed
    assert score_file.read_text() == f"{printed['score']}\n"
    assert isinstance(printed["score"], int)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--seed", "1"], "the following arguments are required: --instance"),
        (["--instance", "{file}", "--seed", "x"], "invalid int value"),
        (["--instance", "{file}", "--seed", "1", "--memory", "2"], "--memory 2.0 is a probability"),
        (["--instance", "{file}", "--seed", "1", "--format", "tsp"], "tsp instance needs"),
        (["--instance", "{file}", "--seed", "1", "--best-known", "1000"], "below"),
        (["--instance", "{missing}", "--seed", "1"], "No such file"),
        (["--instance", "{file}", "--seed", "1", "--output", "{file}/x.json", *FAST], "failed to write"),
    ],
)
def test_user_mistakes_are_one_line_errors_with_status_2(args, message, instance_file, tmp_path, capsys):
    argv = [a.format(file=instance_file, missing=tmp_path / "missing.txt") for a in args]
    with pytest.raises(SystemExit) as stopped:
        code = main(argv)
        raise SystemExit(code)
    captured = capsys.readouterr()
    assert stopped.value.code == 2
    assert captured.out == ""
    assert captured.err.startswith("error: ") and captured.err.count("\n") == 1
    assert message in captured.err


def test_help_teaches_the_best_known_convention(capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    text = capsys.readouterr().out
    assert "--best-known" in text and "N*10000" in text and "--seed" in text


@pytest.mark.parametrize("module", ["salmon_algorithm", "salmon_algorithm.collect", "salmon_algorithm.generate"])
def test_a_reader_that_went_away_ends_the_command_quietly(module, instance_file, tmp_path):
    """``... | head -c 0``: the output pipe is closed before the command writes. Python ignores
    SIGPIPE, so the write raises BrokenPipeError; the commands exit 141, as a shell reports a
    program its reader left, with nothing on stderr instead of a traceback."""
    (tmp_path / "runs").mkdir()
    (tmp_path / "runs" / "1.json").write_text(
        json.dumps({"instance": "gen.txt", "seed": 1, "score": 5, "length": 9, "tour": [0, 1]})
    )
    args = {
        "salmon_algorithm": ["--instance", str(instance_file), "--seed", "1", *FAST],
        "salmon_algorithm.collect": [str(tmp_path / "runs")],
        "salmon_algorithm.generate": [
            "--genome-length",
            "400",
            "--coverage",
            "4",
            "--fragment-length",
            "80",
            "--seed",
            "1",
            "-o",
            str(tmp_path / "g.txt"),
        ],
    }[module]
    read, write = os.pipe()
    os.close(read)
    with os.fdopen(write, "wb") as stdout:
        run = subprocess.run(
            [sys.executable, "-m", module, *args], stdout=stdout, stderr=subprocess.PIPE, text=True, timeout=120
        )
    assert (run.returncode, run.stderr) == (141, "")
