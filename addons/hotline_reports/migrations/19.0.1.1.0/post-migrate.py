import re

from odoo import SUPERUSER_ID, api
from odoo.addons.hotline_reports.models.hotline_assessment_scheme_deduction import DEDUCTION_KINDS

# one line of the text detail, as "%(kind)s: %(count)s × %(points)s = %(deducted)s (cap %(cap)s)" wrote it in
# English or in Chinese
LINE = re.compile(r"^(?P<kind>.+?)\s*[:：]\s*(?P<count>\d+) × (?P<points>[\d.]+) = (?P<deducted>[\d.]+)\s*"
                  r"[(（]\s*(?:cap|封顶)\s*(?P<cap>[\d.]+)\s*[)）]$")


def _kinds(env):
    """Every label a deduction kind was written with (English, its Chinese term, the zh_CN translation)."""
    kinds = {}
    field = env["hotline.assessment.scheme.deduction"]._fields["kind"]
    for code, label in DEDUCTION_KINDS:
        kinds[label] = code
        term = re.search(r"\((.+)\)", label)
        if term:
            kinds[term.group(1)] = code
    if env["res.lang"]._lang_get("zh_CN"):
        for code, label in field._description_selection(env(context={"lang": "zh_CN"})):
            kinds[label] = code
    return kinds


def parse(text, kinds):
    """The facts of a text detail, or None when a line cannot be read back."""
    facts = []
    for line in filter(None, (text or "").splitlines()):
        match = LINE.match(line.strip())
        if not match or match["kind"] not in kinds:
            return None
        facts.append({"kind": kinds[match["kind"]], "count": int(match["count"]), "points": float(match["points"]),
                      "cap": float(match["cap"]), "deducted": float(match["deducted"])})
    return facts


def migrate(cr, version):
    """Computed results: the text detail read back into facts (what cannot be read stays as it was written).
    Published results: the facts from their frozen figures and scheme, kept only where they give the published
    deduction (a published figure never changes)."""
    env = api.Environment(cr, SUPERUSER_ID, {})
    kinds = _kinds(env)
    results = env["hotline.assessment.result"].search([("deduction_legacy", "!=", False)])
    for result in results:
        facts = parse(result.deduction_legacy, kinds)
        if facts is not None:
            result.write({"deduction_facts": facts, "deduction_legacy": False})
    for publication in env["hotline.assessment.publication"].search([]):
        scheme = env["hotline.assessment.scheme"].new(publication.scheme_values or {})
        for result in publication.result_ids.filtered(lambda r: r.deduction and not r.deduction_facts):
            total, lines = scheme.deductions(result._figures())
            if abs(total - result.deduction) < 0.005:
                result.deduction_facts = scheme.deduction_facts(lines)
