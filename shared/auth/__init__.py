"""Who is asking, for which shop, and what they may do."""
