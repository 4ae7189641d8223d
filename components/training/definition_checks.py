"""The checks of :class:`~components.training.definition.TrainingPipelineSettings`: every problem
at once, each naming the field, what was given and what is expected (the optional sections' own
checks are in :mod:`components.training.definition_sections`).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from ..limits import listed
from ..naming import pipeline_name_problem
from .definition_names import (
    APPROVAL_STATUSES,
    MAX_RUNTIME_SECONDS,
    METRIC_DIRECTIONS,
    PROBLEM_TYPES,
    RESERVED_HYPERPARAMETERS,
    SCRIPT_KEYS,
)
from .definition_patterns import (
    _ACCOUNT,
    _BUCKET,
    _COLUMN,
    _FRAMEWORK_VERSION,
    _INSTANCE_TYPE,
    _KMS_KEY_ARN,
    _METRIC_NAME,
    _METRIC_PATH,
    _PY_VERSION,
    _REGION,
    _ROLE_ARN,
    _S3_URI,
    _SECURITY_GROUP,
    _SUBNET,
    _is_int,
    _is_number,
    _is_script_uri,
    _matches,
    _module_name,
)
from .definition_sections import (
    _feature_input_problems,
    _lineage_problems,
    _tracking_problems,
    _tuning_problems,
)
from .evidently import evidently_problems
from .frameworks import FRAMEWORKS

if TYPE_CHECKING:
    from .definition_settings import TrainingPipelineSettings

_PACKAGE_GROUP = re.compile(r"^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}\Z")


def _problems(s: TrainingPipelineSettings) -> list[str]:
    """Every problem at once, each naming the field, what was given and what is expected."""
    key = _KMS_KEY_ARN.match(s.kms_key_arn) if isinstance(s.kms_key_arn, str) else None
    metric = _METRIC_PATH.match(s.metric_path) if isinstance(s.metric_path, str) else None
    bad_subnets = [x for x in s.subnet_ids if not (isinstance(x, str) and _SUBNET.match(x))]
    bad_groups = [x for x in s.security_group_ids if not (isinstance(x, str) and _SECURITY_GROUP.match(x))]
    missing_scripts = [name for name in SCRIPT_KEYS if name not in s.script_uris]
    unknown_scripts = sorted(set(s.script_uris) - set(SCRIPT_KEYS))
    checks = [
        (
            pipeline_name_problem(s.pipeline_name) is None,
            f"pipeline_name {s.pipeline_name!r}: use letters, digits and hyphens (at most 256)",
        ),
        (_matches(_REGION, s.region), f"region {s.region!r} is not an AWS region name such as 'eu-west-1'"),
        (_matches(_ACCOUNT, s.account_id), f"account_id {s.account_id!r} must be 12 digits"),
        (
            _matches(_ROLE_ARN, s.role_arn),
            f"role_arn {s.role_arn!r} must be an IAM role ARN (arn:aws:iam::<account>:role/<name>)",
        ),
        (
            _matches(_BUCKET, s.artifact_bucket),
            f"artifact_bucket {s.artifact_bucket!r} must be a bucket name, not a URI",
        ),
        (
            key is not None,
            f"kms_key_arn {s.kms_key_arn!r} must be a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>)",
        ),
        (
            key is None or key["region"] == s.region,
            f"kms_key_arn is in region {key and key['region']!r}, but the jobs run in {s.region!r}",
        ),
        (bool(s.subnet_ids), "subnet_ids is empty: jobs must run in the platform's private subnets"),
        (
            len(s.subnet_ids) <= 16,
            f"subnet_ids has {len(s.subnet_ids)} entries; SageMaker accepts at most 16",
        ),
        (not bad_subnets, f"subnet_ids {bad_subnets!r} are not subnet ids (subnet-...)"),
        (bool(s.security_group_ids), "security_group_ids is empty: jobs need the platform's security groups"),
        (
            len(s.security_group_ids) <= 5,
            f"security_group_ids has {len(s.security_group_ids)} entries; SageMaker accepts at most 5",
        ),
        (not bad_groups, f"security_group_ids {bad_groups!r} are not security group ids (sg-...)"),
        (
            _matches(_PACKAGE_GROUP, s.model_package_group_name) and len(s.model_package_group_name) <= 63,
            f"model_package_group_name {s.model_package_group_name!r}: use letters, digits and hyphens (at most 63)",
        ),
        (
            s.approval_status in APPROVAL_STATUSES,
            f"approval_status {s.approval_status!r} must be one of {', '.join(APPROVAL_STATUSES)}",
        ),
        (
            metric is not None and metric["metric"] in s.evaluation_metrics,
            f"metric_path {s.metric_path!r} is not in the evaluation report; use one of {listed([f'metrics.{m}.value' for m in s.evaluation_metrics])}",
        ),
        (
            bool(s.evaluation_metrics) and all(_matches(_METRIC_NAME, m) for m in s.evaluation_metrics),
            f"evaluation_metrics {s.evaluation_metrics!r} must name at least one metric (lower-case letters, digits, _)",
        ),
        (
            s.metric_direction in METRIC_DIRECTIONS,
            f"metric_direction {s.metric_direction!r} must be one of {', '.join(METRIC_DIRECTIONS)}",
        ),
        (
            s.framework in FRAMEWORKS,
            f"framework {s.framework!r} must be one of {', '.join(FRAMEWORKS)}",
        ),
        (
            s.py_version is None or _matches(_PY_VERSION, s.py_version),
            f"py_version {s.py_version!r} must be a Python version tag such as 'py311'",
        ),
        (
            s.problem_type in PROBLEM_TYPES,
            f"problem_type {s.problem_type!r} must be one of {', '.join(PROBLEM_TYPES)}",
        ),
        (
            _matches(_COLUMN, s.label_column) and s.label_column not in s.identifier_columns,
            f"label_column {s.label_column!r} must be a column name that is not an identifier",
        ),
        (
            all(_matches(_COLUMN, c) for c in s.identifier_columns),
            f"identifier_columns {s.identifier_columns!r} must be column names",
        ),
        (
            not set(s.hyperparameters) & set(RESERVED_HYPERPARAMETERS),
            f"hyperparameters {sorted(set(s.hyperparameters) & set(RESERVED_HYPERPARAMETERS))} are set by the platform",
        ),
        (
            all(isinstance(d, tuple) and len(d) == 2 for d in s.metric_definitions),
            f"metric_definitions {s.metric_definitions!r} must be (name, regex) pairs",
        ),
        (_is_number(s.metric_threshold), f"metric_threshold {s.metric_threshold!r} must be a finite number"),
        (_matches(_S3_URI, s.input_data_uri), f"input_data_uri {s.input_data_uri!r} must be an s3:// URI"),
        (
            not missing_scripts,
            f"script_uris is missing {', '.join(map(repr, missing_scripts))}; it needs {', '.join(SCRIPT_KEYS)}",
        ),
        (
            not unknown_scripts,
            f"script_uris has unknown key(s) {', '.join(map(repr, unknown_scripts))}; expected {', '.join(SCRIPT_KEYS)}",
        ),
        *(
            (_is_script_uri(uri), f"script_uris[{name!r}] {uri!r} must be the s3:// URI of a .py object")
            for name, uri in s.script_uris.items()
        ),
        (
            not _is_script_uri(s.script_uris.get("train"))
            or _module_name(s.script_uris["train"]).isidentifier(),
            f"script_uris['train'] must end in an importable module name such as train.py: the serving "
            f"container imports it (SAGEMAKER_PROGRAM), not {s.script_uris.get('train')!r}",
        ),
        (
            _matches(_INSTANCE_TYPE, s.processing_instance_type),
            f"processing_instance_type {s.processing_instance_type!r} must be a SageMaker instance type such as 'ml.m5.xlarge'",
        ),
        (
            _matches(_INSTANCE_TYPE, s.training_instance_type),
            f"training_instance_type {s.training_instance_type!r} must be a SageMaker instance type such as 'ml.g5.xlarge'",
        ),
        (
            s.inference_instance_type is None or _matches(_INSTANCE_TYPE, s.inference_instance_type),
            f"inference_instance_type {s.inference_instance_type!r} must be None or a SageMaker instance type such as 'ml.g5.xlarge'",
        ),
        (
            _matches(_INSTANCE_TYPE, s.baseline_instance_type),
            f"baseline_instance_type {s.baseline_instance_type!r} must be a SageMaker instance type such as 'ml.m5.xlarge'",
        ),
        (
            _is_int(s.training_instance_count) and s.training_instance_count >= 1,
            f"training_instance_count {s.training_instance_count!r} must be an integer >= 1",
        ),
        (
            _is_int(s.max_run_seconds) and 0 < s.max_run_seconds <= MAX_RUNTIME_SECONDS,
            f"max_run_seconds {s.max_run_seconds!r} must be between 1 and {MAX_RUNTIME_SECONDS}",
        ),
        *_spot_checks(s),
        (
            _matches(_FRAMEWORK_VERSION, s.framework_version),
            f"framework_version {s.framework_version!r} must be a version such as '1.2-1'",
        ),
        (
            isinstance(s.use_spot_instances, bool),
            f"use_spot_instances {s.use_spot_instances!r} must be a bool",
        ),
        (
            isinstance(s.enable_network_isolation, bool),
            f"enable_network_isolation {s.enable_network_isolation!r} must be a bool",
        ),
    ]
    return (
        [message for ok, message in checks if not ok]
        + _tracking_problems(s)
        + _lineage_problems(s)
        + _tuning_problems(s)
        + _feature_input_problems(s)
        + evidently_problems(s.evidently, region=s.region, account_id=s.account_id, data_role_arn=s.role_arn)
    )


def _spot_checks(s: TrainingPipelineSettings) -> list[tuple[bool, str]]:
    if not s.use_spot_instances:
        return [
            (
                s.max_wait_seconds is None,
                "max_wait_seconds only applies with use_spot_instances; SageMaker rejects it for on-demand training",
            )
        ]
    if s.max_wait_seconds is None:
        return [
            (
                False,
                "use_spot_instances needs max_wait_seconds (how long to wait for spot capacity, greater than max_run_seconds)",
            )
        ]
    ok = (
        _is_int(s.max_wait_seconds)
        and _is_int(s.max_run_seconds)
        and s.max_run_seconds < s.max_wait_seconds <= MAX_RUNTIME_SECONDS
    )
    return [
        (
            ok,
            f"max_wait_seconds ({s.max_wait_seconds!r}) must be greater than max_run_seconds ({s.max_run_seconds!r}) and at most {MAX_RUNTIME_SECONDS}",
        )
    ]
