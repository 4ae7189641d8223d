"""Gaps an adopter calling the components from their own program would hit (session 61's leftovers).

1. Tag and label maps: a YAML ``yes: x``, ``1: x`` or ``x: 1.10`` in an adopter's own config reaches
   Python as ``True``, ``1`` or ``1.1``. ``tags_problem`` already refused them, with a message
   printing the whole map and naming no key; the Kubernetes components' ``labels`` crashed with an
   ``AttributeError`` (``'bool' object has no attribute 'rpartition'``) naming no field. One shared
   check (``limits.string_map_problem``) now names the field, the key or value, its type and what is
   accepted, for every args class with ``tags`` and both ``labels``.
2. The endpoint an alarm or monitor watches: ``EndpointAlarmsArgs.endpoint_name`` and
   ``ModelQualityAlarmsArgs.endpoint_name`` (plain strings: they start the alarms' names) were not
   checked, so a misspelt ``churn_v2`` made alarms on metrics SageMaker never publishes, which never
   fire. They, ``ShadowTestArgs.physical_endpoint_name`` and the monitors' ``endpoint_name``
   (``pulumi.Input``: checked when a plain string, an Output or awaitable left alone, its value being
   known only as the program runs, from an endpoint that checked its own name) now take botocore's
   ``EndpointName`` only (tests/components/test_component_args_mutation_audit.py's rows refuse one
   per args class; the edges are here).
3. KMS aliases: the check took botocore's ``AliasNameType`` pattern, which lets ``:`` through; the
   kms model's own words for ``CreateAliasRequest.AliasName`` (and the KMS developer guide's "Create
   aliases") are letters, digits, ``/``, ``_`` and ``-``, and CreateAlias refuses ``:`` ("contains
   invalid characters for an alias", as moto answers): a key with ``alias_prefix="team:x"`` was
   created, then its alias failed. The check now takes what CreateAlias takes, 256 characters with
   ``alias/``, and not ``alias/aws/`` (``alias/awsome-data`` and ``alias/aws-data`` are a team's).
4. Prebuilt image URIs: ``prebuilt_image_uri``, ``prebuilt_repository_uri`` and the frameworks'
   ``repository_uris`` built China's ``amazonaws.com.cn`` hosts (and ``ecr_repository_arn`` their
   ``arn:aws-cn:`` repositories, GovCloud's as ``arn:aws:``) though every args class refuses those
   regions. One rule now: each refuses another partition's region with ``region_problem``'s words
   (tests/stacks/test_prebuilt_image_regions.py, test_prebuilt_images_semantics.py and
   test_runtime_permissions_followup_audit.py keep the commercial hosts; the regions the tables
   list are walked here).
5. ``number(...) or 1.0``: no such site is in components/ or stacks/ (they are in policies/rules,
   another area). The ``or <default>`` after a number there: ``TuningSettings.training_jobs``
   (``max_jobs or 1``), ``provisioning_allowance_seconds`` (a variant's download and startup
   timeouts ``or`` 300 s), the Kubernetes ``not_ready_minutes`` alert (``or`` the start allowance),
   a spot job's ``max_wait_seconds or max_run_seconds``, and a shared endpoint's ``cpu_cores or 0``
   and ``accelerators or 0``. In the first four, 0 is no legal value and the args refuse it before
   the ``or`` runs (tested here); in the last, 0 and "unset" mean the same (no CPUs, no devices).
6. The explainability template is read from disk twice per plan (the stack file's check, then the
   observability composition). A stat-keyed cache that read it once was tried and dropped
   (tests/components/test_component_leftovers_review.py: a same-size rewrite within one timestamp
   tick was served stale, and a hit cost more than the read it saved); each call reads, parses and
   checks the file as it is.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import botocore.loaders
import pulumi
import pytest
from pydantic import ValidationError

from components.foundation.encryption_key import ALIAS_MAX, alias_problem
from components.kubernetes.kubernetes_monitoring import KubernetesMonitoringArgs
from components.kubernetes.kubernetes_monitoring_spec import KubernetesMonitoringSpec
from components.kubernetes.kubernetes_serving import KubernetesServingArgs
from components.kubernetes.kubernetes_serving_spec import KubernetesServingSpec, ServingAlerts
from components.limits import region_problem, string_map_problem, tags_problem
from components.observability.alarm_thresholds import AlarmThresholds
from components.observability.endpoint_alarms import EndpointAlarmsArgs, VariantAlarms
from components.observability.explainability_config import read_template
from components.policy_documents import ecr_repository_arn
from components.prebuilt_images import (
    ANALYZER,
    CLARIFY,
    prebuilt_image_uri,
    prebuilt_registries,
    prebuilt_repository_uri,
)
from components.serving.inference_endpoint_spec import VariantSpec, endpoint_name_problem
from components.training.frameworks import repository_uris
from components.training.tuning import MAX_TRAINING_JOBS, ParameterRange, TuningSettings, tuning_problems
from planner.recorder import record_stack_file
from tests.aws_sessions import mocked_aws
from tests.components.test_component_args_mutation_audit import _key, _trail
from tests.components.test_limits import TAGGED
from tests.components.test_model_quality_alarms import _args as quality_alarms
from tests.components.test_registry_experiments_mutation_audit import _live_drift_args as live_drift

IMAGE = "123456789012.dkr.ecr.us-east-1.amazonaws.com/churn@sha256:" + "0123456789abcdef" * 4
SECRET = {"name": "grafana-admin"}

# (map, the start of what the refusal says after "<Args>.<field>: ")
NOT_STRINGS: list[tuple[dict[Any, Any], str]] = [
    ({True: "x"}, r"{what} key True is a bool, not a string: {what} keys and values are strings"),
    ({1: "x"}, r"{what} key 1 is a int, not a string"),
    ({"owner": "me", 1.5: "x"}, r"{what} key 1\.5 is a float, not a string"),
    ({"owner": True}, r"{what} 'owner' has the value True, a bool, not a string: {what} values are strings"),
    ({"version": 1.1}, r"{what} 'version' has the value 1\.1, a float, not a string"),
    ({"owner": None}, r"{what} 'owner' has the value None, a NoneType, not a string"),
]
NOT_STRING_IDS = ["bool-key", "int-key", "float-key", "bool-value", "float-value", "none-value"]


@pytest.mark.parametrize(("tags", "message"), NOT_STRINGS, ids=NOT_STRING_IDS)
@pytest.mark.parametrize(("args", "base"), TAGGED, ids=lambda c: getattr(c, "__name__", None))
def test_args_refuse_tags_that_are_not_strings_naming_the_key(
    args: type, base: dict[str, Any], tags: dict[Any, Any], message: str
) -> None:
    """A tag key or value that is not a string is refused naming the field, the key and its type,
    and saying tags are strings (not a dump of the whole map); the rest of the tags are fine."""
    with pytest.raises(ValueError, match=rf"^{args.__name__}\.tags: {message.format(what='tag')}"):
        args(**{**base, "tags": {"team": "ml", **tags}})


@pytest.mark.parametrize(("labels", "message"), NOT_STRINGS, ids=NOT_STRING_IDS)
def test_kubernetes_labels_that_are_not_strings_are_refused_naming_the_field(
    labels: dict[Any, Any], message: str
) -> None:
    """The Kubernetes components' extra labels: refused naming ``labels`` and the key, where the
    label check crashed on ``key.rpartition`` or its regex (AttributeError, TypeError)."""
    serving = KubernetesServingSpec.model_validate({"name": "churn", "image": IMAGE})
    monitoring = KubernetesMonitoringSpec.model_validate({"grafana_admin_secret": SECRET})
    expected = message.format(what="label")
    with pytest.raises(ValueError, match=rf"^KubernetesServingArgs\.labels: {expected}"):
        KubernetesServingArgs(spec=serving, labels=labels)
    with pytest.raises(ValueError, match=rf"^KubernetesMonitoringArgs\.labels: {expected}"):
        KubernetesMonitoringArgs(spec=monitoring, labels=labels)
    # The same labels as strings are valid Kubernetes labels.
    as_text = {str(key).lower(): str(value).lower() for key, value in labels.items() if value is not None}
    assert KubernetesServingArgs(spec=serving, labels=as_text).labels == as_text
    assert KubernetesMonitoringArgs(spec=monitoring, labels=as_text).labels == as_text


def test_the_shared_check_keeps_string_maps_and_refuses_what_is_no_map() -> None:
    assert string_map_problem({}, "tag") is None
    assert string_map_problem({"owner": "", "cost-center": "cc-1"}, "tag") is None
    assert string_map_problem(None, "tag") == "None is not a mapping of tag keys to values (strings)"
    assert string_map_problem([("owner", "me")], "label") == (
        "[('owner', 'me')] is not a mapping of label keys to values (strings)"
    )
    # tags_problem checks the types first: a bool key is named as such, not as a bad character.
    assert tags_problem({True: "x"}, own=1) == (
        "tag key True is a bool, not a string: tag keys and values are strings (quote a yes, no, on, off "
        "or number written as a YAML key)"
    )


# --- 2. the endpoint an alarm or monitor watches ---------------------------------------------------------


def _shape(service: str, name: str) -> dict[str, Any]:
    """A shape of botocore's service model (the installed botocore: what AWS's API accepts)."""
    shape: dict[str, Any] = botocore.loaders.Loader().load_service_model(service, "service-2")["shapes"][name]
    return shape


def _endpoint_name_shape() -> dict[str, Any]:
    return _shape("sagemaker", "EndpointName")


def _sagemaker_takes(name: str) -> bool:
    shape = _endpoint_name_shape()
    return bool(shape["min"] <= len(name) <= shape["max"] and re.fullmatch(shape["pattern"], name) and name)


NAMES = [
    "a",
    "churn",
    "Churn-2",
    "a--b",
    "a" * 63,
    "a" * 64,
    "",
    "-a",
    "a-",
    "churn_v2",
    "churn.v2",
    "churn v2",
    "churn\n",
    "ch\u00fcrn",
    "arn:aws:sagemaker:eu-west-1:123456789012:endpoint/churn",
]


def test_the_shape_is_botocores_endpoint_name() -> None:
    assert _endpoint_name_shape() == {
        "type": "string",
        "max": 63,
        "min": 0,
        "pattern": "[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}",
    }


@pytest.mark.parametrize("name", NAMES)
def test_an_alarmed_endpoint_name_is_what_sagemaker_takes(name: str) -> None:
    """The alarms' endpoint: taken exactly where botocore's EndpointName takes it (1-63 characters;
    an empty name, which the shape's min of 0 lets through, names no endpoint)."""
    takes = _sagemaker_takes(name)
    assert (endpoint_name_problem(name) is None) == takes
    variant = VariantAlarms(name="blue", gpus=0, instance_based=True)
    build = lambda: EndpointAlarmsArgs(  # noqa: E731
        endpoint_name=name,
        variants=[variant],
        thresholds=AlarmThresholds(),
        alarm_topic_arn="arn:aws:sns:eu-west-1:123456789012:alerts",
        tags={"owner": "t"},
    )
    if takes:
        assert build().endpoint_name == name
        assert quality_alarms(endpoint_name=name).endpoint_name == name
        return
    refusal = rf"endpoint_name: {re.escape(repr(name))} is not a valid endpoint name: 1-63 letters or digits, separated by -$"
    with pytest.raises(ValueError, match=rf"^EndpointAlarmsArgs\.{refusal}"):
        build()
    with pytest.raises(ValueError, match=rf"^ModelQualityAlarmsArgs\.{refusal}"):
        quality_alarms(endpoint_name=name)


def test_an_alarms_endpoint_name_is_a_plain_string_and_a_monitors_may_be_an_output() -> None:
    """The alarms' names start with the endpoint's name, so it must be known as they are named (an
    Output would name them ``Calling __str__ on an Output...``); a monitor's goes into its resources
    as an Input, so an Output (checked by the endpoint it comes from) is left alone."""
    loop = asyncio.new_event_loop()  # an Output is made in a loop
    asyncio.set_event_loop(loop)
    try:
        output = pulumi.Output.from_input("churn")
        output_refusal = (
            r"endpoint_name: is a Pulumi Output, but this endpoint name must be a plain string: it names "
            r"resources, and an Output's value is known only as the program runs; pass the name itself$"
        )
        with pytest.raises(ValueError, match=rf"^ModelQualityAlarmsArgs\.{output_refusal}"):
            quality_alarms(endpoint_name=output)
        with pytest.raises(ValueError, match=rf"^EndpointAlarmsArgs\.{output_refusal}"):
            EndpointAlarmsArgs(
                endpoint_name=output,  # type: ignore[arg-type]
                variants=[VariantAlarms(name="blue", gpus=0, instance_based=True)],
                thresholds=AlarmThresholds(),
                alarm_topic_arn="arn:aws:sns:eu-west-1:123456789012:alerts",
                tags={"owner": "t"},
            )
        assert endpoint_name_problem(output) is None
        assert live_drift(endpoint_name=output).endpoint_name is output
        with pytest.raises(
            ValueError, match=r"^LiveDriftArgs\.endpoint_name: 'churn_v2' is not a valid endpoint"
        ):
            live_drift(endpoint_name="churn_v2")
    finally:
        asyncio.set_event_loop(None)
        loop.close()
    with pytest.raises(ValueError, match=r"^ModelQualityAlarmsArgs\.endpoint_name: None is not a valid"):
        quality_alarms(endpoint_name=None)
    assert (
        endpoint_name_problem(1) == "1 is not a valid endpoint name: 1-63 letters or digits, separated by -"
    )


# --- 3. KMS aliases ---------------------------------------------------------------------------------------


def test_create_alias_states_the_characters_the_check_takes() -> None:
    """The source of the rule: the kms model's documentation of CreateAlias's AliasName (its shape's
    pattern is looser: it lets ``:`` through)."""
    request = _shape("kms", "CreateAliasRequest")["members"]["AliasName"]["documentation"]
    assert (
        "It can contain only alphanumeric characters, forward slashes (/), underscores (_), and dashes (-). "
        "The alias name cannot begin with <code>alias/aws/</code>."
    ) in request
    assert "1-256 characters" in request
    assert _shape("kms", "AliasNameType") == {
        "type": "string",
        "max": 256,
        "min": 1,
        "pattern": "^[a-zA-Z0-9:/_-]+$",
    }


@pytest.mark.parametrize(
    ("prefix", "takes"),
    [
        ("team:x", False),
        ("team", True),
        ("team/x_y-z", True),
        ("Team-X9", True),
        ("aws/team", False),  # alias/aws/team-data: AWS's own
        ("awsome", True),  # alias/awsome-data
        ("aws", True),  # alias/aws-data
        ("team.x", False),
        ("team x", False),
    ],
)
def test_an_alias_is_what_create_alias_takes(prefix: str, takes: bool) -> None:
    """EncryptionKeyArgs and AuditTrailArgs (whose key's alias starts with its ``alias_prefix``)."""
    assert (alias_problem(prefix, "data") is None) is takes
    if takes:
        assert _key(alias_prefix=prefix).alias_prefix == prefix
        assert dataclasses.replace(_trail({"owner": "t"}), alias_prefix=prefix)
        return
    refusal = "is not one KMS takes: letters, digits, '/', '_' and '-', at most 256 characters, not under alias/aws/"
    with pytest.raises(
        ValueError, match=rf"^EncryptionKeyArgs\.alias_prefix, purpose: the alias .*{refusal}$"
    ):
        _key(alias_prefix=prefix)
    with pytest.raises(ValueError, match=rf"^AuditTrailArgs\.alias_prefix: the alias .*{refusal}$"):
        dataclasses.replace(_trail({"owner": "t"}), alias_prefix=prefix)


def test_an_alias_of_256_characters_with_alias_slash_is_the_longest() -> None:
    """``alias/`` counts: ``alias/<prefix>-data`` of 256 characters is taken, of 257 refused."""
    assert ALIAS_MAX == 256
    longest = "p" * (256 - len("alias/") - len("-data"))
    assert len(f"alias/{longest}-data") == 256
    assert _key(alias_prefix=longest).alias_prefix == longest
    with pytest.raises(
        ValueError, match=r"^EncryptionKeyArgs\.alias_prefix, purpose: .*at most 256 characters"
    ):
        _key(alias_prefix=longest + "p")


@pytest.mark.parametrize("name", ["alias/team:x-data", "alias/team-data", "alias/team/x_y-data"])
def test_the_check_agrees_with_create_alias_on_a_colon(name: str) -> None:
    """CreateAlias (moto's, which answers as KMS) on the names the check takes and refuses."""
    with mocked_aws("eu-west-1") as session:
        kms = session.client("kms")
        key = kms.create_key()["KeyMetadata"]["KeyId"]
        try:
            kms.create_alias(AliasName=name, TargetKeyId=key)
            created = True
        except kms.exceptions.ClientError as error:
            assert "contains invalid characters for an alias" in str(error)
            created = False
    prefix = name.removeprefix("alias/").removesuffix("-data")
    assert (alias_problem(prefix, "data") is None) is created


# --- 4. prebuilt image URIs ---------------------------------------------------------------------------------


def test_every_other_partitions_region_the_image_tables_list_is_refused_by_every_builder() -> None:
    """China's, GovCloud's and the isolated regions the SDK's tables list: no host or ARN is built
    for them, as no component builds in them; the commercial ones get ``amazonaws.com`` hosts."""
    listed = set(prebuilt_registries(ANALYZER)) | set(prebuilt_registries(CLARIFY))
    others = sorted(region for region in listed if region_problem(region))
    assert {"cn-north-1", "cn-northwest-1", "us-gov-west-1"} <= set(others)
    for region in others:
        partition = rf"^'{region}' is in the aws-[a-z-]+ partition"
        with pytest.raises(ValueError, match=partition):
            prebuilt_image_uri(ANALYZER, region)
        with pytest.raises(ValueError, match=partition):
            prebuilt_repository_uri(CLARIFY, region)
        with pytest.raises(ValueError, match=partition):
            repository_uris("pytorch", "2.6", region)
        with pytest.raises(ValueError, match=r"partition"):
            ecr_repository_arn(
                f"123456789012.dkr.ecr.{region}.amazonaws.com/sagemaker-model-monitor-analyzer"
            )
    for region in sorted(listed - set(others)):
        assert prebuilt_image_uri(ANALYZER, region).split("/")[0].endswith(f".dkr.ecr.{region}.amazonaws.com")


# --- 5. a configured 0 where a number has an `or <default>` ------------------------------------------------


def test_max_jobs_0_is_refused_before_training_jobs_reads_it_as_1() -> None:
    """``training_jobs`` is ``max_jobs or 1``: a Bayesian tuning job of 0 jobs is refused where the
    tuning is checked (CreateHyperParameterTuningJob's MaxNumberOfTrainingJobs starts at 1)."""
    parameters = {"eta": ParameterRange(kind="continuous", min_value=0.01, max_value=0.3)}
    tuning = TuningSettings(
        objective_metric="validation:auc", objective_type="Maximize", parameters=parameters, max_jobs=0
    )
    problems = tuning_problems(tuning, hyperparameters={}, metric_names=["validation:auc"], reserved=())
    assert (("max_jobs",), f"0 is not 1-{MAX_TRAINING_JOBS}") in problems


@pytest.mark.parametrize(
    "field", ["model_download_timeout_seconds", "container_startup_health_check_timeout_seconds"]
)
def test_a_variants_timeout_of_0_is_refused_before_the_allowance_reads_it_as_300(field: str) -> None:
    """``provisioning_allowance_seconds`` takes each ``or`` 300 s: SageMaker's range is 60-3600."""
    variant = {
        "name": "blue",
        "instance_type": "ml.m5.large",
        "initial_instance_count": 1,
        "model": {"latest_approved_of": "churn"},
    }
    with pytest.raises(ValidationError, match=rf"{field}\n  Input should be greater than or equal to 60"):
        VariantSpec.model_validate({**variant, field: 0})
    # The least SageMaker takes counts as itself, the other timeout unset as 300 s, a CPU launch 300 s.
    assert VariantSpec.model_validate({**variant, field: 60}).provisioning_allowance_seconds == 300 + 60 + 300


def test_not_ready_minutes_0_is_refused_before_the_alert_reads_it_as_the_start_allowance() -> None:
    with pytest.raises(
        ValidationError, match=r"not_ready_minutes\n  Input should be greater than or equal to 1"
    ):
        ServingAlerts.model_validate({"not_ready_minutes": 0})
    assert ServingAlerts.model_validate({"not_ready_minutes": 1}).not_ready_minutes == 1


# --- 6. the explainability template ------------------------------------------------------------------------


def _reads(monkeypatch: pytest.MonkeyPatch, name: str) -> list[Path]:
    """The paths called ``name`` read with ``Path.read_text`` from now on."""
    reads: list[Path] = []
    original = Path.read_text

    def counting(self: Path, *args: Any, **kwargs: Any) -> str:
        if self.name == name:
            reads.append(self)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(Path, "read_text", counting)
    return reads


def _explainability_on(platform: dict[str, Any]) -> None:
    platform.setdefault("monitoring", {}).setdefault("model_monitors", {})["explainability"] = True


def test_a_plan_reads_the_explainability_template_as_the_file_is_at_each_use(
    monkeypatch: pytest.MonkeyPatch, write_stack: Callable[..., Path]
) -> None:
    """The prod stack with the explainability monitor on (its family has a template): the stack
    file's check and the composition each read the file (no copy kept between them), and the job
    reads the config written from it. The stack is cut to what the endpoints read (tests/stacks/
    conftest.py, serving_cut: their monitors stay; nothing it removes reads a template)."""
    from tests.stacks.conftest import serving_cut

    def explainability_served(platform: dict[str, Any]) -> None:
        _explainability_on(platform)
        serving_cut(platform)

    path = write_stack("prod", explainability_served)
    reads = _reads(monkeypatch, "explainability.json")
    graph = record_stack_file(str(path))
    assert len(reads) == 2 and reads[0].resolve() == reads[1].resolve(), reads
    assert graph.of_type("aws-native:sagemaker:ModelExplainabilityJobDefinition")
    [config] = [
        o
        for o in graph.of_type("aws:s3/bucketObjectv2:BucketObjectv2")
        if "analysis_config" in o.inputs["key"]
    ]
    assert json.loads(config.inputs["content"])["headers"] == json.loads(reads[0].read_text())["headers"]


def test_a_template_changed_on_disk_is_read_again_and_each_read_is_checked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each call reads the file and parses its own document (a caller editing it changes no
    other's) and checks it with its own ``not_features``."""
    template = json.loads(
        (Path(__file__).parents[2] / "models/customer-churn/explainability.json").read_text()
    )
    path = tmp_path / "explainability.json"
    path.write_text(json.dumps(template), encoding="utf-8")
    reads = _reads(monkeypatch, "explainability.json")
    first = read_template(path)
    first["predictor"]["instance_type"] = "edited"
    assert read_template(path) == template
    assert len(reads) == 2
    header = template["headers"][0]
    with pytest.raises(ValueError, match=rf"headers.*{header}"):
        read_template(path, (header,))  # the same text, checked with this caller's not_features
    changed = {**template, "predictor": {**template["predictor"], "instance_type": "ml.m5.2xlarge"}}
    path.write_text(json.dumps(changed), encoding="utf-8")
    assert read_template(path) == changed
    assert len(reads) == 4
    path.write_text("{", encoding="utf-8")
    with pytest.raises(ValueError, match=r"not JSON"):
        read_template(path)
    path.unlink()
    with pytest.raises(ValueError, match=r"cannot be read \(No such file or directory\)"):
        read_template(path)
