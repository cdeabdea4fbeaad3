"""coursecore.labs: lab.yaml validation names the file and field of every mistake."""

from __future__ import annotations

import shlex
from pathlib import Path

import pytest
import yaml

from coursecore import labs
from coursecore.errors import UsageError

GOOD = {
    "id": "demo",
    "title": "A demo lab",
    "tier": "general",
    "minutes": 20,
    "summary": "Run a pod.",
    "cluster": {"nodes": 2, "addons": ["argo-workflows"], "namespaces": ["demo"]},
    "grading": {"capture": [{"apiVersion": "v1", "kind": "Pod", "namespace": "demo"}]},
}


def write_lab(root: Path, data: dict, folder: str = "demo") -> Path:
    lab = root / folder
    lab.mkdir(parents=True, exist_ok=True)
    (lab / "lab.yaml").write_text(yaml.safe_dump(data))
    return lab


def test_good_lab_loads(tmp_path):
    write_lab(tmp_path, GOOD)
    lab = labs.find("demo", tmp_path)
    assert lab.cluster.nodes == 2 and lab.cluster.addons == ("argo-workflows",)
    assert lab.grading.capture[0].kind == "Pod" and lab.grading.checks == "checks.py"
    assert lab.cluster.describe() == "2 nodes, argo-workflows, ns demo"
    assert lab.to_json()["cluster"]["namespaces"] == ["demo"]


def test_discover_sorts_and_skips_folders_without_lab_yaml(tmp_path):
    write_lab(tmp_path, {**GOOD, "id": "zeta"}, "zeta")
    write_lab(tmp_path, GOOD)
    (tmp_path / "not-a-lab").mkdir()
    assert [lab.id for lab in labs.discover(tmp_path)] == ["demo", "zeta"]


@pytest.mark.parametrize(
    "change, field, words",
    [
        ({"tier": "expert"}, "tier", "expected one of general, intermediate, advanced"),
        ({"minutes": "soon"}, "minutes", "whole number"),
        ({"minutes": True}, "minutes", "whole number"),
        ({"id": "other"}, "id", "folder is 'demo'"),
        ({"id": "Bad_Id"}, "id", "not a lab id"),
        ({"title": ""}, "title", "non-empty string"),
        ({"colour": "red"}, "colour", "not a known field"),
        ({"cluster": {"nodes": 0}}, "cluster.nodes", "from 1 to 8"),
        ({"cluster": {"addons": "argo"}}, "cluster.addons", "must be a list"),
        ({"cluster": {"namespaces": ["Salmon"]}}, "cluster.namespaces[0]", "DNS label"),
        ({"cluster": {"images": [{"build": "x"}]}}, "cluster.images[0].build", "no Dockerfile"),
        ({"cluster": {"images": [{}]}}, "cluster.images[0].name", "is required"),
        (
            {"cluster": {"data": [{"claim": "d", "namespace": "n", "source": "none"}]}},
            "cluster.data[0].source",
            "does not exist",
        ),
        ({"cluster": []}, "cluster", "must be a mapping"),
        ({"cluster": {"manifests": ["setup/missing.yaml"]}}, "cluster.manifests[0]", "is not a file"),
        ({"solution": "kubectl apply -f x.yaml"}, "solution", "must be a list"),
        ({"solution": [3]}, "solution[0]", "kubectl command line"),
        ({"solution": ["rm -rf /"]}, "solution[0]", "must be `kubectl VERB"),
        ({"solution": ["kubectl exec -it pod -- sh"]}, "solution[0]", "must be `kubectl VERB"),
        ({"solution": ["kubectl get pods --kubeconfig=/etc/admin"]}, "solution[0]", "must be `kubectl VERB"),
        ({"solution": ["kubectl apply -f x.yaml --context=prod"]}, "solution[0]", "must not choose the cluster"),
        ({"solution": ["kubectl apply -s https://10.0.0.1 -f x.yaml"]}, "solution[0]", "must not choose the cluster"),
        ({"solution": ["kubectl apply -f missing.yaml"]}, "solution[0]", "neither starter/ nor solution/"),
        ({"solution": ["kubectl wait pod/x --for=delete --timeout=soon"]}, "solution[0]", "not a duration"),
        ({"solution": ["kubectl apply -f 'x.yaml"]}, "solution[0]", "cannot be split"),
        ({"grading": {"capture": [{"kind": "Pod"}]}}, "grading.capture[0].apiVersion", "is required"),
        (
            {"grading": {"capture": [{"apiVersion": "v1", "kind": "Pod", "ns": "x"}]}},
            "grading.capture[0].ns",
            "not a known field",
        ),
    ],
)
def test_mistakes_name_file_and_field(tmp_path, change, field, words):
    lab = write_lab(tmp_path, {**GOOD, **change})
    with pytest.raises(UsageError) as info:
        labs.load_lab(lab)
    message = str(info.value)
    assert str(lab / "lab.yaml") in message
    assert f"field '{field}'" in message
    assert words in message


