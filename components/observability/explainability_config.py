"""The Clarify analysis config of an endpoint's explainability monitor (kept free of Pulumi).

Clarify computes SHAP values by calling a *shadow endpoint* it creates from the analysis config's
``predictor.model_name`` (a SageMaker model, CreateModel's name). The team writes the rest of the
config once per family (``headers``, ``methods.shap``, the shadow endpoint's ``instance_type`` and
``initial_instance_count``, the model's ``content_type``...): the template. The platform writes
one config per endpoint, the template with ``predictor.model_name`` set to the model the endpoint
serves, at each deploy, so a new version (a new model, under a new generated name) is the one
Clarify calls from the next run on.

Sources: AWS, "Parameters to Monitor Attribution Drift" (the ``predictor`` section: ``model_name``,
``instance_type``, ``initial_instance_count``, optional ``content_type``/``accept_type``/
``content_template``/``label_headers``); the SageMaker Python SDK's ``ModelConfig``, which writes
``model_name``, ``instance_type`` and ``initial_instance_count`` together, or ``endpoint_name``
alone, and ``ExplainabilityAnalysisConfig``, which uploads ``{"methods", "predictor", "headers"}``
once, when the schedule is created (nothing refreshes the model's name there either).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, Final

from .json_only import json_only_problems, noting_repeats

CLARIFY_SHADOW_ENDPOINT_PREFIX: Final = "sm-clarify"
"""How SageMaker Clarify names the ephemeral endpoint (``sm-clarify-<...>``) and endpoint config
(``sm-clarify-config-<time>-<id>``) it creates when an analysis config's ``predictor`` names a
``model_name`` (its ``endpoint_name_prefix`` default; the prefix exists so that access can be
restricted by endpoint name): what the explainability job's role is scoped to
(:func:`components.policy_documents.clarify_shadow_endpoints`). Here, where the configuration model
reads it without loading Pulumi."""

ANALYSIS_CONFIG_PREFIX: Final = "monitoring-config/"
"""Where the platform writes each endpoint's analysis config in the artifact bucket: its own key
prefix, which no monitoring job may write (they write only their endpoint's
``monitoring/<endpoint>/``); the stack's training and pipeline roles read and write the whole
bucket, as they write the models endpoints serve."""

PLATFORM_PREDICTOR_KEYS: Final[dict[str, str]] = {
    "model_name": "the platform sets it to the model the endpoint serves, at each deploy",
    "endpoint_name": "Clarify would call that endpoint instead of a shadow endpoint of the served model "
    "(a production endpoint would serve and capture the synthetic SHAP requests, and the monitoring "
    f"role may run only {CLARIFY_SHADOW_ENDPOINT_PREFIX}* endpoints)",
}
"""Predictor keys a template may not set, and why."""

CONTENT_TYPES: Final = (
    "text/csv",
    "application/jsonlines",
    "application/json",
    "image/jpeg",
    "image/jpg",
    "image/png",
    "application/x-npy",
)
"""The ``predictor.content_type`` values Clarify sends the model (the SageMaker SDK's
``ModelConfig`` refuses any other)."""

ACCEPT_TYPES: Final = ("text/csv", "application/jsonlines", "application/json")
"""The ``predictor.accept_type`` values Clarify reads the model's response as (likewise)."""

AGGREGATIONS: Final = ("mean_abs", "median", "mean_sq")
"""``methods.shap.agg_method``: how Clarify aggregates the records' SHAP values (``SHAPConfig``)."""

SHADOW_ENDPOINT_PREFIX_MAX: Final = 23
"""The longest ``endpoint_name_prefix``: AWS's "Analysis configuration files" (Clarify, the
``predictor`` section) says the prefix "must match the EndpointName pattern, and its maximum
length is 23" (default ``sm-clarify``). Clarify's container builds the shadow endpoint's and its
config's names from it (the SageMaker SDK's ``ModelConfig`` checks only the pattern, its
``ENDPOINT_NAME_PREFIX_PATTERN``, and builds no name), so the documented bound is the one to hold;
an earlier bound of 40 (63 less the 23 characters after the prefix in one failure message's
``sm-clarify-config-<time>-<id>``) let through prefixes the documentation refuses."""

