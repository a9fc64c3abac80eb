"""Events of the settings capability."""
from __future__ import annotations

from typing import Literal

from shared.events.base import RecordModified

Section = Literal["profile", "payment_methods", "delivery_regions", "business_hours", "notifications", "approvals"]


class SettingsModified(RecordModified):
    """A settings section changed: ``old``/``new`` are the whole section, ``changed`` its fields."""

    source = "shopdesk.settings"
    section: Section
