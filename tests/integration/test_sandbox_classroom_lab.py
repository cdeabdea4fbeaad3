"""``class up --lab`` on the kind backend with the fake kind, fake docker, fake API server and
stand-in controllers: every learner's sandbox prepared by ``start``'s code, the host's share
done once, one learner's failure carried past, bad labs refused before anything is made.

The fake kind's clusters all answer from one fake API server, so the objects ``start`` applies
(namespaces, the add-on, the lab's manifests, the data Job) are checked there, while what
belongs to one cluster (the images loaded into its nodes, its state, its handed-out kubeconfig)
is checked per learner. Where the API side of the lab is involved the learners run one at a
time: concurrent ``kubectl apply`` of the same objects into one shared server would race in a
way separate real clusters never do. Image loading, which the learners share through one
archive per image, runs them in parallel.

A saved archive is loaded into many clusters because ``kind load image-archive`` only reads it:
kind v0.31.0 pkg/cmd/kind/load/image-archive/image-archive.go opens the file once per node
(``loadImage``) and never changes or removes it; the fake kind's ``load image-archive`` does
the same.
"""

import json

import pytest
from demo_lab_tools import COPY_IMAGE, LAB, MANIFEST, STEPS, api, demo_lab

from kubecourse.cli.main import run
from sandbox import classroom, prefetch, state
from sandbox.errors import CapacityExceeded, ChecksumMismatch

NAMES = ["alice", "bob", "carol"]
ARGO_IMAGES = (
    "quay.io/argoproj/workflow-controller:v3.7.3",
    "quay.io/argoproj/argocli:v3.7.3",
    "quay.io/argoproj/argoexec:v3.7.3",
)


@pytest.fixture
def room(fake_kind, tmp_path, monkeypatch):
    roster = tmp_path / "roster.csv"
    roster.write_text("name\n" + "\n".join(NAMES) + "\n")
    with demo_lab(fake_kind, tmp_path, monkeypatch) as (server, lab):
        yield fake_kind, server, lab, roster


def docker_verbs(fake_kind, verb):
    return [c["argv"] for c in fake_kind.invocations(verb, tool="docker")]


def test_class_up_lab_prepares_every_learner_and_does_the_hosts_share_once(room, tmp_path):
    fake_kind, server, lab, roster = room
    out = tmp_path / "handout"
    report = classroom.class_up(roster, output=out, parallel=1, capacity=100, lab="demo-lab")

    assert report.ok and report.lab == "demo-lab"
    assert [(r.name, r.status, r.lab) for r in report.results] == [(n, "created", "demo-lab") for n in NAMES]
    for r in report.results:
        assert [s["step"] for s in r.steps] == STEPS  # what `start demo-lab` does, for each learner
        assert r.kubeconfig == str(out / f"{r.name}.kubeconfig")
        assert state.load(r.name).lab == "demo-lab"
        # each cluster's own nodes hold the lab's images
        assert fake_kind.cluster(f"kubecourse-{r.name}")["images"] == ["demo-solver:1.0", "busybox:1.36.1"]
    # the data is there for the first learner; the others' copies find the same Job in the one
    # API server the fake clusters share (separate real clusters would each run it)
    assert "(already there)" not in report.results[0].steps[-1]["detail"]
    kube = api(fake_kind)
    assert kube.get("rbac.authorization.k8s.io/v1", "Role", "executor", "demo") is not None
    assert {d["metadata"]["name"] for d in kube.objects("apps/v1", "Deployment", "argo")} == {
        "workflow-controller",
        "argo-server",
    }
    assert kube.get("v1", "PersistentVolumeClaim", "demo-data", "demo") is not None

    # once on the host: one download, one build, one pull, one archive per image ...
    assert [s["step"] for s in report.host_steps] == [
        "manifest argo-workflows v3.7.3 install.yaml",
        "image demo-solver:1.0",
        f"image {COPY_IMAGE}",
    ]
    assert [s["detail"] for s in report.host_steps[1:]] == ["built", "pulled"]
    assert server.hits == ["/install.yaml"]
    assert len(docker_verbs(fake_kind, "build")) == 1 and len(docker_verbs(fake_kind, "pull")) == 1
    saved = docker_verbs(fake_kind, "save")
    assert sorted(argv[-1] for argv in saved) == ["busybox:1.36.1", "demo-solver:1.0"]
    # ... loaded into every cluster
    loads = fake_kind.invocations("load-archive")
    assert sorted(c["argv"][-1] for c in loads) == sorted(f"kubecourse-{n}" for n in NAMES for _ in range(2))
    assert {c["argv"][2] for c in loads} == {argv[argv.index("-o") + 1] for argv in saved}
    assert len(fake_kind.invocations("create")) == 3

    again = classroom.class_up(roster, output=out, parallel=1, capacity=100, lab="demo-lab")
    assert [r.status for r in again.results] == ["reused"] * 3 and again.ok
    assert all("(already there)" in r.steps[-1]["detail"] for r in again.results)
    assert len(fake_kind.invocations("create")) == 3 and server.hits == ["/install.yaml"]
    assert not (fake_kind.home / ".kube").exists()


