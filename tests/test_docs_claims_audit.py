"""A docs-versus-code audit: the claims an adopting team acts on, held as machine checks.

Every checkable claim of the adopter documents was checked against the code and the recorded graphs
of the suite's stacks (tests/fixtures/stacks; the generated references were regenerated with
``--write``: no change). Claims per document (each key, flag, make target or variable, output,
table cell, example, constant and prose figure counted once per occurrence):

================================  =======  ========  ========  =====  ==========
document                          claims   wrong in  wrong in  fixed  left alone
                                  checked  code      docs
================================  =======  ========  ========  =====  ==========
README.md                              64         0         1      1           0
docs/architecture.md                  138         0         1      1           0
docs/monitoring.md                    138         0         0      0           1
docs/ci-cd.md                          51         0         0      0           0
docs/cost.md                           24         0         1      1           0
docs/promotion.md                      39         0         0      0           0
docs/training.md                       22         0         1      1           0
docs/evidently.md                      24         0         0      0           0
docs/feature-store.md                   8         0         0      0           0
docs/lineage.md                        16         0         0      0           0
docs/batch-scoring.md                  16         0         0      0           0
docs/shared-endpoints.md               26         0         0      0           0
docs/ecosystem.md                      23         0         0      0           0
docs/reuse.md, docs/components.md      12         1         1      2           0
docs/configuration.md (generated)       2         0         0      0           0
policies/README.md                    416         0         1      1           0
models/README.md                       30         0         0      0           0
models/customer-churn/README.md        31         0         0      0           0
models/demand-forecast/README.md       32         0         0      0           0
stacks/Pulumi.*.yaml comments           6         0         0      0           1
total                                1118         1         6      7           2
================================  =======  ========  ========  =====  ==========

Wrong in code (fixed, CHANGELOG "Fixed: `BatchScoring` and `LiveDrift` without `[training]`..."):
BatchScoring and LiveDrift build their pipeline definitions with the SageMaker SDK inside an apply;
on the base install, which docs/reuse.md said covers them, they registered their model, roles,
scripts, pipeline and schedule and then failed with a bare import error, where the documented
contract is a ``MissingExtraError`` naming the extra before anything is created. They now check
first, like TrainingPipeline (test_a_component_that_builds_a_pipeline_definition_names_...).

Wrong in docs (each fixed in its own commit; the test that now holds it in brackets):

- policies/README.md marked ``alarm-mutes-are-bounded-together`` "stack:" in its types column
  instead of ``(stack)`` like every other stack rule, and never said what ``(stack)`` means
  [test_each_rule_row_states_the_rules_default_level_and_kind];
- no document listed the stack outputs: ``artifacts_bucket``, the three role ARNs,
  ``audit_trail_arn``, ``deferred_endpoints`` and ``batch_scoring_pipeline_arns`` were named
  nowhere; docs/architecture.md has a Stack outputs table now [test_the_stack_outputs_table_...];
- docs/cost.md (and planner/readme.py) called the reference prod stack "the sample
  stacks/Pulumi.prod.yaml as shipped, kept as" the fixture: the fixture turns on approval dispatch,
  DVC, feature-group training and batch scoring with Evidently, and lacks the sample's tuning and
  second family, so ``make plan STACK=prod`` prints other figures (prose: no test reads it);
- README "First deploy" asked for IAM roles and *inline* policies only: the DVC remote (on in the
  dev sample) creates a managed policy and its attachment, which PowerUserAccess does not allow
  [test_the_iam_a_stack_creates_is_the_roles_and_policies_under_the_path_the_readme_names];
- docs/training.md's tuning example tuned ``loss``, which the churn train.py ignores (the page's
  own rule: every tuned name is one train.py accepts)
  [test_the_hyperparameters_a_doc_example_sets_or_tunes_are_ones_the_family_script_reads];
- docs/components.md's extras bullet left SharedEndpoint and ShadowTest out of ``[model-quality]``,
  and it and docs/reuse.md left BatchScoring and LiveDrift out of ``[training]`` (with the code fix)
  [the extras test above].

Left alone: the sample stacks' comments (the budget on the ``stack`` tag with an anomaly monitor,
the audit trail on everywhere, ``name_prefix`` defaulting to the stack's name, the ``dvc_remote_*``
and ``alert_topic_arn`` outputs) are right, but no test reads them: the suite never reads the
samples, which users edit (tests/conftest.py); the budget claim is held through docs/architecture.md
on the fixture stacks instead. docs/monitoring.md says a Teams incoming webhook is refused as
an https subscription: the retired ``webhook.office.com`` connector URLs are, but Teams' current
Workflows webhooks are Power Automate HTTP triggers (``*.logic.azure.com``), which a flow can make
confirm the subscription like any relay, so refusing that host would refuse working relays. Not
audited: CHANGELOG.md (history, not current behaviour),
docs/performance.md's figures (measured; only its prose about switches counts here) and
docs/performance-history.md (the log of those measurements, kept as written).

Each test reads the claim from the document itself (never a copy of it), so it fails when either
side moves: a document that names a key, flag, variable, output, component, rule level, alarm or
event the code does not have, or code that grows one the documents leave out. 74 one-step
mutations of the documents and the code were run against these tests, one at a time: 70 failed one.
Of the 4 that passed, two showed gaps in the checks, closed since (indented command blocks were not
read; a key path missing its last segment passed as a mapping), one was equivalent (a stack rule
has no type list to compare), and one is left alone: when a conditional output is exported
(``alert_topic_arn``: "where the stack trains, serves or sets a budget") is prose no test reads.
tests/test_readme.py (the README's sections, links, make targets and examples),
tests/stacks/test_reference.py and tests/components/test_public_api.py (the generated references
are current), tests/policies/test_policy_pack.py (every rule has a row),
tests/policies/test_evaluator_semantics.py (the environment table's levels, copied) and
tests/components/test_training_pipeline_lineage.py (the family code hash command) already hold
what they hold; nothing here repeats them.
"""

from __future__ import annotations

import ast
import contextlib
import importlib.util
import json
import re
import shutil
from functools import cache
from pathlib import Path

import pulumi_policy
import pytest

from components.observability.model_quality_spec import QUALITY_METRICS
from planner.recorder import ResourceGraph
from policies.registry import ALL_POLICIES
from stacks.reference import reference
from tests.conftest import REPO, STACKS, stack_path
from tests.recorded import computed_once, recorded_stack

#: What an adopter reads. docs/performance.md is measured figures: only its prose about switches
#: counts (the environment variables), never its numbers; docs/performance-history.md is the log
#: of those measurements (as CHANGELOG.md, history, not current behaviour).
MEASUREMENT_DOCS = {"performance.md", "performance-history.md"}


def documented_families(models: Path) -> list[str]:
    """The model families models/README.md documents (its table's rows), not every folder under
    ``models``: an adopter's own family (``cp -r models/customer-churn models/my-model``, then
    their columns, flags and README) is no claim of these docs, and adding one must not turn
    `make test` red."""
    text = (models / "README.md").read_text(encoding="utf-8")
    return re.findall(r"^\| \[([a-z0-9-]+)\]\(\1/README\.md\) \|", text, flags=re.M)


ADOPTER_DOCS = (
    "README.md",
    *sorted(str(p.relative_to(REPO)) for p in (REPO / "docs").glob("*.md") if p.name not in MEASUREMENT_DOCS),
    "policies/README.md",
    "models/README.md",
    *(f"models/{family}/README.md" for family in documented_families(REPO / "models")),
)
PRODUCT_PACKAGES = (
    "components",
    "stacks",
    "planner",
    "policies",
    "delivery",
    "pipelines",
    "provider",
    "models",
    "bench",
    "packaging",
    "images",
    "examples",
)
_GENERATED = re.compile(r"<!-- (config|components)-reference:begin.*?-reference:end -->", re.S)


@cache
def _doc(name: str) -> str:
    """A document without its generated reference block (tests/stacks/test_reference.py and
    tests/components/test_public_api.py hold those)."""
    return _GENERATED.sub("", (REPO / name).read_text(encoding="utf-8"))


def _all_docs() -> dict[str, str]:
    return {name: _doc(name) for name in ADOPTER_DOCS}


def _table_rows(text: str, header_start: str) -> list[list[str]]:
    """The body rows of the Markdown table whose header row starts with ``header_start``."""
    lines = text.splitlines()
    [start] = [i for i, line in enumerate(lines) if line.startswith(header_start)]
    rows = []
    for line in lines[start + 2 :]:
        if not line.startswith("|"):
            break
        rows.append([cell.strip() for cell in re.split(r"(?<!\\)\|", line.strip()[1:-1])])
    return rows


# --- environment variables -----------------------------------------------------------------------


def _product_sources() -> list[Path]:
    """The packages' Python files, not what a hidden folder holds: `uv sync` in examples/consumer/, as
    its README says, puts a whole virtual environment in examples/consumer/.venv."""
    return [
        path
        for package in PRODUCT_PACKAGES
        for path in sorted((REPO / package).rglob("*.py"))
        if not any(part.startswith(".") for part in path.relative_to(REPO).parts)
    ]


def _environment_reads() -> dict[str, set[str]]:
    """Every environment variable the product code reads (``os.environ.get/[]/in``, ``os.getenv``),
    a name given as a literal or as a module-level constant of the same module.

    Parsing the ~220 files costs about a second and two tests ask: the scan is computed once per
    version of this module, the tests' support files and the files it reads, whose bytes are its key
    (tests/recorded.py, computed_once)."""
    key = [part for path in _product_sources() for part in (str(path.relative_to(REPO)), path.read_bytes())]
    return computed_once("environment-reads", _scan_environment_reads, key=key)


