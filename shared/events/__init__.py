"""Domain events: pydantic models published through the Streams outbox onto one EventBridge bus."""
from shared.events.base import Actor, DomainEvent

__all__ = ["Actor", "DomainEvent"]
