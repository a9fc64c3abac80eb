"""The invited person's side of an invitation: see the pending ones, accept, decline.

An invitation is a membership with ``status: invited``: it opens nothing (the per-request check
wants ``active``) until the person it names accepts it, signed in as themselves. Accepting copies
the person's own name and contacts onto the membership (the inviter only ever saw what they
typed); declining deletes it. Both are audited with the person as the actor.
"""
from __future__ import annotations

from pynamodb.exceptions import TransactWriteError
from pynamodb.expressions.update import Action
from pynamodb.transactions import TransactWrite

from shared.db import connection
from shared.errors import NotFound
from shared.events.base import Actor
from shared.events.outbox import outbox_item
from shared.identity.events import StaffInvitationAccepted, StaffInvitationDeclined
from shared.identity.tables import MembershipRecord, UserRecord
from shared.keys import user_pk
from shared.model import Model

TABLE_ENV = "IDENTITY_TABLE"


class PendingInvitation(Model):
    shop_id: str
    shop_name: str
    roles: list[str]
    invited_at: str


class InvitationList(Model):
    items: list[PendingInvitation]


def pending(user_id: str) -> list[PendingInvitation]:
    found = MembershipRecord.query(user_pk(user_id), MembershipRecord.sk.startswith("MEMBER#"),
                                   filter_condition=MembershipRecord.status == "invited")
    return [PendingInvitation(shop_id=r.sk.removeprefix("MEMBER#"), shop_name=r.shop_name, roles=sorted(r.roles or ()),
                              invited_at=r.created_at) for r in found]


def _answer(user_id: str, shop_id: str, accept: bool, actor: Actor, profile: UserRecord | None) -> None:
    rec = MembershipRecord(pk=user_pk(user_id), sk=f"MEMBER#{shop_id}")
    condition = MembershipRecord.status == "invited"
    if accept:
        actions: list[Action] = [MembershipRecord.status.set("active"), MembershipRecord.version.add(1)]
        if profile is not None:
            actions += [MembershipRecord.name.set(profile.name or profile.login),
                        MembershipRecord.email.set(profile.email), MembershipRecord.phone.set(profile.phone),
                        MembershipRecord.login.set(profile.login)]
        event = StaffInvitationAccepted(shop_id=shop_id, actor=actor, resource_id=user_id)
    else:
        event = StaffInvitationDeclined(shop_id=shop_id, actor=actor, resource_id=user_id)  # type: ignore[assignment]
    try:
        with TransactWrite(connection=connection()) as tx:
            if accept:
                tx.update(rec, actions=actions, condition=condition)
            else:
                tx.delete(rec, condition=condition)
            tx.save(outbox_item(TABLE_ENV, event))
    except TransactWriteError as exc:
        raise NotFound("invitation_not_found", details={"shop_id": shop_id}) from exc


def accept(user_id: str, shop_id: str, actor: Actor, profile: UserRecord | None) -> None:
    _answer(user_id, shop_id, True, actor, profile)


def decline(user_id: str, shop_id: str, actor: Actor) -> None:
    _answer(user_id, shop_id, False, actor, None)
