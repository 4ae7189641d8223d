"""The offline planner. Importing it makes pulumi-aws service packages import lazily in this process
(the planner and the test suite import it first): see :mod:`planner.lazy_provider_imports`."""

from planner import lazy_provider_imports

lazy_provider_imports.install()