def test_missing_required_field(tmp_path):
    data = dict(GOOD)
    del data["summary"]
    with pytest.raises(UsageError, match="field 'summary' is required"):
        labs.load_lab(write_lab(tmp_path, data))


def test_unknown_lab_lists_the_known_ones(tmp_path):
    write_lab(tmp_path, GOOD)
    with pytest.raises(UsageError, match=r"unknown lab 'nope' \(known labs: demo\)"):
        labs.find("nope", tmp_path)


def test_path_like_lab_ids_are_refused(tmp_path):
    with pytest.raises(UsageError, match="invalid lab id"):
        labs.find("../etc", tmp_path)


def test_missing_labs_folder(tmp_path):
    with pytest.raises(UsageError, match="labs folder not found"):
        labs.discover(tmp_path / "nowhere")


def test_every_shipped_lab_is_valid():
    for lab in labs.discover():
        assert lab.path.name == lab.id


def test_course_file_orders_the_labs(tmp_path):
    for name in ("alpha", "beta", "gamma"):
        write_lab(tmp_path, {**GOOD, "id": name}, name)
    (tmp_path / "course.yaml").write_text("order: [gamma, alpha, beta]\n")
    assert [lab.id for lab in labs.discover(tmp_path)] == ["gamma", "alpha", "beta"]
    assert labs.course_order(tmp_path) == ["gamma", "alpha", "beta"]


def test_without_a_course_file_labs_are_listed_by_id(tmp_path):
    write_lab(tmp_path, GOOD)
    assert labs.course_order(tmp_path) is None


@pytest.mark.parametrize(
    "text, words",
    [
        ("order: [demo, demo]\n", "field 'order[1]' names 'demo' a second time"),
        ("order: [demo, ghost]\n", "field 'order[1]' names 'ghost', but"),
        ("order: []\n", "field 'order' must be a list"),
        ("order: demo\n", "field 'order' must be a list"),
        ("order: [demo, Bad_Id]\n", "field 'order[1]' is 'Bad_Id', not a lab id"),
        ("order: [demo]\nextra: 1\n", "field 'extra' is not a known field"),
        ("order: [demo\n", "not valid YAML"),
    ],
)
def test_course_file_mistakes_name_the_file_and_field(tmp_path, text, words):
    write_lab(tmp_path, GOOD)
    (tmp_path / "course.yaml").write_text(text)
    with pytest.raises(UsageError) as info:
        labs.discover(tmp_path)
    assert words in str(info.value) and str(tmp_path / "course.yaml") in str(info.value)


def test_a_lab_left_out_of_the_course_file_is_an_error(tmp_path):
    write_lab(tmp_path, GOOD)
    write_lab(tmp_path, {**GOOD, "id": "extra"}, "extra")
    (tmp_path / "course.yaml").write_text("order: [demo]\n")
    with pytest.raises(UsageError, match="leaves out extra: add each where it is taught"):
        labs.discover(tmp_path)


def test_the_course_is_taught_in_chapter_order_first_pod_first():
    # Each lab's chapter file name starts with its number (book/04-...): the order must follow it,
    # so `kubecourse labs`, the book's table and the course build agree with the book.
    shipped = labs.discover()
    assert shipped[0].id == "first-pod"
    assert labs.course_order() == [lab.id for lab in shipped]
    chapters = [int(Path(lab.chapter).name.split("-", 1)[0]) for lab in shipped]
    assert chapters == sorted(chapters), list(zip([lab.id for lab in shipped], chapters, strict=True))


def test_labs_run_on_both_backends_unless_they_say_otherwise(tmp_path):
    lab = labs.load_lab(write_lab(tmp_path, GOOD))
    assert lab.backends == ("kind", "namespace") and lab.backend_notes == {}
    lab.require_backend("namespace")


