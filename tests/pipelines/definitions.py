"""Training pipeline definitions the tests read, built once per version of the code and of the
settings (``tests.recorded.computed_once``) and shared by the workers and later runs.

``build_definition`` is a pure function of its settings and the code (the cache folder's
fingerprint: ``components/``, the installed SageMaker SDK...): the settings' ``repr`` (every
field of the frozen dataclasses, nested ones too) is the key. Only for tests that read the JSON;
a test whose subject is the build itself (what it imports, opens or refuses) calls
``build_definition``.
"""

from __future__ import annotations

from components.training.definition import TrainingPipelineSettings, build_definition
from tests.recorded import computed_once


def built_definition(settings: TrainingPipelineSettings) -> str:
    """``build_definition(settings)``, computed once (see the module's docstring). A build that
    raises is not cached: the error reaches the caller."""
    return computed_once("definition", lambda: build_definition(settings), key=[repr(settings)])
