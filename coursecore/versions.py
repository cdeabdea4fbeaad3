"""Versions of the software the course installs, where more than one package must agree on them.

The sandbox installs Argo Workflows at :data:`ARGO_VERSION` (``sandbox.addons.registry``), the
linter checks Workflows against that release's schema (``manifestlint.argo_schema``), and the book
names it; tests hold all three to this one constant.
"""

from __future__ import annotations

ARGO_VERSION = "v3.7.3"
"""The Argo Workflows release of the sandbox's add-on, the linter's schema and the book."""

__all__ = ["ARGO_VERSION"]
