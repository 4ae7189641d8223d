"""Installed size of the mlops-platform package: the base install and each extra.

    python bench/package_sizes.py          # or: make package-sizes

Each install's packages are the lock file's dependency closure (`uv export`, exactly what `uv add
mlops-platform[extra]` installs at these versions); each package's size is the sum of the files
its installed distribution in this repository's environment records (RECORD), so the figures need
no network and no new environment. Byte-compiled files are not counted (an install may or may not
compile them).
"""

from __future__ import annotations

import subprocess
import sys
from importlib import metadata
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
INSTALLS = {
    "base": (),
    "[training]": ("training",),
    "[model-quality]": ("model-quality",),
    "[kubernetes]": ("kubernetes",),
    "[policies]": ("policies",),
    "[all]": ("all",),
}
NOTABLE = ("sagemaker", "mlflow", "pyarrow", "scipy", "pulumi-aws-native", "pulumi-kubernetes")


def closure(extras: tuple[str, ...]) -> set[str]:
    uv = subprocess.run(
        [str(REPO / "bin" / "bootstrap-uv")], check=True, capture_output=True, text=True
    ).stdout.strip()
    command = [
        uv,
        "export",
        "--frozen",
        "--no-default-groups",
        "--no-emit-project",
        "--no-hashes",
        "--no-header",
    ]
    command += [flag for extra in extras for flag in ("--extra", extra)]
    exported = subprocess.run(command, cwd=REPO, check=True, capture_output=True, text=True).stdout
    return {line.split("==")[0].strip().lower() for line in exported.splitlines() if "==" in line}


def installed_bytes(package: str) -> int:
    try:
        files = metadata.distribution(package).files or []
    except metadata.PackageNotFoundError:
        return 0
    return sum(file.size or 0 for file in files if not str(file).endswith(".pyc"))


def main() -> int:
    print(f"{'install':<30}{'packages':>9}{'MiB':>9}  notable")
    for label, extras in INSTALLS.items():
        packages = closure(extras)
        size = sum(installed_bytes(package) for package in packages) / 2**20
        notable = ", ".join(sorted(name for name in NOTABLE if name in packages)) or "-"
        print(
            f"{'mlops-platform' + (label if label != 'base' else ''):<30}{len(packages):>9}{size:>9.0f}  {notable}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
