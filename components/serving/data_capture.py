"""Real-time data capture of a SageMaker endpoint: one definition for every kind of endpoint.

Requests and responses (CSV and JSON bodies) under ``data-capture/<endpoint spec name>/`` of the
artifact bucket, KMS-encrypted: where Model Monitor's schedules read them."""

from __future__ import annotations

import pulumi
import pulumi_aws.sagemaker as sagemaker

from ..output_text import concat
from .inference_endpoint_spec import DataCaptureSpec

DATA_CAPTURE_PREFIX = "data-capture/"


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
            csv_content_types=["text/csv"], json_content_types=["application/json"]
        ),
    )