BASELINE_FOLDER: Final = "model_explainability/"
"""Where, under the family's ``baselines/<group>/`` of each stack's artifact bucket (the folder the
explainability job's role reads, beside its ``constraints.json``), a template's baseline file name
is read: ``"baseline": "shap_baseline.csv"`` is
``s3://<artifact bucket>/baselines/<group>/model_explainability/shap_baseline.csv`` in every stack."""

_BASELINE_FILE: Final = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*(/[A-Za-z0-9][A-Za-z0-9._-]*)*")

Location = tuple[str | int, ...]

_FEATURES_MARK: Final = "\u0000features\u0000"
"""What stands for ``$features`` while a ``content_template`` is parsed (no request holds it)."""


def analysis_config_key(endpoint_label: str) -> str:
    """``monitoring-config/<endpoint>/model_explainability/analysis_config.json``: one per endpoint."""
    return f"{ANALYSIS_CONFIG_PREFIX}{endpoint_label}/model_explainability/analysis_config.json"


def template_problems(template: object, not_features: Sequence[str] = ()) -> Iterator[tuple[Location, str]]:
    """What Clarify's explainability monitor or the platform cannot use in a team's template: each
    problem with the key path (inside the template) to change. ``not_features``: columns no request
    carries (the family's training label and identifiers), which ``headers`` may not name."""
    if not isinstance(template, dict):
        yield (), f"must be a JSON object (the analysis config), not {type(template).__name__}"
        return
    methods = template.get("methods")
    if not isinstance(methods, dict) or not isinstance(methods.get("shap"), dict):
        yield (
            ("methods", "shap"),
            "a 'methods' object with a 'shap' object is required: the explainability monitor computes SHAP "
            'values (e.g. {"shap": {"baseline": [[...]], "num_samples": 100, "agg_method": "mean_abs"}})',
        )
    headers = template.get("headers")
    named = isinstance(headers, list) and all(isinstance(h, str) for h in headers)
    if headers is not None and not named:
        yield ("headers",), "must be a list of the feature names (no label)"
    elif named and (columns := [column for column in not_features if column in (headers or [])]):
        # Copied from the training extract: Clarify would read a column more than each request has.
        yield (
            ("headers",),
            f"{', '.join(repr(column) for column in columns)}: the family's training label and identifiers "
            "are no model inputs (a captured request carries the features only); list the features a request "
            "carries, in its order",
        )
    predictor = template.get("predictor")
    if isinstance(methods, dict) and isinstance(methods.get("shap"), dict):
        yield from _shap_problems(methods["shap"])
        content_type = predictor.get("content_type") if isinstance(predictor, dict) else None
        yield from _baseline_problems(
            methods["shap"].get("baseline"),
            headers if named else None,
            content_type,
            _features_steps(template),
        )
    if not isinstance(predictor, dict):
        yield (
            ("predictor",),
            "a 'predictor' object is required: the shadow endpoint's 'instance_type' and "
            "'initial_instance_count' (the platform adds 'model_name')",
        )
        return
    for key, why in PLATFORM_PREDICTOR_KEYS.items():
        if key in predictor:
            yield ("predictor", key), f"remove it: {why}"
    instance_type = predictor.get("instance_type")
    if not (isinstance(instance_type, str) and instance_type.startswith("ml.")):
        yield (
            ("predictor", "instance_type"),
            "the shadow endpoint's instance type is required, an 'ml.' type (e.g. 'ml.m5.xlarge')",
        )
    count = predictor.get("initial_instance_count")
    if isinstance(count, bool) or not isinstance(count, int) or count < 1:
        yield (
            ("predictor", "initial_instance_count"),
            "the shadow endpoint's instance count is required, 1 or more",
        )
    shap = methods.get("shap") if isinstance(methods, dict) else None
    baseline = shap.get("baseline") if isinstance(shap, dict) else None
    yield from _format_problems(
        predictor, isinstance(baseline, list) and any(isinstance(row, dict) for row in baseline)
    )
    prefix = predictor.get("endpoint_name_prefix")
    bound = (
        f"{SHADOW_ENDPOINT_PREFIX_MAX} characters at most (AWS's documented bound: Clarify names the "
        "shadow endpoint and its config from it, in SageMaker's 63)"
    )
    shaped = isinstance(prefix, str) and bool(
        re.fullmatch(f"{CLARIFY_SHADOW_ENDPOINT_PREFIX}[a-zA-Z0-9-]*", prefix)
    )
    if prefix is not None and not shaped:
        yield (
            ("predictor", "endpoint_name_prefix"),
            f"must start with '{CLARIFY_SHADOW_ENDPOINT_PREFIX}' (or be left out): the monitoring role may "
            f"run only the shadow endpoints named so; letters, digits and hyphens only, {bound}",
        )
    elif isinstance(prefix, str) and len(prefix) > SHADOW_ENDPOINT_PREFIX_MAX:
        yield ("predictor", "endpoint_name_prefix"), f"{len(prefix)} characters: {bound}"


