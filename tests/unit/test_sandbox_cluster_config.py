"""kind cluster configs for N nodes."""

import pytest
import yaml

from coursecore.errors import UsageError
from sandbox import cluster_config


@pytest.mark.parametrize("nodes", [1, 2, 3, 8])
def test_one_control_plane_and_workers(nodes):
    doc = yaml.safe_load(cluster_config.render(nodes=nodes, image="img@sha256:abc"))
    assert doc["kind"] == "Cluster" and doc["apiVersion"] == "kind.x-k8s.io/v1alpha4"
    roles = [n["role"] for n in doc["nodes"]]
    assert roles == ["control-plane"] + ["worker"] * (nodes - 1)
    assert {n["image"] for n in doc["nodes"]} == {"img@sha256:abc"}


@pytest.mark.parametrize("nodes", [0, 9, -1, True, "2"])
def test_bad_node_counts(nodes):
    with pytest.raises(UsageError, match="node count"):
        cluster_config.render(nodes=nodes)


def test_node_names_follow_kind():
    assert cluster_config.node_names("kubecourse-a", 3) == [
        "kubecourse-a-control-plane",
        "kubecourse-a-worker",
        "kubecourse-a-worker2",
    ]
