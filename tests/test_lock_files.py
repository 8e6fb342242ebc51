"""One set of exact versions: the lock files agree with pyproject.toml and each other, and everything installs from
them (make and CI through `make install`, the image through the Dockerfile)."""

import re
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[1]
LOCKS = {"requirements.lock": [], "requirements-dev.lock": ["dev"], "requirements-bench.lock": ["dev", "bench"]}


def pins(lock: str) -> dict[str, str]:
    text = (ROOT / lock).read_text()
    found = {canonicalize_name(name): version
             for name, version in re.findall(r"^([A-Za-z0-9_.\-]+)==([^\s\\;]+)", text, flags=re.MULTILINE)}
    assert found, lock
    return found


def test_each_lock_file_pins_every_requirement_of_pyproject_within_its_bounds_with_hashes():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    for lock, extras in LOCKS.items():
        pinned = pins(lock)
        wanted = [*project["dependencies"], *(r for extra in extras for r in project["optional-dependencies"][extra])]
        for line in wanted:
            requirement = Requirement(line)
            name = canonicalize_name(requirement.name)
            assert name in pinned, f"{lock} lacks {name}: run `make lock`"
            assert requirement.specifier.contains(pinned[name], prereleases=True), (
                f"{lock} pins {name}=={pinned[name]}, outside {requirement.specifier}: run `make lock`")
        text = (ROOT / lock).read_text()
        assert text.count("==") <= text.count("--hash=sha256:"), f"{lock}: every pin carries its hashes"


def test_the_lock_files_agree_with_each_other():
    service, dev, bench = (pins(lock) for lock in LOCKS)
    for smaller, larger, names in ((service, dev, "requirements.lock/-dev"), (dev, bench, "-dev/-bench")):
        differ = {name: (version, larger.get(name)) for name, version in smaller.items() if larger.get(name) != version}
        assert not differ, f"{names} differ: {differ}"


def test_make_ci_and_the_image_install_from_the_lock_files():
    makefile = (ROOT / "Makefile").read_text()
    assert "-r requirements-dev.lock" in makefile and "-r requirements-bench.lock" in makefile
    assert "-e ." not in makefile and "pip install ." not in makefile
    assert "make test" in (ROOT / ".ci" / "run").read_text()
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "COPY requirements.lock ./" in dockerfile
    assert "pip install --require-hashes -r requirements.lock" in dockerfile
    assert "pip install ." not in dockerfile
