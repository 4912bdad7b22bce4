from odoo import models


class HotlineCaseLog(models.Model):
    _inherit = "hotline.case.log"

    # Small partial indexes for the case KPIs (hotline.kpi.case): a year of unit figures probes
    # the log for hundreds of thousands of cases; these keep each probe to a few index pages.
    _kpi_submit_idx = models.Index("(case_id, date) WHERE action = 'submit'")
    _kpi_redo_idx = models.Index("(case_id) WHERE action IN ('review_reject', 'approve_extension')")
    _kpi_callback_idx = models.Index("(case_id, id) WHERE action IN ('callback_done', 'reopen')")
