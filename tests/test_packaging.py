"""The built wheel holds every subpackage and data file: installed on its own, it runs compare."""

from __future__ import annotations

import csv
import io
import os
import shutil
import subprocess
import sys
import sysconfig
import venv
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def test_wheel_installed_in_a_fresh_venv_runs_compare_from_another_folder(tmp_path):
    # Built from a copy, so the build leaves nothing in the repository (and no stale build/).
    source = tmp_path / "source"
    for name in ("analysis", "cli", "sources"):
        shutil.copytree(REPO / name, source / name,
                        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(REPO / name, source / name)
    wheels = tmp_path / "wheels"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w",
                    str(wheels), str(source)], check=True, cwd=tmp_path)
    (wheel,) = wheels.glob("framelens-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "framelens/analysis/config/defaults.toml" in names
    assert "framelens/sources/framelens.toml" in names
    for top in ("analysis", "cli"):  # every source file of the tree is in the wheel
        for path in (REPO / top).rglob("*.py"):
            assert f"framelens/{path.relative_to(REPO).as_posix()}" in names, path

    # A fresh environment: framelens only from the wheel; its dependencies from this
    # environment's site-packages (a .pth line), so the test needs no network.
    target = tmp_path / "venv"
    venv.EnvBuilder(with_pip=False).create(target)
    site = Path(subprocess.run(
        [str(target / "bin" / "python"), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True, capture_output=True, text=True).stdout.strip())
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "--quiet", "--target",
                    str(site), str(wheel)], check=True)
    (site / "dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    environment = {**os.environ, "FRAMELENS_CACHE_DIR": str(tmp_path / "cache")}
    environment.pop("PYTHONPATH", None)
    run = subprocess.run(
        [str(target / "bin" / "python"), "-c",
         "import framelens.analysis, sys; print(framelens.analysis.__file__, file=sys.stderr); "
         "from framelens.cli.entry import main; sys.argv = ['framelens', 'compare', '--format', "
         "'csv']; main()"],
        cwd=elsewhere, env=environment, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr
    assert str(site) in run.stderr.splitlines()[0]  # the installed copy, not the repository
    rows = list(csv.DictReader(io.StringIO(run.stdout)))
    assert {row["section"] for row in rows} >= {"corpus", "topics", "keywords", "stance"}
    assert {row["perspective"] for row in rows if row["section"] == "corpus"} == \
        {"ukraine", "russia", "china"}
