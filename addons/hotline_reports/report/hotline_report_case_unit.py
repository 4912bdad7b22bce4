from odoo import fields, models
from odoo.tools import SQL

from ..kpi import case_facts
from ..kpi.cases import COUNT_KEYS, RATES, SATISFIED_KEYS, unit_sums_sql
from ..kpi.center import CENTER_TZ_SQL
from ..models.hotline_assessment_result import COUNTS, RATE_LABELS


def _count(string, help_text):
    return fields.Integer(string=string, readonly=True, aggregator="sum", help=help_text)


class HotlineReportCaseUnit(models.Model):
    """单位统计分析: every case indicator per unit and local day, summable over any period.

    Built from the definitions of kpi/cases.py (DISPATCH_MEASURES): summed over a period, each column
    equals the same key of `hotline.kpi.case.unit_figures` for that period. Every column counts
    dispatches (派单件次) of the unit, each on the local day of its own date (see each column's help).
    Rates (kpi/cases.py RATES) are ratios of these sums, over whatever the pivot groups: the row's own
    ratio in the view, SUM(numerator) / SUM(denominator) in ``_read_group_select``. The closed days
    are read from their stored sums (hotline_case_fact, kpi/case_facts.py), the open days from the log
    by the same query as the service.
    """

    _name = "hotline.report.case.unit"
    _inherit = ["hotline.report.view.mixin"]
    _description = "Unit Statistics"
    _auto = False
    _order = "date desc, unit_id"
    # the ORM flushes these before reading the view
    _depends = {
        "hotline.case": ["state", "satisfaction"],
        "hotline.case.log": ["case_id", "action", "unit_id", "date", "deadline", "sign_deadline", "return_ruling"],
    }

    def init(self):
        self.env["hotline.report.fact"]._install()

    date = fields.Date(readonly=True, help="Local day the dispatch counts on for each column (see its help).")
    unit_id = fields.Many2one("hotline.unit", string="Unit", readonly=True)
    dispatches = _count("Dispatches", "派单件次: dispatches to the unit (a case sent again counts again), by dispatch.")
    dispatched = _count("Cases Dispatched", "派单量: of the dispatches, the cases dispatched to the unit for the "
                        "first time.")
    signed = _count("Signed For", "签收: dispatches signed for, by signing.")
    sign_due = _count("Sign-for Due", "应签收: dispatches signed for in time, or whose sign-for deadline passed, by "
                      "that moment.")
    signed_on_time = _count("Signed For on Time", "及时签收: of the sign-for due, signed for by the sign-for deadline.")
    extension_requested = _count("Extensions Requested", "延期申请: dispatches with an extension requested, by the "
                                 "first request.")
    extended = _count("Extensions Approved", "延期批准: dispatches with an extension approved, by the first approval.")
    submitted = _count("Submitted", "提交: results submitted, by submission.")
    returned = _count("Returned", "退单: dispatches returned by the unit, by the return.")
    returned_improper = _count("Improper Returns", "不当退单: dispatches whose return the center ruled improper, by "
                               "dispatch (justified returns and returns awaiting ruling are not counted).")
    urged = _count("Urged", "督办: dispatches a supervisor urged, by the first urging.")
    settled = _count("Submitted or Returned", "The unit let the case go: result submitted or case returned.")
    due = _count("Due", "应办结: results submitted in time, or dispatches whose deadline passed, by that moment.")
    handled_on_time = _count("Handled on Time", "按时办结: of the due, submitted by the (extended) deadline.")
    overdue = _count("Overdue", "超期: of the due, submitted or returned late, or still not submitted.")
    due_extended = _count("Due and Extended", "Of the due, with an extension approved (延期率's numerator).")
    reviewed = _count("Reviewed", "审核: results reviewed, by the review.")
    approved = _count("Approved", "审核通过: results approved at review.")
    rejected = _count("Rejected", "驳回: results rejected at review.")
    callbacks_due = _count("Callbacks Due", "应回访: results approved at review, by the approval.")
    callbacks_done = _count("Callbacks Done", "已回访: of those, whose callback ended: rated, reopened "
                            "(不满意 → 重办), caller unreachable after every attempt (无法联系) or declined to rate "
                            "(拒绝评价). 回访率 = callbacks done ÷ callbacks due.")
    callback_unreachable = _count("Caller Unreachable", "无法联系: callbacks closed after every attempt failed; not an "
                                  "evaluation (not rated, not in 满意率).")
    callback_refused = _count("Declined to Rate", "拒绝评价: callbacks where the caller declined to rate; not an "
                              "evaluation (not rated, not in 满意率).")
    rated = _count("Rated", "参评: the caller's verdicts on the unit's results (a rating, or 不满意 leading to 重办), "
                   "by the callback.")
    satisfied = _count("Satisfied", "满意: of the rated, very satisfied, satisfied or basically satisfied.")
    redone = _count("Redone", "重办: of the rated, 不满意 leading to 重办 (the redone result is rated again).")
    rated_very_satisfied = _count("Rated Very Satisfied", "Of the rated, very satisfied.")
    rated_satisfied = _count("Rated Satisfied", "Of the rated, satisfied.")
    rated_basically_satisfied = _count("Rated Basically Satisfied", "Of the rated, basically satisfied.")
    rated_dissatisfied = _count("Rated Dissatisfied", "Of the rated, dissatisfied (a 重办 included).")
    rated_very_dissatisfied = _count("Rated Very Dissatisfied", "Of the rated, very dissatisfied.")
    concluded = _count("Concluded", "Results rejected at review or judged by the caller, by that moment.")
    first_time_closed = _count(
        "Closed First Time", "一次性办结: of the concluded, the unit's first result on the case, approved and the "
        "caller satisfied.")

    # the rates as the assessment and the XLSX give them; blank where the denominator is 0
    locals().update({key: fields.Float(string=label, readonly=True, aggregator="avg", digits=(16, 4),
                                       help=" ÷ ".join(dict(COUNTS)[count] for count in RATES[key]))
                     for key, label in RATE_LABELS})

    def _read_group_select(self, aggregate_spec, query):
        name = aggregate_spec.split(":")[0]
        if name in RATES:
            num, den = (self._field_to_sql(self._table, key, query) for key in RATES[name])
            # a column the day had nothing for is NULL: a numerator of none is 0, a denominator of none no rate
            return SQL("COALESCE(SUM(%s), 0)::float / NULLIF(SUM(%s), 0)", num, den)
        return super()._read_group_select(aggregate_spec, query)

    @property
    def _table_query(self):
        keys = COUNT_KEYS
        sums = ", ".join(f"SUM(m.{k})::bigint AS {k}" for k in keys)
        live = unit_sums_sql(start="COALESCE((SELECT closed_end FROM st), '-infinity'::timestamp)",
                             end="'infinity'::timestamp", tz_sql=CENTER_TZ_SQL)
        # the statement's time, not the transaction's: a step just taken in this transaction is already past
        live %= {"now": "(statement_timestamp() AT TIME ZONE 'UTC')", "satisfied": repr(SATISFIED_KEYS)}
        rates = "".join(f", COALESCE(SUM(m.{num}), 0)::float / NULLIF(SUM(m.{den}), 0) AS {rate}"
                        for rate, (num, den) in RATES.items())
        stored = ", ".join(f"f.{k}" for k in keys)
        return f"""
            WITH st AS MATERIALIZED ({case_facts.valid_state_sql()})
            SELECT ROW_NUMBER() OVER (ORDER BY m.date, m.unit_id) AS id, m.date, m.unit_id, {sums}{rates}
              FROM (SELECT f.unit_id, f.date, {stored} FROM hotline_case_fact f
                     WHERE f.date <= (SELECT closed_day FROM st)
                    UNION ALL SELECT f.unit_id, f.day, {stored} FROM ({live}) f) m
          GROUP BY m.date, m.unit_id
        """
