"""Checks of the declarative-deploy lab: what ``kubectl apply -k overlays/production`` leaves in
namespace ``deploy-prod``. Each overlay feature shows in the objects it produced: the namespace,
the replica count, the env label (on objects and Pods, not in the selector), the pinned image,
the requests from the patch, and a ConfigMap whose name ends in the hash that kustomize's
generator computes from its content (a hand-made ConfigMap has no such suffix).
"""

from __future__ import annotations

import re

from autograder import objects
from autograder.checks import check, fail, ok, partial
from autograder.expect import expect_fields, require
from autograder.paths import get
from autograder.workloads import expect_requests, expect_rolled_out

NAMESPACE = "deploy-prod"
NAME = "web"
REPLICAS = 3
IMAGE = "nginx:1.27.3-alpine"
LABEL = ("env", "production")
GENERATED = re.compile(r"^site-[a-z0-9]{10}$")
PRODUCTION_PAGE = "Environment: production"


IMAGE_ROOT = ("image", NAMESPACE, NAME)  # a wrong image is why a rollout can hang


def _deployment(state):
    return require(state, "Deployment", NAME, namespace=NAMESPACE)


def _container(d):
    for c in objects.containers(d):
        if c.get("name") == NAME:
            return c
    return {}


@check(points=1)
def deployed(state):
    """Deployment web exists in namespace deploy-prod

    The overlay's namespace: deploy-prod puts every object there; apply with kubectl apply -k overlays/production.
    """
    return ok(f"found Deployment {objects.name(_deployment(state))}")


@check(points=1)
def replicas(state):
    """Production runs 3 replicas

    replicas: [{name: web, count: 3}] in the overlay's kustomization.yaml.
    """
    d = _deployment(state)
    return expect_fields(d, {"spec": {"replicas": REPLICAS}}, passed=f"{REPLICAS} replicas")


@check(points=1)
def env_label(state):
    """Everything carries env: production, the Pods too, the selector untouched

    labels: [{pairs: {env: production}, includeTemplates: true}]. commonLabels would also change spec.selector, which an
    existing Deployment refuses to change.
    """
    d = _deployment(state)
    key, value = LABEL
    places = {
        "Deployment": get(d, "metadata.labels", default=None),
        "Pod template": get(d, "spec.template.metadata.labels", default=None),
    }
    service = state.get("Service", NAME, namespace=NAMESPACE)
    if service is not None:
        places["Service"] = get(service, "metadata.labels", default=None)
    unlabelled = [where for where, labels in places.items() if (labels or {}).get(key) != value]
    if unlabelled:
        return fail(f"no label {key}={value} on: {', '.join(unlabelled)}")
    if key in (get(d, "spec.selector.matchLabels", default=None) or {}):
        return partial(
            0.5,
            f"{key} is in spec.selector too: the next change of that label will be refused "
            "(selectors are immutable); use labels: with includeTemplates: true",
        )
    return ok(f"{key}={value} on {', '.join(places)}")


@check(
    title=f"The image is pinned to {IMAGE} by the overlay",
    hint="images: [{name: nginx, newTag: 1.27.3-alpine}] rewrites the base's image without editing it.",
    points=1,
)
def image_pinned(state):
    d = _deployment(state)
    image = _container(d).get("image")
    return ok(f"image {image}") if image == IMAGE else fail(f"image is {image!r}, expected {IMAGE!r}", root=IMAGE_ROOT)


@check(points=2)
def generated_config(state):
    """The production page comes from a generated ConfigMap

    configMapGenerator: [{name: site, behavior: replace, files: [index.html]}] in the overlay; kustomize names it
    site-<hash> and rewrites the Deployment's reference, so a new page rolls out new Pods.
    """
    d = _deployment(state)
    names = [
        get(v, "configMap.name")
        for v in get(d, "spec.template.spec.volumes", default=None) or []
        if v.get("name") == "site"
    ]
    if not names or not names[0]:
        return fail("the Deployment mounts no ConfigMap as volume site")
    name = names[0]
    if not GENERATED.match(name):
        return fail(f"the page comes from ConfigMap {name!r}, not from kustomize's generator (site-<hash>)")
    configmap = state.get("ConfigMap", name, namespace=NAMESPACE)
    if configmap is None:
        return fail(f"the Deployment mounts ConfigMap {name}, which does not exist in {NAMESPACE}")
    if PRODUCTION_PAGE not in str(get(configmap, "data['index.html']", default="")):
        return fail(f"ConfigMap {name} holds the base's page, not the overlay's index.html (behavior: replace)")
    return ok(f"page from generated ConfigMap {name}")


@check(points=1)
def requests(state):
    """The overlay's patch sets CPU and memory requests

    patches: [{path: resources.yaml}], a Deployment web with only the container's resources.requests.
    """
    return expect_requests(_deployment(state))


@check(points=2, timeout=90)
def rolled_out(state):
    """The rollout finished: every replica is updated and available

    kubectl rollout status deployment/web -n deploy-prod; kubectl get pods -n deploy-prod shows what is stuck.
    """
    d = _deployment(state)
    outcome = expect_rolled_out(state, d, timeout=60)
    # A rollout that hangs with an image other than the one asked for (a misspelt tag, as a rule)
    # is put down to the image, which image-pinned reports.
    return outcome.with_root(IMAGE_ROOT) if _container(d).get("image") != IMAGE else outcome
