"""Notifications (消息通知): the signed-in member's own notifications in the current shop (the
bell in the header and the notifications page), and the consumer that turns registered domain
events into notifications, e-mails and SMS (shared/notifications/triggers.py)."""
from __future__ import annotations

from typing import Any

from shared.events.consumer import ANY_EVENT, consume
from shared.http import ApiRequest, ShopApp
from shared.http.app import SHOP_MEMBER
from shared.notifications import inbox
from shared.pagination import Page

app = ShopApp("notifications")


def _user(req: ApiRequest[Any, Any]) -> str:
    return req.shop.user_id


@app.api("GET", "/notifications", permission=SHOP_MEMBER, query=inbox.NotificationQuery,
         response=Page[inbox.NotificationView])
def list_notifications(req: ApiRequest[None, inbox.NotificationQuery]) -> Page[inbox.NotificationView]:
    """The caller's notifications in this shop, newest first; `unread=true` for unread only."""
    return inbox.list_notes(req.shop.shop_id, _user(req), req.query)


@app.api("GET", "/notifications/unread-count", permission=SHOP_MEMBER, response=inbox.UnreadCount,
         headers={"Cache-Control": "no-store"})
def unread_count(req: ApiRequest[None, None]) -> inbox.UnreadCount:
    """How many of the caller's notifications are unread (the header badge; one small read)."""
    return inbox.unread_count(req.shop.shop_id, _user(req))


@app.api("POST", "/notifications/{notification_id}/read", permission=SHOP_MEMBER, response=inbox.NotificationView)
def read_notification(req: ApiRequest[None, None]) -> inbox.NotificationView:
    """Mark one of the caller's notifications read (again: no change)."""
    return inbox.mark_read(req.shop.shop_id, _user(req), req.path["notification_id"])


@app.api("POST", "/notifications/read-all", permission=SHOP_MEMBER, response=inbox.ReadAll)
def read_all_notifications(req: ApiRequest[None, None]) -> inbox.ReadAll:
    """Mark all of the caller's unread notifications in this shop read."""
    return inbox.mark_all_read(req.shop.shop_id, _user(req))


def deliver_from_events(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Consumer: each registered event becomes one notification per member concerned (once;
    the template's rule routes exactly the events of ``shared.notifications.triggers``)."""
    from shared.notifications.triggers import on_event

    return consume(event, context, ANY_EVENT, on_event)
