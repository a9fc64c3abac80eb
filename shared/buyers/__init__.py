"""Buyers of a shop's storefront (docs/buyers.md): SMS-code sign-in on the buyer pool, buyer
sessions, the address book and the server cart. A buyer is the shop's customer: every record
lives under ``SHOP#<shop>#BUYER#<buyer_id>``."""
