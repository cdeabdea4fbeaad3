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