def _shap_problems(shap: dict[str, Any]) -> Iterator[tuple[Location, str]]:
    """The SHAP settings the SDK's ``SHAPConfig`` checks (Clarify's job fails on others)."""
    aggregation = shap.get("agg_method")
    if aggregation is not None and aggregation not in AGGREGATIONS:
        yield ("methods", "shap", "agg_method"), f"must be one of {', '.join(AGGREGATIONS)} (or be left out)"
    samples = shap.get("num_samples")
    if samples is not None and (isinstance(samples, bool) or not isinstance(samples, int) or samples < 1):
        yield (
            ("methods", "shap", "num_samples"),
            "must be a whole number, 1 or more: the synthetic records Kernel SHAP sends the model per record",
        )


def _baseline_problems(
    baseline: object, headers: list[str] | None, content_type: object, steps: Location | None
) -> Iterator[tuple[Location, str]]:
    """Kernel SHAP's background rows, each sent to the model as a request, in the captured data's
    format: inline, a list of values (one per feature, ``headers``) or, for a JSON Lines model, a
    record holding that list where the requests hold it (``steps``: the key path of ``$features`` in
    ``content_template``, which Clarify reads them at: :func:`features_attribute`), as AWS's JSON
    Lines example ``{"features": [...]}``; or the name of a file of them in the family's baselines
    folder of each stack (:data:`BASELINE_FOLDER`). Not an ``s3://`` URI: the template is every
    stack's, and a URI names one bucket, while each stack's artifact bucket differs and its
    explainability job's role reads only that bucket's ``baselines/<group>/``."""
    where: Location = ("methods", "shap", "baseline")
    if baseline is None:
        return
    if isinstance(baseline, str):
        if baseline.startswith("s3://"):
            yield (
                where,
                "an s3:// URI names one bucket, but the template is every stack's: each stack's artifact "
                "bucket differs and its explainability job's role reads only that bucket's "
                "baselines/<group>/; give the rows inline, or the name of a file of them (e.g. "
                f"'shap_baseline.csv'), which each stack reads at s3://<artifact bucket>/baselines/<group>/"
                f"{BASELINE_FOLDER}<name> (upload it there with the monitor's constraints.json)",
            )
        elif not (_BASELINE_FILE.fullmatch(baseline) and ".." not in baseline.split("/")):
            yield (
                where,
                "a file name in the family's baselines folder (letters, digits, '.', '_', '-', subfolders "
                f"with '/'; each stack reads it at s3://<artifact bucket>/baselines/<group>/{BASELINE_FOLDER}"
                "<name>), or a list of rows",
            )
        return
    rows = (list, dict) if content_type != "text/csv" else (list,)
    if not (isinstance(baseline, list) and baseline and all(isinstance(row, rows) for row in baseline)):
        yield (
            where,
            "must be a list of rows or the name of a file of them in the family's baselines folder (each row "
            "the features of a request, in headers' order"
            + (
                "; a CSV row is a list of values)"
                if content_type == "text/csv"
                else ", or a JSON Lines record)"
            ),
        )
        return
    for index, row in enumerate(baseline):
        values: object = row
        if isinstance(row, dict):
            if steps is None:
                yield (
                    (*where, index),
                    "a record row is for a JSON Lines model: predictor.content_type 'application/jsonlines' "
                    "and a content_template placing $features under a key (where Clarify reads the "
                    "features of the captured requests and of these rows), or a list of values",
                )
                continue
            values = _at(row, steps)
            if not isinstance(values, list):
                yield (
                    (*where, index),
                    f"holds no list of values at {_jmespath(steps)}, where content_template places "
                    "$features (and Clarify reads each record's features)",
                )
                continue
        if headers is not None and isinstance(values, list) and len(values) != len(headers):
            yield (
                (*where, index),
                f"{len(values)} values for {len(headers)} headers: a row holds one value per feature, in "
                "headers' order, as the model takes them",
            )


