"""ListCapture: the keys of one schedule interval of an endpoint's data capture, as a manifest.

The first step of an endpoint's live-drift pipeline. SageMaker writes captured requests under
``<capture prefix><endpoint name>/<variant>/YYYY/MM/DD/HH/*.jsonl``; which hours an interval
covers depends on the execution's start and on the schedule's run hours, which no pipeline
expression can turn into a path, so this step lists them and hands the next step (CollectCapture,
network-isolated) a SageMaker manifest of exactly those objects (its ``ManifestFile`` input downloads
nothing else). It is given the endpoint's own capture location, ``<destination><endpoint name>/``,
as one URI, and lists only the endpoint's own files, those below
``<endpoint name>/<production variant>/``: not an earlier endpoint's of the same stack-file name,
nor a shadow test's under the same destination, nor a shadow variant's (whose requests are copies
of the production variants').

It reaches S3, so it runs without network isolation; it is given no data for it: its only input is
this script, and its role may only list the capture prefix (``s3:ListBucket``, no ``GetObject``):
it sees keys, never what they hold. It writes:

- ``manifest.json``: ``[{"prefix": "s3://<bucket>/"}, "<key>", ...]`` (SageMaker's manifest form);
- ``count.json``: ``{"objects": <n>}``, which the pipeline's condition reads (a manifest that lists
  nothing would fail the next job, so an interval without traffic ends the run there).

    python3 list_capture.py --region eu-west-1 --capture-uri s3://artifacts/data-capture/churn/prod-churn/ \\
        --variant AllTraffic --end 2026-12-05T09:00:00Z --run-hours 0,6,12,18
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
DAY = datetime.timedelta(days=1)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--region", required=True)
    parser.add_argument(
        "--capture-uri",
        required=True,
        help="the endpoint's capture: s3://<bucket>/<destination prefix><endpoint name>/",
    )
    parser.add_argument(
        "--variant", action="append", required=True, help="a production variant to read, repeatable"
    )
    parser.add_argument("--end", required=True, help="the interval's end: the execution's start (ISO 8601)")
    parser.add_argument(
        "--run-hours", required=True, help="the schedule's UTC run hours, comma-separated (0,6,12,18)"
    )
    parser.add_argument("--output-dir", type=Path, default=OUTPUT)
    return parser.parse_args(argv)


def capture_location(uri: str) -> tuple[str, str, str]:
    """``(bucket, destination prefix, endpoint name)`` of an endpoint's capture location,
    ``s3://<bucket>/<destination prefix><endpoint name>/``: SageMaker writes the endpoint's files
    below the destination under the endpoint's name (``<destination prefix>`` may be empty)."""
    bucket, _, key = uri.removeprefix("s3://").partition("/")
    if not uri.startswith("s3://") or not bucket or not key.endswith("/") or not key.strip("/"):
        raise SystemExit(
            f"--capture-uri {uri!r}: must be s3://<bucket>/<prefix><endpoint name>/, ending in /"
        )
    prefix, _, endpoint = key.rstrip("/").rpartition("/")
    return bucket, prefix + "/" if prefix else "", endpoint


def path_segment(option: str, name: str) -> str:
    """An endpoint's or a variant's name as the path segment SageMaker writes it as (no ``/``, not
    empty)."""
    if not name or "/" in name:
        raise SystemExit(f"{option} {name!r}: a name, without /")
    return name


def run_hours(text: str) -> tuple[int, ...]:
    """The schedule's run hours (UTC), sorted: at least one, each 0 to 23."""
    problem = f"--run-hours {text!r}: comma-separated hours, 0 to 23"
    try:
        found = sorted({int(hour) for hour in text.split(",")})
    except ValueError:
        raise SystemExit(problem) from None
    if found[0] < 0 or found[-1] > 23:
        raise SystemExit(problem)
    return tuple(found)


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


