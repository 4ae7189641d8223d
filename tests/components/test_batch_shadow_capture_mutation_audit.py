"""A hand-mutation audit of batch scoring, the shadow test, data capture and the rollback alarms.

Modules audited, one-step mutations applied one at a time against their covering tests
(tests/components/test_batch_scoring*.py, test_serving_spec_bounds.py, test_evidently_wiring.py,
test_shadow_test.py, test_serving_semantics.py, test_serving_mutation_audit.py,
test_inference_endpoint.py, test_alarm_semantics.py, test_endpoint_alarms.py,
tests/stacks/test_champion_challenger.py, tests/stacks/test_cross_field_validation_more.py):

===================================  =========  ========  ==========  ===========  ==========
module (components/)                 mutations  survived  caught now  equivalent   left alone
===================================  =========  ========  ==========  ===========  ==========
serving/batch_scoring.py                    61        11          10            1           0
serving/batch_scoring_spec.py               23         3           3            0           0
serving/batch_definition.py                 25         6           5            1           0
serving/shadow_test.py                      36         3           1            2           0
serving/data_capture.py                     13         0           0            0           0
serving/rollback_alarms.py                  11         5           4            0           1
invocation_alarms.py (the rollback          12         0           0            0           0
alarms' metrics, statistics, periods,
evaluation periods, direction)
total                                      181        28          23            4           1
===================================  =========  ========  ==========  ===========  ==========

Caught now (each test below names the mutations it kills; each fails under its mutation and
passes on the code as it is):

- batch_scoring.py: the model role's output (b24) and capture (b27) grants made read-only (every
  run fails after scoring); the model-artifact read widened to the whole artifact bucket (b25); the
  pipeline role's JsonGet read widened to the whole report (b40) or its KMS use dropped (b41); the
  report's AbortMultipartUpload dropped (b54); the step scripts' KMS key emptied (b55) or their
  declared object-tag keys dropped (b56); the model role trusted by another service (b52); the
  image pulls limited to the platform's own registry account (b60).
- batch_scoring_spec.py: the instance type checked against the endpoints' list (p14); a pinned
  model package without a version accepted (p15); any ``text/*`` taken for CSV (p21).
- batch_definition.py: a volume key on instance-store types (d03: CreateTransformJob refuses it);
  the Evidently guard without the subnets (d15); the SDK's default Experiments trial per run (d16:
  the pipeline role may not create one); the Evidently jobs without the data key (d17); the report
  path joined on "" (d23).
- shadow_test.py: a missing variant model raising KeyError instead of the ValueError naming it (s25).
- rollback_alarms.py: the alarms' Pulumi names swapped (r05) or their parent dropped (r07), both
  of which replace the alarms on the next `pulumi up`; their tags (r08) and descriptions (r09).

Bugs found: none (every survivor was a gap in the tests, not in the code).

Equivalent mutations:

- b20 ``job_name_prefix`` cut at 63 instead of 40 characters: the prefix appears nowhere in the
  pipeline definition (SageMaker Pipelines names the jobs); the definitions of this file's and
  test_batch_scoring_semantics.py's components were compared byte for byte under the mutation.
- d21 the offline session's default bucket taken from the input URI instead of the output URI:
  both are in the datasets bucket, and every S3 URI in the definition is explicit (byte-identical
  definitions, as for b20).
- s02 ``shadow_variants[-1]`` for ``[0]``: EndpointSpec allows at most one shadow variant.
- s26 the ``not shadow_variants`` half of ShadowTestArgs' guard dropped: EndpointSpec already
  refuses a shadow test without a shadow variant, and ShadowTestArgs takes validated specs only.

Left alone: r11, INSUFFICIENT_DATA actions added to the rollback alarms. With missing data
treated as not breaching an alarm is in INSUFFICIENT_DATA only from its creation to its first
evaluation, a state change that fires no action; a test of it would pin the absence of an
argument, not a behaviour. The data-capture and invocation-alarm mutations were all caught by the
existing tests (sampling percentage, capture modes, KMS key, destination, content types;
namespace, statistic, extended statistic, period, datapoints, evaluation periods, comparison,
missing data, thresholds, metric names); descriptions other than the alarms' were not mutated.
"""

