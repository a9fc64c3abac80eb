"""Identity and access: sign-in, the signed-in user's shops, and the audit log."""
from __future__ import annotations

from typing import Any

from shared.auth.roles import permissions_of
from shared.config import settings as config
from shared.errors import NotFound
from shared.http import ApiRequest, ShopApp
from shared.http.app import SIGNED_IN
from shared.identity import access, signin
from shared.identity.audit import AuditEntry, AuditQuery, search
from shared.model import Model
from shared.pagination import Page

app = ShopApp("identity")
DEMO_PASSWORD = "ShopDesk-demo-1"  # published demo credential of the local demo shop, not a secret
DEMO_ACCOUNTS = [("owner@demo.shop", "owner"), ("service@demo.shop", "customer_service"),
                 ("warehouse@demo.shop", "warehouse"), ("marketing@demo.shop", "marketing"),
                 ("finance@demo.shop", "finance")]


class DemoAccount(Model):
    email: str
    role: str


class AuthConfig(Model):
    demo: bool
    demo_password: str | None = None
    demo_accounts: list[DemoAccount] = []


class UserView(Model):
    id: str
    email: str
    name: str


class ShopMembership(Model):
    shop_id: str
    name: str
    roles: list[str]


class CurrentShop(ShopMembership):
    permissions: list[str]


class Me(Model):
    user: UserView
    shops: list[ShopMembership]
    current: CurrentShop | None


@app.api("GET", "/auth/config", public=True, response=AuthConfig)
def auth_config(req: ApiRequest[None, None]) -> AuthConfig:
    """What the sign-in page needs to know (in demo mode: the demo accounts)."""
    if not config().demo_mode:
        return AuthConfig(demo=False)
    return AuthConfig(demo=True, demo_password=DEMO_PASSWORD,
                      demo_accounts=[DemoAccount(email=e, role=r) for e, r in DEMO_ACCOUNTS])


@app.api("POST", "/auth/signin", public=True, body=signin.SignIn, response=signin.Tokens)
def sign_in(req: ApiRequest[signin.SignIn, None]) -> signin.Tokens:
    """Sign in with e-mail and password; may answer a NEW_PASSWORD_REQUIRED challenge."""
    return signin.sign_in(req.body)


@app.api("POST", "/auth/refresh", public=True, body=signin.Refresh, response=signin.Tokens)
def refresh(req: ApiRequest[signin.Refresh, None]) -> signin.Tokens:
    """New ID and access tokens from a refresh token."""
    return signin.refresh(req.body)


@app.api("POST", "/auth/new-password", public=True, body=signin.NewPassword, response=signin.Tokens)
def new_password(req: ApiRequest[signin.NewPassword, None]) -> signin.Tokens:
    """Set the permanent password at first sign-in."""
    return signin.new_password(req.body)


@app.api("GET", "/me", permission=SIGNED_IN, response=Me)
def me(req: ApiRequest[None, None]) -> Me:
    """The signed-in user, their shops, and their roles and permissions in the current shop."""
    assert req.user is not None
    profile = access.user_profile(req.user.user_id)
    shops = [m for m in access.memberships(req.user.user_id) if m.status == "active"]
    wanted = req.headers.get("x-shop-id") or (shops[0].shop_id if shops else None)
    current = next((m for m in shops if m.shop_id == wanted), None)
    if wanted and current is None and req.headers.get("x-shop-id"):
        raise NotFound("shop_not_found")
    return Me(
        user=UserView(id=req.user.user_id, email=req.user.email, name=profile.name if profile else ""),
        shops=[ShopMembership(shop_id=m.shop_id, name=m.shop_name, roles=sorted(m.roles)) for m in shops],
        current=CurrentShop(shop_id=current.shop_id, name=current.shop_name, roles=sorted(current.roles),
                            permissions=sorted(permissions_of(current.roles))) if current else None,
    )


@app.api("GET", "/audit", permission="audit.view", query=AuditQuery, response=Page[AuditEntry])
def audit_log(req: ApiRequest[None, AuditQuery]) -> Page[AuditEntry]:
    """The shop's audit log, newest first; filter by resource or by user."""
    return search(req.shop.shop_id, req.query)


@app.chalice.on_sqs_message(queue="audit", batch_size=10)
def record_audit(event: Any) -> dict[str, Any]:
    """Consumer: every domain event becomes one audit entry (redeliveries write nothing)."""
    from shared.events.consumer import consume
    from shared.identity.audit import record

    return consume(event.to_dict(), event.context, record)


def publish_outbox(event: dict[str, Any], context: Any) -> dict[str, int]:
    """Stream handler of the identity table: outbox items become events on the bus."""
    from shared.events.outbox import publish_stream_batch

    return {"published": publish_stream_batch(event, config().event_bus_name)}
