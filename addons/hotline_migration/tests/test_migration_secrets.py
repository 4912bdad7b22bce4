import os
import sys
import types
from unittest.mock import patch

from odoo.tests import TransactionCase, tagged

from ..tools.sources import PASSWORD_ENV, SqlDatabase, redact_location

ODBC = "odbc://?DSN=legacy12319;UID=sa;PWD=odbc-password-never-stored;Encrypt=yes"


def fake_pyodbc(connected):
    """pyodbc as the SQL Server sites have it, recording the connection strings it is given."""
    module = types.ModuleType("pyodbc")
    module.connect = lambda connection_string: connected.append(connection_string) or object()
    return patch.dict(sys.modules, {"pyodbc": module})


@tagged("post_install", "-at_install")
class TestMigrationSecrets(TransactionCase):
    """A legacy database's password reaches its driver and nothing else: not the source record, not what is shown."""

    def test_location_kept_without_the_password(self):
        cases = {
            ODBC: "odbc:?DSN=legacy12319;UID=sa;PWD=***;Encrypt=yes",
            "odbc://?DSN=x;Uid=sa;Pwd={p;w};App=hotline": "odbc:?DSN=x;Uid=sa;Pwd=***;App=hotline",
            "odbc://?DSN%3Dx%3BPassword%3Dquoted-secret": "odbc:?DSN=x;Password=***",
            "mysql://reader:p%40ss@10.0.0.5:3307/legacy": "mysql://reader@10.0.0.5:3307/legacy",
            "mssql://sa:pw@sql.internal/legacy?password=again": "mssql://sa@sql.internal/legacy?password=***",
            "/srv/legacy/exports": "/srv/legacy/exports",
        }
        for location, kept in cases.items():
            with self.subTest(location=location):
                self.assertEqual(redact_location(location), kept)

    def test_odbc_password_reaches_the_driver_only(self):
        connected = []
        with fake_pyodbc(connected):
            source = SqlDatabase(ODBC)
        self.assertEqual(connected, ["DSN=legacy12319;UID=sa;PWD=odbc-password-never-stored;Encrypt=yes"])
        self.assertNotIn("odbc-password-never-stored", source.location)
        record = self.env["hotline.migration.source"].create({"name": "旧系统", "code": "odbc_test",
                                                              "location": source.location})
        record.write({"location": ODBC})  # whoever writes it: a form, a script
        self.assertNotIn("odbc-password-never-stored", record.location)
        self.assertIn("DSN=legacy12319", record.location)

    def test_password_from_the_environment(self):
        connected = []
        with fake_pyodbc(connected), patch.dict(os.environ, {PASSWORD_ENV: "from-env;x"}):
            SqlDatabase("odbc://?DSN=legacy12319;UID=sa")
        self.assertEqual(connected, ["DSN=legacy12319;UID=sa;PWD={from-env;x}"])
        given = {}
        mysql = types.SimpleNamespace(connect=lambda **kw: given.update(kw), cursors=types.SimpleNamespace(
            SSCursor=None))
        with patch.dict(sys.modules, {"pymysql": mysql}), patch.dict(os.environ, {PASSWORD_ENV: "mysql-env-pw"}):
            source = SqlDatabase("mysql://reader@127.0.0.1:3306/legacy")
        self.assertEqual((given["user"], given["password"]), ("reader", "mysql-env-pw"))
        self.assertEqual(source.location, "mysql://reader@127.0.0.1:3306/legacy")

    def test_locations_stored_earlier_are_cleaned(self):
        record = self.env["hotline.migration.source"].create({"name": "旧系统", "code": "old_row"})
        self.env.cr.execute("UPDATE hotline_migration_source SET location = %s WHERE id = %s", [ODBC, record.id])
        self.env["hotline.migration.source"].init()
        record.invalidate_recordset()
        self.assertEqual(record.location, "odbc:?DSN=legacy12319;UID=sa;PWD=***;Encrypt=yes")