from __future__ import annotations

import dataclasses
import fnmatch
import json
from typing import Any

import pytest
from pydantic import ValidationError

from components.botocore_enums import sagemaker_instance_types
from components.serving.batch_definition import BatchDefinitionSettings, build_batch_definition
from components.serving.batch_scoring import BatchEvidently, BatchScoring, BatchScoringArgs
from components.serving.batch_scoring_spec import BatchScoringSpec
from components.serving.inference_endpoint import InferenceEndpoint
from components.serving.inference_endpoint_spec import EndpointSpec
from components.serving.shadow_test import ShadowTestArgs
from components.training.evidently import EvidentlySpec
from planner.recorder import ResourceGraph, record_program
from tests.api_models import pipeline_step_errors
from tests.components.serving_args import SERVING_CONTEXT, endpoint_args
from tests.graph_helpers import as_list, policy_of, statements, within
from tests.recorded import computed_once

ACCOUNT = "123456789012"
REGION = "eu-central-1"
KEY_ARN = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/audit"
DATASETS, ARTIFACTS = "audit-datasets", "audit-artifacts"
DATASETS_ARN, ARTIFACTS_ARN = f"arn:aws:s3:::{DATASETS}", f"arn:aws:s3:::{ARTIFACTS}"

REGISTRY = "999999999999"
MANY_TAGS = {**{f"team-tag-{n:02d}": "x" for n in range(12)}, "cost-center": "cc-42"}
WRITES = {"s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload"}


def _batch_args(**changes: Any) -> BatchScoringArgs:
    return BatchScoringArgs(
        **{
            "spec": BatchScoringSpec.model_validate({"schedule": "rate(1 day)"}),
            "family": "churn",
            "pipeline_name": "audit-churn-batch",
            "model_package_arn": f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:model-package/churn/2",
            "account_id": ACCOUNT,
            "region": REGION,
            "datasets_bucket_name": DATASETS,
            "datasets_bucket_arn": DATASETS_ARN,
            "artifact_bucket_name": ARTIFACTS,
            "artifact_bucket_arn": ARTIFACTS_ARN,
            "kms_key_arn": KEY_ARN,
            "subnet_ids": ["subnet-a", "subnet-b"],
            "security_group_ids": ["sg-a"],
            "image_registry_accounts": [ACCOUNT],
            "role_path": "/audit/",
            "tags": {"owner": "audit"},
            "data_capture": True,
            **changes,
        }
    )


EVIDENTLY = BatchEvidently(
    spec=EvidentlySpec.model_validate({"image_tag": "0.7.23-2", "reference_prefix": "reference/churn/"}),
    image_uri=f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/evidently:0.7.23-2",
    publisher_role_arn=f"arn:aws:iam::{ACCOUNT}:role/publish-drift",
)


def _batch_program() -> None:
    BatchScoring("bs", _batch_args())
    BatchScoring(
        "ev",
        _batch_args(
            pipeline_name="audit-churn-drift",
            data_capture=False,
            evidently=EVIDENTLY,
            # More than the 10 tags an S3 object keeps: the declared keys must be among them.
            tags=MANY_TAGS,
            object_tag_keys=("cost-center",),
        ),
    )
    # A GPU type with local NVMe storage, which SageMaker encrypts itself (and refuses a volume key for).
    nvme = BatchScoringSpec.model_validate({"schedule": "rate(1 day)", "instance_type": "ml.g4dn.xlarge"})
    # The model's image in a shared registry account besides this one.
    BatchScoring(
        "nvme",
        _batch_args(
            spec=nvme,
            family="fraud",
            pipeline_name="audit-fraud-batch",
            image_registry_accounts=[ACCOUNT, REGISTRY],
        ),
    )


