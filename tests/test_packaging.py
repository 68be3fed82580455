"""Packaging: the wheel ships the catalogs, and `import readiness` stays light."""

from __future__ import annotations

import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BUILTINS = {"himss-emram", "vn-emr", "vn-infosec", "vn-it-tt54", "vn-smart-hospital"}


def test_import_does_not_load_heavy_optional_modules(tmp_path: Path) -> None:
    """`import readiness` must not import scikit-learn, pandas or matplotlib."""
    code = (
        "import sys, readiness\n"
        "heavy = sorted(m for m in ('sklearn', 'pandas', 'matplotlib') if m in sys.modules)\n"
        "print(','.join(heavy))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=tmp_path
    )
    assert done.stdout.strip() == ""


def test_builtins_load_from_the_source_tree() -> None:
    """An editable install (this test run) finds criteria/ beside the package."""
    import readiness

    assert {c.id for c in readiness.list_catalogs()} >= BUILTINS


@pytest.mark.slow
def test_wheel_ships_catalogs_and_loads_them_installed(tmp_path: Path) -> None:
    """Build the wheel, install it in a fresh virtual environment outside the source tree, and
    load every built-in catalog there."""
    dist = tmp_path / "dist"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "build",
            "--wheel",
            "--no-isolation",
            "--outdir",
            str(dist),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
    )
    (wheel,) = dist.glob("readiness-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    for catalog in BUILTINS:
        assert f"readiness/criteria/{catalog}.toml" in names
    assert "readiness/criteria/README.md" in names
    assert "readiness/py.typed" in names
    for lang in ("en", "vi"):  # the report labels are data files inside the package
        assert f"readiness/report/labels/{lang}.toml" in names

    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    subprocess.run(
        [str(python), "-m", "pip", "install", "-q", "--no-deps", "--no-index", str(wheel)],
        check=True,
        capture_output=True,
    )
    # The runtime dependencies come from this test environment, read-only, through a .pth file
    # (no network); readiness itself must come from the fresh environment's wheel install.
    purelib = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    Path(purelib, "_deps_from_test_env.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    code = (
        "import readiness, pathlib\n"
        "print(pathlib.Path(readiness.__file__).resolve())\n"
        "for info in readiness.list_catalogs():\n"
        "    catalog = readiness.load_catalog(info.id)\n"
        "    print(info.id, info.version, len(catalog))\n"
        "from readiness.report import LABELS\n"
        "print('labels', len(LABELS['en']), len(LABELS['vi']))\n"
    )
    done = subprocess.run(
        [str(python), "-c", code], check=True, capture_output=True, text=True, cwd=tmp_path
    )
    lines = done.stdout.splitlines()
    assert Path(lines[0]).is_relative_to(venv.resolve()), lines[0]
    *catalogs, labels = lines[1:]
    assert {line.split()[0] for line in catalogs} == BUILTINS
    assert labels.split()[0] == "labels"
    assert int(labels.split()[1]) == int(labels.split()[2]) > 100
