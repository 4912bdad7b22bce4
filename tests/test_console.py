"""The console a newcomer sees with `make run`: no pages of third-party deprecation warnings or
docutils complaints about Odoo's own addon descriptions, while real errors still show."""

import subprocess

from .conftest import ROOT

SCRIPT = """
import logging
# docutils renders Odoo's `mail` description, which is not valid reStructuredText
env['ir.module.module'].search([('name', '=', 'mail')]).description_html
# Odoo's own code calls werkzeug.urls helpers deprecated in Werkzeug 2.3
env['res.partner'].create({'name': 'console check', 'website': 'example.com'})
env.cr.rollback()
logging.getLogger('odoo.addons.hotline_case').error('a real error stays visible')
"""


def test_console_shows_real_errors_only(demo_db):
    run = subprocess.run([str(ROOT / "scripts" / "odoo"), "shell", "-d", demo_db, "--no-http"],
                         input=SCRIPT, capture_output=True, text=True, timeout=300, check=False)
    console = run.stdout + run.stderr
    assert "a real error stays visible" in console, console[-2000:]
    assert "DeprecationWarning" not in console
    assert "(ERROR/3)" not in console and "(WARNING/2)" not in console
    assert "Traceback" not in console