@pytest.fixture(scope="module")
def batch_graph() -> ResourceGraph:
    return computed_once("batch", lambda: record_program(_batch_program, config={}))


def _transform(graph: ResourceGraph, component: str) -> dict[str, Any]:
    [pipeline] = within(graph, component, "aws:sagemaker/pipeline:Pipeline")
    steps = json.loads(pipeline.inputs["pipelineDefinition"])["Steps"]
    return next(step["Arguments"] for step in steps if step["Name"] == "BatchTransform")


def _s3_grants(graph: ResourceGraph, role: str) -> list[tuple[str, str]]:
    """Every (S3 object action, object resource pattern) the role's inline policy allows."""
    found = statements(policy_of(graph.named(f"{role}-permissions")))
    return [
        (action, resource)
        for statement in found
        if statement["Effect"] == "Allow"
        for action in as_list(statement["Action"])
        if action.startswith("s3:") and action != "s3:ListBucket" and action != "s3:GetBucketLocation"
        for resource in as_list(statement["Resource"])
    ]


def _allowed(grants: list[tuple[str, str]], action: str, key: str) -> bool:
    """Whether ``action`` on the object ARN ``key`` is allowed (IAM wildcards, as AWS matches them)."""
    return any(granted == action and fnmatch.fnmatchcase(key, resource) for granted, resource in grants)


# --- batch_scoring.py: what the transform job's role may read and write --------------------------------


def test_the_transform_job_can_write_its_results_and_its_capture(batch_graph: ResourceGraph) -> None:
    """The job runs as the model's role: without PutObject on its output and capture prefixes
    every run fails after scoring (b24, b27 survived: only the prefixes' presence was asserted)."""
    grants = _s3_grants(batch_graph, "bs-model")
    for key in (
        f"{DATASETS_ARN}/batch-output/churn/exec-1/part-0.csv.out",
        f"{ARTIFACTS_ARN}/data-capture/batch/churn/2027/01/01/input.jsonl",
    ):
        assert _allowed(grants, "s3:PutObject", key), key
        assert _allowed(grants, "s3:AbortMultipartUpload", key), key
    # The input is read, never written (a run must not change what it scores).
    assert _allowed(grants, "s3:GetObject", f"{DATASETS_ARN}/batch-input/churn/day.csv")
    for write in WRITES:
        assert not _allowed(grants, write, f"{DATASETS_ARN}/batch-input/churn/day.csv"), write


def test_the_transform_job_reads_only_its_input_and_the_model_artifacts(batch_graph: ResourceGraph) -> None:
    """Network isolation keeps the container from the internet; the role keeps it from the rest of
    the buckets: other families' input, the training data, other endpoints' capture (b25 survived:
    a read of the whole artifact bucket passed)."""
    grants = _s3_grants(batch_graph, "bs-model")
    assert _allowed(grants, "s3:GetObject", f"{ARTIFACTS_ARN}/models/churn/job-1/output/model.tar.gz")
    for key in (
        f"{ARTIFACTS_ARN}/data-capture/fraud-endpoint/2027/01/01/capture.jsonl",
        f"{ARTIFACTS_ARN}/pipelines/other/code/train.py",
        f"{DATASETS_ARN}/training-data/churn/train.csv",
        f"{DATASETS_ARN}/batch-input/fraud/day.csv",
        f"{DATASETS_ARN}/batch-output/fraud/exec-1/day.csv.out",
    ):
        assert not _allowed(grants, "s3:GetObject", key), key


