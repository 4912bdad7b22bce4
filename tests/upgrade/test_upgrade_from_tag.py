"""A database of the previous release, upgraded to this code.

The previous release is the newest one recorded in RELEASES (version and commit; HT_PREVIOUS_TAG names
another tag or commit): its files are taken with `git archive` into a scratch folder and its own
scripts/odoo builds a demo database with every addon it had (an assessment computed on top, as a center
would have). This code then upgrades it (`-u` its addons, `-i` the ones added since, as `make run` does),
running the addons' migrations. Every case, call, log line, attachment and assessment is still there,
column for column (counts and a checksum of key columns per table), and each addon stands at its
manifest's version.

The database (HT_UPGRADE_DB, default hotline_upgrade) and the scratch folder are removed at the end.
Needs the release's commit in the clone (a shallow clone: `git fetch --unshallow`). The record is a file, not
a tag, because a clone does not always carry tags.
"""

import ast
import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DB = os.environ.get("HT_UPGRADE_DB", "hotline_upgrade")
PORT = os.environ.get("HT_UPGRADE_HTTP_PORT", "8177")

# Key columns per table: what a user reads of each record. A migration that renames a column maps it here.
KEPT = {
    "hotline_case": "id, name, state, caller_phone, caller_name, description, unit_id, category_id, street_id, "
                    "deadline, sign_deadline, create_date, create_uid",
    "hotline_call": "id, uniqueid, linkedid, direction, caller_number, queue, interface, outcome, user_id, "
                    "enter_time, answer_time, end_time, talk_seconds",
    "hotline_case_log": "id, case_id, action, from_state, to_state, user_id, unit_id, date, deadline",
    "hotline_assessment": "id, scheme_id, date_from, date_to, computed_at",
    "hotline_assessment_result": "id, assessment_id, unit_id, rank, dispatched, settled, handled_on_time, "
                                 "satisfied, redone",
    "ir_attachment": "id, res_model, res_id, name, checksum, store_fname",
    "mail_message": "id, model, res_id, body, date, author_id",
}
WHERE = {"ir_attachment": "res_model like 'hotline.%'", "mail_message": "model like 'hotline.%'"}

# A center's data the demo lacks: a computed assessment, photos on cases.
CENTER_WORK = """
import base64
for case in env["hotline.case"].search([], limit=5, order="id"):
    env["ir.attachment"].create({"name": f"现场照片-{case.id}.jpg", "res_model": "hotline.case", "res_id": case.id,
                                 "datas": base64.b64encode(f"photo of {case.name}".encode() * 50)})
scheme = env["hotline.assessment.scheme"].search([], limit=1)
assessment = env["hotline.assessment"].create({"scheme_id": scheme.id, "date_from": "2020-01-01",
                                               "date_to": "2030-12-31"})
assessment.action_compute()
env.cr.commit()
print("ASSESSED", len(assessment.result_ids))
"""


def run(*cmd, cwd=ROOT, env=None, timeout=1200, input=None):
    proc = subprocess.run([str(c) for c in cmd], cwd=cwd, capture_output=True, text=True, timeout=timeout,
                          input=input, env={**os.environ, **(env or {})})
    assert proc.returncode == 0, f"{' '.join(map(str, cmd))} failed ({proc.returncode}):\n{proc.stdout[-3000:]}\n" \
                                 f"{proc.stderr[-3000:]}"
    return proc.stdout + proc.stderr


def psql(sql):
    return run("psql", "-d", DB, "-XAtc", sql).strip()


def addons(tree):
    found = {}
    for manifest in sorted((tree / "addons").glob("*/__manifest__.py")):
        data = ast.literal_eval(manifest.read_text())
        if data.get("installable", True):
            found[manifest.parent.name] = data["version"]
    return found


def previous_tag():
    """The newest release in RELEASES whose commit is an ancestor of HEAD (or HT_PREVIOUS_TAG)."""
    tag = os.environ.get("HT_PREVIOUS_TAG")
    if tag:
        return tag
    releases = [line.split() for line in (ROOT / "RELEASES").read_text().splitlines()
                if line.strip() and not line.startswith("#")]
    for _version, commit, *_ in reversed(releases):
        if subprocess.run(["git", "merge-base", "--is-ancestor", commit, "HEAD"], cwd=ROOT).returncode == 0:
            return commit
    pytest.fail(f"no release of RELEASES is in this clone's history: {releases}")