def _scan_environment_reads() -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for path in _product_sources():
        text = path.read_text(encoding="utf-8")
        if text.isascii() and "environ" not in text and "getenv" not in text:
            continue  # no read can be written without one of those names (an ASCII file's are literal)
        tree = ast.parse(text)
        constants = {
            target.id: node.value.value
            for node in tree.body
            if isinstance(node, ast.Assign | ast.AnnAssign)
            and isinstance(node.value, ast.Constant)
            and isinstance(node.value.value, str)
            for target in (node.targets if isinstance(node, ast.Assign) else [node.target])
            if isinstance(target, ast.Name)
        }

        def value(node: ast.expr, constants: dict[str, str] = constants) -> str | None:
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                return node.value
            return constants.get(node.id) if isinstance(node, ast.Name) else None

        def is_environ(node: ast.expr) -> bool:
            return (isinstance(node, ast.Attribute) and node.attr == "environ") or (
                isinstance(node, ast.Name) and node.id == "environ"
            )

        for node in ast.walk(tree):
            name = None
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.args:
                if (
                    node.func.attr in ("get", "pop") and is_environ(node.func.value)
                ) or node.func.attr == "getenv":
                    name = value(node.args[0])
            elif isinstance(node, ast.Subscript) and is_environ(node.value):
                name = value(node.slice)
            elif isinstance(node, ast.Compare) and any(is_environ(c) for c in node.comparators):
                name = value(node.left)
            if name:
                found.setdefault(name, set()).add(str(path.relative_to(REPO)))
    return found


#: Read by the code, deliberately not in the adopter docs.
_UNDOCUMENTED_READS = {
    # Set by SageMaker's training toolkit; the churn script reads the hyperparameters from it as
    # well as from its flags, which the family contract (models/README.md) documents.
    "SM_HPS",
}


def test_every_platform_switch_the_docs_name_is_read_by_the_code() -> None:
    """The ``MLOPS_*`` variables the documents tell an adopter to set are ones some module reads."""
    reads = _environment_reads()
    named = {
        (name, variable)
        for name, text in _all_docs().items()
        for variable in re.findall(r"`(MLOPS_[A-Z0-9_]+)(?:=[^`]*)?`", text)
    }
    assert {variable for _, variable in named} >= {"MLOPS_DEFINITION_CACHE", "MLOPS_PLATFORM_COMMIT"}
    assert sorted((doc, variable) for doc, variable in named if variable not in reads) == []


def test_every_environment_variable_the_code_reads_is_documented() -> None:
    """What the product, the planner and the family scripts read from the environment is named in a
    document (docs/performance.md included: it documents the planner's debugging switches)."""
    texts = "\n".join([*_all_docs().values(), (REPO / "docs" / "performance.md").read_text()])
    reads = _environment_reads()
    assert {"MLOPS_DEFINITION_CACHE", "MLOPS_PARALLEL_COMPOSER", "MLFLOW_TRACKING_URI"} <= set(reads)
    undocumented = {
        variable: sorted(files)
        for variable, files in reads.items()
        if variable not in _UNDOCUMENTED_READS and not re.search(rf"\b{variable}\b", texts)
    }
    assert undocumented == {}


# --- commands, flags and make targets ------------------------------------------------------------


def _commands(text: str) -> list[str]:
    """Every command line of a document: fenced lines (``\\`` continuations joined) and inline code
    spans (which may wrap a line)."""
    fenced = re.findall(r"^ *```[a-z]*\n(.*?)^ *```", text, flags=re.S | re.M)
    lines = [line for block in fenced for line in block.replace("\\\n", " ").splitlines()]
    inline = re.sub(r"^ *```[a-z]*\n.*?^ *```", "", text, flags=re.S | re.M)
    spans = [span.replace("\n", " ") for span in re.findall(r"`([^`]+)`", inline)]
    indented = re.findall(r"^ {4,}((?:uv run )?(?:python|bin/|make ).*)$", inline, re.M)
    return lines + spans + indented


_PROGRAM = re.compile(
    r"(?:^|[\s(\"$])(?:python3? -m (?P<module>[a-z_.]+)|(?P<plan>bin/plan)|python3? (?P<script>[a-z_/-]+\.py))"
    r"(?P<rest>[^|]*)"
)


def _program_files(match: re.Match[str], doc: str, models: Path = REPO / "models") -> list[Path]:
    if match["plan"]:
        return [REPO / "planner" / "__main__.py"]
    if match["module"]:
        if match["module"].split(".")[0] not in (*PRODUCT_PACKAGES, "tests"):
            return []
        spec = importlib.util.find_spec(match["module"])
        assert spec is not None and spec.origin, match["module"]
        origin = Path(spec.origin)
        return [origin.parent / "__main__.py" if origin.name == "__init__.py" else origin]
    script = match["script"]
    if "/" in script:
        return [REPO / script]
    # A family script named bare (models/README.md): the contract every documented family keeps.
    return [
        models / family / script
        for family in documented_families(models)
        if (models / family / script).is_file()
    ]


def _accepts(path: Path, flag: str) -> bool:
    """Whether the program defines ``flag``: as a literal in its module or in a platform module it
    imports (``stacks.generated_block`` parses the references' ``--write``), or, in a family
    script, as a hyperparameter field the script turns into ``--<field with dashes>``."""
    source = path.read_text(encoding="utf-8")
    imported = re.findall(rf"^from ((?:{'|'.join(PRODUCT_PACKAGES)})\.[\w.]+) import", source, re.M)
    sources = [source]
    for module in imported:
        spec = importlib.util.find_spec(module)
        if spec is not None and spec.origin:
            sources.append(Path(spec.origin).read_text(encoding="utf-8"))
    if any(f'"{flag}"' in text for text in sources):
        return True
    field = flag[2:].replace("-", "_")
    return path.is_relative_to(REPO / "models") and bool(
        re.search(rf"^class Hyperparameters:.*?^    {field}: ", source, re.S | re.M)
    )


def test_a_family_script_the_docs_name_bare_is_a_documented_familys_not_an_adopters(tmp_path: Path) -> None:
    """models/README.md's `python3 preprocess.py --seed 42 --label <label> [--identifiers <a,b,...>]`
    is the contract of the families it documents. An adopter's family beside them (here one without
    identifiers, whose preprocess.py takes no --identifiers: the platform passes the flag only where
    the stack file lists some) is not checked against it: it would turn `make test` red."""
    models = tmp_path / "models"
    shutil.copytree(REPO / "models", models)
    mine = models / "an-adopters-family"
    shutil.rmtree(mine, ignore_errors=True)
    shutil.copytree(models / documented_families(models)[0], mine)
    (mine / "preprocess.py").write_text(
        'import argparse\nparser = argparse.ArgumentParser()\nparser.add_argument("--seed")\n'
        'parser.add_argument("--label")\n'
    )

    documented = documented_families(models)

    assert documented == documented_families(REPO / "models") and "an-adopters-family" not in documented
    [match] = _PROGRAM.finditer("python3 preprocess.py --seed 42 --label <label> [--identifiers <a,b,...>]")
    scripts = _program_files(match, "models/README.md", models)
    assert scripts == [models / family / "preprocess.py" for family in documented]
    assert all(_accepts(script, "--identifiers") for script in scripts)


def test_every_flag_the_docs_pass_to_a_platform_command_is_one_it_accepts() -> None:
    checked = []
    for doc, text in _all_docs().items():
        for line in _commands(text):
            for match in _PROGRAM.finditer(line):
                flags = re.findall(r"(?<![\w-])(--[a-z][a-z0-9-]*)", match["rest"].split("#")[0])
                words = match["rest"].split()
                for path in _program_files(match, doc):
                    checked += [(doc, path.name, flag, _accepts(path, flag)) for flag in flags]
                    source = path.read_text(encoding="utf-8")
                    if "add_parser(" in source and words and re.fullmatch(r"[a-z]+", words[0]):
                        checked.append((doc, path.name, words[0], f'add_parser("{words[0]}"' in source))
    assert len(checked) > 30
    assert [c[:3] for c in checked if not c[3]] == []


def test_every_make_target_and_variable_the_docs_name_exists() -> None:
    makefile = (REPO / "Makefile").read_text(encoding="utf-8")
    targets = set(re.findall(r"^([a-z][a-z-]*):", makefile, re.M))
    seen = set()
    for doc, text in _all_docs().items():
        for line in _commands(text):
            for target, rest in re.findall(r"(?:^|\s)make ([a-z][a-z-]*)((?: [A-Z_]+=\S+)*)", line):
                seen.add(target)
                assert target in targets, f"{doc}: make {target}"
                for variable in re.findall(r"([A-Z_]+)=", rest):
                    assert f"$({variable})" in makefile, f"{doc}: make {target} {variable}="
    assert {"plan", "test", "verify", "diagram", "package", "typecheck"} <= seen


def test_the_plan_exit_statuses_are_the_ones_the_readme_lists() -> None:
    from planner.__main__ import EXIT_FAILED, EXIT_INVALID_CONFIG, EXIT_OK, EXIT_VIOLATION

    readme = re.sub(r"\s+", " ", _doc("README.md"))
    listed = {code: what.strip() for code, what in re.findall(r"\*\*(\d)\*\* ([a-z ]+?)(?=[,.(])", readme)}
    assert listed == {
        str(EXIT_OK): "clean",
        str(EXIT_VIOLATION): "a mandatory policy violation",
        str(EXIT_INVALID_CONFIG): "an invalid stack or pack config file",
        str(EXIT_FAILED): "no verdict",
    }