def test_the_pipeline_role_reads_the_report_summary_and_nothing_else_of_the_report(
    batch_graph: ResourceGraph,
) -> None:
    """JsonGet reads summary.json as the pipeline's role: it must decrypt it with the data key,
    and read no other object of the report (the HTML report shows rows of the data) (b40, b41
    survived)."""
    grants = _s3_grants(batch_graph, "ev-pipeline")
    report = f"{ARTIFACTS_ARN}/pipelines/audit-churn-drift/exec-1/EvidentlyReport/report"
    assert _allowed(grants, "s3:GetObject", f"{report}/summary.json")
    assert not _allowed(grants, "s3:GetObject", f"{report}/report.html")
    assert not _allowed(grants, "s3:GetObject", f"{DATASETS_ARN}/batch-input/churn/day.csv")
    found = statements(policy_of(batch_graph.named("ev-pipeline-permissions")))
    decrypt = {
        r for s in found for a in as_list(s["Action"]) if a == "kms:Decrypt" for r in as_list(s["Resource"])
    }
    assert decrypt == {KEY_ARN}


def test_instance_store_transforms_get_no_volume_key_and_the_output_and_capture_keep_theirs(
    batch_graph: ResourceGraph,
) -> None:
    """CreateTransformJob refuses VolumeKmsKeyId on a type with local NVMe storage (every run
    would fail); the results and the capture are encrypted with the data key either way (d03
    survived: only EBS-backed types were recorded)."""
    nvme, ebs = _transform(batch_graph, "nvme"), _transform(batch_graph, "bs")
    assert nvme["TransformResources"] == {"InstanceType": "ml.g4dn.xlarge", "InstanceCount": 1}
    assert ebs["TransformResources"]["VolumeKmsKeyId"] == KEY_ARN
    for arguments in (nvme, ebs):
        assert arguments["TransformOutput"]["KmsKeyId"] == KEY_ARN
        assert arguments["DataCaptureConfig"]["KmsKeyId"] == KEY_ARN
    assert (
        pipeline_step_errors("CreateTransformJob", {**nvme, "TransformJobName": "pipelines-placeholder"})
        == []
    )


def _pipeline_definition(graph: ResourceGraph, component: str) -> dict[str, Any]:
    [pipeline] = within(graph, component, "aws:sagemaker/pipeline:Pipeline")
    return json.loads(pipeline.inputs["pipelineDefinition"])


def test_no_run_creates_an_experiments_trial(batch_graph: ResourceGraph) -> None:
    """The SDK's default PipelineExperimentConfig makes every execution create an Experiments
    trial, which the pipeline's role may not (CreateTrial is not granted): every run would fail
    (d16 survived)."""
    for component in ("bs", "ev", "nvme"):
        assert "PipelineExperimentConfig" not in _pipeline_definition(batch_graph, component), component


def test_the_evidently_jobs_encrypt_their_volumes_and_report_with_the_data_key(
    batch_graph: ResourceGraph,
) -> None:
    """The report summarises the batch input (and shows rows of it): its job's volume and output
    are encrypted with the stack's data key (d17 survived: the key never reached the jobs)."""
    steps = {step["Name"]: step["Arguments"] for step in _pipeline_definition(batch_graph, "ev")["Steps"]}
    report = steps["EvidentlyReport"]
    assert report["ProcessingResources"]["ClusterConfig"]["VolumeKmsKeyId"] == KEY_ARN
    assert report["ProcessingOutputConfig"]["KmsKeyId"] == KEY_ARN
    assert steps["PublishDriftMetrics"]["ProcessingResources"]["ClusterConfig"]["VolumeKmsKeyId"] == KEY_ARN


