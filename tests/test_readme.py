"""The README is for adopters: short, with the sections they need, and its examples are real."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest

from planner.recorder import record_program
from stacks.config import ConfigError, parse_platform_config
from stacks.stack_file import read_stack_file
from tests.conftest import REPO

README = REPO / "README.md"
SECTIONS = (
    "Quick start: two commands",
    "The offline plan",
    "First deploy",
    "Add a model family",
    "Add a stack",
    "CI/CD",
    "Reuse the components",
    "Documentation",
)


@pytest.fixture(scope="module")
def readme() -> str:
    return README.read_text(encoding="utf-8")


def _code_blocks(text: str, language: str) -> list[str]:
    """Fenced blocks of ``language``, also those indented inside a list item (dedented)."""
    blocks = re.findall(rf"^( *)```{language}\n(.*?)^\1```", text, flags=re.S | re.M)
    return [textwrap.dedent(block) for _, block in blocks]


def test_the_readme_is_short_and_has_the_adopters_sections_in_order(readme: str) -> None:
    assert len(readme.encode()) < 20_000
    headings = re.findall(r"^## (.+)$", readme, flags=re.M)
    assert [h for h in headings if h in SECTIONS] == list(SECTIONS)


def test_every_linked_document_exists(readme: str) -> None:
    links = re.findall(r"\]\(([^)#]+)\)", readme)
    local = [link for link in links if not link.startswith("http")]
    assert local, "the README links its documents"
    for link in local:
        assert (REPO / link).exists(), link


def test_the_two_commands_are_make_targets_and_ci_runs_the_test_command(readme: str) -> None:
    makefile = (REPO / "Makefile").read_text()
    for target in ("plan", "test", "bench", "diagram", "verify"):
        assert re.search(rf"^{target}:", makefile, re.M), target
    assert "make test" in (REPO / ".ci" / "run").read_text()
    assert (REPO / "bin" / "plan").stat().st_mode & 0o111, "bin/plan is executable"


def test_the_invalid_stack_file_example_is_what_the_platform_prints(readme: str, write_stack) -> None:
    [example] = [block for block in _code_blocks(readme, "text") if "invalid configuration" in block]

    def edit(platform: dict) -> None:
        platform["environment"] = "production"
        platform["network"]["az_count"] = 9

    path = write_stack("dev", edit)
    with pytest.raises(ConfigError) as raised:
        parse_platform_config(read_stack_file(path).platform, "stacks/Pulumi.dev.yaml")
    assert str(raised.value).strip() == example.strip()


def test_the_reuse_example_builds_kms_encrypted_logged_buckets(readme: str) -> None:
    [snippet] = [block for block in _code_blocks(readme, "python") if "SecureBucket(" in block]
    # Installed, the components import as mlops_platform.components (tests/test_package.py runs the
    # installed wheel); in this checkout they are the top-level package `components`.
    snippet = snippet.replace("mlops_platform.components", "components")
    graph = record_program(lambda: exec(compile(snippet, str(README), "exec"), {}), stack="reuse")

    sse = "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"
    defaults = [r.inputs["rules"][0]["applyServerSideEncryptionByDefault"] for r in graph.of_type(sse)]
    # The data bucket with the key, the access-log bucket with SSE-S3 (log delivery needs it).
    assert sorted(d["sseAlgorithm"] for d in defaults) == ["AES256", "aws:kms"]
    [encryption] = [d for d in defaults if d["sseAlgorithm"] == "aws:kms"]
    key = graph.named("data-key")
    assert encryption["kmsMasterKeyId"] == key.outputs["arn"]
    assert [a.inputs["name"] for a in graph.of_type("aws:kms/alias:Alias")] == ["alias/team-x-data"]
    assert graph.of_type("aws:s3/bucketLogging:BucketLogging"), "the data bucket's access is logged"
    assert graph.exports["bucket"]


def test_the_sample_stacks_named_in_the_readme_exist(readme: str) -> None:
    for stack in set(re.findall(r"STACK=(\w+)", readme)) - {"sandbox"}:
        assert (REPO / "stacks" / f"Pulumi.{stack}.yaml").is_file(), stack
    for folder in re.findall(r"models/([a-z0-9-]+)", readme):
        assert folder == "my-model" or (REPO / "models" / folder).is_dir(), folder


def test_the_family_example_is_a_valid_family_entry(readme: str, tmp_path: Path) -> None:
    """The `models:` example of "Add a model family", as written, in a project whose models/my-model
    is a copy of the churn folder (step 1 of the README)."""
    import yaml

    from tests.conftest import load_stack_document

    [block] = [b for b in _code_blocks(readme, "yaml") if "name: my-model" in b]
    [family] = yaml.safe_load(block)["models"]
    project = tmp_path / "project"
    (project / "stacks").mkdir(parents=True)
    (project / "Pulumi.yaml").write_text("name: mlops-platform\n")
    (project / "models").mkdir()
    (project / "models" / "my-model").symlink_to(REPO / "models" / "customer-churn")
    platform = load_stack_document("dev")["config"]["mlops-platform:platform"]
    platform["models"].append(family)

    config = parse_platform_config(platform, str(project / "stacks" / "Pulumi.dev.yaml"))

    [mine] = [model for model in config.models if model.name == "my-model"]
    assert mine.training is not None and mine.training.label == "my_label"
    assert mine.training.scripts["train"] == project / "models" / "my-model" / "train.py"


def test_the_loop_section_names_the_stack_its_diagram_is_drawn_from(readme: str) -> None:
    """`make diagram` draws the README's loop from the suite's prod fixture, which turns on more than
    the sample (approval dispatch, pipeline metric alarms): the section names that file, and the
    plan command the README lists for the sample's loop does not claim to draw the README's."""
    from planner.readme import PROD_STACK_FILE

    loop_section = readme.split("## The MLOps loop", 1)[1].split("<!-- prod-loop:begin", 1)[0]
    assert f"`{PROD_STACK_FILE}`" in loop_section
    [listed] = [line for line in readme.splitlines() if line.startswith("make plan STACK=prod FORMAT=loop")]
    assert "README" not in listed, listed