def test_the_ci_matrix_outputs_and_entry_fields_are_the_ones_ci_cd_md_lists() -> None:
    """docs/ci-cd.md, "How the matrix is derived": the outputs of ``python -m delivery.stacks
    --github-output`` and the fields of each stack entry (on the suite's own stack files)."""
    from delivery.stacks import list_stacks

    text = _doc("docs/ci-cd.md")
    rows = _table_rows(text, "| output | what | used by |")
    documented = {name for cells in rows for name in re.findall(r"`([a-z_]+)`", cells[0])}
    listing = list_stacks(REPO / "tests" / "fixtures" / "stacks")
    outputs = listing.github_outputs(None)
    assert documented == set(outputs)
    [fields] = re.findall(
        r"Each stack entry carries (.*?) and the names of the\s+repository variables", text, re.S
    )
    named = set(re.findall(r"`([a-z_]+)`", re.sub(r"\(both from.*?\)", "", fields, flags=re.S)))
    [entry, *_] = json.loads(outputs["stacks"])
    roles = {k for k in entry if k.endswith(("_role_variable", "_role_fallback"))}
    assert named | roles == set(entry)
    assert roles == {
        "preview_role_variable",
        "preview_role_fallback",
        "deploy_role_variable",
        "deploy_role_fallback",
    }
    assert all(f"`{role}`" in text for role in roles)


# --- configuration keys ---------------------------------------------------------------------------


@cache
def _reference_rows() -> dict[str, tuple[str, str, str]]:
    """The generated configuration reference (held current by tests/stacks/test_reference.py):
    each dotted key with its dev, staging and prod default as the table shows them."""
    rows = re.findall(
        r"^\| `([^`]+)` \| [^|]*(?:\\\|[^|]*)* \| ([^|]*) \| ([^|]*) \| ([^|]*) \|", reference(), re.M
    )
    return {
        key.replace("[]", ""): (dev.strip(), staging.strip(), prod.strip())
        for key, dev, staging, prod in rows
    }


def _names_a_key(key: str, keys: set[str]) -> bool:
    def known(path: str) -> bool:
        return path in keys or any(k.endswith("." + path) for k in keys)

    parts = key.split(".")
    # or a path through a mapping's user-chosen name (``tuning.parameters.eta.min``)
    return known(key) or any(
        known(".".join(parts[:i])) and known(".".join(parts[:i] + parts[i + 1 :]))
        for i in range(1, len(parts) - 1)
    )


def test_every_dotted_config_key_the_docs_name_exists() -> None:
    """A backticked dotted key whose first part is a top-level key is a key of the model; a key
    named relative to its section (``training.problem_type`` of a family) ends a real one."""
    keys = set(_reference_rows())
    tops = {key.split(".")[0] for key in keys}
    checked, missing = 0, []
    for doc, text in _all_docs().items():
        for token in re.findall(r"`([a-z_]+(?:\[\d*\])?(?:\.[a-z_0-9]+(?:\[\d*\])?)+)(?:[:=][^`]*)?`", text):
            key = re.sub(r"\[\d*\]", "", token)
            if key.split(".")[0] not in tops:
                continue
            checked += 1
            if not _names_a_key(key, keys):
                missing.append((doc, token))
    assert checked > 80
    assert missing == []


#: Defaults the prose states, read from the prose: (document, pattern with one group per stated
#: value, the key, which environments' defaults the groups are, in order).
_PROSE_DEFAULTS = [
    (
        "docs/monitoring.md",
        r"`training\.retraining_cooldown_hours` \(default (\d+)",
        "training.retraining_cooldown_hours",
        ("dev",),
    ),
    (
        "docs/feature-store.md",
        r"`feature_queries\.results_retention_days` \((\d+) by default",
        "feature_queries.results_retention_days",
        ("dev",),
    ),
    (
        "docs/lineage.md",
        r"`storage\.noncurrent_version_expiration_days` \((\d+)/(\d+)/(\d+) days by default",
        "storage.noncurrent_version_expiration_days",
        ("dev", "staging", "prod"),
    ),
    (
        "docs/cost.md",
        r"`actual_thresholds_percent` \((\d+) and (\d+) by default\)",
        "budget.actual_thresholds_percent",
        ("dev",),
    ),
    (
        "docs/evidently.md",
        r"drift_share: [0-9.]+ +# default ([0-9.]+)",
        "models.evidently.drift_share",
        ("dev",),
    ),
]
_ENVIRONMENT_COLUMN = {"dev": 0, "staging": 1, "prod": 2}


@pytest.mark.parametrize(
    ("doc", "pattern", "key", "environments"), _PROSE_DEFAULTS, ids=[d[2] for d in _PROSE_DEFAULTS]
)
def test_a_default_the_prose_states_is_the_models(
    doc: str, pattern: str, key: str, environments: tuple[str, ...]
) -> None:
    match = re.search(pattern, re.sub(r"\s+", " ", _doc(doc)))
    assert match, f"{doc} no longer states {key}'s default this way"
    defaults = _reference_rows()[key]
    stated = match.groups()
    if len(stated) > len(environments):  # several values of one list default
        numbers = [float(v) for v in re.findall(r"[0-9.]+", defaults[0])]
        assert numbers == [float(v) for v in stated]
        return
    for value, environment in zip(stated, environments, strict=True):
        assert float(defaults[_ENVIRONMENT_COLUMN[environment]].strip("`")) == float(value)


def test_the_endpoint_defaults_architecture_md_states_per_environment_are_the_models() -> None:
    """ "`all_at_once` (dev and staging) or `linear` (prod, half the fleet per step)"; "the minimum
    instance count (0 in dev, 1 in staging, 2 in prod)"."""
    rows = _reference_rows()
    text = re.sub(r"\s+", " ", _doc("docs/architecture.md"))
    assert "`all_at_once` (dev and staging) or `linear` (prod, half the fleet per step)" in text
    assert rows["endpoint_defaults.deployment.strategy"] == ("`all_at_once`", "`all_at_once`", "`linear`")
    assert rows["endpoint_defaults.deployment.linear_step_percent"][2] == "`50`"
    [counts] = re.findall(
        r"the minimum instance count \((\d+) in dev, (\d+) in staging, (\d+) in prod\)", text
    )
    assert tuple(f"`{n}`" for n in counts) == rows["endpoint_defaults.minimum_instances"]


def test_the_audit_trail_table_is_the_environment_defaults_and_the_recorded_trails() -> None:
    """docs/architecture.md, Audit trail: the trail's name, and per environment its data events, its
    retention and whether it is protected."""
    text = _doc("docs/architecture.md")
    rows = {cells[0]: cells[1:] for cells in _table_rows(text, "| | dev | staging | prod |")}
    defaults = _reference_rows()
    assert [re.match(r"`(\w+)`", c)[1] for c in rows["`data_events`"]] == [  # type: ignore[index]
        d.strip("`") for d in defaults["audit_trail.data_events"]
    ]
    assert [int(c.split()[0]) for c in rows["`log_retention_days`"]] == [
        int(d.strip("`")) for d in defaults["audit_trail.log_retention_days"]
    ]
    [template] = re.findall(r"Each stack creates a CloudTrail trail, `([^`]+)`", text)
    protected = rows["trail, key, bucket protected; log deletion denied"]
    for stack, documented in zip(STACKS, protected, strict=True):
        graph = recorded_stack(stack_path(stack))
        prefix = graph.exports["endpoint_names"]["customer-churn"].removesuffix("-customer-churn")
        [trail] = graph.of_type("aws:cloudtrail/trail:Trail")
        assert trail.inputs["name"] == template.replace("<name_prefix>", prefix)
        assert trail.inputs["isMultiRegionTrail"] and trail.inputs["enableLogFileValidation"]
        assert trail.inputs["includeGlobalServiceEvents"]
        # object events selected by bucket ARN prefix, the datasets and artifact buckets' only
        arns = [
            prefix
            for selector in trail.inputs["advancedEventSelectors"]
            for field in selector["fieldSelectors"]
            if field["field"] == "resources.ARN"
            for prefix in field["startsWiths"]
        ]
        buckets = {r.name: r.outputs["bucket"] for r in graph.of_type("aws:s3/bucket:Bucket")}
        assert all(a.startswith("arn:aws:s3:::") and a.endswith("/") for a in arns)
        assert sorted(a.removeprefix("arn:aws:s3:::").rstrip("/") for a in arns) == sorted(
            [buckets["datasets-bucket"], buckets["artifacts-bucket"]]
        )
        assert trail.protect == (documented == "yes"), stack


def test_the_environments_that_turn_a_switch_on_are_the_ones_the_prose_names() -> None:
    """``model_registry.require_model_card`` "on by default in staging and prod"; the monitoring
    schedule daily in staging, hourly in prod (docs/promotion.md, docs/monitoring.md)."""
    rows = _reference_rows()
    assert re.search(
        r"`model_registry\.require_model_card` \(on by default in staging and prod",
        re.sub(r"\s+", " ", _doc("docs/promotion.md")),
    )
    assert rows["model_registry.require_model_card"] == ("`false`", "`true`", "`true`")
    assert "In staging (daily) and prod (hourly) every endpoint" in _doc("docs/monitoring.md")
    assert rows["monitoring.schedule"][1:] == ("`cron(0 0 ? * * *)`", "`cron(0 * ? * * *)`")
    architecture = re.sub(r"\s+", " ", _doc("docs/architecture.md"))
    assert "**on by default in staging and prod and off in dev**" in architecture
    assert rows["experiment_tracking.enabled"] == ("`false`", "`true`", "`true`")
    assert "### DVC remote Off by default." in architecture
    assert set(rows["dvc_remote.enabled"]) == {"`false`"}
    assert (
        "online: true, offline: true, glue_catalog: managed, table_format: Iceberg (defaults)" in architecture
    )
    assert [
        rows[f"feature_groups.{k}"][0] for k in ("online", "offline", "glue_catalog", "table_format")
    ] == [
        "`true`",
        "`true`",
        "`managed`",
        "`Iceberg`",
    ]


# --- the model families' READMEs ------------------------------------------------------------------


def _module_values(path: Path) -> dict[str, object]:
    """A script's module-level literal constants (tuples, dicts of tuples, numbers) and the keys of
    its ``METRICS`` table, read without importing it (its imports are the framework's)."""
    values: dict[str, object] = {}
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name):
            name = node.targets[0].id
            if name == "METRICS" and isinstance(node.value, ast.Dict):
                values[name] = tuple(ast.literal_eval(key) for key in node.value.keys if key is not None)
                continue
            with contextlib.suppress(ValueError):
                values[name] = ast.literal_eval(node.value)
    return values


