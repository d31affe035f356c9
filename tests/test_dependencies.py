"""The install under test is the one constraints.txt pins, and the pins fit pyproject's bounds.

A release of any dependency can change behaviour (Babel 2.19 gave Spanish a third
plural form): the README's commands install exactly constraints.txt, and these
tests fail when the running environment or pyproject.toml drifts from it.
"""

from __future__ import annotations

import tomllib
from importlib.metadata import PackageNotFoundError, version

from conftest import REPO
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name


def pins() -> dict[str, str]:
    found = {}
    for line in (REPO / "constraints.txt").read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, _, pinned = line.partition("==")
            assert pinned, f"constraints.txt: {line!r} is not pinned with =="
            found[canonicalize_name(name)] = pinned
    return found


def declared() -> list[Requirement]:
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    found = [Requirement(r) for r in project["dependencies"]]
    for extra in project["optional-dependencies"].values():
        found += [Requirement(r) for r in extra]
    return found


def test_every_declared_dependency_is_pinned_within_its_bounds():
    pinned = pins()
    for requirement in declared():
        name = canonicalize_name(requirement.name)
        assert name in pinned, f"{requirement.name} is in pyproject.toml but not pinned in constraints.txt"
        assert requirement.specifier.contains(pinned[name]), \
            f"constraints.txt pins {requirement.name}=={pinned[name]}, outside pyproject's {requirement.specifier}"


def test_the_environment_under_test_is_the_pinned_one():
    mismatched = []
    for name, pinned in pins().items():
        try:
            installed = version(name)
        except PackageNotFoundError:
            mismatched.append(f"{name}: pinned {pinned}, not installed")
            continue
        if installed != pinned:
            mismatched.append(f"{name}: pinned {pinned}, installed {installed}")
    assert not mismatched, "install with `pip install -c constraints.txt -e '.[test]'`:\n" + "\n".join(mismatched)
