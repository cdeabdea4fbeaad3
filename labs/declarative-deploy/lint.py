"""The declarative-deploy lab's own lint rules, for the production overlay's kustomization.yaml.

The base's kustomization (``resources: [deployment.yaml, ...]``) is the starting point the lab
hands out; the rules are about the overlay the learner writes (``resources: [../../base]``).
"""

from __future__ import annotations

from manifestlint import Finding, rule


def _is_overlay(kustomization):
    resources = kustomization.get("resources")
    return isinstance(resources, list) and any(isinstance(r, str) and r.startswith("../") for r in resources)


@rule(kinds=["Kustomization"])
def overlay(kustomization):
    if not _is_overlay(kustomization):
        return
    if "commonLabels" in kustomization:
        yield Finding(
            "commonLabels",
            "commonLabels also changes spec.selector, which an existing Deployment cannot change: "
            "use labels: [{pairs: {...}, includeTemplates: true}]",
        )
    if kustomization.get("namespace") is None:
        yield Finding("", "set namespace: deploy-prod, or the objects land wherever kubectl points")
    generators = kustomization.get("configMapGenerator")
    for i, gen in enumerate(generators if isinstance(generators, list) else []):
        if isinstance(gen, dict) and gen.get("name") == "site" and gen.get("behavior") not in ("replace", "merge"):
            yield Finding(
                ("configMapGenerator", i), "the base already generates site: say behavior: replace (or merge)"
            )
    images = kustomization.get("images")
    for i, image in enumerate(images if isinstance(images, list) else []):
        if isinstance(image, dict) and str(image.get("newTag", "")) in ("", "latest"):
            yield Finding(("images", i), "pin an exact release with newTag (latest moves under you)")