@pytest.mark.parametrize("family", ["customer-churn", "demand-forecast"])
def test_a_family_readme_lists_its_features_in_request_order_with_their_categories(family: str) -> None:
    folder = REPO / "models" / family
    rows = _table_rows(_doc(f"models/{family}/README.md"), "| column | role | type | rule |")
    features = [
        name
        for cells in rows
        if cells[1].startswith("feature")
        for name in re.findall(r"`([a-z0-9_]+)`", cells[0])
    ]
    for script in ("preprocess.py", "train.py", "evaluate.py"):
        declared = _module_values(folder / script).get("FEATURES")
        assert declared is None or list(declared) == features, script
    [category_row] = [cells for cells in rows if cells[2] == "category"]
    categories = re.findall(r"`([a-z-]+)`", category_row[3])
    constants = _module_values(folder / "preprocess.py")
    declared_categories = constants.get("CATEGORIES") or next(
        iter(constants["CATEGORICAL_FEATURES"].values())
    )
    assert categories == list(declared_categories)


def test_the_family_readmes_state_the_scripts_minimums() -> None:
    churn = re.sub(r"\s+", " ", _doc("models/customer-churn/README.md"))
    [rows] = re.findall(r"at least (\d+) rows of each class", churn)
    assert int(rows) == _module_values(REPO / "models/customer-churn/preprocess.py")["MIN_ROWS_PER_CLASS"]
    forecast = re.sub(r"\s+", " ", _doc("models/demand-forecast/README.md"))
    [weeks] = re.findall(r"at least (\d+) weeks of data", forecast)
    assert int(weeks) == _module_values(REPO / "models/demand-forecast/preprocess.py")["MIN_WEEKS"]


@pytest.mark.parametrize("family", ["customer-churn", "demand-forecast"])
def test_a_family_readme_names_every_metric_its_evaluation_reports_and_its_direction(family: str) -> None:
    """ "`evaluate.py` can report ..." is the METRICS table of the family's evaluate.py; a metric the
    README calls lower-is-better is one the platform's model-quality alarm treats as an error."""
    text = re.sub(r"\s+", " ", _doc(f"models/{family}/README.md"))
    [claim] = re.findall(r"`evaluate\.py` can report (.*?)[.;](?: |$)", text)
    named = re.findall(r"`(\w+)`", claim)
    assert sorted(named) == sorted(_module_values(REPO / "models" / family / "evaluate.py")["METRICS"])
    lower = set()
    for group, side in re.findall(
        r"((?:`\w+`(?:,? (?:and )?)?)+) \((?:all )?(lower|higher)[ -]is[ -]better\)", claim
    ):
        if side == "lower":
            lower |= set(re.findall(r"`(\w+)`", group))
    assert lower or "(all higher" in claim
    regression = QUALITY_METRICS["Regression"]
    assert {m for m in named if regression.get(m) == "high"} <= lower
    assert not lower & {
        m for m, side in {**QUALITY_METRICS["BinaryClassification"], **regression}.items() if side == "low"
    }


# --- pricing assumptions ---------------------------------------------------------------------------


def test_each_constant_a_document_quotes_has_the_value_it_gives() -> None:
    """``NAME`` (value) in the prose: NAME is a module-level number of a product module."""
    from planner import pricing

    quoted = [
        (doc, name, value)
        for doc, text in _all_docs().items()
        for name, value in re.findall(r"`([A-Z][A-Z0-9_]+)` \(([0-9][0-9_.]*)", text)
    ]
    assert len(quoted) >= 3
    assert [
        (doc, name, value) for doc, name, value in quoted if getattr(pricing, name, None) != float(value)
    ] == []


def test_the_batch_and_trail_pricing_the_prose_states_is_the_planners() -> None:
    from planner import pricing

    batch = re.sub(r"\s+", " ", _doc("docs/batch-scoring.md"))
    [(transform, processing)] = re.findall(
        r"(\d+) minutes per run for the floor and an hour for the ceiling.*?at the processing rate, (\d+) minutes for the floor",
        batch,
    )
    assert int(transform) == pricing.TYPICAL_TRANSFORM_RUN_MINUTES
    assert pricing.ASSUMED_MAX_TRANSFORM_RUN_MINUTES == 60
    assert int(processing) == pricing.TYPICAL_BATCH_PROCESSING_RUN_MINUTES
    for doc in ("docs/architecture.md", "docs/cost.md"):
        [millions] = re.findall(r"an assumed (\d+) million a month", re.sub(r"\s+", " ", _doc(doc)))
        assert int(millions) * 1_000_000 == pricing.ASSUMED_MAX_TRAIL_DATA_EVENTS_PER_MONTH, doc
    [gigabytes] = re.findall(r"the plan prices 0-(\d+) GB", re.sub(r"\s+", " ", _doc("docs/evidently.md")))
    assert float(gigabytes) == pricing.ASSUMED_MAX_IMAGE_STORAGE_GB


_DIGEST = "sha256:" + "0" * 64
_PLACEHOLDERS = {
    "sha256:<digest>": _DIGEST,
    "...@sha256:...": f"111111111111.dkr.ecr.eu-west-1.amazonaws.com/churn-server@{_DIGEST}",
    # the README's new family is a copy of the churn folder (tests/test_readme.py builds that copy)
    "models/my-model": "models/customer-churn",
}


#: Keys whose value is a mapping of the user's names (an example's replaces the stack's).
_MAPPINGS = ("hyperparameters", "parameters", "quality_alarms", "tags", "environment", "env")


def _merge(base: object, over: object) -> object:
    """A fragment over a stack's value: sections key by key, named list entries by name."""
    if isinstance(base, dict) and isinstance(over, dict):
        return {
            **base,
            **{k: _merge(base[k], v) if k in base and k not in _MAPPINGS else v for k, v in over.items()},
        }
    named = isinstance(base, list) and isinstance(over, list)
    if named and all(isinstance(x, dict) and "name" in x for x in [*base, *over]):
        mine = {x["name"]: x for x in base}
        merged = [_merge(mine[x["name"]], x) if x["name"] in mine else x for x in over]
        return [x for x in base if x["name"] not in {o["name"] for o in over}] + merged
    return over


def _problems(fragment: dict) -> str | None:
    """None when the fragment makes a valid stack file of some environment, else the last problem."""
    from stacks.config import ConfigError, parse_platform_config
    from tests.conftest import load_stack_document

    problem = None
    for stack in STACKS:
        platform = _merge(load_stack_document(stack)["config"]["mlops-platform:platform"], fragment)
        try:
            parse_platform_config(platform, str(stack_path(stack)))
            return None
        except ConfigError as error:
            problem = str(error)
    return problem


def test_every_stack_file_example_in_the_docs_is_valid() -> None:
    """Each ```yaml example whose keys are stack-file keys, placed in one of the suite's stacks (a
    family entry over the family of that name), is a valid configuration; an example that builds on
    the one before it in its document (``needs the monitoring below``) is valid with it."""
    import textwrap

    import yaml

    from stacks.config import PlatformConfig

    checked, invalid = 0, []
    for doc, text in _all_docs().items():
        fragments = []
        for _, block in re.findall(r"^( *)```yaml\n(.*?)^\1```", text, flags=re.S | re.M):
            block = textwrap.dedent(block)
            for placeholder, value in _PLACEHOLDERS.items():
                block = block.replace(placeholder, value)
            fragment = yaml.safe_load(block)
            if isinstance(fragment, dict) and set(fragment) <= set(PlatformConfig.model_fields):
                fragments.append(fragment)
        for i, fragment in enumerate(fragments):
            checked += 1
            neighbours = [f for f in (fragments[i - 1] if i else None, *fragments[i + 1 : i + 2]) if f]
            problem = _problems(fragment)
            for neighbour in neighbours:
                if problem and set(neighbour) == set(fragment):
                    problem = _problems(_merge(neighbour, fragment))  # type: ignore[arg-type]
            if problem:
                invalid.append((doc, problem))
    assert checked >= 20
    assert invalid == [], "\n".join(f"{doc}: {problem}" for doc, problem in invalid)


def test_the_instance_sizes_the_docs_quote_are_the_ones_the_platform_packs_on() -> None:
    """``instance_type: ml.x  # N vCPUs, M GiB, G GPUs`` against components/instance_types.py."""
    from components.instance_types import INSTANCE_RESOURCES

    quoted = [
        (doc, *match)
        for doc, text in _all_docs().items()
        for match in re.findall(r"(ml\.[a-z0-9.]+) +# (\d+) vCPUs, (\d+) GiB, (\d+) GPUs", text)
    ]
    assert quoted
    for doc, instance_type, cpus, gib, gpus in quoted:
        assert INSTANCE_RESOURCES[instance_type] == (int(cpus), int(gib) * 1024, int(gpus)), doc
    fleets = [
        (doc, *match)
        for doc, text in _all_docs().items()
        for match in re.findall(r"`(ml\.[a-z0-9.]+)` x [0-9-]+ \((\d+) vCPUs, (\d+) GiB each\)", text)
    ]
    assert fleets
    for doc, instance_type, cpus, gib in fleets:
        assert INSTANCE_RESOURCES[instance_type][:2] == (int(cpus), int(gib) * 1024), doc


