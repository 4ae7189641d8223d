"""ListCapture: the keys of one schedule interval of an endpoint's data capture, as a manifest.

The first step of an endpoint's live-drift pipeline. SageMaker writes captured requests under
``<capture prefix><endpoint name>/<variant>/YYYY/MM/DD/HH/*.jsonl``; which hours an interval
covers depends on the execution's start, which no pipeline expression can turn into a path, so this
step lists them and hands the next step (CollectCapture, network-isolated) a SageMaker manifest
of exactly those objects (its ``ManifestFile`` input downloads nothing else). Only the endpoint's own
files are listed: those below ``<endpoint name>/`` (not an earlier endpoint's of the same stack-file
name, nor a shadow test's under the same destination).

It reaches S3, so it runs without network isolation; it is given no data for it: its only input is
this script, and its role may only list the capture prefix (``s3:ListBucket``, no ``GetObject``):
it sees keys, never what they hold. It writes:

- ``manifest.json``: ``[{"prefix": "s3://<bucket>/"}, "<key>", ...]`` (SageMaker's manifest form);
- ``count.json``: ``{"objects": <n>}``, which the pipeline's condition reads (a manifest that lists
  nothing would fail the next job, so an interval without traffic ends the run there).

    python3 list_capture.py --region eu-west-1 --capture-uri s3://artifacts/data-capture/churn/ \\
        --endpoint-name prod-churn --end 2026-12-05T09:00:00Z --interval-seconds 3600
"""

from __future__ import annotations

import argparse
import datetime
import json
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

OUTPUT = Path("/opt/ml/processing/manifest")
MANIFEST_FILE, COUNT_FILE = "manifest.json", "count.json"
HOUR = datetime.timedelta(hours=1)
LAG = HOUR
"""How long before its scheduled hour a run's interval ends (capture files land after their hour)."""
YEAR = re.compile(r"^[0-9]{4}\Z")
MAX_DEPTH = 4
"""``<endpoint name>/<variant>/`` below the prefix, with room for an empty segment (``//``)."""
MAX_INTERVAL_SECONDS = 24 * 3600
"""A monitoring schedule runs at least daily: no interval is longer than a day."""


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--region", required=True)
    parser.add_argument(
        "--capture-uri",
        required=True,
        help="the endpoint's data-capture destination: s3://<bucket>/<prefix>/",
    )
    parser.add_argument(
        "--endpoint-name", required=True, help="the endpoint's name: its files' first segment"
    )
    parser.add_argument("--end", required=True, help="the interval's end: the execution's start (ISO 8601)")
    parser.add_argument("--interval-seconds", type=int, required=True)
    parser.add_argument("--output-dir", type=Path, default=OUTPUT)
    return parser.parse_args(argv)


def capture_location(uri: str) -> tuple[str, str]:
    """``(bucket, prefix)`` of the capture destination ``s3://<bucket>/<prefix>/``."""
    bucket, _, prefix = uri.removeprefix("s3://").partition("/")
    if not uri.startswith("s3://") or not bucket or not prefix.endswith("/"):
        raise SystemExit(f"--capture-uri {uri!r}: must be s3://<bucket>/<prefix>/, ending in /")
    return bucket, prefix


def endpoint_segment(name: str) -> str:
    """The endpoint's name as the path segment SageMaker writes it as (no ``/``, not empty)."""
    if not name or "/" in name:
        raise SystemExit(f"--endpoint-name {name!r}: an endpoint name, without /")
    return name


def interval_end(text: str) -> datetime.datetime:
    """The execution's start as an aware UTC time: ISO 8601 (``...Z`` or an offset), or epoch
    milliseconds."""
    if text.isdigit():
        return datetime.datetime.fromtimestamp(int(text) / 1000, tz=datetime.UTC)
    try:
        moment = datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise SystemExit(f"--end {text!r}: not an ISO 8601 time") from None
    if moment.tzinfo is None:
        raise SystemExit(f"--end {text!r}: no time zone")
    return moment.astimezone(datetime.UTC)


