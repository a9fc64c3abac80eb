"""What the local user pool does beyond moto: it signs tokens with a key of this data folder, not
moto's published one, and it honours RevokeToken.

**Signing key.**
Moto signs every Cognito token with one RSA key shipped inside the package
(``moto/cognitoidp/resources/jwks-private.json``) and serves the matching public key at
``/<pool>/.well-known/jwks.json``. Anyone with moto installed can therefore sign a token the
local gateway would accept. Here:

* ``<data>/cognito/signing-key.json`` holds a private RSA JWK generated on first start
  (2048 bits, file mode 0600) and read on every later start, so tokens issued before a restart
  still verify after it;
* moto's two resource loads are pointed at that key (the pool signs with it, the JWKS endpoint
  publishes its public half), and pools restored from a snapshot are re-keyed the same way.

The key id stays ``dummy``: moto writes that ``kid`` into every token header, and the gateway's
JWKS client looks the key up by it. What changes is the key behind the id.

**WriteAttributes**: moto lets any user rewrite any attribute of their own with their access
token; Cognito refuses attributes outside the app client's ``WriteAttributes``. ``install``
makes the local pool refuse them too (NotAuthorizedException, as Cognito answers).

**RevokeToken** (sign-out): moto 5.2 has no such action. ``install`` adds it to moto's Cognito
responses: the refresh token is marked revoked exactly as moto's own global sign-out marks
them, so a later REFRESH_TOKEN_AUTH answers NotAuthorized. The production code calls the same
API against the real user pool (``EnableTokenRevocation`` on the app client).

Apply with :func:`install` after a restore and before the moto server takes requests.
"""
from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

KID = "dummy"
_PRIVATE = "cognitoidp/resources/jwks-private.json"


def load_or_create(directory: Path) -> dict[str, Any]:
    """The folder's private JWK, generated on first use."""
    path = directory / "signing-key.json"
    if path.is_file():
        return dict(json.loads(path.read_text()))
    from joserfc import jwk

    key = jwk.RSAKey.generate_key(2048, parameters={"kid": KID, "alg": "RS256", "use": "sig"}, private=True)
    data = key.as_dict(private=True)
    data["kid"] = KID
    directory.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        json.dump(data, handle)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)
    return dict(data)


def public_part(private: dict[str, Any]) -> dict[str, Any]:
    return {k: private[k] for k in ("kty", "n", "e", "kid", "alg", "use") if k in private}


def install(directory: Path) -> None:
    """Make moto sign with, and publish, this folder's key (new pools and restored ones)."""
    from joserfc import jwk
    from moto.cognitoidp import models, responses

    private = load_or_create(directory)
    original = getattr(models.load_resource, "__wrapped__", models.load_resource)

    def load_resource(resource: str) -> Any:
        return dict(private) if resource == _PRIVATE else original(resource)

    load_resource.__wrapped__ = original  # type: ignore[attr-defined]
    models.load_resource = load_resource
    responses.CognitoIdpJsonWebKeyResponse.json_web_key = json.dumps({"keys": [public_part(private)]}).encode()

    responses.CognitoIdpResponse.revoke_token = _revoke_token  # type: ignore[attr-defined]
    backend_cls = models.CognitoIdpBackend
    original_update = getattr(backend_cls.update_user_attributes, "__wrapped__", backend_cls.update_user_attributes)

    def update_user_attributes(self: Any, access_token: str, attributes: list[dict[str, str]]) -> None:
        for pool in self.user_pools.values():
            if access_token in pool.access_tokens:
                client_id, _ = pool.access_tokens[access_token]
                client = pool.clients.get(client_id)
                allowed = (client.extended_config.get("WriteAttributes") if client else None)
                if allowed is not None:
                    refused = [a["Name"] for a in attributes if a["Name"] not in allowed]
                    if refused:
                        raise models.NotAuthorizedError(
                            f"A client attempted to write unauthorized attribute {refused[0]}")
        original_update(self, access_token, attributes)

    update_user_attributes.__wrapped__ = original_update  # type: ignore[attr-defined]
    backend_cls.update_user_attributes = update_user_attributes

    key = jwk.RSAKey.import_key(private)
    for _account, _region, backend in models.cognitoidp_backends.iter_backends():
        for pool in backend.user_pools.values():
            pool.json_web_key = key


def _revoke_token(self: Any) -> Any:
    from moto.core.responses import EmptyResult

    token, client_id = self._get_param("Token"), self._get_param("ClientId")
    for pool in self.backend.user_pools.values():
        found = pool.refresh_tokens.get(token) if client_id in pool.clients else None
        if found is not None and found[0] == client_id:
            pool.refresh_tokens[token] = None
    return EmptyResult()
