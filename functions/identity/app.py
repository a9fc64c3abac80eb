"""Identity and access: sign-in, the signed-in user and their shops, staff, roles and
permissions, and the audit log."""
from __future__ import annotations

from typing import Any

from pydantic import Field

from shared.config import settings as config
from shared.errors import NotFound
from shared.events.consumer import ANY_EVENT, consume
from shared.exports import ExportFile
from shared.http import ApiRequest, ShopApp
from shared.http.app import SIGNED_IN
from shared.identity import access, invitations, passwords, roles, sessions, signin, staff
from shared.identity.audit import AuditEntry, AuditExportQuery, AuditQuery, export, record, search, visible_entries
from shared.identity.events import RoleModified
from shared.identity.invitations import PendingInvitation
from shared.model import Input, Model
from shared.pagination import Page
from shared.settings.events import SettingsModified

app = ShopApp("identity")
DEMO_SHOP_ID = "shp_demo"  # the shop infra/seed.py seeds in demo mode
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
    demo_shop_id: str | None = Field(None, description="In demo mode: the demo shop the storefront's shop picker opens")


class UserView(Model):
    id: str
    email: str
    name: str
    login: str = ""
    phone: str = ""


class ShopMembership(Model):
    shop_id: str
    name: str
    roles: list[str]


class CurrentShop(ShopMembership):
    permissions: list[str]
    role_names: list[roles.RoleName] = []


class Me(Model):
    user: UserView
    shops: list[ShopMembership]
    current: CurrentShop | None
    invitations: list[PendingInvitation] = []


class MeUpdate(Input):
    name: str = Field(min_length=1, max_length=40)
    phone: str = Field("", max_length=20, pattern=r"^(\+?86)?(1[3-9]\d{9})?$")


class PasswordChange(Input):
    access_token: str = Field(min_length=10, max_length=8192)
    old_password: str = Field(min_length=1, max_length=256)
    new_password: str = Field(min_length=8, max_length=256)


class Done(Model):
    ok: bool = True


class CodeSent(Model):
    """Always the same answer, whether or not the login exists."""

    ok: bool = True


class ShopCreated(Model):
    shop_id: str
    name: str


# -- sign-in -------------------------------------------------------------------------------------
@app.api("GET", "/auth/config", public=True, response=AuthConfig)
def auth_config(req: ApiRequest[None, None]) -> AuthConfig:
    """What the sign-in page needs to know (in demo mode: the demo accounts)."""
    if not config().demo_mode:
        return AuthConfig(demo=False)
    return AuthConfig(demo=True, demo_password=DEMO_PASSWORD,
                      demo_accounts=[DemoAccount(email=e, role=r) for e, r in DEMO_ACCOUNTS], demo_shop_id=DEMO_SHOP_ID)


def _issue(req: ApiRequest[Any, Any], issued: signin.Issued) -> signin.Tokens:
    """The tokens for the page; the refresh token only as an HttpOnly cookie."""
    if issued.refresh_token:
        req.response_headers["Set-Cookie"] = sessions.set_cookie(issued.refresh_token)
    return issued.tokens


@app.api("POST", "/auth/signin", public=True, errors=(401,), body=signin.SignIn, response=signin.Tokens)
def sign_in(req: ApiRequest[signin.SignIn, None]) -> signin.Tokens:
    """Sign in with e-mail (or mobile) and password; may answer a NEW_PASSWORD_REQUIRED challenge.
    The refresh token comes back only as an HttpOnly cookie on /api/auth."""
    return _issue(req, signin.sign_in(req.body, req.source_ip))


@app.api("POST", "/auth/refresh", public=True, errors=(401,), response=signin.Tokens)
def refresh(req: ApiRequest[None, None]) -> signin.Tokens:
    """New ID and access tokens from the refresh-token cookie."""
    return _issue(req, signin.refresh(sessions.read_cookie(req.headers)))


@app.api("POST", "/auth/new-password", public=True, errors=(401,), body=signin.NewPassword, response=signin.Tokens)
def new_password(req: ApiRequest[signin.NewPassword, None]) -> signin.Tokens:
    """Set the permanent password at first sign-in."""
    return _issue(req, signin.new_password(req.body))


@app.api("POST", "/auth/signout", permission=SIGNED_IN, response=Done)
def sign_out(req: ApiRequest[None, None]) -> Done:
    """Sign out: the refresh token is revoked and this session's tokens stop opening the API."""
    assert req.user is not None
    sessions.revoke(sessions.read_cookie(req.headers), req.user.facts)
    req.response_headers["Set-Cookie"] = sessions.clear_cookie()
    return Done()


@app.api("POST", "/auth/forgot-password", public=True, body=passwords.ForgotPassword, response=CodeSent,
         status=202)
