"""The project's promises: one dependency list in two files, documented make targets, CI entry."""

from __future__ import annotations

import re
import subprocess
import tomllib

import pytest
import yaml

from kimi_research import paths

ROOT = paths.ROOT


def _name(spec: str) -> str:
    return re.split(r"[<>=!~ \[]", spec, maxsplit=1)[0].lower().replace("_", "-")


def test_environment_yml_lists_the_same_dependencies():
    py = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    want = sorted(py["dependencies"] + py["optional-dependencies"]["dev"])
    env = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    conda = sorted(d for d in env["dependencies"] if isinstance(d, str) and _name(d) not in {"python", "pip"})
    assert conda == want


def test_known_breaks_are_pinned():
    deps = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["dependencies"]
    assert any(d.startswith("matplotlib") and "<3.13" in d for d in deps)


@pytest.mark.make
def test_make_help_lists_every_target():
    """`make` alone (help) lists every target a person can call, with what it does."""
    out = subprocess.run(["make", "-s", "--no-print-directory"], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    text = re.sub(r"\x1b\[[0-9;]*m", "", out.stdout)  # help colours the names
    listed = {line.split()[0] for line in text.splitlines() if line.strip()}
    phony = set(re.search(r"^\.PHONY:(.*)$", (ROOT / "Makefile").read_text(encoding="utf-8"), flags=re.M)[1].split())
    assert phony - {"FORCE", "queue"} <= listed, f"targets without a help line: {sorted(phony - listed - {'FORCE', 'queue'})}"


def test_ci_runs_make_test():
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert re.search(r"^make test\b", ci, flags=re.M)


def test_readme_gives_the_two_commands():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "make run" in readme and "make test" in readme
    why = (ROOT / "docs" / "dependencies.md").read_text(encoding="utf-8")
    for dep in tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["dependencies"]:
        assert f"`{_name(dep)}`" in readme, f"README does not name {_name(dep)}"
        said = f"| `{_name(dep)}`" in why or f", `{_name(dep)}`" in why
        assert said, f"docs/dependencies.md does not say why {_name(dep)} is there"


def test_readme_is_a_front_door():
    """README ≤ 15,000 characters: what the collection finds, where to read it, the two commands, how to explore and
    where to go next; the operator manual, the data conventions, the dependencies and the layout are in docs/."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert len(readme) <= 15_000, f"README.md has {len(readme):,} characters (at most 15,000: move manuals to docs/)"
    for link in re.findall(r"\]\(((?:docs/)?[\w./-]+\.md)\)", readme):
        assert (ROOT / link).exists(), f"README links to {link}, which does not exist"


def test_build_is_ignored():
    assert "build/" in (ROOT / ".gitignore").read_text(encoding="utf-8").split()