@pytest.mark.parametrize("missing", ["report_role_arn", "report_uri", "subnet_ids", "security_group_ids"])
def test_an_evidently_report_outside_the_vpc_or_without_a_role_is_refused(missing: str) -> None:
    """The report job runs network-isolated in the private subnets as the model's role: without
    any of them the definition is not built (d15 survived: empty subnets were let through, and
    SageMaker refuses a VpcConfig without subnets at every run)."""
    settings = BatchDefinitionSettings(
        region=REGION,
        model_name="churn-model",
        job_name_prefix="audit-churn-drift",
        input_uri=f"s3://{DATASETS}/batch-input/churn/",
        output_uri=f"s3://{DATASETS}/batch-output/churn/",
        kms_key_arn=KEY_ARN,
        instance_type="ml.m5.xlarge",
        instance_count=1,
        split_type="Line",
        batch_strategy="MultiRecord",
        max_payload_mb=6,
        max_concurrent_transforms=1,
        content_type="text/csv",
        accept="text/csv",
        assemble_with="Line",
        evidently=EVIDENTLY.spec.settings(
            "churn",
            image_uri=str(EVIDENTLY.image_uri),
            datasets_bucket=DATASETS,
            report_script_uri=f"s3://{ARTIFACTS}/pipelines/audit-churn-drift/code/evidently_report.py",
            publish_script_uri=f"s3://{ARTIFACTS}/pipelines/audit-churn-drift/code/publish_drift_metrics.py",
            publisher_role_arn=str(EVIDENTLY.publisher_role_arn),
        ),
        report_role_arn=f"arn:aws:iam::{ACCOUNT}:role/model",
        report_uri=f"s3://{ARTIFACTS}/pipelines/audit-churn-drift/",
        subnet_ids=("subnet-a",),
        security_group_ids=("sg-a",),
    )
    empty = () if missing.endswith("_ids") else None
    with pytest.raises(ValueError, match=missing):
        build_batch_definition(dataclasses.replace(settings, **{missing: empty}))


def _resolved(value: Any, execution_id: str) -> str:
    """A pipeline expression's value at run time (``Std:Join`` of literals and the execution id)."""
    if isinstance(value, str):
        return value
    if value == {"Get": "Execution.PipelineExecutionId"}:
        return execution_id
    join = value["Std:Join"]
    return join["On"].join(_resolved(part, execution_id) for part in join["Values"])


def test_the_report_lands_where_its_role_may_write_and_the_pipeline_reads_its_summary(
    batch_graph: ResourceGraph,
) -> None:
    """Resolved for one execution, the report's S3 output is under the prefix the model's role may
    write, and its summary is the object the pipeline's role reads for JsonGet (d23 survived: a Join
    on "" made `.../audit-churn-driftexec-1EvidentlyReportreport`, denied at every run; b54: the
    role must abort the multipart uploads of a failed report upload)."""
    steps = {step["Name"]: step["Arguments"] for step in _pipeline_definition(batch_graph, "ev")["Steps"]}
    [output] = steps["EvidentlyReport"]["ProcessingOutputConfig"]["Outputs"]
    uri = _resolved(output["S3Output"]["S3Uri"], "exec-1")
    assert uri == f"s3://{ARTIFACTS}/pipelines/audit-churn-drift/exec-1/EvidentlyReport/report"
    key = f"{ARTIFACTS_ARN}/{uri.removeprefix(f's3://{ARTIFACTS}/')}"
    model = _s3_grants(batch_graph, "ev-model")
    for action in ("s3:PutObject", "s3:AbortMultipartUpload"):
        assert _allowed(model, action, f"{key}/report.html"), action
    assert _allowed(_s3_grants(batch_graph, "ev-pipeline"), "s3:GetObject", f"{key}/summary.json")


def test_the_step_scripts_are_encrypted_with_the_data_key_and_tagged_for_their_family(
    batch_graph: ResourceGraph,
) -> None:
    """The scripts the jobs run are SSE-KMS with the stack's key (b55 survived: an empty key id);
    of more tags than S3 keeps, the declared keys come first (b56 survived)."""
    scripts = within(batch_graph, "ev", "aws:s3/bucketObjectv2:BucketObjectv2")
    assert sorted(s.inputs["key"].rsplit("/", 1)[1] for s in scripts) == [
        "evidently_report.py",
        "publish_drift_metrics.py",
    ]
    for script in scripts:
        assert (script.inputs["serverSideEncryption"], script.inputs["kmsKeyId"]) == ("aws:kms", KEY_ARN)
        tags = script.inputs["tags"]
        assert len(tags) == 10
        assert (tags["mlops:model-family"], tags["cost-center"]) == ("churn", "cc-42")