def forgot_password(req: ApiRequest[passwords.ForgotPassword, None]) -> CodeSent:
    """Send a one-time reset code to the person's own e-mail or mobile (same answer for any login)."""
    passwords.request_code(req.body, req.source_ip)
    return CodeSent()


@app.api("POST", "/auth/reset-password", public=True, body=passwords.ResetPassword, response=Done)
def reset_password(req: ApiRequest[passwords.ResetPassword, None]) -> Done:
    """Set a new password with the code that was sent; every session of the account ends."""
    passwords.reset(req.body, req.source_ip)
    return Done()


# -- the signed-in user --------------------------------------------------------------------------
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
        user=UserView(id=req.user.user_id, email=req.user.email, name=profile.name if profile else "",
                      login=profile.login if profile else req.user.email, phone=profile.phone if profile else ""),
        shops=[ShopMembership(shop_id=m.shop_id, name=m.shop_name, roles=sorted(m.roles)) for m in shops],
        current=CurrentShop(shop_id=current.shop_id, name=current.shop_name, roles=sorted(current.roles),
                            permissions=sorted(current.permissions),
                            role_names=roles.names(current.shop_id, sorted(current.roles))) if current else None,
        invitations=invitations.pending(req.user.user_id),
    )


@app.api("GET", "/me/invitations", permission=SIGNED_IN, response=invitations.InvitationList)
def my_invitations(req: ApiRequest[None, None]) -> invitations.InvitationList:
    """Invitations to shops waiting for the signed-in person's answer."""
    assert req.user is not None
    return invitations.InvitationList(items=invitations.pending(req.user.user_id))


@app.api("POST", "/me/invitations/{shop_id}/accept", permission=SIGNED_IN, response=ShopMembership)
def accept_invitation(req: ApiRequest[None, None]) -> ShopMembership:
    """Join the shop with the roles of the invitation."""
    assert req.user is not None
    from shared.events.base import Actor

    shop_id = req.path["shop_id"]
    invitations.accept(req.user.user_id, shop_id, Actor(id=req.user.user_id, email=req.user.email),
                       access.user_profile(req.user.user_id))
    joined = next(m for m in access.memberships(req.user.user_id) if m.shop_id == shop_id)
    return ShopMembership(shop_id=shop_id, name=joined.shop_name, roles=sorted(joined.roles))


@app.api("POST", "/me/invitations/{shop_id}/decline", permission=SIGNED_IN, response=Done)
def decline_invitation(req: ApiRequest[None, None]) -> Done:
    """Decline an invitation: the shop's pending member is removed."""
    assert req.user is not None
    from shared.events.base import Actor

    invitations.decline(req.user.user_id, req.path["shop_id"], Actor(id=req.user.user_id, email=req.user.email))
    return Done()


@app.api("PUT", "/me", permission=SIGNED_IN, body=MeUpdate, response=UserView)
def update_me(req: ApiRequest[MeUpdate, None]) -> UserView:
    """Change one's own name and phone number."""
    assert req.user is not None
    user = access.update_profile(req.user.user_id, req.body.name, req.body.phone)
    return UserView(id=req.user.user_id, email=user.email, name=user.name, login=user.login, phone=user.phone)


@app.api("POST", "/me/password", permission=SIGNED_IN, body=PasswordChange, response=signin.Tokens)
def change_password(req: ApiRequest[PasswordChange, None]) -> signin.Tokens:
    """Change one's own password (needs the access token from sign-in). Every session of the
    account ends; this one continues with the new tokens of the answer."""
    assert req.user is not None
    from shared.identity.cognito import change_password as change

    change(req.body.access_token, req.body.old_password, req.body.new_password)
    after = sessions.end_all(req.user.user_id, req.user.email)
    sessions.wait_until_valid(after)
    return _issue(req, signin.sign_in(signin.SignIn(email=req.user.email, password=req.body.new_password),
                                      req.source_ip))


@app.api("POST", "/shops", permission=SIGNED_IN, body=access.ShopCreate, response=ShopCreated, status=201,
         idempotent=True)
def create_shop(req: ApiRequest[access.ShopCreate, None]) -> ShopCreated:
    """Open another shop; the caller becomes its owner."""
    assert req.user is not None
    from shared import ratelimit
    from shared.events.base import Actor

    ratelimit.consume(ratelimit.LIMITS["shops_per_day"], req.user.user_id)
    shop_id = access.create_shop(req.body.name, owner=Actor(id=req.user.user_id, email=req.user.email))
    return ShopCreated(shop_id=shop_id, name=req.body.name)


# -- staff ---------------------------------------------------------------------------------------
@app.api("GET", "/staff", permission="staff.view", query=staff.StaffQuery, response=Page[staff.StaffView])
def list_staff(req: ApiRequest[None, staff.StaffQuery]) -> Page[staff.StaffView]:
    """The shop's staff; filter by status, role, or part of a name or login."""
    return staff.list_staff(req.shop, req.query)