def test_the_tuning_limits_training_md_lists_are_the_checks() -> None:
    from components.training import tuning
    from components.training.definition import RESERVED_HYPERPARAMETERS

    text = re.sub(r"\s+", " ", _doc("docs/training.md"))

    def number(pattern: str) -> list[int]:
        [found] = re.findall(pattern, text)
        return [int(n.replace(",", "")) for n in ([found] if isinstance(found, str) else found)]

    assert number(r"at most (\d+) ranges") == [tuning.MAX_RANGES]
    assert number(r"a categorical range has 1-(\d+) distinct values") == [tuning.MAX_CATEGORICAL_VALUES]
    assert number(r"`_tuning_objective_metric` together at most (\d+)") == [tuning.MAX_HYPERPARAMETERS]
    assert (
        "`_tuning_objective_metric`" in text
        and tuning.TUNING_OBJECTIVE_HYPERPARAMETER == "_tuning_objective_metric"
    )
    assert number(r"`max_jobs` 1-(\d+) and `max_parallel_jobs` 1-(\d+)") == [
        tuning.MAX_TRAINING_JOBS,
        tuning.MAX_PARALLEL_TRAINING_JOBS,
    ]
    assert number(r"`ResourceLimits\.MaxRuntimeInSeconds`\) is ([0-9,]+)-([0-9,]+)") == [
        tuning.MIN_TUNING_RUNTIME_SECONDS,
        tuning.MAX_TUNING_RUNTIME_SECONDS,
    ]
    assert number(r"`hyperband\.max_resource` \(at most ([0-9,]+)\)") == [tuning.HYPERBAND_MAX_RESOURCE]
    [epochs] = re.findall(r"unless a fixed hyperparameter ((?:`[a-z_-]+`,? (?:or )?)+)gives it", text)
    assert re.findall(r"`([a-z_-]+)`", epochs) == list(tuning.HYPERBAND_EPOCH_KEYS)
    [platform] = re.findall(r"the platform's three \(((?:`[a-z_]+`,? ?)+)\)", text)
    assert re.findall(r"`([a-z_]+)`", platform) == list(RESERVED_HYPERPARAMETERS)


@pytest.mark.parametrize("family", ["customer-churn", "demand-forecast"])
def test_the_hyperparameters_a_doc_example_sets_or_tunes_are_ones_the_family_script_reads(
    family: str,
) -> None:
    """training.md: "every name under `parameters` must be one the family's `train.py` accepts"; the
    shipped scripts ignore (print and drop) any other, so an example naming one tunes nothing."""
    import textwrap

    import yaml

    tree = ast.parse((REPO / "models" / family / "train.py").read_text(encoding="utf-8"))
    [hyperparameters] = [n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == "Hyperparameters"]
    fields = {
        n.target.id
        for n in hyperparameters.body
        if isinstance(n, ast.AnnAssign) and isinstance(n.target, ast.Name)
    }
    named = []
    for doc, text in _all_docs().items():
        for _, block in re.findall(r"^( *)```yaml\n(.*?)^\1```", text, flags=re.S | re.M):
            fragment = yaml.safe_load(textwrap.dedent(block))
            if not isinstance(fragment, dict):
                continue
            for model in fragment.get("models") or []:
                training = model.get("training") or {}
                if model.get("name") != family and training.get("code") != f"models/{family}":
                    continue
                names = [
                    *(training.get("hyperparameters") or {}),
                    *((training.get("tuning") or {}).get("parameters") or {}),
                ]
                named += [(doc, name) for name in names]
    assert named
    assert [(doc, name) for doc, name in named if name not in fields] == []


def test_the_feature_snapshot_limit_is_the_steps() -> None:
    """feature-store.md: `GetQueryResults` "1,000 a call", "at most 2,000,000 rows (`MAX_ROWS`"."""
    from components.training.steps import extract_features

    text = re.sub(r"\s+", " ", _doc("docs/feature-store.md"))
    [(per_call, rows)] = re.findall(r"\(([0-9,]+) a call;.*?at most ([0-9,]+) rows \(`MAX_ROWS`", text)
    assert int(rows.replace(",", "")) == extract_features.MAX_ROWS
    source = Path(extract_features.__file__).read_text(encoding="utf-8")
    assert f'"PageSize": {int(per_call.replace(",", ""))}' in source


# --- extras (docs/reuse.md, docs/components.md) -----------------------------------------------------


_SDK_DEFINITION_PROGRAMS = {
    "BatchScoring": "from tests.components.test_batch_scoring_semantics import _args\n"
    "from components.serving.batch_scoring import BatchScoring\n"
    "program = lambda: BatchScoring('bs', _args(evidently=None))",
    "LiveDrift": "from tests.components.test_registry_experiments_mutation_audit import _live_drift_args\n"
    "from components.observability.live_drift import LiveDrift\n"
    "program = lambda: LiveDrift('live', _live_drift_args())",
}


def _blocked_sdk_recordings() -> tuple[dict[str, str], str]:
    """Each of :data:`_SDK_DEFINITION_PROGRAMS` recorded in one fresh interpreter with the SageMaker
    SDK blocked before anything imports it: per component, what its import and recording printed
    (what the recording raised and the types it registered, after anything else printed; nothing if
    it raised nothing); and the process's output. Run once per
    version of the code, this module and the test modules the programs import
    (tests.recorded.computed_once): what it prints is a pure function of them. One process serves
    both components (the SDK stays blocked for both; a process of its own costs half a CPU-second);
    a run killed by a signal is not kept."""
    import subprocess
    import sys
    import textwrap

    script = textwrap.dedent(
        f"""
        import contextlib, io, json, sys
        sys.modules["sagemaker"] = None
        import pulumi
        from planner.recorder import record_program
        registered = []
        real = pulumi.CustomResource.__init__
        def spy(self, t, name, *args, **kwargs):
            registered.append(t)
            real(self, t, name, *args, **kwargs)
        pulumi.CustomResource.__init__ = spy
        said = {{}}
        for component, source in {_SDK_DEFINITION_PROGRAMS!r}.items():
            registered.clear()
            namespace = {{}}
            printed = io.StringIO()  # all the component's import and recording print, as in a process
            with contextlib.redirect_stdout(printed):
                exec(source, namespace)
                try:
                    record_program(namespace["program"])
                except Exception as error:
                    print(type(error).__name__, error, registered)
            said[component] = printed.getvalue()
        print(json.dumps(said))
        """
    )

    def run() -> tuple[dict[str, str], str]:
        result = subprocess.run(
            [sys.executable, "-c", script],
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=300,
            env={"PATH": "/usr/bin:/bin", "MLOPS_DEFINITION_CACHE": "off"},
        )
        assert result.returncode >= 0, f"killed by signal {-result.returncode}: {result.stderr}"
        lines = result.stdout.splitlines()
        return (json.loads(lines[-1]) if lines else {}), result.stdout + result.stderr

    programs = "\n".join(_SDK_DEFINITION_PROGRAMS.values())
    imported = re.findall(r"from (tests\.[\w.]+) import", programs)
    key = [script, *((REPO / (name.replace(".", "/") + ".py")).read_bytes() for name in imported)]
    return computed_once("blocked-sdk-definition", run, key=key)


@pytest.mark.parametrize("component", _SDK_DEFINITION_PROGRAMS)
def test_a_component_that_builds_a_pipeline_definition_names_the_training_extra_before_creating_anything(
    component: str,
) -> None:
    """docs/reuse.md: "A component whose extra is missing raises `MissingExtraError` ... naming the
    extra to install, before it creates anything". BatchScoring and LiveDrift build their pipeline
    definitions with the SageMaker SDK, inside an apply: without ``[training]`` they failed with a
    bare ``No module named 'sagemaker'`` once their model, roles and scripts were registered (a
    ``pulumi up`` had created them)."""
    said, stderr = _blocked_sdk_recordings()
    stdout = said.get(component, "")
    assert stdout.startswith("MissingExtraError "), stdout + stderr
    assert f"{component} (its pipeline definition) needs the SageMaker SDK" in stdout
    assert "'mlops-platform[training]'" in stdout
    assert stdout.rstrip().endswith("[]"), "nothing is registered"
    reuse = re.sub(r"\s+", " ", _doc("docs/reuse.md"))
    [row] = [
        r
        for r in _table_rows(_doc("docs/reuse.md"), "| Install | For |")
        if r[0] == "`mlops-platform[training]`"
    ]
    assert f"`{component}`" in row[1]
    assert re.search(rf"`TrainingPipeline`[^.]*`{component}`[^.]*when (it is|they are) constructed", reuse)


# --- the policy pack ------------------------------------------------------------------------------


def _rule_rows() -> dict[str, tuple[bool, list[str]]]:
    """policies/README.md's rule table: name -> (marked "(stack)", cells after the name)."""
    rows = {}
    previous_types = ""
    for cells in _table_rows(_doc("policies/README.md"), "| Rule |"):
        match = re.fullmatch(r"`([a-z0-9-]+)`( \(stack\))?", cells[0])
        assert match, cells[0]
        if cells[2] == "same":
            cells[2] = previous_types
        previous_types = cells[2]
        rows[match[1]] = (bool(match[2]), cells[1:])
    return rows


def test_each_rule_row_states_the_rules_default_level_and_kind() -> None:
    rows = _rule_rows()
    assert set(rows) == {policy.name for policy in ALL_POLICIES}
    wrong = [
        (policy.name, rows[policy.name][1][2], policy.enforcement_level.value)
        for policy in ALL_POLICIES
        if rows[policy.name][1][2] != policy.enforcement_level.value
    ]
    assert wrong == []
    kinds = [
        policy.name
        for policy in ALL_POLICIES
        if rows[policy.name][0] != isinstance(policy, pulumi_policy.StackValidationPolicy)
    ]
    assert kinds == [], "a stack rule's row says (stack); a resource rule's does not"


def test_each_resource_type_a_rule_row_names_is_one_the_rule_checks() -> None:
    """Resource rules, full type tokens only (abbreviations such as ``…`` or ``{A,B}`` are prose;
    a stack rule has no type list: its row says what it reads)."""
    wrong, checked = [], 0
    rows = _rule_rows()
    for policy in ALL_POLICIES:
        types = getattr(policy, "mlops_resource_types", None)
        if types is None:
            continue
        cell = rows[policy.name][1][1]
        for token in re.findall(r"`((?:aws|aws-native|kubernetes):[^`]+)`", cell):
            if token.count(":") != 2 or re.search(r"[…{}()+ ]", token):
                continue
            checked += 1
            if token not in types:
                wrong.append((policy.name, token))
    assert checked > 100
    assert wrong == []


