"""Marketing (issue 12): activities, coupons and the price engine's marketing steps (docs/marketing.md)."""
