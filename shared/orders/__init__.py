"""The orders capability (issue 11): the quote pipeline, placing orders, the lifecycle table,
the timeline, order numbers and events. See docs/orders.md."""
