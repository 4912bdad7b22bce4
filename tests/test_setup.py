"""Set-up is idempotent: once done, running it again installs and downloads nothing."""

import subprocess

from .conftest import ROOT


def test_second_setup_run_does_nothing():
    stamp = ROOT / ".odoo" / ".unpacked-19"
    before = stamp.stat().st_mtime if stamp.exists() else None
    run = subprocess.run([str(ROOT / "scripts" / "setup.sh")], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert "installing" not in run.stdout and "creating" not in run.stdout, run.stdout
    assert "Get:" not in run.stdout + run.stderr
    if before is not None:
        assert stamp.stat().st_mtime == before, "Odoo was unpacked again"


def test_odoo_wrapper_runs_odoo_19():
    run = subprocess.run([str(ROOT / "scripts" / "odoo"), "--version"], capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip().startswith("Odoo Server 19.0")


def test_odoo_wrapper_runs_addon_commands_and_two_word_commands(tmp_path):
    odoo = str(ROOT / "scripts" / "odoo")
    # An addon's command is found (it then fails on the missing database, not as unknown).
    run = subprocess.run([odoo, "hotline_ami", "-d", "no_such_db_for_wrapper_test"],
                         capture_output=True, text=True, timeout=120)
    assert "Unknown command" not in run.stdout + run.stderr
    assert "no_such_db_for_wrapper_test" in run.stdout + run.stderr
    run = subprocess.run([odoo, "i18n", "export", "--help"], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0 and "--languages" in run.stdout, run.stderr