def _features_steps(template: Mapping[str, Any]) -> Location | None:
    """The key path at which a JSON Lines model's ``content_template`` places ``$features`` (in
    ``'{"data": {"features": $features}}'``: data, features); None for another model, or where
    ``$features`` is not one value inside a JSON document (or is the whole record)."""
    predictor = template.get("predictor")
    if not isinstance(predictor, Mapping) or predictor.get("content_type") != "application/jsonlines":
        return None
    content_template = predictor.get("content_template")
    if not isinstance(content_template, str) or content_template.count("$features") != 1:
        return None
    try:
        parsed = json.loads(content_template.replace("$features", json.dumps(_FEATURES_MARK)))
    except (ValueError, RecursionError):
        return None
    return _steps_to(parsed) or None


def _steps_to(node: object) -> Location | None:
    if node == _FEATURES_MARK:
        return ()
    children = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
    for step, child in children:
        if (found := _steps_to(child)) is not None:
            return (step, *found)
    return None


def _at(record: object, steps: Location) -> object:
    for step in steps:
        if isinstance(step, str) and isinstance(record, dict):
            record = record.get(step)
        elif isinstance(step, int) and isinstance(record, list) and step < len(record):
            record = record[step]
        else:
            return None
    return record


def _jmespath(steps: Location) -> str:
    """``data.features``; ``instances[0].features``; a key that is no identifier quoted."""
    text = ""
    for step in steps:
        if isinstance(step, int):
            text += f"[{step}]"
        else:
            name = step if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", step) else json.dumps(step)
            text += f".{name}" if text else name
    return text


def features_attribute(template: Mapping[str, Any]) -> str | None:
    """The explainability job's ``FeaturesAttribute`` (EndpointInput), which Clarify requires to read
    JSON Lines captured requests: the JMESPath at which the model's ``content_template`` places
    ``$features`` (the captured requests are the model's, in that form): ``features`` for
    ``'{"features": $features}'``. None for a model that takes no JSON Lines (the plan refuses a
    JSON Lines template without such a path)."""
    steps = _features_steps(template)
    return _jmespath(steps) if steps is not None else None


def _format_problems(predictor: dict[str, Any], record_rows: bool = False) -> Iterator[tuple[Location, str]]:
    """The request and response formats, as the SDK's ``ModelConfig`` checks them: another value
    fails Clarify's job at every run instead. ``record_rows``: the SHAP baseline has record rows."""
    content_type, accept_type = predictor.get("content_type"), predictor.get("accept_type")
    if content_type is None:
        # Left out, Clarify takes the captured requests' format (the dataset's; AWS, "Parameters
        # to Monitor Attribution Drift", and "Data Format Compatibility Guide": the container
        # infers content_type): for a CSV model, CSV, as a template with neither templates nor
        # record rows can only be. A template built for JSON (a content_template or
        # record_template, or record rows) must say which JSON: the job's FeaturesAttribute, which
        # Clarify needs to read JSON Lines captures, is derived from this key alone.
        if record_rows or "content_template" in predictor or "record_template" in predictor:
            yield (
                ("predictor", "content_type"),
                "required with a content_template, a record_template or record rows: 'application/jsonlines' "
                "(the job's FeaturesAttribute, which Clarify needs to read JSON Lines captures, comes from it) "
                "or 'application/json'; left out, Clarify takes the captured requests' format, which the plan "
                "cannot know",
            )
    elif content_type not in CONTENT_TYPES:
        yield ("predictor", "content_type"), f"must be one of {', '.join(CONTENT_TYPES)}"
    if accept_type is not None and accept_type not in ACCEPT_TYPES:
        yield ("predictor", "accept_type"), f"must be one of {', '.join(ACCEPT_TYPES)} (or be left out)"
    content_template = predictor.get("content_template")
    if content_type == "application/jsonlines" and _features_steps({"predictor": predictor}) is None:
        yield (
            ("predictor", "content_template"),
            "required with content_type application/jsonlines: a JSON record placing '$features' once, "
            "under a key (where each record's features go, e.g. '{\"features\": $features}'); the "
            "explainability job reads the captured requests' features there (its FeaturesAttribute)",
        )
    if content_type == "application/json":
        if not (isinstance(content_template, str) and "$record" in content_template):
            yield (
                ("predictor", "content_template"),
                "required with content_type application/json, holding '$records' or '$record'",
            )
        if not isinstance(predictor.get("record_template"), str):
            yield (
                ("predictor", "record_template"),
                "required with content_type application/json: how one record is written (e.g. '$features_kvp')",
            )


