import re

from odoo import api, fields, models
from odoo.exceptions import ValidationError

KIND_SELECTION = [("intake", "Case Received"), ("result", "Result Notice"), ("survey", "Satisfaction Survey")]
# The parameters each kind of text fills in its approved template (Tencent: in this order, {1}, {2}...).
KIND_PARAMS = {"intake": ("case", "code"), "result": ("case",), "survey": ("case",)}


class HotlineSmsTemplate(models.Model):
    """A text the citizen gets, as approved by the gateway: one per kind and company, each on or off."""

    _name = "hotline.sms.template"
    _description = "Citizen SMS Template"
    _order = "kind"

    kind = fields.Selection(KIND_SELECTION, required=True)
    active = fields.Boolean(default=True, help="Off: this text is not sent.")
    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company)
    template_code = fields.Char(
        required=True, help="The code of the template as approved by the gateway (Aliyun SMS_123456789, "
                            "Tencent's numeric template id).",
    )
    body = fields.Text(
        required=True,
        help="The approved wording, with ${case} for the case number and ${code} for the retrieval code: "
             "kept in the records of the texts and sent as is by Odoo's own gateway.",
    )

    _kind_company_uniq = models.Constraint("UNIQUE(kind, company_id)", "Each text has one template per company.")

    @api.constrains("kind", "body")
    def _check_body(self):
        for template in self:
            used = set(re.findall(r"\$\{(\w+)\}", template.body or ""))
            unknown = used - set(KIND_PARAMS[template.kind])
            if unknown:
                raise ValidationError(self.env._(
                    "The template may only use %(allowed)s, not %(unknown)s.",
                    allowed=", ".join(f"${{{name}}}" for name in KIND_PARAMS[template.kind]),
                    unknown=", ".join(f"${{{name}}}" for name in sorted(unknown)),
                ))

    def _render(self, params):
        self.ensure_one()
        return re.sub(r"\$\{(\w+)\}", lambda match: str(params.get(match.group(1), "")), self.body)
