"""``PersonalAttribute``: a pynamodb string attribute whose value is stored sealed.

    class SupplierRecord(PurchasingItem, discriminator="supplier"):
        phone = PersonalAttribute(default="")        # stored "pd1:3:…", read as "13957112345"

- Reading ``record.phone`` gives the plaintext: the sealed value read from DynamoDB is opened on
  first access (with the key of ``record.data_scope()``, the item's shop) and kept on the
  instance. Listing a thousand members and showing none of their phones opens nothing.
- Assigning plaintext and saving (``save``, ``Writes.put``) seals it with the scope's current key.
- Update actions cannot know the item, so they take sealed values: ``record.set_personal(phone=v)``
  gives the ``SetAction`` list (and updates the instance). A plaintext value reaching DynamoDB
  any other way (``SupplierRecord.phone.set("138…")``, a filter ``.contains("138")``) raises
  ``PlaintextRefused`` instead of writing or comparing plaintext.
- A value stored before encryption existed (plaintext, migration pending) reads as itself and is
  sealed on the item's next save; ``python -m infra.migrate`` seals all of them.
"""
from __future__ import annotations

from typing import Any

from pynamodb.attributes import UnicodeAttribute

from shared.crypto.cipher import is_sealed


class PlaintextRefused(TypeError):
    """Plaintext given where a personal attribute needs a sealed value."""


class Sealed:
    """A personal value as stored (its sealed form), with its plaintext once opened."""

    __slots__ = ("plain", "token")

    def __init__(self, token: str, plain: str | None = None) -> None:
        self.token, self.plain = token, plain

    def __repr__(self) -> str:
        return "Sealed(…)"


class PersonalAttribute(UnicodeAttribute):
    """A string attribute holding personal data (see the module doc). ``field`` names the field in
    the encryption context; it defaults to the attribute's name."""

    def __init__(self, *, field: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.field = field

    def __set_name__(self, owner: type[Any], name: str) -> None:
        super().__set_name__(owner, name)
        self.field = self.field or name

    def _name(self, instance: Any) -> str:
        return str(instance._dynamo_to_python_attrs.get(self.attr_name, self.attr_name))

    def __get__(self, instance: Any, owner: Any) -> Any:
        if instance is None:
            return self
        name = self._name(instance)
        value = instance.attribute_values.get(name)
        sealing = instance.__dict__.get("_pd_sealing", False)
        if isinstance(value, Sealed):
            if sealing:
                return value
            if value.plain is None:
                from shared.crypto.fields import unseal

                value.plain = unseal(instance.data_scope(), str(self.field), value.token)
            return value.plain
        if sealing and isinstance(value, str) and value:
            from shared.crypto.fields import seal

            value = Sealed(seal(instance.data_scope(), str(self.field), value), value)
            instance.attribute_values[name] = value
        return value

    def __set__(self, instance: Any, value: Any) -> None:
        if isinstance(value, str) and is_sealed(value):
            value = Sealed(value)  # a sealed value passed on (e.g. from an event): stored as it is
        super().__set__(instance, value)

    def set_for(self, item: Any, value: str) -> Any:
        """The update action setting this attribute of ``item`` to ``value``, sealed with the item's
        scope (``ShopItem.set_personal``); ``item`` shows the new value too."""
        from shared.crypto.fields import seal

        token = seal(item.data_scope(), str(self.field), value)
        item.attribute_values[self._name(item)] = Sealed(token, value) if token else value
        return self.set(token)

    def serialize(self, value: Any) -> Any:
        if isinstance(value, Sealed):
            return value.token
        if value == "" or is_sealed(value):
            return value
        raise PlaintextRefused(f"personal attribute {self.attr_name!r} given plaintext: seal it "
                               f"(record.set_personal(...) for updates; personal fields cannot be filtered on)")

    def deserialize(self, value: Any) -> Any:
        return Sealed(value) if is_sealed(value) else value
