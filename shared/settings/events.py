"""Events of the settings capability."""
from __future__ import annotations

from typing import ClassVar, Literal

from shared.events.base import RecordModified

Section = Literal["profile", "payment_methods", "delivery_regions", "business_hours", "notifications", "approvals", "delivery_fee",
                  "order_review", "order_timers"]


class SettingsModified(RecordModified):
    """A settings section changed: ``old``/``new`` are the whole section, ``changed`` its fields."""

    source = "shopdesk.settings"
    personal: ClassVar[frozenset[str]] = frozenset({
        "contact_name", "contact_phone", "contact_email", "address",  # profile
        "account_name", "account_number",  # payment methods: bank transfer
        "extra_emails", "extra_phones"})  # notifications: extra recipients
    section: Section
