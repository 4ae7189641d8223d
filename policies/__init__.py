"""CrossGuard policy pack for the MLOps platform.

Import ``policies.registry`` for the rule list and ``policies.local`` to evaluate it
offline. Never import ``policies.__main__``: it constructs the ``PolicyPack``, which
starts the analyzer's gRPC server and blocks.
"""
