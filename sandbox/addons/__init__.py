"""Add-ons a lab can ask for (``cluster.addons`` in ``lab.yaml``), as a small declarative registry.

An add-on is data (:class:`~sandbox.addons.registry.Addon`): release manifest URLs (with their
sha256 where a release pins it), the namespace, the Deployments that must become Available, and
the images it runs (for ``kubecourse prefetch``). :mod:`~sandbox.addons.lock` keeps the pins of
manifests the registry does not pin (recorded on first download, verified afterwards);
:mod:`~sandbox.addons.cache` downloads and verifies manifests once; :mod:`~sandbox.addons.install`
applies them and waits (for the Deployments, and for a ready endpoint of every Service the
add-on's admission webhooks call, found by :mod:`~sandbox.addons.webhooks`). Adding an add-on means adding one entry.
"""

from sandbox.addons.registry import REGISTRY, Addon, Manifest, get

__all__ = ["REGISTRY", "Addon", "Manifest", "get"]
