"""hotline_import as an operator runs it: killed halfway (SIGKILL), started again, run a third time.

Runs on a database of its own holding hotline_migration without demo data, so every case and call in
it comes from the legacy system. HT_MIG_DB / HT_MIG_HTTP_PORT choose it."""

import codecs
import csv
import json
import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest

from ..conftest import ROOT

DB = os.environ.get("HT_MIG_DB", "hotline_test_migration")
PORT = os.environ.get("HT_MIG_HTTP_PORT", "8177")
CASES = 2000


def psql(sql):
    out = subprocess.run(["psql", "-d", DB, "-tAc", sql], capture_output=True, text=True, check=True)
    return out.stdout.strip()


def count(sql):
    return int(psql(sql) or 0)


@pytest.fixture(scope="module")
def legacy(tmp_path_factory):
    folder = tmp_path_factory.mktemp("legacy")
    subprocess.run([str(ROOT / ".venv" / "bin" / "python"), str(ROOT / "scripts" / "legacy_generate.py"),
                    "--cases", str(CASES), "--csv", str(folder)], check=True, capture_output=True)
    subprocess.run(["dropdb", "--if-exists", "--force", DB], check=True)
    subprocess.run([str(ROOT / "scripts" / "odoo"), "-d", DB, "-i", "hotline_migration", "--stop-after-init",
                    "--log-level=warn", "--http-port", PORT], check=True)
    # a database without demo data: no default area code, the center in UTC: stopped before the first row
    stopped = subprocess.run(command(folder, folder.parent / "stopped"), capture_output=True, text=True)
    assert stopped.returncode != 0
    assert "default area code is not set" in stopped.stderr, stopped.stderr[-3000:]
    assert "The center's time zone is UTC" in stopped.stderr, stopped.stderr[-3000:]
    assert count("SELECT count(*) FROM hotline_case") == 0
    # the prerequisites a site sets before its first import
    psql("UPDATE res_company SET hotline_default_area_code = '0931'")
    psql("UPDATE resource_calendar SET tz = 'Asia/Shanghai' WHERE id IN (SELECT resource_calendar_id FROM res_company)")
    yield folder
    subprocess.run(["dropdb", "--if-exists", "--force", DB], check=False)


def command(folder, report, batch=100):
    return [str(ROOT / "scripts" / "odoo"), "hotline_import", "-d", DB, "--from", str(folder),
            "--source", "resume", "--report", str(report), "--batch-size", str(batch), "--no-progress",
            "--log-level=warn", "--http-port", PORT]


SCHEMA = """
    SELECT string_agg(name || ' ' || definition, E'\\n' ORDER BY name) FROM (
        -- a partial index's condition comes back printed with other casts: compared by its presence
        SELECT indexrelid::regclass::text AS name,
               regexp_replace(pg_get_indexdef(indexrelid), ' WHERE .*', ' WHERE ...') AS definition FROM pg_index
         WHERE indrelid::regclass::text IN ('res_partner', 'hotline_case', 'hotline_case_log', 'hotline_call',
                                            'hotline_call_case_rel', 'hotline_migration_xref')
        UNION ALL
        SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint
         WHERE conrelid::regclass::text IN ('res_partner', 'hotline_case', 'hotline_case_log', 'hotline_call',
                                            'hotline_call_case_rel', 'hotline_migration_xref')
           AND contype = 'f'
    ) s"""
DEFERRED = "SELECT count(*) FROM hotline_migration_deferred_ddl"
HISTORY_DATES = """
    SELECT count(*) FROM hotline_case c
     WHERE c.date_dispatched IS NOT NULL AND c.date_accepted IS NOT NULL AND c.date_submitted IS NOT NULL"""
MISSING_DATES = """
    SELECT count(*) FROM hotline_case c JOIN hotline_case_log l ON l.case_id = c.id
     WHERE (l.to_state = 'dispatched' AND c.date_dispatched IS NULL)
        OR (l.to_state = 'processing' AND c.date_accepted IS NULL)
        OR (l.to_state = 'submitted' AND c.date_submitted IS NULL)"""
DISPATCHED_UNITS = """
    SELECT string_agg(case_id || ':' || unit_id, ',' ORDER BY case_id, unit_id) FROM (
        SELECT DISTINCT case_id, unit_id FROM hotline_case_log WHERE to_state = 'dispatched' AND unit_id IS NOT NULL
    ) d"""