def last_ids():
    return {table: int(psql(f"select coalesce(max(id), 0) from {table}")) for table in KEPT}


def snapshot(upto=None):
    """Per table: (rows, md5 of the key columns of every row in id order); with `upto`, of the rows that existed
    then (an upgrade may add rows: the demo data of an addon new in this release, a new version's demo)."""
    facts = {}
    for table, columns in KEPT.items():
        where = WHERE.get(table, "true")
        if upto:
            where = f"({where}) and id <= {upto[table]}"
        facts[table] = tuple(psql(f"select count(*), md5(coalesce(string_agg(row({columns})::text, '|' order by id), "
                                  f"'')) from {table} where {where}").split("|"))
    return facts


def stray_errors(log):
    return [line for line in log.splitlines() if " ERROR " in line or " CRITICAL " in line]


@pytest.fixture(scope="module")
def previous(tmp_path_factory):
    """The previous release's tree, runnable with this checkout's Python and Odoo."""
    tag = previous_tag()
    tree = tmp_path_factory.mktemp("previous")
    archive = subprocess.run(["git", "archive", "--format=tar", tag], cwd=ROOT, capture_output=True, check=True)
    subprocess.run(["tar", "-x", "-C", str(tree)], input=archive.stdout, check=True)
    for shared in (".venv", ".odoo"):
        (tree / shared).symlink_to(ROOT / shared)
    yield tag, tree
    subprocess.run(["dropdb", "--if-exists", "--force", DB], check=False)


def test_upgrade_keeps_every_record(previous, tmp_path):
    tag, tree = previous
    old, new = addons(tree), addons(ROOT)
    assert old, f"{tag} has no addons"
    data_dir = tmp_path / "data"
    env = {"ODOO_DATA_DIR": str(data_dir)}
    odoo = ("--stop-after-init", "--http-port", PORT, "--workers=0", "--max-cron-threads=0", "--log-level=warn",
            f"--db-filter=^{DB}$")
    subprocess.run(["dropdb", "--if-exists", "--force", DB], check=True)
    built = run(tree / "scripts" / "odoo", "-d", DB, "-i", ",".join(old), "--with-demo", *odoo, cwd=tree, env=env)
    assert not stray_errors(built), stray_errors(built)[:5]
    assessed = run(tree / "scripts" / "odoo", "shell", "-d", DB, "--log-level=warn", "--no-http", cwd=tree, env=env,
                   input=CENTER_WORK)
    assert "ASSESSED" in assessed and int(assessed.split("ASSESSED")[1].split()[0]) > 0, assessed[-2000:]
    before, existing = snapshot(), last_ids()
    # what the demo database of a release holds: a check that reads empty tables would prove nothing
    for table in ("hotline_case", "hotline_call", "hotline_case_log", "hotline_assessment_result", "ir_attachment"):
        assert int(before[table][0]) > 0, f"{table} is empty in the {tag} database"

    added = sorted(set(new) - set(old))
    install = ["-i", ",".join(added)] if added else []
    upgraded = run(ROOT / "scripts" / "odoo", "-d", DB, "-u", ",".join(old), *install, *odoo, env=env)
    assert not stray_errors(upgraded), stray_errors(upgraded)[:5]

    assert snapshot(existing) == before, "records of the previous release changed or lost in the upgrade"
    versions = dict(line.split("|") for line in psql(
        "select name, latest_version from ir_module_module where state = 'installed' and name like 'hotline%'"
    ).splitlines())
    assert versions == new, "every addon of this code installed at its manifest's version"
    # the migrated database still works: this code reads a case through the ORM
    shown = run(ROOT / "scripts" / "odoo", "shell", "-d", DB, "--log-level=warn", "--no-http", env=env, input=(
        'case = env["hotline.case"].search([], limit=1, order="id")\n'
        'print("SHOWN", case.name, len(case.log_ids))\n'))
    assert f"SHOWN {psql('select name from hotline_case order by id limit 1')}" in shown
    shutil.rmtree(data_dir, ignore_errors=True)
