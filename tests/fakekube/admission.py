"""ValidatingAdmissionPolicies, enforced by the fake API server as kube-apiserver enforces them.

Follows kubernetes' staging/src/k8s.io/apiserver/pkg/admission/plugin/policy/validating/
(dispatcher.go: the denial message and status; validator.go: match conditions first, then each
validation, ``message`` else ``failed expression: ...``, ``reason`` defaulting to Invalid, an
evaluation error decided by ``failurePolicy``) and .../policy/matching/matching.go (resource
rules, namespace and object selectors, excluded rules). The CEL expressions run in cel-python,
standard CEL only: Kubernetes' extension libraries (``authorizer``, ``quantity``, regex helpers
...) are not available, and ``paramKind`` is refused as a configuration error, so a policy that
needs them fails here loudly instead of passing silently.

Requests made through the server's Python API (tests playing controllers) are not admitted;
requests over HTTP are, with the authenticated user, after defaulting and before storage.
"""

from __future__ import annotations

import threading
import uuid
from dataclasses import dataclass

import celpy
from celpy import celtypes

from .errors import ApiError
from .resources import ResourceType
from .store import Store

POLICY_KEY = ("admissionregistration.k8s.io", "validatingadmissionpolicies")
BINDING_KEY = ("admissionregistration.k8s.io", "validatingadmissionpolicybindings")
_REASON_CODES = {"Unauthorized": 401, "Forbidden": 403, "Invalid": 422, "RequestEntityTooLarge": 413}


@dataclass(frozen=True)
class Attributes:
    """One write as admission sees it (``admission.Attributes``)."""

    operation: str
    """CREATE, UPDATE (DELETE and CONNECT are not admitted by the fake)."""
    rt: ResourceType
    namespace: str
    name: str
    obj: dict | None
    old: dict | None
    username: str
    groups: tuple[str, ...]
    subresource: str = ""
    dry_run: bool = False

    def request(self) -> dict:
        """The AdmissionRequest the policies read as ``request`` (admission/v1 field names)."""
        rt = self.rt
        gvk = {"group": rt.group, "version": rt.version, "kind": rt.kind}
        gvr = {"group": rt.group, "version": rt.version, "resource": rt.plural}
        return {
            "uid": str(uuid.uuid4()),
            "kind": gvk,
            "resource": gvr,
            "subResource": self.subresource,
            "requestKind": gvk,
            "requestResource": gvr,
            "requestSubResource": self.subresource,
            "name": self.name,
            "namespace": self.namespace,
            "operation": self.operation,
            "userInfo": {"username": self.username, "groups": list(self.groups)},
            "dryRun": self.dry_run,
            "object": self.obj,
            "oldObject": self.old,
        }


def to_cel(value):
    """JSON data as CEL values (maps, lists, strings, ints, doubles, bools, null)."""
    return celpy.json_to_cel(value)


class Evaluator:
    """Compiles each expression once and evaluates it against an activation."""

    def __init__(self) -> None:
        self._env = celpy.Environment()
        self._programs: dict[str, object] = {}
        self._lock = threading.Lock()

    def program(self, expression: str):
        with self._lock:
            found = self._programs.get(expression)
            if found is None:
                found = self._env.program(self._env.compile(expression))
                self._programs[expression] = found
            return found

    def evaluate(self, expression: str, activation: dict):
        """The value of ``expression``; raises ``CELEvalError``/``CELParseError`` on failure."""
        result = self.program(expression).evaluate(activation)
        if isinstance(result, celpy.CELEvalError):
            raise result
        return result


class _Lazy(celtypes.MapType):
    """``variables``: each composited variable evaluated on first use, as the real server does."""

    def __init__(self, evaluator: Evaluator, definitions: list[dict], activation: dict) -> None:
        super().__init__()
        self._definitions = {d.get("name"): d.get("expression", "") for d in definitions}
        self._evaluator = evaluator
        self._activation = activation

    def __missing__(self, key):
        if key not in self._definitions:
            raise KeyError(key)
        value = self._evaluator.evaluate(self._definitions[key], self._activation)
        self[key] = value
        return value

    def __contains__(self, key) -> bool:
        return key in self._definitions


