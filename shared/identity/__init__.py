"""Identity and access: shops, staff users, memberships (user x shop -> roles), sign-in, audit."""
