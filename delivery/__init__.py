"""Delivery: what CI runs around `pulumi up` (post-deploy check, plan summaries, promotion helpers)."""
