"""Reusable Pulumi component resources of the MLOps platform.

Each module holds one ``pulumi.ComponentResource`` (type token ``mlops:<area>:<Name>``) and its
typed args. Components read no global config: the stack composition passes everything in.
"""
