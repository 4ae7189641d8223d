"""ShadowTest: a scheduled SageMaker shadow test (inference experiment) of an endpoint's shadow variant.

pulumi-aws has no inference experiment, so it comes from pulumi-aws-native (the CloudFormation
resource model); the caller passes an aws-native provider through ``opts.providers``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pulumi
import pulumi_aws_native.sagemaker as native

from ..foundation.execution_role import ExecutionRole, ExecutionRoleArgs
from ..instance_types import has_instance_store
from ..limits import (
    account_id_problem,
    instance_problem,
    region_problem,
    satisfies,
    service_role_path_problem,
    tags_problem,
)
from ..native_provider import warn_without_native_provider
from ..output_text import concat
from ..policy_documents import Statement, kms_use, s3_read_write
from .data_capture import CAPTURE_CSV_CONTENT_TYPES, CAPTURE_JSON_CONTENT_TYPES
from .inference_endpoint_spec import (
    EndpointSpec,
    ShadowTestSpec,
    VariantSpec,
    endpoint_name_problem,
    sagemaker_name_problem,
)

SHADOW_TEST_PREFIX = "shadow-test/"
"""Under the endpoint's ``data-capture/<name>/`` folder: where a test's requests and responses go."""


@dataclass(frozen=True)
class ShadowTestArgs:
    spec: EndpointSpec
    """The endpoint: its champion (first production variant) is the source, its one shadow variant
    the shadow, and ``spec.shadow_test`` the schedule and sampling (required)."""
    endpoint_name: pulumi.Input[str]
    """The SageMaker endpoint the test runs on (it must exist: pass the endpoint's output)."""
    physical_endpoint_name: str
    """Its physical name as the stack sets it: the test's name and the role's endpoint ARN."""
    model_names: Mapping[str, pulumi.Input[str]]
    """Variant name → the SageMaker model it serves (the champion's and the shadow's at least)."""
    account_id: str
    """The 12-digit account of the endpoint (scopes the role)."""
    region: str
    """The endpoint's region (scopes the role)."""
    kms_key_arn: pulumi.Input[str]
    """Key of the variants' storage volumes (unless they serve from local NVMe storage, which
    SageMaker encrypts itself and takes no key for) and of the captured data."""
    artifact_bucket_name: pulumi.Input[str]
    """Bucket of the captured data: ``data-capture/<spec.name>/shadow-test/``."""
    artifact_bucket_arn: pulumi.Input[str]
    """ARN of the same bucket (the role writes that prefix only)."""
    capture_prefix: str
    """The endpoint's data-capture folder, e.g. ``data-capture/<spec.name>/``."""
    role_path: str
    """IAM path of the test's role."""
    tags: Mapping[str, str]
    """Tags of the experiment and its role."""

    def __post_init__(self) -> None:
        satisfies(self, "spec", lambda value: instance_problem(value, EndpointSpec))
        satisfies(self, "account_id", account_id_problem)
        satisfies(self, "region", region_problem)
        satisfies(self, "role_path", service_role_path_problem)
        satisfies(self, "tags", tags_problem)
        satisfies(self, "endpoint_name", endpoint_name_problem)
        satisfies(self, "physical_endpoint_name", lambda name: sagemaker_name_problem(name, "endpoint name"))
        test = self.spec.shadow_test
        if test is None or not self.spec.shadow_variants:
            raise ValueError(
                f"ShadowTest of {self.spec.name}: the endpoint needs shadow_test and a shadow variant"
            )
        missing = {self.champion.name, self.shadow.name} - set(self.model_names)
        if missing:
            raise ValueError(
                f"ShadowTest of {self.spec.name}: no model for variant(s) {', '.join(sorted(missing))}"
            )

    @property
    def test(self) -> ShadowTestSpec:
        assert self.spec.shadow_test is not None  # checked in __post_init__
        return self.spec.shadow_test

    @property
    def champion(self) -> VariantSpec:
        return self.spec.variants[0]

    @property
    def shadow(self) -> VariantSpec:
        return self.spec.shadow_variants[0]


class ShadowTest(pulumi.ComponentResource):
    """An inference experiment of type ShadowMode: from ``start`` to ``end`` SageMaker deploys the
    shadow variant on the endpoint and copies ``sampling_percent`` of the champion's requests to it.

    Security posture: the variants' volumes and the captured requests and responses are encrypted
    with the stack's data key; the role SageMaker assumes may update this endpoint, read these two
    models, and write only the test's capture folder.
    """

    experiment_name: pulumi.Output[str]
    """Name of the inference experiment."""
    role_arn: pulumi.Output[str]
    """Role SageMaker assumes to run it."""

    def __init__(self, name: str, args: ShadowTestArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("mlops:serving:ShadowTest", name, None, opts)
        warn_without_native_provider(self, name)
        self._name = name
        test, champion, shadow = args.test, args.champion, args.shadow
        destination = f"{args.capture_prefix}{SHADOW_TEST_PREFIX}"
        role = self._role(args, destination)
        experiment = native.InferenceExperiment(
            f"{name}-experiment",
            name=f"{args.physical_endpoint_name}-shadow-test",
            type=native.InferenceExperimentType.SHADOW_MODE,
            description=(
                f"Shadow test of {shadow.name} against {champion.name} on {args.physical_endpoint_name} "
                f"({test.sampling_percent} % of requests)"
            ),
            endpoint_name=args.endpoint_name,
            role_arn=role.role_arn,
            # SageMaker refuses a volume key for instance types with local NVMe storage (as in
            # the endpoint's own configuration; the spec keeps champion and shadow alike); the
            # captured data is encrypted either way.
            kms_key=None if has_instance_store(shadow.instance_type or "") else args.kms_key_arn,
            model_variants=[
                _variant(variant, args.model_names[variant.name]) for variant in (champion, shadow)
            ],
            shadow_mode_config=native.InferenceExperimentShadowModeConfigArgs(
                source_model_variant_name=champion.name,
                shadow_model_variants=[
                    native.InferenceExperimentShadowModelVariantConfigArgs(
                        shadow_model_variant_name=shadow.name, sampling_percentage=test.sampling_percent
                    )
                ],
            ),
            schedule=native.InferenceExperimentScheduleArgs(
                start_time=ShadowTestSpec.timestamp(test.start), end_time=ShadowTestSpec.timestamp(test.end)
            ),
            data_storage_config=(
                native.InferenceExperimentDataStorageConfigArgs(
                    destination=concat("s3://", args.artifact_bucket_name, f"/{destination}"),
                    kms_key=args.kms_key_arn,
                    content_type=native.InferenceExperimentCaptureContentTypeHeaderArgs(
                        csv_content_types=CAPTURE_CSV_CONTENT_TYPES,
                        json_content_types=CAPTURE_JSON_CONTENT_TYPES,
                    ),
                )
                if test.capture
                else None
            ),
            tags=[{"key": key, "value": value} for key, value in args.tags.items()],
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.experiment_name = experiment.name
        self.role_arn = role.role_arn
        self.register_outputs({"experiment_name": self.experiment_name, "role_arn": self.role_arn})

    def _role(self, args: ShadowTestArgs, destination: str) -> ExecutionRole:
        prefix = f"arn:aws:sagemaker:{args.region}:{args.account_id}"
        # SageMaker ARNs carry names in lower case.
        endpoint = args.physical_endpoint_name.lower()
        models = [
            concat(f"{prefix}:model/", pulumi.Output.from_input(args.model_names[v.name]).apply(str.lower))
            for v in (args.champion, args.shadow)
        ]
        statements: list[Statement] = [
            {
                "Effect": "Allow",
                "Action": ["sagemaker:DescribeEndpoint", "sagemaker:UpdateEndpoint"],
                "Resource": f"{prefix}:endpoint/{endpoint}",
            },
            {
                # The configurations the test deploys the shadow with (and returns from): SageMaker
                # names them, so only their type is known.
                "Effect": "Allow",
                "Action": [
                    "sagemaker:CreateEndpointConfig",
                    "sagemaker:DescribeEndpointConfig",
                    "sagemaker:DeleteEndpointConfig",
                ],
                "Resource": f"{prefix}:endpoint-config/*",
            },
            {"Effect": "Allow", "Action": "sagemaker:DescribeModel", "Resource": models},
            *kms_use([args.kms_key_arn]),
            *(s3_read_write(args.artifact_bucket_arn, [destination]) if args.test.capture else []),
        ]
        return ExecutionRole(
            f"{self._name}-role",
            ExecutionRoleArgs(
                description=f"Runs the shadow test of SageMaker endpoint {args.physical_endpoint_name}",
                trusted_service="sagemaker.amazonaws.com",
                account_id=args.account_id,
                path=args.role_path,
                statements=statements,
                tags=args.tags,
            ),
            opts=pulumi.ResourceOptions(parent=self),
        )


def _variant(
    variant: VariantSpec, model_name: pulumi.Input[str]
) -> native.InferenceExperimentModelVariantConfigArgs:
    return native.InferenceExperimentModelVariantConfigArgs(
        variant_name=variant.name,
        model_name=model_name,
        infrastructure_config=native.InferenceExperimentModelInfrastructureConfigArgs(
            infrastructure_type=native.InferenceExperimentModelInfrastructureConfigInfrastructureType.REAL_TIME_INFERENCE,
            real_time_inference_config=native.InferenceExperimentRealTimeInferenceConfigArgs(
                instance_type=variant.instance_type or "", instance_count=variant.initial_instance_count
            ),
        ),
    )
