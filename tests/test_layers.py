"""The architecture as a test: import-linter's contracts in .importlinter.

Layers from store (bottom) to cli (top), no import upward, no circle between
sibling modules, and plugins that use only ``clinicjournal`` / ``clinicjournal.api``.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from conftest import REPO

LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def test_import_contracts_hold():
    # The example plugin is a separate distribution: put it on the path so its imports are checked too.
    path = os.pathsep.join([str(REPO / "src"), str(REPO / "plugins"), str(REPO / "examples" / "evidence-badge")])
    result = subprocess.run([str(LINT_IMPORTS), "--config", str(REPO / ".importlinter"), "--no-cache"],
                            cwd=REPO, env={**os.environ, "PYTHONPATH": path}, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert "3 kept, 0 broken" in result.stdout


def test_a_plugin_reaching_into_the_core_breaks_the_contract(tmp_path):
    """The plugin contract is not vacuous: a plugin importing clinicjournal.web fails it."""
    package = tmp_path / "clinicjournal_faq"
    package.mkdir()
    (package / "__init__.py").write_text("from clinicjournal.web.articles import last_modified\n")
    path = os.pathsep.join([str(REPO / "src"), str(tmp_path), str(REPO / "plugins"),
                            str(REPO / "examples" / "evidence-badge")])
    result = subprocess.run([str(LINT_IMPORTS), "--config", str(REPO / ".importlinter"), "--no-cache"],
                            cwd=REPO, env={**os.environ, "PYTHONPATH": path}, capture_output=True, text=True)
    assert result.returncode != 0
    assert "clinicjournal_faq is not allowed to import clinicjournal.web" in result.stdout


def test_old_import_paths_work_for_one_release_with_a_warning():
    code = ("import warnings; warnings.simplefilter('error')\n"
            "try:\n    import clinicjournal.plugin_assets\nexcept DeprecationWarning as w: print(w)\n"
            "warnings.simplefilter('ignore')\n"
            "import clinicjournal.plugin_assets as old, clinicjournal.web.assets as new; print(old is new)\n"
            "from clinicjournal import manage; import clinicjournal.store.manage as m; print(manage is m)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert "clinicjournal.plugin_assets moved to clinicjournal.web.assets" in out
    assert out.splitlines()[1:] == ["True", "True"]