@pytest.mark.parametrize(
    ("backends", "notes", "field", "words"),
    [
        ([], None, "backends", "non-empty list"),
        ("kind", None, "backends", "non-empty list"),
        (["kind", "k3s"], None, "backends[1]", "expected one of kind, namespace"),
        (["kind", "kind"], None, "backends", "twice"),
        (["kind"], None, "backend_notes", "why the lab cannot be done on the namespace backend"),
        (["kind"], {"namespace": "  "}, "backend_notes.namespace", "must say why"),
        (["kind"], {"kind": "x", "namespace": "y"}, "backend_notes.kind", "does not list as unsupported"),
        (["kind"], ["namespace"], "backend_notes", "must be a mapping"),
    ],
)
def test_backend_mistakes_name_the_field(tmp_path, backends, notes, field, words):
    data = {**GOOD, "backends": backends}
    if notes is not None:
        data["backend_notes"] = notes
    with pytest.raises(UsageError) as caught:
        labs.load_lab(write_lab(tmp_path, data))
    assert field in caught.value.message and words in caught.value.message


def test_a_lab_refuses_a_backend_it_does_not_support_and_says_why(tmp_path):
    data = {
        **GOOD,
        "backends": ["kind"],
        "backend_notes": {"namespace": "ClusterQueues are cluster-scoped;\n use kind"},
    }
    lab = labs.load_lab(write_lab(tmp_path, data))
    assert lab.to_json()["backends"] == ["kind"]
    with pytest.raises(UsageError) as caught:
        lab.require_backend("namespace")
    assert (
        caught.value.message
        == "lab demo cannot be done on the namespace backend: ClusterQueues are cluster-scoped; use kind"
    )
    assert "runs on: kind" in caught.value.hint


def test_job_queues_is_kind_only_with_the_reason():
    lab = labs.find("job-queues")
    assert lab.backends == ("kind",) and "cluster-scoped" in lab.backend_notes["namespace"]


def test_solution_steps_and_their_timeouts(tmp_path):
    lab = write_lab(
        tmp_path,
        {
            **GOOD,
            "solution": [
                "kubectl apply -f pod.yaml",
                "kubectl wait --for=condition=Ready pod/x -n demo --timeout=2m",
                "kubectl rollout status deployment/web --timeout 90s",
            ],
        },
    )
    (lab / "starter").mkdir()
    (lab / "starter" / "pod.yaml").write_text("kind: Pod\n")
    loaded = labs.load_lab(lab)
    assert loaded.solution[0] == "kubectl apply -f pod.yaml" and loaded.to_json()["solution"] == list(loaded.solution)
    assert labs.step_timeout(["kubectl", "apply", "-f", "pod.yaml"]) == labs.DEFAULT_STEP_SECONDS
    assert labs.step_timeout(["kubectl", "wait", "--timeout=2m"]) == 180
    assert labs.step_timeout(["kubectl", "rollout", "status", "--timeout", "90s"]) == 150


def test_data_needs_a_digest_pinned_copy_image_that_start_loads(tmp_path):
    pinned = "busybox:1.36.1@sha256:" + "a" * 64
    base = {"claim": "d", "namespace": "n", "source": "data"}
    cases = [
        ({**base}, {}, "cluster.data[0].image", "is required"),
        ({**base, "image": "busybox:1.36.1"}, {}, "cluster.data[0].image", "pinned by digest"),
        ({**base, "image": pinned}, {}, "cluster.data[0].image", "also be listed in cluster.images"),
    ]
    for volume, extra, field, words in cases:
        lab = write_lab(tmp_path, {**GOOD, "cluster": {"data": [volume], **extra}})
        (lab / "data").mkdir(exist_ok=True)
        with pytest.raises(UsageError) as info:
            labs.load_lab(lab)
        assert f"field '{field}'" in str(info.value) and words in str(info.value)
    lab = write_lab(tmp_path, {**GOOD, "cluster": {"data": [{**base, "image": pinned}], "images": [{"name": pinned}]}})
    assert labs.load_lab(lab).cluster.data[0].image == pinned


@pytest.mark.parametrize("lab", labs.discover(), ids=lambda lab: lab.id)
def test_every_labs_solution_steps_are_commands_its_notebook_gives(lab):
    """rehearse applies the reference solution exactly as the notebook tells learners: every step
    in lab.yaml is one of the notebook's command cells' lines, with $NS the lab's namespace (the
    notebook is the source; lab.yaml picks the commands that apply and wait)."""
    from coursecore.labsteps import Command, lab_steps

    assert lab.solution, f"{lab.id}: lab.yaml has no solution steps for kubecourse rehearse"
    namespace = lab.cluster.namespaces[0]
    given = [s.argv(namespace) for s in lab_steps(lab) if isinstance(s, Command) and not s.may_fail]
    for step in lab.solution:
        assert shlex.split(step) in given, f"{lab.id}: `{step}` is not a command of the notebook"
