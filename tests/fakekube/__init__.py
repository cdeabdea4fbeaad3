"""fakekube: a fake Kubernetes API server that real kubectl and the ``kubernetes`` client accept.

It is a test double (no controllers, no scheduler, no RBAC): objects are stored and served
with the real server's REST semantics. See :class:`fakekube.server.FakeKubeServer` and the
pytest plugin :mod:`fakekube.fixtures`.
"""

from .errors import ApiError
from .server import DEFAULT_NAMESPACES, FakeKubeServer, RequestRecord

__all__ = ["ApiError", "DEFAULT_NAMESPACES", "FakeKubeServer", "RequestRecord"]