def _instance_types(cell: str) -> set[str]:
    """``t3.medium/large, m5/c5.2xlarge, r5`` -> ``ml.t3.medium``, ``ml.t3.large``, ``ml.m5.2xlarge``,
    ``ml.c5.2xlarge``, ``ml.r5.*`` (a family without a size is every size)."""
    types = set()
    for item in cell.split(", "):
        families, _, sizes = item.partition(".")
        types |= {
            f"ml.{f}.{size or '*'}"
            for f in families.split("/")
            for size in (sizes.split("/") if sizes else [""])
        }
    return types


def test_the_environment_table_states_each_environments_pack_config() -> None:
    """policies/README.md's environment table, read cell by cell: the instance allowlists, the GPU
    quota, the retention floor, the required tags and the budget rule's level per environment."""
    from policies.local import resolve_config
    from policies.registry import ENVIRONMENTS, load_pack_config

    configs = {env: resolve_config(load_pack_config(env)) for env in ENVIRONMENTS}
    rows = {
        cells[0]: cells[1:] for cells in _table_rows(_doc("policies/README.md"), "| | dev | staging | prod |")
    }

    def setting(env: str, rule: str, key: str) -> object:
        return configs[env][rule][1][key]

    dev, staging, prod = rows["allowed instance types"]
    staging_types = _instance_types(dev) | _instance_types(staging.removeprefix("dev's + "))
    assert staging.startswith("dev's + ")
    for env, documented in (
        ("dev", _instance_types(dev)),
        ("staging", staging_types),
        ("prod", _instance_types(prod)),
    ):
        assert set(setting(env, "instance-type-allowlist", "allowedInstanceTypes")) == documented, env
    quota = [int(v) for v in rows["GPU instances (`maxGpuInstances`)"]]
    assert quota == [setting(env, "gpu-instance-quota", "maxGpuInstances") for env in ENVIRONMENTS]
    retention = [int(v) for v in rows["log retention (days)"]]
    assert retention == [setting(env, "log-group-retention", "minRetentionDays") for env in ENVIRONMENTS]
    tags = rows["required tags"]
    assert tags[1:] == ["same", "same"]
    for env in ENVIRONMENTS:
        assert setting(env, "required-cost-allocation-tags", "requiredTags") == tags[0].split(", ")
    budget = rows["a COST budget paging an SNS topic (`stack-cost-budget`)"]
    assert budget == [configs[env]["stack-cost-budget"][0].value for env in ENVIRONMENTS]


# --- components and stack outputs -----------------------------------------------------------------


def _component_tokens() -> dict[str, str]:
    """Every component class in components/ with the type token it registers."""
    tokens = {}
    for path in sorted((REPO / "components").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.ClassDef):
                continue
            for call in ast.walk(node):
                if (
                    isinstance(call, ast.Call)
                    and isinstance(call.func, ast.Attribute)
                    and call.func.attr == "__init__"
                    and call.args
                    and isinstance(call.args[0], ast.Constant)
                    and str(call.args[0].value).startswith("mlops:")
                ):
                    tokens[node.name] = call.args[0].value
    return tokens


def test_the_architecture_table_lists_every_component_with_its_type_token() -> None:
    rows = _table_rows(_doc("docs/architecture.md"), "| component | type token |")
    documented = {cells[0].strip("`"): cells[1].strip("`") for cells in rows}
    assert len(documented) == len(rows) > 30
    # Parsed once per version of components/, which the code's fingerprint holds (computed_once).
    assert documented == computed_once("component-tokens", _component_tokens)


def _exports_in_code() -> set[str]:
    tree = ast.parse((REPO / "stacks" / "platform.py").read_text(encoding="utf-8"))
    return {
        node.args[0].value
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "export"
        and isinstance(node.args[0], ast.Constant)
    }


def _output_table() -> dict[str, str]:
    rows = _table_rows(_doc("docs/architecture.md"), "| output | what | exported |")
    return {name: cells[2] for cells in rows for name in re.findall(r"`([a-z_]+)`", cells[0])}


def test_the_stack_outputs_table_lists_every_export() -> None:
    assert set(_output_table()) == _exports_in_code()


def test_every_stack_output_a_document_names_is_exported() -> None:
    exports = _exports_in_code()
    named = []
    patterns = (
        r"stack output `([a-z_]+)`",
        r"pulumi stack output ([a-z_]+)",
        r"\(export `([a-z_]+)`\)",
        r"`([a-z_]+)` \(a stack output\)",
        r"`([a-z_]+)` output\b",
    )
    texts = _all_docs()
    for doc, text in texts.items():
        flat = re.sub(r"\s+", " ", text)
        for pattern in patterns:
            named += [(doc, name) for name in re.findall(pattern, flat) if "_" in name]
    assert len(named) > 10
    assert [(doc, name) for doc, name in named if name not in exports] == []
    prefixes = {p for text in texts.values() for p in re.findall(r"`?([a-z_]+)_\*`? stack outputs", text)}
    assert prefixes == {"dvc_remote"}
    assert all(any(e.startswith(p + "_") for e in exports) for p in prefixes)


@pytest.mark.parametrize("stack", STACKS)
def test_the_outputs_documented_as_always_exported_are_in_every_stack(stack: str) -> None:
    graph = recorded_stack(stack_path(stack))
    always = {name for name, when in _output_table().items() if when == "always"}
    assert len(always) == 7
    assert always <= set(graph.exports)
    assert set(graph.exports) <= set(_output_table())


# --- alarms and failure alerts (docs/monitoring.md) against the recorded prod stack ---------------


@pytest.fixture(scope="module")
def prod() -> ResourceGraph:
    return recorded_stack(stack_path("prod"))


_MISSING_DATA = {"not breaching": "notBreaching", "breaching": "breaching", "ignored": "ignore"}


def _alarms(graph: ResourceGraph) -> dict[str, dict]:
    return {r.inputs["name"]: r.inputs for r in graph.of_type("aws:cloudwatch/metricAlarm:MetricAlarm")}


def _periods(alarm: dict) -> tuple[int, int]:
    """(period, evaluation periods) of an alarm on a metric or on metric math."""
    period = alarm.get("period") or max(
        q["metric"]["period"] for q in alarm["metricQueries"] if q.get("metric")
    )
    return period, alarm["evaluationPeriods"]


def test_each_endpoint_alarm_of_the_monitoring_table_is_as_documented(prod: ResourceGraph) -> None:
    """Name, direction, window and missing-data treatment of every row, on the prod fixture (it has
    them all: prod's no-traffic alarm, model quality and drift)."""
    alarms = _alarms(prod)
    endpoint = prod.exports["endpoint_names"]["customer-churn"]
    [config] = prod.of_type("aws:sagemaker/endpointConfiguration:EndpointConfiguration")
    [variant] = [v["variantName"] for v in config.inputs["productionVariants"]]
    metrics = sorted(n.rsplit("-", 1)[-1] for n in alarms if "-model-quality-" in n)
    assert metrics
    rows = _table_rows(_doc("docs/monitoring.md"), "| alarm (per endpoint / variant) |")
    checked = 0
    for name_cell, fires, _, _, missing in rows:
        templates = re.findall(r"`([^`]+)`", name_cell.split("(")[0])
        templates = [t if t.startswith("<ep>") else templates[0].rsplit("-", 1)[0] + t for t in templates]
        for template in templates:
            names = [
                template.replace("<ep>", endpoint).replace("<variant>", variant).replace("<metric>", m)
                for m in (metrics if "<metric>" in template else [""])
            ]
            for name in names:
                alarm = alarms[name]
                checked += 1
                treatment = next(v for k, v in _MISSING_DATA.items() if missing.startswith(k))
                assert alarm["treatMissingData"] == treatment, name
                period, evaluations = _periods(alarm)
                if m := re.search(r"(\d+) of (\d+) minutes", fires):
                    assert (alarm["datapointsToAlarm"] * period, evaluations * period) == (
                        int(m[1]) * 60,
                        int(m[2]) * 60,
                    ), name
                elif m := re.search(r"(?:for|, ) ?(\d+) minutes", fires):
                    assert evaluations * period == int(m[1]) * 60, name
                if fires.startswith(("> ", "p99", "GPU", "disk", "any")):
                    assert alarm["comparisonOperator"].startswith("GreaterThan"), name
                if fires.startswith("no invocations"):
                    assert alarm["comparisonOperator"] == "LessThanThreshold", name
                if fires.startswith("p99"):
                    assert alarm["extendedStatistic"] == "p99", name
                if "one period per" in fires:
                    [schedule] = {
                        s.inputs["monitoringScheduleConfig"]["scheduleConfig"]["scheduleExpression"]
                        for s in prod.of_type("aws:sagemaker/monitoringSchedule:MonitoringSchedule")
                    }
                    assert schedule == "cron(0 * ? * * *)" and period == 3600, name
    assert checked == 8 + len(metrics)


def test_model_quality_metrics_and_their_bad_side_are_the_documented_ones() -> None:
    text = re.sub(r"\s+", " ", _doc("docs/monitoring.md"))
    listed = {
        problem: re.findall(r"`(\w+)`", names)
        for problem, names in re.findall(
            r"(BinaryClassification|MulticlassClassification|Regression) ((?:`\w+`(?:, |;|\.|:))+)", text
        )
    }
    assert {p: sorted(m) for p, m in listed.items()} == {p: sorted(m) for p, m in QUALITY_METRICS.items()}
    [errors] = re.findall(r"errors \(((?:`\w+`, )+)false rates\) above", text)
    high = set(re.findall(r"`(\w+)`", errors))
    for problem, metrics in QUALITY_METRICS.items():
        for metric, side in metrics.items():
            documented = "high" if metric in high or metric.startswith("false_") else "low"
            assert side == documented, (problem, metric)


