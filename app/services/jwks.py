"""The public signing key as a JWK Set, for services that verify Stride's RS256 tokens themselves."""

import hashlib
import json
from functools import lru_cache

from jwt.algorithms import RSAAlgorithm


@lru_cache(maxsize=4)
def _jwk(public_pem: str) -> dict:
    jwk = json.loads(RSAAlgorithm.to_jwk(RSAAlgorithm(RSAAlgorithm.SHA256).prepare_key(public_pem)))
    thumbprint = json.dumps({k: jwk[k] for k in ("e", "kty", "n")}, separators=(",", ":"), sort_keys=True)
    jwk.update(kid=hashlib.sha256(thumbprint.encode()).hexdigest()[:16], use="sig", alg="RS256")
    return jwk


def key_id(config) -> str | None:
    return _jwk(config["JWT_PUBLIC_KEY"])["kid"] if config["JWT_ALGORITHM"] == "RS256" else None


def jwk_set(config) -> dict:
    """`{"keys": [...]}`; empty with HS256, whose secret is never published."""
    return {"keys": [_jwk(config["JWT_PUBLIC_KEY"])]} if config["JWT_ALGORITHM"] == "RS256" else {"keys": []}
