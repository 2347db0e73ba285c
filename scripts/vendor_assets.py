"""Refresh or check the vendored third-party files listed in scripts/vendor_assets.json.

    python scripts/vendor_assets.py          # download from the npm registry, verify, extract
    python scripts/vendor_assets.py --check  # the files on disk match the recorded checksums

Each package tarball is fetched from registry.npmjs.org at its pinned version and verified
against the registry's `integrity` (SHA-512) before anything is extracted; the SHA-256 of every
extracted file is written back into the manifest, which the test suite checks.
"""

import argparse
import base64
import hashlib
import io
import json
import sys
import tarfile
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
MANIFEST = ROOT / "scripts" / "vendor_assets.json"
REGISTRY = "https://registry.npmjs.org"


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def fetch_tarball(client: httpx.Client, name: str, version: str) -> bytes:
    meta = client.get(f"{REGISTRY}/{name}/{version}").raise_for_status().json()
    tarball = client.get(meta["dist"]["tarball"]).raise_for_status().content
    algorithm, _, expected = meta["dist"]["integrity"].partition("-")
    digest = base64.b64encode(hashlib.new(algorithm, tarball).digest()).decode()
    if digest != expected:
        raise SystemExit(f"{name}@{version}: the tarball does not match the registry's integrity")
    return tarball


def refresh(manifest: dict) -> None:  # type: ignore[type-arg]
    checksums: dict[str, str] = {}
    with httpx.Client(timeout=60, follow_redirects=True) as client:
        for package in manifest["packages"]:
            tarball = fetch_tarball(client, package["name"], package["version"])
            with tarfile.open(fileobj=io.BytesIO(tarball), mode="r:gz") as archive:
                for member, target in package["files"].items():
                    extracted = archive.extractfile(member)
                    if extracted is None:
                        raise SystemExit(f"{package['name']}: {member} is not a file")
                    destination = ROOT / target
                    destination.parent.mkdir(parents=True, exist_ok=True)
                    destination.write_bytes(extracted.read())
                    checksums[target] = sha256(destination)
            print(f"{package['name']}@{package['version']}: {len(package['files'])} file(s)")
    manifest["sha256"] = checksums
    MANIFEST.write_text(json.dumps(manifest, indent=2) + "\n")


def check(manifest: dict) -> list[str]:  # type: ignore[type-arg]
    problems = []
    for target, expected in manifest["sha256"].items():
        path = ROOT / target
        if not path.exists():
            problems.append(f"{target}: missing")
        elif sha256(path) != expected:
            problems.append(f"{target}: checksum differs from the manifest")
    return problems


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="verify, download nothing")
    manifest = json.loads(MANIFEST.read_text())
    if parser.parse_args().check:
        problems = check(manifest)
        print("\n".join(problems) or "vendored files match the manifest")
        sys.exit(1 if problems else 0)
    refresh(manifest)


if __name__ == "__main__":
    main()
