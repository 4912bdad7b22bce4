"""Every user-facing string of every addon has a Simplified Chinese translation,
and every addon ships a template (i18n/<addon>.pot) of its current terms.

The terms are exported fresh from a database holding the addons (code, views,
data, templates), so a new string without an entry in the addon's
i18n/zh_CN.po fails here, not in front of a user; a .pot that lacks a term or
keeps a removed one fails too. HT_WRITE_POT=1 writes the templates instead of
comparing them (what `odoo-bin --i18n-export` would write), for a translator
to merge from."""

import json
import os
import subprocess

import polib
import pytest

from .conftest import ADDONS, ROOT

EXPORT = """
import io, json
from odoo.tools.translate import trans_export
out = {}
for name in %r:
    out[name] = {}
    for lang in ("zh_CN", None):  # None: the template (.pot)
        buf = io.BytesIO()
        trans_export(lang, [name], buf, "po", env)
        out[name][lang or "pot"] = buf.getvalue().decode()
print("@@EXPORT@@" + json.dumps(out))
"""


def _exported_terms(db):
    run = subprocess.run([str(ROOT / "scripts" / "odoo"), "shell", "-d", db, "--log-level=warn", "--no-http"],
                         input=EXPORT % ADDONS, capture_output=True, text=True, timeout=600)
    marker = next((line for line in run.stdout.splitlines() if line.startswith("@@EXPORT@@")), None)
    assert marker, f"the export failed:\n{run.stderr[-3000:]}"
    return json.loads(marker[len("@@EXPORT@@"):])


@pytest.fixture(scope="module")
def exported(demo_db):
    """{addon: {"zh_CN": po text, "pot": template text}}, exported once for both tests."""
    return _exported_terms(demo_db)


def _terms(text):
    return {(e.msgctxt, e.msgid) for e in polib.pofile(text) if e.msgid}


def test_every_addon_ships_a_current_pot(exported):
    stale = {}
    for name, texts in exported.items():
        pot = ROOT / "addons" / name / "i18n" / f"{name}.pot"
        if os.environ.get("HT_WRITE_POT") == "1":
            pot.parent.mkdir(exist_ok=True)
            pot.write_text(texts["pot"], encoding="utf-8")
            continue
        if not pot.exists():
            stale[name] = "missing"
            continue
        fresh, shipped = _terms(texts["pot"]), _terms(pot.read_text(encoding="utf-8"))
        if fresh != shipped:
            stale[name] = (f"{len(fresh - shipped)} term(s) missing, e.g. {sorted(fresh - shipped)[:3]}; "
                           f"{len(shipped - fresh)} gone, e.g. {sorted(shipped - fresh)[:3]}")
    assert not stale, ("i18n/<addon>.pot out of date (run this test with HT_WRITE_POT=1 to write them):\n"
                       + "\n".join(f"{name}: {why}" for name, why in stale.items()))


def test_every_string_has_a_chinese_translation(exported):
    exported = {name: polib.pofile(texts["zh_CN"]) for name, texts in exported.items()}
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