@app.api("POST", "/staff", permission="staff.create", body=staff.StaffInvite, response=staff.Invitation,
         status=201, idempotent=True)
def invite_staff(req: ApiRequest[staff.StaffInvite, None]) -> staff.Invitation:
    """Invite someone by e-mail or mobile number with one or more roles (at most your own); they
    join when they accept. The answer is the same whether or not the login already existed."""
    return staff.invite(req.shop, req.body, access.shop_name(req.shop.shop_id))


@app.api("GET", "/staff/{user_id}", permission="staff.view", response=staff.StaffView)
def get_staff(req: ApiRequest[None, None]) -> staff.StaffView:
    """One staff member."""
    return staff.get_staff(req.shop, req.path["user_id"])


@app.api("PUT", "/staff/{user_id}", permission="staff.edit", body=staff.StaffUpdate, response=staff.StaffView)
def update_staff(req: ApiRequest[staff.StaffUpdate, None]) -> staff.StaffView:
    """Change a member's name and roles (never removes the last owner, nor your own access)."""
    return staff.update(req.shop, req.path["user_id"], req.body)


@app.api("POST", "/staff/{user_id}/disable", permission="staff.edit", response=staff.StaffView)
def disable_staff(req: ApiRequest[None, None]) -> staff.StaffView:
    """Disable a member: refused from their next request on."""
    return staff.set_status(req.shop, req.path["user_id"], "disabled")


@app.api("POST", "/staff/{user_id}/enable", permission="staff.edit", response=staff.StaffView)
def enable_staff(req: ApiRequest[None, None]) -> staff.StaffView:
    """Re-enable a disabled member."""
    return staff.set_status(req.shop, req.path["user_id"], "active")


@app.api("DELETE", "/staff/{user_id}", permission="staff.delete", response=Done)
def remove_staff(req: ApiRequest[None, None]) -> Done:
    """Remove a member from the shop (their login stays for their other shops)."""
    staff.remove(req.shop, req.path["user_id"])
    return Done()


# -- roles and permissions -----------------------------------------------------------------------
@app.api("GET", "/permissions", permission="roles.view", response=roles.PermissionList)
def list_permissions(req: ApiRequest[None, None]) -> roles.PermissionList:
    """The permission registry (resource x action), names in both languages."""
    return roles.permissions()


@app.api("GET", "/roles", permission="roles.view", response=roles.RoleList)
def list_roles(req: ApiRequest[None, None]) -> roles.RoleList:
    """Built-in and custom roles with their permissions and member counts."""
    return roles.list_roles(req.shop)


@app.api("POST", "/roles", permission="roles.create", body=roles.RoleInput, response=roles.RoleView, status=201,
         idempotent=True)
def create_role(req: ApiRequest[roles.RoleInput, None]) -> roles.RoleView:
    """Compose a custom role from the registry."""
    return roles.create(req.shop, req.body)


@app.api("PUT", "/roles/{code}", permission="roles.edit", body=roles.RoleUpdate, response=roles.RoleView)
def update_role(req: ApiRequest[roles.RoleUpdate, None]) -> roles.RoleView:
    """Change a custom role; its members' permissions follow at once."""
    return roles.update(req.shop, req.path["code"], req.body)


@app.api("DELETE", "/roles/{code}", permission="roles.delete", response=Done)
def delete_role(req: ApiRequest[None, None]) -> Done:
    """Delete a custom role no member holds."""
    roles.delete(req.shop, req.path["code"])
    return Done()


# -- audit log -----------------------------------------------------------------------------------
@app.api("GET", "/audit", permission="audit.view", query=AuditQuery, response=Page[AuditEntry])
def audit_log(req: ApiRequest[None, AuditQuery]) -> Page[AuditEntry]:
    """The audit log, newest first; filter by resource, user, action and time range."""
    return visible_entries(search(req.shop.shop_id, req.query), req.shop.can("personal_data.view"))


@app.api("GET", "/audit/export", permission="audit.export", query=AuditExportQuery, response=ExportFile)
def export_audit_log(req: ApiRequest[None, AuditExportQuery]) -> ExportFile:
    """The filtered audit log as a CSV or XLSX download (at most 10,000 entries)."""
    return export(req.shop.shop_id, req.query, req.shop.can("personal_data.view"))


# -- events --------------------------------------------------------------------------------------
def record_audit(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Consumer of every domain event: one audit entry each (redeliveries write nothing)."""
    return consume(event, context, ANY_EVENT, record)


def on_settings_modified(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Consumer of SettingsModified: a renamed shop is renamed in the shop switcher too."""
    return consume(event, context, SettingsModified, access.on_settings_modified)


def on_role_modified(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Consumer of RoleModified: the members holding the role get its new permissions."""
    return consume(event, context, RoleModified, staff.on_role_modified)