def _selector_matches(selector: dict | None, labels: dict) -> bool:
    if not selector:
        return True
    for key, value in (selector.get("matchLabels") or {}).items():
        if labels.get(key) != value:
            return False
    for expr in selector.get("matchExpressions") or []:
        key, op, values = expr.get("key"), expr.get("operator"), expr.get("values") or []
        present = key in labels
        if op == "In" and not (present and labels[key] in values):
            return False
        if op == "NotIn" and present and labels[key] in values:
            return False
        if op == "Exists" and not present:
            return False
        if op == "DoesNotExist" and present:
            return False
    return True


def _rule_matches(rule: dict, attrs: Attributes) -> bool:
    rt = attrs.rt

    def listed(values, value) -> bool:
        values = values or []
        return "*" in values or value in values

    if not (listed(rule.get("apiGroups"), rt.group) and listed(rule.get("apiVersions"), rt.version)):
        return False
    if not listed(rule.get("operations"), attrs.operation):
        return False
    scope = rule.get("scope") or "*"
    if scope != "*" and scope != ("Namespaced" if rt.namespaced else "Cluster"):
        return False
    wanted = f"{rt.plural}/{attrs.subresource}" if attrs.subresource else rt.plural
    for resource in rule.get("resources") or []:
        if resource in ("*/*", wanted):
            return True
        if resource == "*" and not attrs.subresource:
            return True
        if "/" in resource:
            base, sub = resource.split("/", 1)
            if attrs.subresource and sub == "*" and base == rt.plural:
                return True
            if attrs.subresource and base == "*" and sub == attrs.subresource:
                return True
    return False


def evaluate_policy(
    evaluator: Evaluator, policy: dict, request: dict, *, namespace_object: dict | None = None
) -> list[tuple[str, str]]:
    """``(reason, message)`` of each validation of ``policy`` that denies ``request`` (validator.go).

    ``request`` is an admission/v1 AdmissionRequest, ``object`` and ``oldObject`` included, as
    a webhook would receive it; an empty list means admitted (or not matched by the policy's
    match conditions). Resource rules and bindings are the caller's business.
    """
    spec = policy.get("spec") or {}
    fail_closed = (spec.get("failurePolicy") or "Fail") == "Fail"
    if spec.get("paramKind"):
        return [("Invalid", "failed to configure policy: paramKind is not supported by the fake API server")]
    activation = {
        "object": to_cel(request.get("object")),
        "oldObject": to_cel(request.get("oldObject")),
        "request": to_cel({k: v for k, v in request.items() if k not in ("object", "oldObject")}),
        "params": to_cel(None),
        "namespaceObject": to_cel(namespace_object),
    }
    activation["variables"] = _Lazy(evaluator, spec.get("variables") or [], activation)
    for condition in spec.get("matchConditions") or []:
        try:
            matched = evaluator.evaluate(condition.get("expression", ""), activation)
        except Exception as err:  # noqa: BLE001 - a CEL error: decided by the failure policy
            return (
                [("Invalid", f"expression '{condition.get('name')}' resulted in error: {err}")] if fail_closed else []
            )
        if matched != celtypes.BoolType(True):
            return []
    denied = []
    for validation in spec.get("validations") or []:
        expression = validation.get("expression", "")
        try:
            result = evaluator.evaluate(expression, activation)
        except Exception as err:  # noqa: BLE001 - a CEL error: decided by the failure policy
            if fail_closed:
                denied.append(("Invalid", f"expression '{expression}' resulted in error: {err}"))
            continue
        if result != celtypes.BoolType(True):
            message = (validation.get("message") or "").strip() or f"failed expression: {expression.strip()}"
            denied.append((validation.get("reason") or "Invalid", message))
    return denied


