"""Notifications (消息通知): in-app notifications for staff, and e-mail/SMS by the shop's settings.

Other capabilities never call this package from a request: they publish a domain event and
register a builder for it (``shared.notifications.triggers``); see docs/notifications.md.
"""
