"""The demo's 考核发布, made once at install by demo/hotline_assessment_demo.xml: last month's 综合考核 published by
the reviewer, one unit's appeal accepted (the published version 2 records the change) and another unit's appeal
waiting for the center's decision, each with its files."""
import io
from datetime import timedelta

from PIL import Image

from odoo import api, models

# per figure: the unit's reason, and the center's reason when it accepts
REASONS = {
    "overdue_count": ("该工单办理期间遇管网抢修封路，已于期限内电话告知来电人，超期属不可抗力，申请不计入超期。",
                      "经核实，抢修封路情况属实，同意不计入超期。"),
    "redone": ("该工单重办系来电人回访时提出新的赔偿诉求，并非原处理结果不到位，申请不计入重办。",
               "经核实回访录音，来电人所提为新诉求，同意不计入重办。"),
    "rated": ("回访时来电人评价的是物业公司的服务，并非本单位的处理结果，申请不计入参评。",
              "经核实回访录音属实，同意不计入参评。"),
    "returned": ("该工单地址位于相邻街道，属派单错误，退单理由成立，申请复核。", "经核实，地址确属相邻街道。"),
    "dispatches": ("该工单派单错误，事项不属本单位职责，申请不计入本单位派单量。", "经核实属派单错误。"),
}
# (the figures to appeal in, first found first; accepted by the center, or left waiting for its decision)
DEMO_APPEALS = [(("overdue_count", "redone", "rated", "dispatches"), True),
                (("returned", "rated", "dispatches"), False)]


def _demo_files():
    """A site photo and a PDF note, as a unit would attach them."""
    photo = io.BytesIO()
    Image.new("RGB", (64, 48), (90, 140, 200)).save(photo, "PNG")
    note = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
    return [("现场照片.png", photo.getvalue()), ("情况说明.pdf", note)]


class HotlineAssessment(models.Model):
    _inherit = "hotline.assessment"

    @api.model
    def _demo_publish(self):
        reviewer = self.env.ref("hotline_case.user_reviewer")
        today = self.env.company._hotline_local_day()
        last = today.replace(day=1) - timedelta(days=1)
        assessment = self.with_user(reviewer).with_context(lang="zh_CN").create({
            "scheme_id": self.env.ref("hotline_reports.assessment_scheme_default").id,
            "date_from": last.replace(day=1), "date_to": last})
        assessment.action_publish()
        appealed_units = self.env["hotline.unit"]
        for codes, accept in DEMO_APPEALS:
            publication = assessment.publication_ids.filtered(lambda p: p.state == "current")
            results = publication.result_ids.filtered(
                lambda r, done=appealed_units: r.unit_id.member_ids and r.unit_id not in done)
            found = [(code, result._items(code)[:1]) for code in codes for result in results if result._items(code)]
            if not found:
                continue
            code, item = found[0]
            member = item.unit_id.member_ids[:1]
            reason, acceptance = REASONS[code]
            appeal = item.with_user(member).with_context(lang="zh_CN").file_appeal(code, reason, _demo_files())
            appealed_units |= item.unit_id
            if accept:
                appeal.with_user(reviewer).with_context(lang="zh_CN").action_accept(acceptance)
