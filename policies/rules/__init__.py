"""Rule modules, grouped by service. Each exposes ``POLICIES``; ``policies.registry`` lists them all."""
