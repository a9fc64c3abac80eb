"""Money: integer minor units (分) plus an ISO 4217 currency. Never floats."""
from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

# The currencies a shop may choose; minor-unit exponent per ISO 4217.
CURRENCY_EXPONENT: dict[str, int] = {
    "CNY": 2, "HKD": 2, "MOP": 2, "TWD": 2, "USD": 2, "EUR": 2, "GBP": 2, "SGD": 2, "JPY": 0,
}
Currency = Literal["CNY", "HKD", "MOP", "TWD", "USD", "EUR", "GBP", "SGD", "JPY"]
MinorUnits = Annotated[int, Field(ge=0, le=10**12, description="Amount in minor units (分)")]


class Money(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)
    amount: int = Field(description="Integer minor units, e.g. 12900 = ¥129.00")
    currency: Currency = "CNY"

    def __add__(self, other: Money) -> Money:
        self._same_currency(other)
        return Money(amount=self.amount + other.amount, currency=self.currency)

    def __sub__(self, other: Money) -> Money:
        self._same_currency(other)
        return Money(amount=self.amount - other.amount, currency=self.currency)

    def times(self, quantity: int) -> Money:
        return Money(amount=self.amount * quantity, currency=self.currency)

    def percent_bp(self, basis_points: int) -> Money:
        """A share in basis points (1/100 of a percent), rounded half up to the minor unit."""
        return Money(amount=(self.amount * basis_points + 5000) // 10000, currency=self.currency)

    def _same_currency(self, other: Money) -> None:
        if other.currency != self.currency:
            raise ValueError(f"cannot mix {self.currency} and {other.currency}")

    def format(self) -> str:
        exp = CURRENCY_EXPONENT[self.currency]
        sign = "-" if self.amount < 0 else ""
        whole, frac = divmod(abs(self.amount), 10**exp) if exp else (abs(self.amount), 0)
        return f"{sign}{whole:,}.{frac:0{exp}d} {self.currency}" if exp else f"{sign}{whole:,} {self.currency}"


def minor_units(text: str, currency: str = "CNY") -> int:
    """Exact minor units of a decimal amount written in major units ("129.00" 元 -> 12900 分).

    For providers that speak 元 strings (Alipay). Decimal, never float; plain digits with at most
    the currency's number of decimals, so "129.1" -> 12910, while "1e3", "12.345", "-1", " 1",
    "1,000" and "" are refused with ValueError rather than rounded or guessed.
    """
    import re
    from decimal import Decimal

    exp = CURRENCY_EXPONENT[currency]
    pattern = r"(0|[1-9]\d{0,12})" + (rf"(\.\d{{1,{exp}}})?" if exp else "")
    if not isinstance(text, str) or not re.fullmatch(pattern, text, flags=re.ASCII):
        raise ValueError(f"not an amount in {currency} with at most {exp} decimals: {text!r}")
    return int(Decimal(text).scaleb(exp))


def major_text(amount: int, currency: str = "CNY") -> str:
    """The provider's decimal text of minor units (12900 -> "129.00"); the inverse of ``minor_units``."""
    exp = CURRENCY_EXPONENT[currency]
    if isinstance(amount, bool) or not isinstance(amount, int) or amount < 0:
        raise ValueError(f"not a non-negative integer amount: {amount!r}")
    whole, frac = divmod(amount, 10**exp) if exp else (amount, 0)
    return f"{whole}.{frac:0{exp}d}" if exp else str(whole)
