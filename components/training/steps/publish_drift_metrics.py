"""PublishDriftMetrics: put an Evidently report's summary metrics to CloudWatch.

Runs after EvidentlyReport in the training and batch-scoring pipelines. It is the one step of the
pair that reaches the network (CloudWatch's ``monitoring`` interface endpoint), and is given no data
for it: its only input is this script, and the numbers arrive as container arguments that SageMaker
Pipelines resolves from EvidentlyReport's ``summary.json`` (``JsonGet``) before the job starts. Its
role may only call ``cloudwatch:PutMetricData`` in the platform's namespace (the
``cloudwatch:namespace`` condition), beside what every job needs.

    python3 publish_drift_metrics.py --region eu-west-1 --namespace MLOpsPlatform/Evidently \\
        --dimension Family=customer-churn --dimension Pipeline=training \\
        --metric DriftedColumnsShare=0.5 --metric DatasetDrift=1
"""

from __future__ import annotations

import argparse
import math
import sys
from typing import Any

MAX_DIMENSIONS = 30
"""PutMetricData: at most 30 dimensions per metric."""


def _pairs(values: list[str], option: str) -> dict[str, str]:
    pairs = {}
    for value in values:
        key, sep, rest = value.partition("=")
        if not sep or not key or not rest:
            raise SystemExit(f"{option} {value!r} must be NAME=VALUE")
        pairs[key] = rest
    return pairs


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--region", required=True)
    parser.add_argument("--namespace", required=True)
    parser.add_argument("--dimension", action="append", default=[], help="NAME=VALUE, repeatable")
    parser.add_argument("--metric", action="append", default=[], help="NAME=NUMBER, repeatable")
    return parser.parse_args(argv)


def metric_data(dimensions: dict[str, str], metrics: dict[str, str]) -> list[dict[str, Any]]:
    """PutMetricData's MetricData: one datum per metric, each with every dimension."""
    if len(dimensions) > MAX_DIMENSIONS:
        raise SystemExit(f"{len(dimensions)} dimensions; CloudWatch accepts {MAX_DIMENSIONS}")
    if not metrics:
        raise SystemExit("no --metric to publish")
    data = []
    for name, raw in sorted(metrics.items()):
        try:
            value = float(raw)
        except ValueError:
            raise SystemExit(f"--metric {name}={raw!r}: not a number") from None
        if not math.isfinite(value):
            raise SystemExit(f"--metric {name}={raw!r}: not a finite number")
        data.append(
            {
                "MetricName": name,
                "Dimensions": [{"Name": key, "Value": val} for key, val in sorted(dimensions.items())],
                "Value": value,
                "Unit": "None",
            }
        )
    return data


def publish(args: argparse.Namespace, client: Any = None) -> list[dict[str, Any]]:
    import boto3

    data = metric_data(_pairs(args.dimension, "--dimension"), _pairs(args.metric, "--metric"))
    client = client or boto3.client("cloudwatch", region_name=args.region)
    client.put_metric_data(Namespace=args.namespace, MetricData=data)
    return data


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    for datum in publish(args):
        print(f"{args.namespace} {datum['MetricName']}={datum['Value']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