def hours(end: datetime.datetime, interval_seconds: int) -> list[datetime.datetime]:
    """The whole capture hours (their starts) of the interval this run reads, oldest first: the
    interval that ended :data:`LAG` before the run's scheduled hour. A run starts minutes after its
    hour (Model Monitor's cron forms run on the hour), and SageMaker uploads a capture file minutes
    after its hour ends, so the hour just ended is left to the next run: successive runs read every
    hour once, and each hour only once its files are there."""
    if not (0 < interval_seconds <= MAX_INTERVAL_SECONDS and interval_seconds % 3600 == 0):
        raise SystemExit(
            f"--interval-seconds {interval_seconds}: whole hours, at most {MAX_INTERVAL_SECONDS}"
        )
    stop = end.replace(minute=0, second=0, microsecond=0) - LAG
    return [stop - HOUR * count for count in range(interval_seconds // 3600, 0, -1)]


def _pages(s3: Any, **request: Any) -> Iterator[dict[str, Any]]:
    yield from s3.get_paginator("list_objects_v2").paginate(**request)


def _segments(relative: str) -> list[str]:
    return [segment for segment in relative.split("/") if segment]


def _on_the_endpoints_path(relative: str, endpoint: str) -> bool:
    """Whether a prefix ``relative`` to the destination can hold ``endpoint``'s files: its first
    segment that is not empty is the endpoint's name, or it has none yet."""
    segments = _segments(relative)
    return not segments or segments[0] == endpoint


def variant_prefixes(s3: Any, bucket: str, prefix: str, endpoint: str) -> list[str]:
    """Every prefix below ``prefix`` whose children are years: ``<prefix><endpoint>/<variant>/``
    as SageMaker writes the capture, found by what is below rather than by depth (a destination
    ending in ``/`` may add an empty segment); only the endpoint's own."""
    found, level = [], [prefix]
    for _ in range(MAX_DEPTH):
        below = []
        for parent in level:
            children = [
                child["Prefix"]
                for page in _pages(s3, Bucket=bucket, Prefix=parent, Delimiter="/")
                for child in page.get("CommonPrefixes", [])
                if _on_the_endpoints_path(child["Prefix"][len(prefix) :], endpoint)
            ]
            # A variant's prefix is at least <endpoint>/<variant>/ (an endpoint named like a year
            # is not one).
            is_variant = len(_segments(parent[len(prefix) :])) >= 2
            if is_variant and any(YEAR.match(child[len(parent) :].rstrip("/")) for child in children):
                found.append(parent)
            else:
                below += children
        level = below
    return sorted(found)


def captured_keys(
    s3: Any, bucket: str, prefix: str, endpoint: str, end: datetime.datetime, interval_seconds: int
) -> list[str]:
    """Every capture file of ``endpoint`` in the interval's hours (:func:`hours`), sorted."""
    wanted = hours(end, interval_seconds)
    keys = []
    for variant in variant_prefixes(s3, bucket, prefix, endpoint):
        for hour in wanted:
            for page in _pages(s3, Bucket=bucket, Prefix=f"{variant}{hour:%Y/%m/%d/%H}/"):
                keys += [item["Key"] for item in page.get("Contents", []) if item["Key"].endswith(".jsonl")]
    return sorted(keys)


def write(output_dir: Path, bucket: str, keys: list[str]) -> None:
    output_dir.mkdir(parents=True, exist_ok=True)
    manifest: list[Any] = [{"prefix": f"s3://{bucket}/"}, *keys]
    (output_dir / MANIFEST_FILE).write_text(json.dumps(manifest))
    (output_dir / COUNT_FILE).write_text(json.dumps({"objects": len(keys)}))


def main(argv: list[str] | None = None, s3: Any = None) -> int:
    args = parse_args(argv)
    bucket, prefix = capture_location(args.capture_uri)
    endpoint = endpoint_segment(args.endpoint_name)
    end = interval_end(args.end)
    if s3 is None:
        import boto3

        s3 = boto3.client("s3", region_name=args.region)
    keys = captured_keys(s3, bucket, prefix, endpoint, end, args.interval_seconds)
    write(args.output_dir, bucket, keys)
    print(f"{len(keys)} capture files in the {args.interval_seconds} s before {end:%Y-%m-%dT%H:%M:%SZ}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
