"""Real-time data capture of a SageMaker endpoint: one definition for every kind of endpoint.

Requests and responses (CSV, JSON and JSON Lines bodies, as text) under ``data-capture/<endpoint spec name>/`` of the
artifact bucket, KMS-encrypted: where Model Monitor's schedules read them."""

from __future__ import annotations

import pulumi
import pulumi_aws.sagemaker as sagemaker

from ..output_text import concat
from .inference_endpoint_spec import DataCaptureSpec

DATA_CAPTURE_PREFIX = "data-capture/"

CAPTURE_CSV_CONTENT_TYPES = ["text/csv"]
CAPTURE_JSON_CONTENT_TYPES = ["application/json", "application/jsonlines"]
"""The request and response content types SageMaker captures as text (CaptureContentTypeHeader):
any other body, a JSON Lines one included, is captured base64-encoded, which Model Monitor's and
Clarify's jobs do not read as the model's records (an explainability template may name
``application/jsonlines``: its requests must be captured as JSON)."""


def data_capture_config(
    capture: DataCaptureSpec,
    endpoint: str,
    artifact_bucket_name: pulumi.Input[str],
    kms_key_arn: pulumi.Input[str],
) -> sagemaker.EndpointConfigurationDataCaptureConfigArgs | None:
    """The endpoint configuration's capture settings, or None when ``capture`` is off."""
    if not capture.enabled:
        return None
    return sagemaker.EndpointConfigurationDataCaptureConfigArgs(
        enable_capture=True,
        initial_sampling_percentage=capture.sampling_percent,
        destination_s3_uri=concat("s3://", artifact_bucket_name, f"/{DATA_CAPTURE_PREFIX}{endpoint}/"),
        kms_key_id=kms_key_arn,
        capture_options=[
            sagemaker.EndpointConfigurationDataCaptureConfigCaptureOptionArgs(capture_mode="Input"),
            sagemaker.EndpointConfigurationDataCaptureConfigCaptureOptionArgs(capture_mode="Output"),
        ],
        capture_content_type_header=sagemaker.EndpointConfigurationDataCaptureConfigCaptureContentTypeHeaderArgs(
            csv_content_types=CAPTURE_CSV_CONTENT_TYPES, json_content_types=CAPTURE_JSON_CONTENT_TYPES
        ),
    )