def test_the_evidently_alarms_are_the_ones_evidently_md_describes(prod: ResourceGraph) -> None:
    """ "An alarm per pipeline (`<pipeline>-evidently-drift`, `DriftedColumnsShare` Maximum >=
    `drift_share` over 5 minutes, missing data ignored ...)" in namespace and dimensions as listed;
    "The training pipeline's alarm only pages" (the batch-scoring one retrains)."""
    from tests.conftest import load_stack_document

    text = re.sub(r"\s+", " ", _doc("docs/evidently.md"))
    [(namespace, dimensions, kinds)] = re.findall(
        r"namespace `([^`]+)`, dimensions ((?:`\w+`(?: and )?)+) \(((?:`[a-z-]+`(?: or )?)+)\)", text
    )
    [(metric, statistic, minutes)] = re.findall(
        r"\(`<pipeline>-evidently-drift`, `(\w+)` (\w+) >= `drift_share` over (\d+) minutes, missing data ignored",
        text,
    )
    [family] = [
        m
        for m in load_stack_document("prod")["config"]["mlops-platform:platform"]["models"]
        if m.get("evidently")
    ]
    pipelines = {r.inputs["pipelineName"] for r in prod.of_type("aws:sagemaker/pipeline:Pipeline")}
    alarms = {n: a for n, a in _alarms(prod).items() if n.endswith("-evidently-drift")}
    assert {n.removesuffix("-evidently-drift") for n in alarms} <= pipelines
    assert sorted(a["dimensions"]["Pipeline"] for a in alarms.values()) == sorted(
        re.findall(r"`([a-z-]+)`", kinds)
    )
    for alarm in alarms.values():
        assert alarm["namespace"] == namespace
        assert sorted(alarm["dimensions"]) == sorted(re.findall(r"`(\w+)`", dimensions))
        assert (alarm["metricName"], alarm["statistic"]) == (metric, statistic)
        assert alarm["comparisonOperator"] == "GreaterThanOrEqualToThreshold"
        assert alarm["threshold"] == family["evidently"]["drift_share"]
        assert alarm["period"] * alarm["evaluationPeriods"] == int(minutes) * 60
        assert alarm["treatMissingData"] == "ignore"
    assert "The training pipeline's alarm only pages" in text
    rules = prod.of_type("aws:cloudwatch/eventRule:EventRule")
    retraining = [json.loads(r.inputs["eventPattern"]) for r in rules if "eventPattern" in r.inputs]
    started_by = {
        n
        for p in retraining
        if p.get("detail-type") == ["CloudWatch Alarm State Change"]
        for n in p["detail"]["alarmName"]
    }
    by_kind = {a["dimensions"]["Pipeline"]: n for n, a in alarms.items()}
    assert by_kind["training"] not in started_by and by_kind["batch-scoring"] in started_by


def test_every_alarm_pages_the_alert_topic_on_alarm_and_ok_but_the_scaling_ones() -> None:
    """docs/monitoring.md: "Every alarm notifies the `alerts` topic ... on ALARM and on OK"; the
    async scale-from-zero alarms (``<ep>-backlog-without-capacity``) "drive scaling and page nobody"."""
    text = re.sub(r"\s+", " ", _doc("docs/monitoring.md"))
    assert "Every alarm notifies the `alerts` topic (KMS-encrypted SNS) on ALARM and on OK" in text
    [scaling] = re.findall(r"\(`<ep>-([a-z-]+)`\) drive scaling and page nobody", text)
    checked = 0
    for stack in STACKS:
        graph = recorded_stack(stack_path(stack))
        [topic] = [r.outputs["arn"] for r in graph.of_type("aws:sns/topic:Topic") if r.name == "alerts-topic"]
        for name, alarm in _alarms(graph).items():
            checked += 1
            if name.endswith("-" + scaling):
                assert topic not in (alarm.get("alarmActions") or []), name
                continue
            assert alarm["alarmActions"] == [topic] and alarm["okActions"] == [topic], name
    assert checked > 20


def test_each_failure_rule_of_the_monitoring_table_matches_the_documented_events(prod: ResourceGraph) -> None:
    rows = _table_rows(_doc("docs/monitoring.md"), "| rule | event (`source: aws.sagemaker`) |")
    assert len(rows) == 8
    rules = prod.of_type("aws:cloudwatch/eventRule:EventRule")
    for rule, event, pages_when, _ in rows:
        name = rule.strip("`")
        [resource] = [r for r in rules if r.name == f"failure-alerts-{name}"]
        pattern = json.loads(resource.inputs["eventPattern"])
        source = re.search(r"\(`source: ([a-z.]+)`\)", event)
        assert pattern["source"] == [source[1] if source else "aws.sagemaker"], name
        detail_type = event.split(" (")[0]
        expected = detail_type if source else f"SageMaker {detail_type}"
        assert pattern["detail-type"] == [expected], name
        flat = json.dumps(pattern["detail"])
        for status in re.findall(r"`([A-Za-z_]+)`", pages_when.split(":")[0].split(" (")[0]):
            assert f'"{status}"' in flat, (name, status)


def test_batch_scoring_creates_what_batch_scoring_md_lists(prod: ResourceGraph) -> None:
    """The pipeline's name, where it reads, writes and captures, and the scheduler's single grant."""
    text = re.sub(r"\s+", " ", _doc("docs/batch-scoring.md"))
    [name] = re.findall(r"a SageMaker pipeline `([^`]+)` with one Transform step", text)
    [(source, results)] = re.findall(
        r"every object under `s3://<datasets bucket>/([^`]+)` and writes the results, encrypted with the data key, under `([^`]+)`",
        text,
    )
    [capture] = re.findall(r"captures its inputs and outputs under `s3://<artifact bucket>/([^`]+)`", text)
    family = "customer-churn"
    pipeline_name = name.replace("<prefix>", "prod").replace("<family>", family)
    [pipeline] = [
        r
        for r in prod.of_type("aws:sagemaker/pipeline:Pipeline")
        if r.inputs["pipelineName"] == pipeline_name
    ]
    [transform] = [
        s for s in json.loads(pipeline.inputs["pipelineDefinition"])["Steps"] if s["Type"] == "Transform"
    ]
    arguments = transform["Arguments"]
    buckets = {r.name: r.outputs["bucket"] for r in prod.of_type("aws:s3/bucket:Bucket")}
    key = prod.exports["data_key_arn"]
    assert arguments["TransformInput"]["DataSource"]["S3DataSource"]["S3Uri"] == (
        f"s3://{buckets['datasets-bucket']}/{source.replace('<family>', family)}"
    )
    output = arguments["TransformOutput"]
    prefix = results.replace("<family>", family).split("<pipeline execution id>")[0]
    assert output["S3OutputPath"]["Std:Join"]["Values"] == [
        f"s3://{buckets['datasets-bucket']}/{prefix}",
        {"Get": "Execution.PipelineExecutionId"},
        "/",
    ]
    assert output["KmsKeyId"] == key
    assert arguments["DataCaptureConfig"]["DestinationS3Uri"] == (
        f"s3://{buckets['artifacts-bucket']}/{capture.replace('<family>', family)}"
    )
    assert "sagemaker:StartPipelineExecution` on that pipeline only" in text
    [schedule] = prod.of_type("aws:scheduler/schedule:Schedule")
    role = schedule.inputs["target"]["roleArn"]
    [grants] = [
        json.loads(r.inputs["policy"])["Statement"]
        for r in prod.of_type("aws:iam/rolePolicy:RolePolicy")
        if role.endswith("/" + r.inputs["role"])
    ]
    assert grants == [
        {"Effect": "Allow", "Action": "sagemaker:StartPipelineExecution", "Resource": pipeline.outputs["arn"]}
    ]


# --- shared endpoints (docs/shared-endpoints.md), its example recorded in the prod stack ------------


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> ResourceGraph:
    import textwrap

    import yaml

    from tests.conftest import load_stack_document
    from tests.yaml_text import dump_document

    [(_, block)] = re.findall(
        r"^( *)```yaml\n(.*?)^\1```", _doc("docs/shared-endpoints.md"), flags=re.S | re.M
    )
    document = load_stack_document("prod")
    platform = document["config"]["mlops-platform:platform"]
    document["config"]["mlops-platform:platform"] = _merge(platform, yaml.safe_load(textwrap.dedent(block)))
    path = tmp_path_factory.mktemp("shared-example") / "Pulumi.prod.yaml"
    path.write_text(dump_document(document))
    return recorded_stack(path)


