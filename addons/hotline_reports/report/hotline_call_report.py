from odoo import api, fields, models, tools
from odoo.fields import Domain
from odoo.orm.domains import DomainAnd, DomainCondition
from odoo.tools import SQL

from ..kpi.calls import CALL_AGGREGATES, call_facts_sql
from .hotline_call_stat import STAT_DIMENSIONS


class HotlineCallReport(models.Model):
    """系统话务量统计: one row per call offered to a queue; every KPI is the aggregate of a column.

    The SELECT is ``kpi.calls.call_facts_sql()``, shared with the KPI service
    (``hotline.kpi.call``): the ratio measures are averages of 0/1 (or NULL outside their
    denominator) columns, fractions shown as percentages, so the pivot's figure for any
    grouping equals the service's figure for the same calls.

    A read_group that groups and filters by day, hour, queue or PBX only (the pivot and graph
    of every period) is answered by ``hotline.call.stat``, the same KPIs pre-aggregated per
    hour (kpi/facts.py); by agent, outcome or time of entry it reads the calls.

    By agent, a call's row stands for the agent who answered it: right for every measure but
    坐席漏接 (``missed_rings``), the rings other agents let pass on that call. Grouped or filtered by
    agent, that measure is counted per ring attempt instead, for the agent who was rung
    (``_missed_rings_by_agent``), as in 坐席统计; an agent who missed rings but answered none of
    those calls gets a row of its own.
    """

    _name = "hotline.call.report"
    _inherit = ["hotline.call.measure.mixin"]
    _description = "Call Statistics"
    _auto = False
    _order = "enter_time desc"
    _rec_name = "enter_time"

    pbx_id = fields.Many2one("hotline.pbx", string="PBX", readonly=True)
    queue = fields.Char(readonly=True)
    user_id = fields.Many2one("res.users", string="Agent", readonly=True)
    # the call's own outcomes, worded in the reader's language (the raw selection is English)
    outcome = fields.Selection(
        selection=lambda self: self.env["hotline.call"]._fields["outcome"]._description_selection(self.env),
        readonly=True)
    enter_time = fields.Datetime(string="Entered Queue", readonly=True)
    date = fields.Date(readonly=True, help="Day the call entered the queue, in the center's time zone.")
    hour_of_day = fields.Integer(string="Hour of Day", readonly=True, aggregator=None,
                                 help="Hour (0-23) the call entered the queue, in the center's time zone.")

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(SQL("CREATE OR REPLACE VIEW %s AS (%s)", SQL.identifier(self._table), call_facts_sql()))

    @api.model
    def _stat_spec(self, domain, groupby, aggregates, having):
        """The aggregates for hotline.call.stat when it can answer this read_group (else None)."""
        if having or self.env.context.get("hotline_call_report_base"):
            return None
        if not self.env["hotline.kpi.call"]._facts_state():
            return None  # facts never built or of other settings: the calls answer
        if any(spec.split(":")[0] not in STAT_DIMENSIONS for spec in groupby):
            return None
        if any(cond.field_expr.split(".")[0] not in STAT_DIMENSIONS for cond in Domain(domain).iter_conditions()):
            return None
        specs = []
        for spec in aggregates:
            name, _sep, func = spec.partition(":")
            if spec == "__count":
                specs.append("offered:sum")  # one row per offered call
            elif name in CALL_AGGREGATES and func == CALL_AGGREGATES[name]:
                specs.append(spec)
            else:
                return None
        return specs

    @api.model
    def _read_group(self, domain, groupby=(), aggregates=(), having=(), offset=0, limit=None, order=None):
        specs = self._stat_spec(domain, groupby, aggregates, having)
        if specs is None:
            rows = super()._read_group(domain, groupby, aggregates, having, offset, limit, order)
            if "missed_rings:sum" in aggregates and self._by_agent(domain, groupby):
                rows = self._with_missed_rings_by_agent(rows, domain, groupby, aggregates,
                                                        complete=not (having or offset or limit))
            return rows
        self.browse().check_access("read")
        if order:
            order = order.replace("__count", "offered:sum")
        rows = self.env["hotline.call.stat"]._read_group(domain, groupby, specs, (), offset, limit, order)
        count_at = [i + len(groupby) for i, spec in enumerate(aggregates) if spec == "__count"]
        if not count_at:
            return rows
        return [tuple(int(v or 0) if i in count_at else v for i, v in enumerate(row)) for row in rows]

    @staticmethod
    def _agent_conditions(domain):
        """The conditions on the agent of `domain`, and the domain without them."""
        domain = Domain(domain)
        conditions = [c for c in domain.iter_conditions() if c.field_expr.split(".")[0] == "user_id"]
        return conditions, domain.map_conditions(
            lambda c: Domain.TRUE if c.field_expr.split(".")[0] == "user_id" else c)

    @api.model
    def _by_agent(self, domain, groupby):
        return any(spec.split(":")[0] == "user_id" for spec in groupby) or bool(self._agent_conditions(domain)[0])

    @api.model
    def _with_missed_rings_by_agent(self, rows, domain, groupby, aggregates, complete=True):
        """`rows` of _read_group with 坐席漏接 counted per ring attempt for the agent rung (see the class)."""
        at = len(groupby) + list(aggregates).index("missed_rings:sum")
        missed = self._missed_rings_by_agent(domain, groupby)
        keys = set()
        result = []
        for row in rows:
            key = row[:len(groupby)]
            keys.add(key)
            result.append((*row[:at], missed.get(key, 0) if missed is not None else None, *row[at + 1:]))
        if complete and missed:
            empty = [self._read_group_empty_value(spec) for spec in aggregates]
            for key, count in missed.items():
                if key not in keys:
                    result.append((*key, *empty[:at - len(groupby)], count, *empty[at - len(groupby) + 1:]))
        return result

    @api.model
    def _missed_rings_by_agent(self, domain, groupby):
        """{group key: rings not answered} of the calls of `domain`, the agent being the one rung; None when the
        agent conditions of `domain` are not plain ANDed conditions (no figure rather than a wrong one)."""
        conditions, calls_domain = self._agent_conditions(domain)
        whole = Domain(domain)
        if conditions and not (isinstance(whole, DomainCondition) or (
                isinstance(whole, DomainAnd) and all(isinstance(c, DomainCondition) for c in whole.children))):
            return None
        query = self._search(calls_domain)
        ring = query.make_alias(self._table, "ring")
        query.add_join("JOIN", ring, "hotline_call_attempt", SQL(
            "%s = %s AND %s = 'noanswer'", SQL.identifier(ring, "call_id"), SQL.identifier(self._table, "id"),
            SQL.identifier(ring, "result")))
        if conditions:
            rings = self.env["hotline.call.attempt"]._search(Domain.AND(conditions))
            query.add_where(SQL("%s IN %s", SQL.identifier(ring, "id"), rings.subselect()))
        terms = [SQL.identifier(ring, "user_id") if spec.split(":")[0] == "user_id"
                 else self._read_group_groupby(self._table, spec, query) for spec in groupby]
        if terms:
            query.groupby = SQL(", ").join(terms)
        rows = self.env.execute_query(query.select(*terms, SQL("COUNT(*)")))
        if not rows:
            return {}
        columns = list(zip(*rows, strict=True))
        keys = [self._read_group_postprocess_groupby(spec, column)
                for spec, column in zip(groupby, columns, strict=False)]
        return dict(zip(zip(*keys, strict=True) if keys else [()] * len(rows), columns[-1], strict=True))
