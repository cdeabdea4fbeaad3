"""The declarative-deploy lab's own lint rules, for the overlay's kustomization.yaml."""

from __future__ import annotations


def overlay(doc):
    if doc.get("kind") != "Kustomization":
        return []
    found = []
    if "commonLabels" in doc:
        found.append(
            (
                "commonLabels",
                "commonLabels also changes spec.selector, which an existing Deployment cannot change: "
                "use labels: [{pairs: {...}, includeTemplates: true}]",
            )
        )
    is_overlay = any(str(r).startswith("../") for r in doc.get("resources") or [])
    if is_overlay and doc.get("namespace") is None:
        found.append(((), "set namespace: deploy-prod, or the objects land wherever kubectl points"))
    for i, gen in enumerate(doc.get("configMapGenerator") or []):
        if isinstance(gen, dict) and gen.get("name") == "site" and gen.get("behavior") not in ("replace", "merge"):
            found.append(
                (("configMapGenerator", i), "the base already generates site: say behavior: replace (or merge)")
            )
    for i, image in enumerate(doc.get("images") or []):
        if isinstance(image, dict) and str(image.get("newTag", "")) in ("", "latest"):
            found.append((("images", i), "pin an exact release with newTag (latest moves under you)"))
    return found


RULES = [overlay]