def test_only_sagemaker_assumes_the_batch_models_and_pipelines_roles(batch_graph: ResourceGraph) -> None:
    """Another service trusted with the model's role could read the batch input (b52 survived)."""
    for role in ("bs-model", "bs-pipeline"):
        [trust] = statements(policy_of(batch_graph.named(f"{role}-role"), "assumeRolePolicy"))
        assert trust["Principal"] == {"Service": "sagemaker.amazonaws.com"}, role
        assert trust["Condition"] == {"StringEquals": {"aws:SourceAccount": ACCOUNT}}, role


@pytest.mark.parametrize(
    ("content_type", "csv"),
    [
        ("text/csv", True),
        ("Text/CSV; charset=utf-8", True),
        ("text/plain", False),
        ("text/tab-separated-values", False),
    ],
)
def test_only_csv_input_gets_an_evidently_report(content_type: str, csv: bool) -> None:
    """The report reads the batch input as CSV: other text is refused before anything is planned
    (p21 survived: any text/* passed)."""
    spec = BatchScoringSpec.model_validate({"schedule": "rate(1 day)", "content_type": content_type})
    if csv:
        assert _batch_args(spec=spec, evidently=EVIDENTLY).evidently is EVIDENTLY
    else:
        with pytest.raises(ValueError, match="reads the batch input as CSV"):
            _batch_args(spec=spec, evidently=EVIDENTLY)


def test_the_transform_job_pulls_its_image_from_every_registry_account_given(
    batch_graph: ResourceGraph,
) -> None:
    """A model package whose image lives in a shared registry account: the job's role must pull
    from it (b60 survived: only the platform's own registry was granted), and from no other."""
    found = statements(policy_of(batch_graph.named("nvme-model-permissions")))
    pulls = {r for s in found if "ecr:BatchGetImage" in as_list(s["Action"]) for r in as_list(s["Resource"])}
    assert pulls == {f"arn:aws:ecr:{REGION}:{account}:repository/*" for account in (ACCOUNT, REGISTRY)}
    layers = {
        r
        for s in found
        if "ecr:GetDownloadUrlForLayer" in as_list(s["Action"])
        for r in as_list(s["Resource"])
    }
    assert layers == pulls


# --- shadow_test.py ------------------------------------------------------------------------------------

SHADOW_VARIANT = {
    "model": {"model_package_arn": "arn:aws:sagemaker:eu-west-1:123456789012:model-package/churn/3"},
    "instance_type": "ml.m5.xlarge",
}


def test_a_shadow_test_without_the_model_of_a_variant_it_compares_is_refused_by_name() -> None:
    """The experiment deploys the champion's and the shadow's models: a missing one is a
    ValueError naming the variant, not a KeyError from deep inside the component (s25 survived)."""
    spec = EndpointSpec.model_validate(
        {
            "name": "churn",
            "variants": [{**SHADOW_VARIANT, "name": "champion"}],
            "shadow_variants": [{**SHADOW_VARIANT, "name": "challenger"}],
            "shadow_test": {"start": "2027-03-01T00:00:00Z", "end": "2027-03-15T00:00:00Z"},
        }
    )
    with pytest.raises(ValueError, match=r"no model for variant\(s\) challenger$"):
        ShadowTestArgs(
            spec=spec,
            endpoint_name="test-churn",
            physical_endpoint_name="test-churn",
            model_names={"champion": "churn-champion-model"},
            account_id=ACCOUNT,
            region=REGION,
            kms_key_arn=KEY_ARN,
            artifact_bucket_name=ARTIFACTS,
            artifact_bucket_arn=ARTIFACTS_ARN,
            capture_prefix="data-capture/churn/",
            role_path="/audit/",
            tags={"owner": "audit"},
        )


# --- batch_scoring_spec.py ------------------------------------------------------------------------------