def test_a_learner_whose_preparation_fails_is_reported_and_the_others_are_ready(room, tmp_path, monkeypatch):
    """bob's nodes refuse the image archive and the fallback import through their containerd
    fails too: bob's row says the sandbox is there but the lab is not, the others are ready."""
    fake_kind, _, _, roster = room
    fake_kind.fail_at("load-archive@kubecourse-bob")
    monkeypatch.setenv("FAKE_DOCKER_FAIL", "exec")
    out = tmp_path / "handout"
    report = classroom.class_up(roster, output=out, parallel=1, capacity=100, lab="demo-lab")
    assert not report.ok and report.counts() == {"created": 2, "failed": 1}
    alice, bob, carol = report.results
    assert (bob.status, bob.kubeconfig, bob.steps) == ("failed", None, [])
    assert bob.error.startswith("sandbox ready but lab demo-lab not prepared: failed to load image demo-solver:1.0")
    assert "class up --lab demo-lab` again" in bob.hint and "kubecourse start demo-lab --name bob" in bob.hint
    assert fake_kind.cluster("kubecourse-bob") is not None  # kept, for a retry
    assert sorted(p.name for p in out.iterdir()) == ["alice.kubeconfig", "carol.kubeconfig"]
    for r in (alice, carol):
        assert r.ok and [s["step"] for s in r.steps] == STEPS

    fake_kind.clear_failures()
    monkeypatch.delenv("FAKE_DOCKER_FAIL")
    retried = classroom.class_up(roster, output=out, parallel=1, capacity=100, lab="demo-lab")
    assert retried.ok and retried.results[1].status == "reused"
    assert "demo-solver:1.0" in fake_kind.cluster("kubecourse-bob")["images"]


def test_learners_in_parallel_share_one_archive_per_image(fake_kind, tmp_path, monkeypatch):
    """A lab whose only preparation is images: four learners, three at once, two images. Each
    image is saved once and loaded into every cluster, whichever learner got to it first."""
    root = tmp_path / "labs"
    (root / "images-only").mkdir(parents=True)
    (root / "images-only" / "lab.yaml").write_text(
        "id: images-only\ntitle: Images\ntier: general\nminutes: 5\nsummary: Images only.\n"
        'cluster:\n  images:\n    - {name: "solver:1.0"}\n    - {name: "collector:2.0"}\n'
    )
    monkeypatch.setenv("KUBECOURSE_LABS", str(root))
    for image in ("solver:1.0", "collector:2.0"):
        fake_kind.add_docker_image(image, multi_platform=True)
    roster = tmp_path / "roster.csv"
    roster.write_text("name\na1\na2\na3\na4\n")
    fake_kind.sleep_at("load-archive", 0.2)  # loads overlap
    report = classroom.class_up(roster, output=tmp_path / "o", parallel=3, capacity=100, lab="images-only")
    assert report.ok
    assert [s["detail"] for s in report.host_steps] == ["local", "local"]
    assert sorted(argv[-1] for argv in docker_verbs(fake_kind, "save")) == ["collector:2.0", "solver:1.0"]
    assert len(fake_kind.invocations("load-archive")) == 8
    for name in ("a1", "a2", "a3", "a4"):
        assert sorted(fake_kind.cluster(f"kubecourse-{name}")["images"]) == ["collector:2.0", "solver:1.0"]


def write_lab(root, lab_id, extra):
    (root / lab_id).mkdir(parents=True)
    (root / lab_id / "lab.yaml").write_text(
        f"id: {lab_id}\ntitle: T\ntier: general\nminutes: 5\nsummary: S.\n{extra}cluster: {{namespaces: [x]}}\n"
    )


