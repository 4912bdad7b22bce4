#!/usr/bin/env python3
"""Run every test of the project and print one summary line.

Three stages, each on fresh state:
  odoo    the addons' own tests (at_install and post_install, browser tours
          included) on a newly created database with demo data;
  pytest  the end-to-end suite under tests/ (PBX rig, black-box checks);
  lint    ruff over the Python sources, pylint-odoo's checks over the addons.
The stages run side by side (the Odoo stage keeps about one core busy, the
end-to-end suite mostly waits on real time: calls through Asterisk, servers
and clusters starting); `--serial` runs them one after the other. A stage
run beside another writes its output to .artefacts/<stage>.log and prints it
when it ends.
After the stages, one more check: nothing the run started is left running
(servers, Asterisk, SIPp, nginx, browsers, the suite's PostgreSQL clusters;
tests/leftovers.py).

The run fails on any failed, erroring or skipped test, on an ERROR logged by
Odoo outside a test, and on a stage that could not run at all (for example
Chromium missing for the tours). The last line reads `N passed, N failed,
N skipped`, the form CI reads.
"""

import argparse
import ast
import os
import re
import shutil
import subprocess
import sys
import threading
import time
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from tests.leftovers import leftovers, mark_run  # noqa: E402

ARTEFACTS = ROOT / ".artefacts"
PYTHON = ROOT / ".venv" / "bin" / "python"

RECORD = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ \d+ (?P<level>[A-Z]+) \S+ (?P<logger>[\w.]+): (?P<msg>.*)")
STARTING = re.compile(r"^Starting (?P<test>\S+) \.\.\.")
FAILED = re.compile(r"^(?:FAIL|ERROR): (?P<test>\S+)")
SKIPPED = re.compile(r"^skipped (?P<test>\S+)")


class Tally:
    def __init__(self):
        self.passed = self.failed = self.skipped = 0
        self.problems = []

    def fail(self, what):
        self.failed += 1
        self.problems.append(what)


def our_addons(selected=None):
    names = []
    for manifest in sorted((ROOT / "addons").glob("*/__manifest__.py")):
        data = ast.literal_eval(manifest.read_text())
        if data.get("installable", True):
            names.append(manifest.parent.name)
    if selected:
        unknown = set(selected) - set(names)
        if unknown:
            sys.exit(f"run_tests: unknown addon(s): {', '.join(sorted(unknown))}")
        return selected
    return names


def find_chrome():
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        if shutil.which(name):
            return shutil.which(name)
    return None


def run_odoo(tally, addons, db, port):
    """Install the addons with demo data on a new database, running their tests."""
    if not find_chrome():
        tally.fail("odoo: Chromium is not installed, the browser tours cannot run (run scripts/setup.sh)")
        return
    subprocess.run(["dropdb", "--if-exists", "--force", db], check=True, capture_output=True)
    log_path = ARTEFACTS / "odoo-tests.log"
    tags = ",".join(f"/{name}" for name in addons)
    # Every addon is installed so cross-addon behaviour is exercised; only the
    # tests of the addons asked for run.
    install = ",".join(our_addons())
    cmd = [str(ROOT / "scripts" / "odoo"), "-d", db, "-i", install, "--with-demo", "--test-enable",
           "--test-tags", tags, f"--db-filter=^{db}$", "--stop-after-init", "--http-port", str(port),
           "--log-level=test", "--workers=0", "--max-cron-threads=0",
           # the test log keeps the Python warnings config/odoo.conf keeps off the console
           "--log-handler=py.warnings:WARNING"]
    print(f"== odoo: installing {install} on {db}, testing {tags}", flush=True)
    started, failed, skipped, stray = set(), {}, set(), []
    current = None
    with open(log_path, "w") as log:
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        for line in proc.stdout:
            log.write(line)
            m = RECORD.match(line)
            if not m:
                if current is not None:
                    current.append(line)
                continue
            current = None
            level, logger, msg = m["level"], m["logger"], m["msg"]
            if m2 := STARTING.match(msg):
                started.add(m2["test"])
            elif level in ("ERROR", "CRITICAL") and (m2 := FAILED.match(msg)):
                current = failed.setdefault(m2["test"], [line])
                print(f"   FAIL {m2['test']}", flush=True)
            elif m2 := SKIPPED.match(msg):
                skipped.add(m2["test"])
                print(f"   SKIPPED {line.strip()}", flush=True)
            elif logger == "odoo.tests.result":
                pass  # Odoo's own failure summary: the failures are counted one by one above
            elif level in ("ERROR", "CRITICAL"):
                current = [line]
                stray.append(current)
                print(f"   {level} {logger}: {msg[:200]}", flush=True)
            elif logger == "odoo.tests.stats":
                print(f"   {msg}", flush=True)
        rc = proc.wait()
    tally.failed += len(failed)
    tally.skipped += len(skipped)
    tally.passed += len(started - set(failed) - skipped)
    for test, lines in failed.items():
        tally.problems.append(f"odoo: {test}\n{''.join(lines[-40:])}")
    if stray:
        tally.fail(f"odoo: {len(stray)} error(s) logged outside tests, first:\n{''.join(stray[0][-40:])}")
    if rc != 0 and not failed and not stray:
        tally.fail(f"odoo: exited with status {rc} (see {log_path})")
    if not started:
        tally.fail("odoo: no test ran")
    print(f"   odoo: {len(started)} tests, {len(failed)} failed, {len(skipped)} skipped (log: {log_path})")


