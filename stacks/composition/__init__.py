"""The composition, one module per area: each builds its components from the stack's config."""
