"""Validation regexes accept exactly what AWS and Kubernetes accept, never a look-alike.

Two Python regex defaults let malformed values through a pattern that looks right: ``$`` also
matches before a trailing newline (``"123456789012\\n"`` passes ``^\\d{12}$``), and ``\\d``/``\\w``
match every script's digits and letters (``"١٢٣٤٥٦٧٨٩٠١٢"`` is twelve ``\\d``). Every compiled
pattern in the platform's code must end with ``\\Z`` (or be used with ``fullmatch``, which this
check cannot see, so it asks for ``\\Z`` anyway) and spell classes as ``[0-9]``/``[A-Za-z0-9_]``
unless compiled with ``re.ASCII``.
"""

from __future__ import annotations

import ast
import re
import unicodedata
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("components", "stacks", "planner", "delivery", "pipelines")
# Not policies/: its patterns do not validate input, they classify what a program registered, and
# for a rule that flags a match a looser pattern can be the cautious side (a metric-math parse that
# also reads "MAX(m1)\n" judges more alarms); each rule's tests decide its patterns' direction, not
# this scan (IAM wildcards, ARNs, percentiles and durations match whole values with ASCII digits:
# tests/policies/test_iam_wildcards.py and the rules' cases).


# The ``re`` functions that take a pattern first: ``fullmatch`` anchors both ends itself, the others
# are as exposed to ``$`` and ``\\d`` as a compiled pattern.
_PATTERN_FUNCTIONS = ("compile", "match", "search", "fullmatch")
_RE_NAME = re.compile(r"\bre\b")
_FUNCTION_NAME = re.compile(r"\b(?:" + "|".join(_PATTERN_FUNCTIONS) + r")\b")


def _compiled_patterns() -> list[tuple[str, str, bool]]:
    """(where, pattern, ascii flag) for every ``re.compile`` (and ``re.match``, ``re.search``,
    ``re.fullmatch``) with a literal pattern."""
    found = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            source = path.read_text(encoding="utf-8")
            # Parsing is most of the scan's cost (paid at collection, by every xdist worker): a file
            # without the word "re" (identifiers are NFKC-normalised) calls no ``re`` function. Not
            # the bare substring: every file that says "return" holds it. Nor does a file that names
            # none of the functions (14 of the 48 that say "re").
            text = unicodedata.normalize("NFKC", source)
            if _RE_NAME.search(text) is None or _FUNCTION_NAME.search(text) is None:
                continue
            tree = ast.parse(source)
            for node in ast.walk(tree):
                if not (
                    isinstance(node, ast.Call)
                    and isinstance(node.func, ast.Attribute)
                    and node.func.attr in _PATTERN_FUNCTIONS
                    and isinstance(node.func.value, ast.Name)
                    and node.func.value.id == "re"
                    and node.args
                ):
                    continue
                first = node.args[0]
                if isinstance(first, ast.Constant) and isinstance(first.value, str):
                    pattern = first.value
                elif isinstance(first, ast.JoinedStr):
                    pattern = "".join(v.value if isinstance(v, ast.Constant) else "{}" for v in first.values)
                else:
                    continue
                flags_at = 1 if node.func.attr == "compile" else 2  # re.match(pattern, string, flags)
                flags = ast.unparse(node.args[flags_at]) if len(node.args) > flags_at else ""
                flags += "".join(ast.unparse(k.value) for k in node.keywords if k.arg == "flags")
                where = f"{path.relative_to(ROOT)}:{node.lineno}"
                found.append((where, pattern, "ASCII" in flags or re.search(r"\bre\.A\b", flags) is not None))
    return found


PATTERNS = _compiled_patterns()
ANCHORED = [(where, pattern) for where, pattern, _ in PATTERNS if pattern.startswith("^")]


def test_the_scan_finds_the_platform_patterns() -> None:
    # The check below must not pass because it saw nothing.
    assert len(ANCHORED) > 30
    assert any("sagemaker_names.py" in where for where, _ in ANCHORED)


@pytest.mark.parametrize(("where", "pattern"), ANCHORED, ids=[where for where, _ in ANCHORED])
def test_anchored_patterns_end_at_the_end_of_the_text(where: str, pattern: str) -> None:
    assert not pattern.endswith("$"), f"{where}: end with \\Z, not $ ('$' accepts a trailing newline)"


@pytest.mark.parametrize(
    ("where", "pattern", "ascii_only"), PATTERNS, ids=[where for where, _, _ in PATTERNS]
)
def test_digit_and_word_classes_are_ascii(where: str, pattern: str, ascii_only: bool) -> None:
    unicode_classes = re.findall(r"(?<!\\)\\[dw]", pattern)
    assert ascii_only or not unicode_classes, (
        f"{where}: {unicode_classes} match other scripts' digits/letters; use [0-9]/[A-Za-z0-9_] or re.ASCII"
    )


@pytest.mark.parametrize(
    "value",
    [
        pytest.param(
            "arn:aws:sagemaker:eu-west-1:123456789012:model-package/churn/3\n", id="trailing-newline"
        ),
        pytest.param(
            "arn:aws:sagemaker:eu-west-1:١٢٣٤٥٦٧٨٩٠١٢:model-package/churn/3", id="arabic-indic-digits"
        ),
        pytest.param("arn:aws:sagemaker:eu-west-1:123456789012:model-package/churn/٣", id="unicode-version"),
    ],
)
def test_a_pinned_model_package_arn_is_ascii_to_the_last_character(value: str) -> None:
    from components.serving.inference_endpoint_spec import MODEL_PACKAGE_VERSION_ARN

    assert MODEL_PACKAGE_VERSION_ARN.match(value) is None
    assert MODEL_PACKAGE_VERSION_ARN.match(
        value.strip().replace("١٢٣٤٥٦٧٨٩٠١٢", "123456789012").replace("٣", "3")
    )
