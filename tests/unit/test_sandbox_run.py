"""The subprocess runner's one-line messages: the command's verbs, not its full argument list."""

import pytest

from sandbox._run import short_command


@pytest.mark.parametrize(
    "args, short",
    [
        (["kind", "create", "cluster", "--name", "x", "--image", "i@sha256:0"], "kind create cluster"),
        (["kubectl", "--kubeconfig", "/p", "apply", "--server-side", "--field-manager=k", "-f", "-"], "kubectl apply"),
        (["/usr/local/bin/docker", "image", "inspect", "img:1"], "docker image inspect img:1"),
        (["kind", "load", "docker-image", "img:1", "--name", "c"], "kind load docker-image img:1"),
    ],
)
def test_short_command(args, short):
    assert short_command(args) == short


def test_whatever_a_tool_prints_or_is_gives_an_error_not_a_traceback(tmp_path, monkeypatch):
    from sandbox import _run
    from sandbox.errors import CommandFailed, ToolMissing

    binary = tmp_path / "kind"
    binary.write_bytes(b"#!/bin/sh\nprintf 'caf\\351 \\377\\n' >&2\nexit 1\n")  # Latin-1, not UTF-8
    binary.chmod(0o755)
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(CommandFailed) as info:
        _run.run(["kind", "get", "clusters"], timeout=10)
    assert "caf\ufffd" in info.value.message
    binary.write_bytes(b"\x7fELF not really a program")  # exec format error
    with pytest.raises(ToolMissing, match="cannot run"):
        _run.run(["kind", "version"], timeout=10)