def test_the_shared_endpoint_example_creates_what_the_page_lists(shared: ResourceGraph) -> None:
    text = re.sub(r"\s+", " ", _doc("docs/shared-endpoints.md"))
    [(alarm_minutes, latency_minutes)] = re.findall(
        r"`Invocation5XXErrors` sum above `max_5xx_per_minute` for (\d+) minutes, `ModelLatency` p99 above the SLO for (\d+)\)",
        text,
    )
    [(dimension, resource, metric)] = re.findall(
        r"target on `([A-Za-z:-]+)` \(`([a-z-]+)/<name>`\) with target tracking on `(\w+)`", text
    )
    [variant] = re.findall(r"one variant `(\w+)` that names \*\*no model\*\*", text)
    [endpoint] = [
        r
        for r in shared.of_type("aws:sagemaker/endpoint:Endpoint")
        if r.inputs["name"] == "prod-small-models"
    ]
    configs = [
        r
        for r in shared.of_type("aws:sagemaker/endpointConfiguration:EndpointConfiguration")
        if r.inputs["productionVariants"][0]["instanceType"] == "ml.g5.12xlarge"
    ]
    [config] = configs
    [only] = config.inputs["productionVariants"]
    assert only["variantName"] == variant and "modelName" not in only
    assert config.inputs["executionRoleArn"] and only["managedInstanceScaling"]["status"] == "ENABLED"
    assert only["routingConfigs"] == [{"routingStrategy": "LEAST_OUTSTANDING_REQUESTS"}]
    assert "kmsKeyArn" not in config.inputs, "no storage key on a local-NVMe type"
    assert endpoint
    components = {
        r.inputs["inferenceComponentName"]: r
        for r in shared.of_type("aws-native:sagemaker:InferenceComponent")
    }
    assert set(components) == {"prod-small-models-churn", "prod-small-models-ranker"}
    alarms = _alarms(shared)
    for name, component in components.items():
        errors, latency = alarms[f"{name}-5xx-errors"], alarms[f"{name}-model-latency-p99"]
        for alarm in (errors, latency):
            assert alarm["namespace"] == "AWS/SageMaker" and alarm["dimensions"] == {
                "InferenceComponentName": name
            }
            assert alarm["treatMissingData"] == "notBreaching", "quiet when idle"
            assert alarm["alarmActions"] == alarm["okActions"] != []
        assert (errors["metricName"], errors["statistic"], errors["threshold"]) == (
            "Invocation5XXErrors",
            "Sum",
            5,
        )
        assert errors["period"] * errors["evaluationPeriods"] == int(alarm_minutes) * 60
        assert (latency["metricName"], latency["extendedStatistic"], latency["threshold"]) == (
            "ModelLatency",
            "p99",
            300_000,
        )
        assert latency["period"] * latency["evaluationPeriods"] == int(latency_minutes) * 60
        update = component.inputs["deploymentConfig"]
        assert update["rollingUpdatePolicy"]["maximumBatchSize"] == {"type": "COPY_COUNT", "value": 1}
        assert {a["alarmName"] for a in update["autoRollbackConfiguration"]["alarms"]} == {
            f"{name}-5xx-errors",
            f"{name}-model-latency-p99",
        }
    [target] = [
        t
        for t in shared.of_type("aws:appautoscaling/target:Target")
        if t.inputs["resourceId"].startswith(resource)
    ]
    assert (target.inputs["scalableDimension"], target.inputs["resourceId"]) == (
        dimension,
        f"{resource}/prod-small-models-churn",
    )
    assert (target.inputs["minCapacity"], target.inputs["maxCapacity"]) == (2, 6)
    [policy] = [
        p
        for p in shared.of_type("aws:appautoscaling/policy:Policy")
        if p.inputs["resourceId"] == target.inputs["resourceId"]
    ]
    tracking = policy.inputs["targetTrackingScalingPolicyConfiguration"]
    assert tracking["predefinedMetricSpecification"]["predefinedMetricType"] == metric
    assert tracking["targetValue"] == 50


# --- what a first deploy needs (README.md, "First deploy") -----------------------------------------


def test_the_iam_a_stack_creates_is_the_roles_and_policies_under_the_path_the_readme_names() -> None:
    """Step 1 asks for "IAM roles and policies under `/mlops-platform/<name_prefix>/`" and "IAM role
    and policy management on that path": every IAM resource of a stack is one of those, on that path
    (an IAM user, group, identity provider or instance profile would need more than that)."""
    readme = re.sub(r"\s+", " ", _doc("README.md"))
    [path] = re.findall(r"IAM roles and policies under `(/[^`]+/)`", readme)
    assert "plus IAM role and policy management on that path" in readme
    for stack in STACKS:
        graph = recorded_stack(stack_path(stack))
        prefix = graph.exports["endpoint_names"]["customer-churn"].removesuffix("-customer-churn")
        iam = [r for r in graph.cloud_resources if r.type.split(":")[1].split("/")[0] == "iam"]
        assert {r.type for r in iam} <= {
            "aws:iam/role:Role",
            "aws:iam/rolePolicy:RolePolicy",
            "aws:iam/policy:Policy",
            "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
        }
        expected = path.replace("<name_prefix>", prefix)
        paths = {
            r.inputs.get("path") for r in iam if r.type in ("aws:iam/role:Role", "aws:iam/policy:Policy")
        }
        assert paths == {expected}, stack
    assert any(r.type == "aws:iam/policy:Policy" for r in recorded_stack(stack_path("dev")).cloud_resources)


def test_the_retraining_gate_is_the_one_monitoring_md_describes(prod: ResourceGraph) -> None:
    """ "a Standard Step Functions state machine, `<pipeline>-retraining`", ending as `InCooldown`
    or `RunInProgress`, paging "through its 1,000 newest runs, 5 a page"."""
    from components.training import retraining_gate

    text = re.sub(r"\s+", " ", _doc("docs/monitoring.md"))
    assert "a Standard Step Functions state machine, `<pipeline>-retraining`" in text
    [(runs, per_page)] = re.findall(r"pages through its ([0-9,]+) newest runs, (\d+) a page", text)
    assert int(per_page) == retraining_gate.RUNS_PER_PAGE
    assert int(runs.replace(",", "")) == retraining_gate.RUNS_PER_PAGE * retraining_gate.MAX_RUN_PAGES
    pipelines = {r.inputs["pipelineName"] for r in prod.of_type("aws:sagemaker/pipeline:Pipeline")}
    [gate] = [
        m for m in prod.of_type("aws:sfn/stateMachine:StateMachine") if m.name.endswith("-retraining-gate")
    ]
    assert gate.inputs["type"] == "STANDARD"
    assert gate.inputs["name"].removesuffix("-retraining") in pipelines
    states = json.loads(gate.inputs["definition"])["States"]
    endings = re.findall(r"ends (?:at once )?(?:\(|as )`([A-Za-z]+)`", text)
    assert len(endings) == 2
    for ending in endings:
        assert states[ending]["Type"] == "Succeed", ending


def _metadata_keys(definition: object) -> set[str]:
    if isinstance(definition, dict):
        found = set(definition.get("CustomerMetadataProperties", {}))
        return found.union(*(_metadata_keys(v) for v in definition.values()))
    if isinstance(definition, list):
        return set().union(*(_metadata_keys(v) for v in definition))
    return set()


def test_the_lineage_table_lists_what_registration_records(prod: ResourceGraph) -> None:
    """docs/lineage.md: the keys of each version's ``CustomerMetadataProperties``; the prod
    fixture's training pipeline has them all (it trains from a feature group and tracks in MLflow)."""
    rows = _table_rows(_doc("docs/lineage.md"), "| Key | Value | Set by |")
    documented = {key for cells in rows for key in re.findall(r"`([a-z0-9_]+)`", cells[0])}
    [pipeline] = [
        r
        for r in prod.of_type("aws:sagemaker/pipeline:Pipeline")
        if r.inputs["pipelineName"].endswith("-training")
    ]
    assert _metadata_keys(json.loads(pipeline.inputs["pipelineDefinition"])) == documented


def test_the_required_interface_endpoints_are_the_ones_the_docs_list() -> None:
    """docs/architecture.md (PrivateNetwork: "interface endpoints (sagemaker.api, ... + optional), S3
    gateway endpoint") and the reference's ``network.additional_interface_endpoints`` ("beyond the
    required ..."): the dev stack, which adds none and reads no feature group, has exactly those."""
    [row] = [
        r
        for r in _table_rows(_doc("docs/architecture.md"), "| component | type token |")
        if r[0] == "`PrivateNetwork`"
    ]
    [listed] = re.findall(r"interface endpoints \(([a-z., ]+) \+ optional\), S3 gateway endpoint", row[2])
    required = set(listed.split(", "))
    [described] = re.findall(r"beyond the required ([a-z., ]+)\.", reference())
    assert set(described.split(", ")) == required
    graph = recorded_stack(stack_path("dev"))
    endpoints = {
        (r.inputs["serviceName"].removeprefix("com.amazonaws.eu-west-1."), r.inputs["vpcEndpointType"])
        for r in graph.of_type("aws:ec2/vpcEndpoint:VpcEndpoint")
    }
    assert endpoints == {(name, "Interface") for name in required} | {("s3", "Gateway")}


# --- cost guardrails ---------------------------------------------------------------------------------


def test_the_budget_is_monthly_on_the_stack_tag_and_pages_the_alert_topic() -> None:
    """docs/architecture.md, CostGuardrails: "a monthly AWS Budget and a custom Cost Anomaly
    Detection monitor and subscription on the stack's `stack` tag", "notifications only to the
    encrypted alert topic" (the sample stacks' comments say the same)."""
    [row] = [
        r
        for r in _table_rows(_doc("docs/architecture.md"), "| component | type token |")
        if r[0] == "`CostGuardrails`"
    ]
    assert (
        "a monthly AWS Budget and a custom Cost Anomaly Detection monitor and subscription on the stack's `stack` tag"
        in row[2]
    )
    assert row[3].startswith("notifications only to the encrypted alert topic")
    for stack in STACKS:
        graph = recorded_stack(stack_path(stack))
        [budget] = graph.of_type("aws:budgets/budget:Budget")
        assert budget.inputs["timeUnit"] == "MONTHLY"
        assert budget.inputs["costFilters"] == [{"name": "TagKeyValue", "values": [f"user:stack${stack}"]}]
        [topic] = [r.outputs["arn"] for r in graph.of_type("aws:sns/topic:Topic") if r.name == "alerts-topic"]
        assert {arn for n in budget.inputs["notifications"] for arn in n["subscriberSnsTopicArns"]} == {topic}
        [monitor] = graph.of_type("aws:costexplorer/anomalyMonitor:AnomalyMonitor")
        assert monitor.inputs["monitorType"] == "CUSTOM"
        tags = json.loads(monitor.inputs["monitorSpecification"])["Tags"]
        assert (tags["Key"], tags["Values"]) == ("stack", [stack])
        [subscription] = graph.of_type("aws:costexplorer/anomalySubscription:AnomalySubscription")
        assert subscription.inputs["subscribers"] == [{"type": "SNS", "address": topic}]