def test_bad_labs_are_refused_before_anything_is_made(room, tmp_path, capsys):
    fake_kind, server, lab, roster = room
    write_lab(
        lab.parent,
        "shared-only",
        "backends: [namespace]\nbackend_notes:\n  kind: it needs the shared cluster's GPUs.\n",
    )
    out = tmp_path / "o"
    for lab_id, said in (
        ("no-such-lab", "unknown lab 'no-such-lab'"),
        ("shared-only", "lab shared-only cannot be done on the kind backend: it needs the shared cluster's GPUs"),
        ("Bad_Id", "invalid lab id 'Bad_Id'"),
    ):
        with pytest.raises(SystemExit) as info:
            run(["class", "up", "--roster", str(roster), "--output", str(out), "--lab", lab_id, "--force"])
        err = capsys.readouterr().err
        assert info.value.code == 2 and said in " ".join(err.split()) and "Traceback" not in err, err
    assert fake_kind.invocations() == [] and fake_kind.invocations(tool="docker") == []
    assert not out.exists() and state.names() == [] and server.hits == []

    # a lab that needs more nodes than --nodes counts as such against the host's capacity
    (lab / "lab.yaml").write_text(LAB.format(nodes=2, copy=COPY_IMAGE))
    with pytest.raises(CapacityExceeded, match="needs 6 more one-node sandboxes"):
        classroom.class_up(roster, output=out, capacity=5, lab="demo-lab")
    # an add-on manifest that fails its pin stops the room before the first cluster
    server.files["/install.yaml"] = MANIFEST + b"\n# tampered\n"
    with pytest.raises(ChecksumMismatch):
        classroom.class_up(roster, output=out, capacity=100, lab="demo-lab")
    assert fake_kind.clusters() == [] and not out.exists()


def test_cli_class_up_lab_offline_json_after_prefetch(room, tmp_path, capsys):
    """The workshop flow: `prefetch` on the host, then `class up --lab --offline --json`; the
    add-on's prefetched images go into every learner's nodes too, as `start` loads them."""
    fake_kind, server, _, roster = room
    assert all(r.ok for r in prefetch.prefetch(["demo-lab"]))
    capsys.readouterr()
    server.files.clear()  # the network is gone
    with pytest.raises(SystemExit) as info:
        run(
            [
                "class",
                "up",
                "--roster",
                str(roster),
                "--output",
                str(tmp_path / "o"),
                "--lab",
                "demo-lab",
                "--offline",
                "--parallel",
                "1",
                "--force",
                "--json",
            ]
        )
    captured = capsys.readouterr()
    assert info.value.code == 0, captured.err
    data = json.loads(captured.out)
    assert data["lab"] == "demo-lab" and data["ok"] and data["counts"] == {"created": 3}
    assert [s["detail"] for s in data["host_steps"][1:]] == ["local", "local"]
    for row in data["learners"]:
        steps = [s["step"] for s in row["steps"]]
        assert row["lab"] == "demo-lab" and steps[-1] == STEPS[-1]
        assert [f"image {i}" for i in ARGO_IMAGES] == [s for s in steps if "argoproj" in s]
        loaded = fake_kind.cluster(f"kubecourse-{row['name']}")["images"]
        assert set(ARGO_IMAGES) | {"demo-solver:1.0", "busybox:1.36.1"} <= set(loaded)
    assert "kubecourse check demo-lab" in captured.err
    assert server.hits == ["/install.yaml"]  # prefetch's download only


def test_cli_class_up_lab_table_and_exit_1(room, tmp_path, capsys, monkeypatch):
    fake_kind, _, _, roster = room
    fake_kind.fail_at("load-archive@kubecourse-carol")
    monkeypatch.setenv("FAKE_DOCKER_FAIL", "exec")
    with pytest.raises(SystemExit) as info:
        run(["class", "up", "--roster", str(roster), "-o", str(tmp_path / "o"), "--lab", "demo-lab", "-p", "1"])
    assert info.value.code == 1
    printed = capsys.readouterr().out
    assert "class up: 2 created, 1 failed; lab demo-lab ready in 2 of 3" in printed
    assert printed.count("ready, 6 steps") == 2 and "sandbox ready but lab" in printed, printed
