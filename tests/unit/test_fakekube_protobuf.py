"""Decoding kubectl's protobuf request bodies (bytes captured from kubectl 1.37)."""

from __future__ import annotations

import pytest
from fakekube.errors import ApiError
from fakekube.protobuf import decode

NAMESPACE = (
    b'k8s\x00\n\x0f\n\x02v1\x12\tNamespace\x12\x19\n\x11\n\x01x\x12\x00\x1a\x00"\x00'
    b'*\x002\x008\x00B\x00\x12\x00\x1a\x02\n\x00\x1a\x00"\x00'
)
TOKEN = (
    b'k8s\x00\n(\n\x18authentication.k8s.io/v1\x12\x0cTokenRequest\x12"\n\x10\n\x00\x12'
    b'\x00\x1a\x00"\x00*\x002\x008\x00B\x00\x12\x08\n\x03a,b \xb0\t\x1a\x04\n\x00\x12\x00'
    b'\x1a\x00"\x00'
)
CONFIGMAP = (
    b'k8s\x00\n\x0f\n\x02v1\x12\tConfigMap\x12#\n\x11\n\x01c\x12\x00\x1a\x00"\x00*'
    b'\x002\x008\x00B\x00\x12\x06\n\x01a\x12\x011\x12\x06\n\x01b\x12\x012\x1a\x00"\x00'
)
DEPLOYMENT_PREFIX = b"k8s\x00\n\x15\n\x07apps/v1\x12\nDeployment\x12\x00"


def test_namespace_drops_empty_fields():
    assert decode(NAMESPACE) == {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "x"}}


def test_token_request_spec():
    assert decode(TOKEN) == {
        "apiVersion": "authentication.k8s.io/v1",
        "kind": "TokenRequest",
        "spec": {"audiences": ["a,b"], "expirationSeconds": 1200},
    }


def test_configmap_data_map():
    assert decode(CONFIGMAP)["data"] == {"a": "1", "b": "2"}


def test_unsupported_kind_is_none_and_garbage_is_400():
    assert decode(DEPLOYMENT_PREFIX) is None
    with pytest.raises(ApiError) as garbage:
        decode(b"not protobuf")
    assert garbage.value.code == 400
    with pytest.raises(ApiError):
        decode(b"k8s\x00\n\xff")


def test_wrong_field_types_are_400_not_500():
    # typeMeta given as a varint instead of a message
    with pytest.raises(ApiError) as wrong:
        decode(b"k8s\x00\x08\x01")
    assert wrong.value.code == 400
