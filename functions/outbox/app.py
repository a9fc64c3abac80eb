"""The outbox publisher of every table with an outbox (settings, identity, catalog, inventory,
purchasing, orders, payments): one handler, one Lambda function per table's stream (template.yaml,
``Fn::ForEach::OutboxPublishers``). Kept out of the capabilities' apps so that publishing
imports nothing but the outbox module."""
from shared.events.outbox import publisher

publish = publisher()
