"""A local stand-in for Alipay, WeChat Pay and Stripe (see ``sandbox.py`` and docs/payments.md)."""
from infra.payment_sandbox.sandbox import MOUNT, PaymentSandbox

__all__ = ["MOUNT", "PaymentSandbox"]