def test_the_instance_type_is_checked_against_batch_transforms_list_not_endpoints() -> None:
    """An endpoint instance type that batch transform does not offer fails only at the first run;
    one batch transform offers must pass (p14 survived: the endpoints' list was accepted)."""
    transform = sagemaker_instance_types("TransformInstanceType")
    endpoint = sagemaker_instance_types("ProductionVariantInstanceType")
    endpoint_only, transform_only = sorted(endpoint - transform), sorted(transform - endpoint)
    assert endpoint_only
    with pytest.raises(ValidationError, match="batch transform offers"):
        BatchScoringSpec.model_validate({"schedule": "rate(1 day)", "instance_type": endpoint_only[0]})
    for instance_type in transform_only[:1]:
        BatchScoringSpec.model_validate({"schedule": "rate(1 day)", "instance_type": instance_type})


@pytest.mark.parametrize(
    "arn",
    [
        f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:model-package/churn",
        f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:model-package-group/churn",
        f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:model-package/churn/",
    ],
    ids=["unversioned", "group", "empty-version"],
)
def test_a_pinned_model_package_must_name_a_version(arn: str) -> None:
    """Pinning means one version: an unversioned or group ARN would score whatever it resolves to
    (p15 survived: the version was optional)."""
    with pytest.raises(ValidationError, match="model_package_arn"):
        BatchScoringSpec.model_validate({"schedule": "rate(1 day)", "model_package_arn": arn})
    pinned = BatchScoringSpec.model_validate(
        {
            "schedule": "rate(1 day)",
            "model_package_arn": f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:model-package/churn/12",
        }
    )
    assert pinned.model_package_arn is not None and pinned.model_package_arn.endswith("/churn/12")


# --- rollback_alarms.py ---------------------------------------------------------------------------------


def _endpoint_program() -> None:
    spec = EndpointSpec.model_validate(
        {"name": "churn", "variants": [{**SHADOW_VARIANT, "name": "champion"}]}
    )
    InferenceEndpoint("ep", endpoint_args(spec))


def test_each_rollback_alarm_keeps_the_pulumi_name_and_parent_it_was_first_deployed_with() -> None:
    """A rollback alarm's URN is its Pulumi name under the endpoint: a new name or parent makes
    `pulumi up` replace the alarm (CloudWatch upserts the new one by its physical name, then the
    old one's delete removes it: the rollout is left watching nothing) (r05, r07, r08, r09 survived)."""
    graph = record_program(_endpoint_program)
    endpoint = graph.named("ep")
    alarms = {alarm.name: alarm for alarm in graph.of_type("aws:cloudwatch/metricAlarm:MetricAlarm")}
    assert alarms["ep-champion-5xx"].inputs["metricName"] == "Invocation5XXErrors"
    assert alarms["ep-champion-5xx"].inputs["name"] == "test-churn-champion-5xx-errors"
    assert alarms["ep-champion-latency"].inputs["metricName"] == "ModelLatency"
    assert alarms["ep-champion-latency"].inputs["name"] == "test-churn-champion-model-latency-p99"
    for name in ("ep-champion-5xx", "ep-champion-latency"):
        assert alarms[name].parent == endpoint.urn, name
        # The stack's tags (owner, cost allocation), as on every resource of the endpoint (r08 survived).
        assert alarms[name].inputs["tags"] == SERVING_CONTEXT["tags"], name
    # What the on-call reads when it fires: what it watches and past which threshold (r09 survived).
    deployment = EndpointSpec.model_validate(
        {"name": "churn", "variants": [{**SHADOW_VARIANT, "name": "champion"}]}
    ).deployment
    assert alarms["ep-champion-5xx"].inputs["alarmDescription"] == (
        f"test-churn/champion: more than {deployment.max_5xx_per_minute} 5xx errors a minute"
    )
    assert alarms["ep-champion-latency"].inputs["alarmDescription"] == (
        f"test-churn/champion: p99 model latency above {deployment.latency_p99_slo_ms} ms"
    )
