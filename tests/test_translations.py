"""Every user-facing string of every addon has a Simplified Chinese translation.

The terms are exported fresh from a database holding the addons (code, views,
data, templates), so a new string without an entry in the addon's
i18n/zh_CN.po fails here, not in front of a user."""

import json
import subprocess

import polib

from .conftest import ADDONS, ROOT

EXPORT = """
import io, json
from odoo.tools.translate import trans_export
out = {}
for name in %r:
    buf = io.BytesIO()
    trans_export("zh_CN", [name], buf, "po", env)
    out[name] = buf.getvalue().decode()
print("@@EXPORT@@" + json.dumps(out))
"""


def _exported_terms(db):
    run = subprocess.run([str(ROOT / "scripts" / "odoo"), "shell", "-d", db, "--log-level=warn", "--no-http"],
                         input=EXPORT % ADDONS, capture_output=True, text=True, timeout=600)
    marker = next((line for line in run.stdout.splitlines() if line.startswith("@@EXPORT@@")), None)
    assert marker, f"the export failed:\n{run.stderr[-3000:]}"
    return {name: polib.pofile(text) for name, text in json.loads(marker[len("@@EXPORT@@"):]).items()}


def test_every_string_has_a_chinese_translation(demo_db):
    exported = _exported_terms(demo_db)
    assert exported["hotline_case"], "no term exported for hotline_case: the export is not reading the addons"
    missing = {}
    for name, terms in exported.items():
        catalogue = ROOT / "addons" / name / "i18n" / "zh_CN.po"
        assert catalogue.exists(), f"{name} has no i18n/zh_CN.po"
        translated = {e.msgid for e in polib.pofile(str(catalogue)) if e.msgstr.strip()}
        lacking = sorted({e.msgid for e in terms if e.msgid} - translated)
        if lacking:
            missing[name] = lacking
    assert not missing, "strings without a zh_CN translation:\n" + "\n".join(
        f"{name}: {len(ids)}: {ids[:8]}" for name, ids in missing.items())
