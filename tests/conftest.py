"""Settings for the whole suite.

Hypothesis' default 200 ms deadline per example is a timing assertion in disguise: on a loaded
2-core CI machine it fails correct code. Property tests check behaviour, never speed (speed is
measured by `make bench`), so the deadline is off everywhere.
"""
from hypothesis import settings

settings.register_profile("shopdesk", deadline=None)
settings.load_profile("shopdesk")