def test_killed_run_resumes_and_creates_nothing_twice(legacy, tmp_path):
    xref_cases = "SELECT count(*) FROM hotline_migration_xref WHERE entity = 'cases'"
    schema = psql(SCHEMA)
    assert "hotline_case_log_case_id_fkey" in schema and "hotline_call__enter_time_index" in schema
    process = subprocess.Popen(command(legacy, tmp_path / "first"), start_new_session=True,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 300
    try:
        while time.monotonic() < deadline and process.poll() is None:
            try:
                if count(xref_cases) >= 400:
                    break
            except subprocess.CalledProcessError:
                pass  # the source's tables are not there yet
            time.sleep(0.2)
        assert process.poll() is None, "the import ended before it could be killed: make the legacy system bigger"
    finally:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    imported = count(xref_cases)
    assert 400 <= imported < CASES, imported
    # what the killed run committed is complete: each xref has its case and each case its xref
    assert count("SELECT count(*) FROM hotline_case") == imported
    # a first load sets the big tables' secondary indexes and foreign keys aside: the kill left them on
    # record, and the next server start puts them back
    assert count(DEFERRED) > 20
    assert psql(SCHEMA) != schema
    subprocess.run([str(ROOT / "scripts" / "odoo"), "-d", DB, "--stop-after-init", "--log-level=warn",
                    "--http-port", PORT], check=True, capture_output=True)
    assert count(DEFERRED) == 0
    assert psql(SCHEMA) == schema

    second = subprocess.run(command(legacy, tmp_path / "second"), capture_output=True, text=True)
    assert second.returncode == 0, second.stdout[-2000:] + second.stderr[-3000:]
    report = json.loads((tmp_path / "second" / "report.json").read_text())
    counts = report["counts"]
    # the report leaves out zero counts: a run killed after the last good case (while importing calls)
    # leaves no case to create
    cases = counts["cases"]
    assert cases["skipped"] == imported
    assert imported + cases.get("created", 0) + cases.get("rejected", 0) == CASES
    assert report["unexplained_differences"] == 0
    # the dates a case takes from its history (derived beside the attachments, over a connection of their
    # own) are in: every case with a dispatch, acceptance or submission line has its date, and the units'
    # relation names every unit a dispatch line names
    assert count(HISTORY_DATES) > 0
    assert count(MISSING_DATES) == 0
    assert psql(DISPATCHED_UNITS) == psql("SELECT string_agg(case_id || ':' || unit_id, ',' ORDER BY case_id, unit_id)"
                                          " FROM hotline_case_portal_unit_rel")
    # nothing twice: one case per legacy id, one call per legacy call, one log line per legacy line
    for entity, table in (("cases", "hotline_case"), ("logs", "hotline_case_log"), ("calls", "hotline_call"),
                          ("attachments", "ir_attachment WHERE res_model = 'hotline.case'")):
        xrefs = count(f"SELECT count(DISTINCT legacy_id) FROM hotline_migration_xref WHERE entity = '{entity}'")
        assert count(f"SELECT count(*) FROM {table}") == xrefs, entity  # noqa: S608
    assert count("SELECT count(*) FROM (SELECT name FROM hotline_case GROUP BY name HAVING count(*) > 1) d") == 0
    assert count("SELECT count(*) FROM mail_message WHERE model = 'hotline.case'") == 0
    assert count("SELECT count(*) FROM mail_mail") == 0
    assert count(DEFERRED) == 0
    assert psql(SCHEMA) == schema

    before = {t: count(f"SELECT count(*) FROM {t}")  # noqa: S608
              for t in ("hotline_case", "hotline_case_log", "hotline_call", "res_partner", "res_users")}
    third = subprocess.run(command(legacy, tmp_path / "third", batch=5000), capture_output=True, text=True)
    assert third.returncode == 0, third.stderr[-3000:]
    counts = json.loads((tmp_path / "third" / "report.json").read_text())["counts"]
    assert all(not c.get("created") for c in counts.values()), counts
    assert {t: count(f"SELECT count(*) FROM {t}") for t in before} == before  # noqa: S608
    errors = (tmp_path / "third" / "errors.csv").read_text(encoding="utf-8-sig").splitlines()
    assert errors[0] == "file,line,column,reason,legacy_id,value,message"
    assert any(",truncated line," in line for line in errors)


def running_in_group(pgid):
    """Processes of the group that still run (a dead child waiting for init to reap it does not)."""
    alive = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # gone meanwhile
        if int(fields[2]) == pgid and fields[0] not in ("Z", "X"):
            alive.append(stat.parent.name)
    return alive


def test_reader_processes_die_with_a_killed_import(legacy, tmp_path):
    """Log lines and calls are written by one process per core: killed with the importer (the parent
    alone, as an operator's kill or the OOM killer does), none of them goes on writing, and the next run
    completes the job without doubles. Another source code: every legacy row is new again."""
    logs = ("SELECT count(*) FROM hotline_migration_xref x JOIN hotline_migration_source s ON s.id = x.source_id "
            "WHERE s.code = 'killed' AND x.entity = 'logs'")
    run = command(legacy, tmp_path / "killed", batch=20)
    run[run.index("--source") + 1] = "killed"
    process = subprocess.Popen([*run, "--jobs", "2"], start_new_session=True, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 300
    try:
        while time.monotonic() < deadline and process.poll() is None:
            try:
                if count(logs) >= 500:
                    break
            except subprocess.CalledProcessError:
                pass  # the source is not there yet
            time.sleep(0.1)
        assert process.poll() is None, "the import ended before it could be killed"
        # the whole group frozen first, so that the readers cannot finish their work meanwhile: after the
        # parent's death they must be gone, not merely stopped (a stopped process shows as 'T')
        os.killpg(process.pid, signal.SIGSTOP)
        os.kill(process.pid, signal.SIGKILL)
        process.wait()
        time.sleep(0.5)
        assert not running_in_group(process.pid), "reader processes outlived the importer"
    finally:
        for sig in (signal.SIGKILL, signal.SIGCONT):
            try:
                os.killpg(process.pid, sig)
            except ProcessLookupError:
                pass
    written = count(logs)

    second = subprocess.run([*run, "--jobs", "2"], capture_output=True, text=True)
    assert second.returncode == 0, second.stdout[-2000:] + second.stderr[-3000:]
    report = json.loads((tmp_path / "killed" / "report.json").read_text())
    lines = report["counts"]["logs"]
    assert lines["skipped"] == written
    assert 500 <= written < lines["read"]
    # 登记 lines are no step of the workflow: left out at each run
    assert lines["skipped"] + lines["created"] + lines["rejected"] + lines["not a workflow step"] == lines["read"]
    for entity in ("logs", "calls"):
        xref = (f"FROM hotline_migration_xref x JOIN hotline_migration_source s ON s.id = x.source_id "  # noqa: S608
                f"WHERE s.code = 'killed' AND x.entity = '{entity}'")
        assert count(f"SELECT count(*) {xref}") == count(f"SELECT count(DISTINCT legacy_id) {xref}"), entity
        assert count(f"SELECT count(DISTINCT res_id) {xref}") == count(f"SELECT count(*) {xref}"), entity
    assert report["unexplained_differences"] == 0


def test_readers_from_a_legacy_database(legacy, tmp_path):
    """From MariaDB, each reader process queries the legacy database over a connection of its own: the
    same rows come in once each, as from the CSV export of the same system."""
    url = os.environ.get("HT_LEGACY_MYSQL_URL", "mysql://root@127.0.0.1:3306") + "/legacy_e2e_readers"
    subprocess.run([str(ROOT / ".venv" / "bin" / "python"), str(ROOT / "scripts" / "legacy_generate.py"),
                    "--cases", "300", "--mysql", url], check=True, capture_output=True)
    run = command(url, tmp_path / "maria")
    run[run.index("--source") + 1] = "maria"
    done = subprocess.run([*run, "--jobs", "2"], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-3000:]
    report = json.loads((tmp_path / "maria" / "report.json").read_text())
    assert report["unexplained_differences"] == 0
    for entity, table in (("logs", "t_liuzhuan"), ("calls", "t_huawu")):
        counts = report["counts"][entity]
        rows = subprocess.run(["mariadb", "-h", "127.0.0.1", "-u", "root", "-N", "-e",
                               f"SELECT count(*) FROM legacy_e2e_readers.{table}"],  # noqa: S608
                              capture_output=True, text=True, check=True)
        assert counts["read"] == int(rows.stdout), entity
        assert counts["created"] + counts.get("rejected", 0) + counts.get("not a workflow step", 0) \
            == counts["read"], entity
        xref = (f"FROM hotline_migration_xref x JOIN hotline_migration_source s ON s.id = x.source_id "  # noqa: S608
                f"WHERE s.code = 'maria' AND x.entity = '{entity}'")
        assert count(f"SELECT count(DISTINCT legacy_id) {xref}") == counts["created"], entity
    subprocess.run(["mariadb", "-h", "127.0.0.1", "-u", "root", "-e", "DROP DATABASE legacy_e2e_readers"],
                   check=False)


# ordered by the whole line: the same legacy numbers come in under several sources in this database
CASES_AS_IMPORTED = """
    SELECT (SELECT count(*) FROM res_partner), count(*), md5(string_agg(line, ',' ORDER BY line))
      FROM (SELECT concat_ws('|', c.name, c.state, c.caller_name, c.unit_id, c.date_received,
                             p.hotline_phone_norm, p.name, p.street) AS line
              FROM hotline_case c LEFT JOIN res_partner p ON p.id = c.partner_id) cases"""


def test_cases_shared_out_as_one_process_reads_them(legacy, tmp_path):
    """Cases read by two processes (shared out by caller) come in as one process reading in order brings
    them: the same cases, the same contacts created on the way (here every contact comes from the cases:
    the callers' table is left out), the same rejected rows — duplicates included — and figures."""
    # legacy ids entered twice, the second time with another caller's phone: the two lines may fall to
    # different processes, and the second must be rejected either way
    export = tmp_path / "export"
    shutil.copytree(legacy, export)
    cases_csv = export / "t_gongdan.csv"
    raw = cases_csv.read_bytes()
    encoding = "utf-8-sig" if raw.startswith(codecs.BOM_UTF8) else "gb18030"
    with open(cases_csv, encoding=encoding, newline="") as handle:
        header, *rows = list(csv.reader(handle))
    phone = header.index("ldhm")
    doubles = [[*rows[k][:phone], rows[-k - 1][phone], *rows[k][phone + 1:]] for k in range(1, 40, 3)]
    with open(cases_csv, "a", encoding=encoding.replace("-sig", ""), newline="") as handle:
        csv.writer(handle).writerows(doubles)
    results = []
    for jobs in (1, 2):
        target = f"{DB}_jobs{jobs}"
        subprocess.run(["dropdb", "--if-exists", "--force", target], check=True)
        subprocess.run(["createdb", "-T", DB, target], check=True)
        try:
            run = command(export, tmp_path / f"jobs{jobs}")
            run[run.index("-d") + 1] = target
            run[run.index("--source") + 1] = "shared"
            done = subprocess.run([*run, "--jobs", str(jobs), "--only",
                                   "units,categories,types,districts,streets,agents,cases"],
                                  capture_output=True, text=True)
            assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-3000:]
            out = subprocess.run(["psql", "-d", target, "-tAc", CASES_AS_IMPORTED], capture_output=True, text=True,
                                 check=True)
            folder = tmp_path / f"jobs{jobs}"
            results.append((out.stdout, sorted((folder / "errors.csv").read_text(encoding="utf-8-sig").splitlines()),
                            sorted((folder / "reconciliation.csv").read_text(encoding="utf-8-sig").splitlines())))
        finally:
            subprocess.run(["dropdb", "--if-exists", "--force", target], check=True)
    one, two = results
    assert int(one[0].split("|")[1]) > 0
    assert one == two
    assert sum(",duplicate id," in line for line in one[1]) == len(doubles)


def test_init_mapping_from_headers(legacy, tmp_path):
    target = tmp_path / "starter.toml"
    run = subprocess.run([str(ROOT / "scripts" / "odoo"), "hotline_import", "--from", str(legacy),
                          "--init-mapping", str(target)], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr[-2000:]
    import tomllib  # noqa: PLC0415

    starter = tomllib.loads(target.read_text(encoding="utf-8"))
    assert starter["entities"]["cases"]["table"] == "t_gongdan"
    assert starter["entities"]["cases"]["columns"]["received"] == ["slsj"]
    assert starter["entities"]["callers"]["columns"]["phone"] == ["电话"]