def run_pytest(tally, paths, db=None, out=None):
    """The end-to-end suite; its servers use the Odoo stage's database once that stage is over, or their own
    new one (`db`, made by tests/conftest.py's demo_db) when they run beside it."""
    junit = ARTEFACTS / "pytest.xml"
    junit.unlink(missing_ok=True)
    env = os.environ.copy()
    if db:
        subprocess.run(["dropdb", "--if-exists", "--force", db], check=True, capture_output=True)
        env["TEST_DB"] = db
    print(f"== pytest: {' '.join(paths)}", flush=True)
    cmd = [str(PYTHON), "-m", "pytest", "-p", "no:cacheprovider", "-q", "-rfEs", f"--junitxml={junit}", *paths]
    rc = subprocess.run(cmd, cwd=ROOT, env=env, stdout=out, stderr=out and subprocess.STDOUT).returncode
    if not junit.exists():
        tally.fail(f"pytest: did not run (status {rc})")
        return
    suites = ET.parse(junit).getroot()
    suites = [suites] if suites.tag == "testsuite" else list(suites)
    for suite in suites:
        total, failures, errors, skipped = (int(suite.get(k, 0)) for k in ("tests", "failures", "errors", "skipped"))
        tally.passed += total - failures - errors - skipped
        tally.failed += failures + errors
        tally.skipped += skipped
    if rc not in (0, 1, 5):  # 1: some test failed (counted above); 5: none collected
        tally.fail(f"pytest: exited with status {rc}")


LINTERS = {
    "ruff": ["ruff", "check", "--output-format=concise", "."],
    "pylint-odoo": ["pylint", "--rcfile=.pylintrc", "addons"],
}


def run_lint(tally, out=None):
    for name, (tool, *args) in LINTERS.items():
        print(f"== lint: {name}", file=out or sys.stdout, flush=True)
        rc = subprocess.run([str(ROOT / ".venv" / "bin" / tool), *args], cwd=ROOT, stdout=out,
                            stderr=out and subprocess.STDOUT).returncode
        if rc:
            tally.fail(f"lint: {name} found problems")
        else:
            tally.passed += 1


def check_leftovers(tally, grace=15):
    """The run leaves the machine as it found it; a process still exiting gets a few seconds."""
    print("== cleanup: nothing of the run left running", flush=True)
    deadline = time.monotonic() + grace
    while (found := leftovers()) and time.monotonic() < deadline:
        time.sleep(1)
    if found:
        tally.fail("cleanup: the run left running:\n  " + "\n  ".join(found))
    else:
        tally.passed += 1


def run_side_by_side(tally, stages):
    """Run `stages` ({name: (function, args)}) each in a thread; the first in the foreground (its output live),
    the others into .artefacts/<name>.log, printed when they end. A stage that crashes fails the run."""
    lock = threading.Lock()

    def run(name, function, args, foreground):
        own = Tally()
        log = None if foreground else open(ARTEFACTS / f"{name}.log", "w")  # noqa: SIM115 - closed below
        try:
            function(own, *args, **({} if foreground else {"out": log}))
        except Exception as exc:  # noqa: BLE001 - reported as the stage's failure
            own.fail(f"{name}: the stage crashed: {exc!r}")
        finally:
            if log:
                log.close()
        with lock:
            if log:
                print(f"== {name} (ran beside the others): {ARTEFACTS / f'{name}.log'}", flush=True)
                print((ARTEFACTS / f"{name}.log").read_text(), flush=True)
            tally.passed += own.passed
            tally.failed += own.failed
            tally.skipped += own.skipped
            tally.problems += own.problems

    threads = [threading.Thread(target=run, args=(name, function, args, index == 0))
               for index, (name, (function, args)) in enumerate(stages.items())]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--stage", action="append", choices=["odoo", "pytest", "lint"],
                        help="run only these stages (default: all)")
    parser.add_argument("--addon", action="append", help="test only these addons (all are installed)")
    parser.add_argument("--serial", action="store_true", help="run the stages one after the other")
    parser.add_argument("pytest_paths", nargs="*", default=["tests"], help="pytest paths (default: tests)")
    args = parser.parse_args()
    stages = args.stage or ["odoo", "pytest", "lint"]
    ARTEFACTS.mkdir(exist_ok=True)
    mark_run()
    tally = Tally()
    serial = args.serial or len(stages) == 1
    chosen = {
        "odoo": (run_odoo, (our_addons(args.addon), os.environ.get("TEST_DB", "hotline_test"),
                            int(os.environ.get("TEST_HTTP_PORT", "8169")))),
        # beside the Odoo stage, which drops and builds its database meanwhile, the suite has one of its own
        "pytest": (run_pytest, (args.pytest_paths, None if serial or "odoo" not in stages
                                else os.environ.get("E2E_DB", "hotline_e2e"))),
        "lint": (run_lint, ()),
    }
    chosen = {name: stage for name, stage in chosen.items() if name in stages}
    if serial:
        for function, function_args in chosen.values():
            function(tally, *function_args)
    else:
        run_side_by_side(tally, chosen)
    if {"odoo", "pytest"} & set(stages):
        check_leftovers(tally)
    for problem in tally.problems:
        print(f"\n--- {problem}", file=sys.stderr)
    print(f"\n{tally.passed} passed, {tally.failed} failed, {tally.skipped} skipped")
    return 1 if (tally.failed or tally.skipped or not tally.passed) else 0


if __name__ == "__main__":
    sys.exit(main())
