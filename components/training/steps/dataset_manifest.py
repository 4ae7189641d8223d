"""DatasetManifest: fingerprint the training data one pipeline execution read.

The platform's own step (no model family writes it). It runs beside Preprocess, on the same
``InputDataUri`` (SageMaker downloads the prefix to ``/opt/ml/processing/input/data``), in the
same network isolation: it cannot call S3, so it records what it received rather than what S3
says. For every file it writes the relative key, size and SHA-256 to ``manifest.json``
(``{"format": 1, "objects": [...]}``, entries sorted by key, canonical JSON), and to
``summary.json`` (the property file RegisterModel reads):

    {"manifest_sha256": <sha256 of manifest.json's bytes>, "objects": <n>, "bytes": <n>,
     "input_uri": <the S3 prefix, from the job's own configuration>}

``manifest_sha256`` depends only on the files' names and contents: the same data under any prefix
gives the same hash, and anyone can check it with ``sha256sum manifest.json``. ``input_uri`` is
read from ``/opt/ml/config/processingjobconfig.json`` (the CreateProcessingJob request SageMaker
hands every processing container) and cut to what a model package's CustomerMetadataProperties
value may hold (1-256 characters of letters, numbers, spaces and ``_.:/=+-@``).

Runs on the family's framework image, whose Python may be old (3.8): standard library only.

    python3 dataset_manifest.py [--input-dir DIR] [--output-dir DIR] [--job-config FILE]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
from pathlib import Path

INPUT = Path("/opt/ml/processing/input/data")
OUTPUT = Path("/opt/ml/processing/manifest")
JOB_CONFIG = Path("/opt/ml/config/processingjobconfig.json")
MANIFEST_FILE, SUMMARY_FILE = "manifest.json", "summary.json"
INPUT_NAME = "raw"
"""The ProcessingInput whose S3 URI is the training data (the same name Preprocess's input has)."""
MAX_VALUE = 256
"""CustomerMetadataProperties: a value has at most 256 characters."""
_ALLOWED_PUNCTUATION = set("_.:/=+-@ ")
CHUNK = 1 << 20


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(CHUNK), b""):
            digest.update(block)
    return digest.hexdigest()


def manifest_entries(root: Path) -> list[dict]:
    """One entry per regular file under ``root``: POSIX key relative to it, size, SHA-256."""
    entries = []
    for directory, _, files in os.walk(root):
        for name in files:
            path = Path(directory) / name
            if not path.is_file():
                continue
            entries.append(
                {
                    "key": path.relative_to(root).as_posix(),
                    "size": path.stat().st_size,
                    "sha256": file_sha256(path),
                }
            )
    return sorted(entries, key=lambda entry: entry["key"])


def canonical(document: dict) -> bytes:
    return (json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=True) + "\n").encode()


def metadata_value(text: str) -> str:
    """``text`` as a CustomerMetadataProperties value: other characters become ``_``, and a longer
    text is cut to 256 characters ending in ``...``; empty becomes ``unknown``."""
    cleaned = "".join(c if c.isalnum() or c in _ALLOWED_PUNCTUATION else "_" for c in text)
    if len(cleaned) > MAX_VALUE:
        cleaned = cleaned[: MAX_VALUE - 3] + "..."
    return cleaned or "unknown"


def input_uri(job_config: Path, input_name: str = INPUT_NAME) -> str:
    """The S3 URI of input ``input_name`` in the job's configuration; ``unknown`` without one."""
    try:
        config = json.loads(job_config.read_text())
    except (OSError, ValueError):
        return "unknown"
    for item in config.get("ProcessingInputs") or []:
        if item.get("InputName") == input_name:
            return str((item.get("S3Input") or {}).get("S3Uri") or "unknown")
    return "unknown"


def write_manifest(input_dir: Path, output_dir: Path, job_config: Path) -> dict:
    """Write manifest.json and summary.json to ``output_dir``; return the summary."""
    entries = manifest_entries(input_dir)
    if not entries:
        raise SystemExit(f"no training data under {input_dir}: nothing to fingerprint")
    manifest = canonical({"format": 1, "objects": entries})
    summary = {
        "manifest_sha256": hashlib.sha256(manifest).hexdigest(),
        "objects": len(entries),
        "bytes": sum(entry["size"] for entry in entries),
        "input_uri": metadata_value(input_uri(job_config)),
    }
    output_dir.mkdir(parents=True, exist_ok=True)
    (output_dir / MANIFEST_FILE).write_bytes(manifest)
    (output_dir / SUMMARY_FILE).write_text(json.dumps(summary, sort_keys=True) + "\n")
    return summary


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--input-dir", type=Path, default=INPUT, help="Folder of the training data")
    parser.add_argument(
        "--output-dir", type=Path, default=OUTPUT, help="Folder of manifest.json, summary.json"
    )
    parser.add_argument(
        "--job-config", type=Path, default=JOB_CONFIG, help="The processing job's configuration"
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    summary = write_manifest(args.input_dir, args.output_dir, args.job_config)
    print(json.dumps(summary, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