class Admission:
    """The validating-admission-policy stage of one fake API server."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.evaluator = Evaluator()

    def _namespace_labels(self, attrs: Attributes) -> dict:
        if attrs.rt.plural == "namespaces" and attrs.rt.group == "":
            source = attrs.obj if attrs.obj is not None else attrs.old
            return (source or {}).get("metadata", {}).get("labels") or {}
        if not attrs.rt.namespaced:
            return {}
        ns = self.store.get(("", "namespaces"), "", attrs.namespace) or {}
        return ns.get("metadata", {}).get("labels") or {}

    def _resources_match(self, match: dict | None, attrs: Attributes) -> bool:
        """matching.go: rules, excluded rules, namespace selector, object selector."""
        if match is None:
            return True
        rules = match.get("resourceRules")
        if rules is not None and not any(_rule_matches(r, attrs) for r in rules):
            return False
        if any(_rule_matches(r, attrs) for r in match.get("excludeResourceRules") or []):
            return False
        if attrs.rt.namespaced or attrs.rt.plural == "namespaces":
            if not _selector_matches(match.get("namespaceSelector"), self._namespace_labels(attrs)):
                return False
        labels_new = ((attrs.obj or {}).get("metadata") or {}).get("labels") or {}
        labels_old = ((attrs.old or {}).get("metadata") or {}).get("labels") or {}
        selector = match.get("objectSelector")
        return _selector_matches(selector, labels_new) or (
            attrs.old is not None and _selector_matches(selector, labels_old)
        )

    def decisions(self, policy: dict, attrs: Attributes) -> list[tuple[str, str]]:
        namespace = None
        if attrs.rt.namespaced:
            namespace = self.store.get(("", "namespaces"), "", attrs.namespace)
        return evaluate_policy(self.evaluator, policy, attrs.request(), namespace_object=namespace)

    def admit(self, attrs: Attributes) -> list[str]:
        """Raise the API server's denial for the first denying policy; return warnings otherwise."""
        policies = {p["metadata"]["name"]: p for p in self.store.list(POLICY_KEY)}
        warnings: list[str] = []
        for name, policy in sorted(policies.items()):
            if not self._resources_match((policy.get("spec") or {}).get("matchConstraints"), attrs):
                continue
            for binding in self.store.list(BINDING_KEY):
                bspec = binding.get("spec") or {}
                if bspec.get("policyName") != name or not self._resources_match(bspec.get("matchResources"), attrs):
                    continue
                actions = bspec.get("validationActions") or []
                bound = binding["metadata"]["name"]
                for reason, message in self.decisions(policy, attrs):
                    text = f"ValidatingAdmissionPolicy '{name}' with binding '{bound}' denied request: {message}"
                    if "Deny" in actions:
                        raise denial(attrs, reason, text)
                    if "Warn" in actions:
                        warnings.append(
                            f"Validation failed for ValidatingAdmissionPolicy '{name}' "
                            f"with binding '{bound}': {message}"
                        )
        return warnings


def denial(attrs: Attributes, reason: str, message: str) -> ApiError:
    """admission.NewForbidden with the decision's reason and the matching code (dispatcher.go)."""
    rt = attrs.rt
    qualified = f"{rt.plural}.{rt.group}" if rt.group else rt.plural
    text = (
        f'{qualified} "{attrs.name}" is forbidden: {message}' if attrs.name else f"{qualified} is forbidden: {message}"
    )
    details = {"name": attrs.name, "kind": rt.plural, "causes": [{"message": message}]}
    if rt.group:
        details["group"] = rt.group
    return ApiError(_REASON_CODES.get(reason, 422), reason, text, details=details)


__all__ = ["Admission", "Attributes", "Evaluator", "denial", "evaluate_policy"]