def scheduled_runs(
    end: datetime.datetime, hours_of_runs: tuple[int, ...]
) -> tuple[datetime.datetime, datetime.datetime]:
    """``(previous, this)``: the scheduled hours of the run before this one and of this run, the
    latest scheduled hour at or before ``end`` (a run starts minutes after its hour; one started by
    hand between runs counts as the last scheduled one)."""
    hour = end.replace(minute=0, second=0, microsecond=0)
    midnight = hour.replace(hour=0)
    runs = [midnight - DAY * back + HOUR * run_hour for back in (2, 1, 0) for run_hour in hours_of_runs]
    this = max(run for run in runs if run <= hour)
    return max(run for run in runs if run < this), this


def hours(end: datetime.datetime, hours_of_runs: tuple[int, ...]) -> list[datetime.datetime]:
    """The whole capture hours (their starts) this run reads, oldest first: those from the previous
    scheduled run's hour to this run's, each :data:`LAG` earlier. A run starts minutes after its
    hour (Model Monitor's cron forms run on the hour), and SageMaker uploads a capture file minutes
    after its hour ends, so the hour just ended is left to the next run: successive runs read every
    hour once, however unevenly the schedule's hours are spaced, and each hour only once its files
    are there."""
    previous, this = scheduled_runs(end, hours_of_runs)
    count = (this - previous) // HOUR
    return [this - LAG - HOUR * back for back in range(count, 0, -1)]


def _pages(s3: Any, **request: Any) -> Iterator[dict[str, Any]]:
    yield from s3.get_paginator("list_objects_v2").paginate(**request)


def _segments(relative: str) -> list[str]:
    return [segment for segment in relative.split("/") if segment]


def _on_the_endpoints_path(relative: str, endpoint: str) -> bool:
    """Whether a prefix ``relative`` to the destination can hold ``endpoint``'s files: its first
    segment that is not empty is the endpoint's name, or it has none yet."""
    segments = _segments(relative)
    return not segments or segments[0] == endpoint


def variant_prefixes(
    s3: Any, bucket: str, prefix: str, endpoint: str, variants: tuple[str, ...]
) -> list[str]:
    """Every prefix below ``prefix`` whose children are years: ``<prefix><endpoint>/<variant>/``
    as SageMaker writes the capture, found by what is below rather than by depth (a destination
    ending in ``/`` may add an empty segment); only the endpoint's own, of ``variants``."""
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
            # A variant's prefix is <endpoint>/<variant>/ (an endpoint named like a year is not one).
            segments = _segments(parent[len(prefix) :])
            is_variant = len(segments) == 2 and segments[1] in variants
            if is_variant and any(YEAR.match(child[len(parent) :].rstrip("/")) for child in children):
                found.append(parent)
            else:
                below += children
        level = below
    return sorted(found)


def captured_keys(
    s3: Any,
    bucket: str,
    prefix: str,
    endpoint: str,
    variants: tuple[str, ...],
    end: datetime.datetime,
    hours_of_runs: tuple[int, ...],
) -> list[str]:
    """Every capture file of ``endpoint``'s ``variants`` in this run's hours (:func:`hours`), sorted."""
    wanted = hours(end, hours_of_runs)
    keys = []
    for variant in variant_prefixes(s3, bucket, prefix, endpoint, variants):
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
    bucket, prefix, endpoint = capture_location(args.capture_uri)
    variants = tuple(path_segment("--variant", variant) for variant in args.variant)
    hours_of_runs = run_hours(args.run_hours)
    end = interval_end(args.end)
    if s3 is None:
        import boto3

        s3 = boto3.client("s3", region_name=args.region)
    keys = captured_keys(s3, bucket, prefix, endpoint, variants, end, hours_of_runs)
    write(args.output_dir, bucket, keys)
    read = hours(end, hours_of_runs)
    print(f"{len(keys)} capture files from {read[0]:%Y-%m-%dT%H}:00Z to {read[-1] + HOUR:%Y-%m-%dT%H}:00Z")
    return 0


if __name__ == "__main__":
    sys.exit(main())
