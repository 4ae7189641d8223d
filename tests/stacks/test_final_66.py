"""Session 66, final read: what the day's stack-file changes left for an adopting team.

- A list said once per file (``components.text_limits.lists_said_once``) is pointed to by the key of
  the first problem holding it. Where that key is the later problem's own (every endpoint of a wide
  family refused at ``monitoring.drift_features``), ``listed at monitoring.drift_features`` named the
  key the reader was reading: the pointer now says it is that key's first problem (before the
  post-pass, ``listed in endpoint <name>'s problem``).
"""

from __future__ import annotations

from stacks.config import CONFIG_KEY, ConfigError
from stacks.input_limits import forget_lists, listed

SOURCE = "stacks/Pulumi.variant.yaml"


def test_a_pointer_to_a_problem_at_the_same_key_says_which_problem() -> None:
    forget_lists()
    inputs = listed([f"feature_{n}" for n in range(12)])
    key = f"{CONFIG_KEY}.monitoring.drift_features"

    error = ConfigError(
        SOURCE,
        [
            (key, f"endpoint a watches ({inputs})"),
            (f"{CONFIG_KEY}.endpoints[2].name", f"endpoint c ({inputs})"),
            (key, f"endpoint b watches ({inputs})"),
        ],
    )

    assert error.problems == [
        (key, f"endpoint a watches ({inputs})"),
        (f"{CONFIG_KEY}.endpoints[2].name", "endpoint c (listed at monitoring.drift_features)"),
        (key, "endpoint b watches (listed at monitoring.drift_features in its first problem)"),
    ]
    assert str(error).count(inputs) == 1