def dotted(location: Location) -> str:
    """``predictor.model_name``; ``headers[0]``."""
    text = ""
    for part in location:
        text += f"[{part}]" if isinstance(part, int) else f".{part}" if text else part
    return text


def read_template(path: Path, not_features: Sequence[str] = ()) -> dict[str, Any]:
    """The template at ``path``, parsed and checked (``not_features``: :func:`template_problems`):
    ``ValueError`` naming the file and each key. Read from disk at each call (the stack file's
    check, then the composition: a file of a few hundred bytes, read in microseconds): no cache keyed
    on file times, which a same-size rewrite within one timestamp tick leaves unchanged."""
    repeated: dict[int, list[str]] = {}
    try:
        template = json.loads(path.read_text(encoding="utf-8"), object_pairs_hook=noting_repeats(repeated))
    except OSError as error:
        raise ValueError(f"{path}: cannot be read ({error.strerror or error})") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ValueError(f"{path}: not JSON ({error})") from None
    except RecursionError:
        raise ValueError(f"{path}: not JSON this parser reads (nested deeper than it recurses)") from None
    problems = [
        f"{path}: {dotted(location) or 'the document'}: {problem}"
        for location, problem in [
            *json_only_problems(template, repeated),
            *template_problems(template, not_features),
        ]
    ]
    if problems:  # every key to change at once, not one a plan
        raise TemplateError(problems)
    return template


class TemplateError(ValueError):
    """A template's faults, each its own message naming the file and the key inside it
    (``problems``); ``str()`` joins them."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = list(problems)
        super().__init__("; ".join(self.problems))


def baseline_file(template: Mapping[str, Any]) -> str | None:
    """The template's baseline file name (``methods.shap.baseline`` given as a name, not rows)."""
    methods = template.get("methods")
    shap = methods.get("shap") if isinstance(methods, Mapping) else None
    baseline = shap.get("baseline") if isinstance(shap, Mapping) else None
    return baseline if isinstance(baseline, str) else None


def render(template: Mapping[str, Any], model_name: str, baselines_uri: str | None = None) -> str:
    """The analysis config Clarify reads: the template, its predictor naming ``model_name``, and a
    baseline file name resolved to ``<baselines_uri><BASELINE_FOLDER><name>``: ``baselines_uri`` is
    the family's baselines folder in this stack's artifact bucket,
    ``s3://<bucket>/baselines/<group>/`` (required when the template names a file)."""
    config = {**template, "predictor": {**template["predictor"], "model_name": model_name}}
    if (name := baseline_file(template)) is not None:
        if baselines_uri is None or not baselines_uri.endswith("/"):
            raise ValueError(
                f"render: the template's baseline is the file {name!r}: give baselines_uri, the family's "
                "baselines folder in this stack's artifact bucket (s3://<bucket>/baselines/<group>/)"
            )
        shap = {**template["methods"]["shap"], "baseline": f"{baselines_uri}{BASELINE_FOLDER}{name}"}
        config["methods"] = {**template["methods"], "shap": shap}
    return json.dumps(config, indent=2, sort_keys=True) + "\n"
