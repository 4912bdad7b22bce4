from odoo import api, fields, models
from odoo.exceptions import ValidationError


class HotlineQualityScorecard(models.Model):
    """质检评分表: the items an inspector scores a call on, grouped, with the score bands.

    Scoring (``score_lines``, the one definition): each scored item has a weight; the inspector rates it
    0..weight (scale "points") or 0..100 (scale "0-100"), i.e. a fraction f of the item earned.
    Items marked N/A leave the sum and the others' weights are scaled up:
        base = 100 × Σ wᵢ·fᵢ / Σ wᵢ over the applicable items;
    score = max(0, base − Σ deduction points × occurrences); a 致命项 (fatal item) found zeroes the score.
    """

    _name = "hotline.quality.scorecard"
    _description = "Quality Scorecard"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    scale = fields.Selection(
        [("points", "Points (0 to the item's weight)"), ("percent", "0-100 per item")],
        required=True, default="points",
        help="How an inspector rates a scored item: points up to the item's weight, or 0-100 (then weighted).")
    group_ids = fields.One2many("hotline.quality.scorecard.group", "scorecard_id", string="Groups", copy=True)
    item_ids = fields.One2many("hotline.quality.scorecard.item", "scorecard_id", string="Items", copy=True)
    band_ids = fields.One2many("hotline.quality.band", "scorecard_id", string="Score Bands", copy=True)
    total_weight = fields.Float(compute="_compute_total_weight", help="Sum of the scored items' weights.")

    @api.depends("item_ids.weight", "item_ids.kind")
    def _compute_total_weight(self):
        for card in self:
            card.total_weight = sum(card.item_ids.filtered(lambda i: i.kind == "score").mapped("weight"))

    @api.constrains("item_ids")
    def _check_items(self):
        for card in self:
            if card.item_ids and not card.item_ids.filtered(lambda i: i.kind == "score"):
                raise ValidationError(self.env._("Scorecard %s needs at least one scored item.", card.name))

    def band_for(self, score):
        """The band (hotline.quality.band) a score falls in: the highest band whose minimum it reaches."""
        self.ensure_one()
        if score is None or score is False:
            return self.env["hotline.quality.band"]
        for band in self.band_ids.sorted("min_score", reverse=True):
            if score >= band.min_score:
                return band
        return self.env["hotline.quality.band"]

    @api.model
    def score_lines(self, lines):
        """The score of a review's lines (see the class doc); None when no scored item applies.

        `lines`: iterable of objects with ``item_id``, ``na``, ``value``, ``occurrences``, ``fatal_found``.
        """
        earned = weight = deducted = 0.0
        for line in lines:
            item = line.item_id
            if item.kind == "fatal":
                if line.fatal_found:
                    return 0.0
            elif item.kind == "deduction":
                deducted += item.deduction_points * (line.occurrences or 0)
            elif not line.na:
                full = item.weight if item.scorecard_id.scale == "points" else 100.0
                weight += item.weight
                earned += item.weight * (min(max(line.value, 0.0), full) / full if full else 0.0)
        if not weight:
            return None
        return round(max(0.0, 100.0 * earned / weight - deducted), 2)


class HotlineQualityScorecardGroup(models.Model):
    _name = "hotline.quality.scorecard.group"
    _description = "Quality Scorecard Group"
    _order = "sequence, id"

    scorecard_id = fields.Many2one("hotline.quality.scorecard", required=True, index=True, ondelete="cascade")
    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)


class HotlineQualityScorecardItem(models.Model):
    _name = "hotline.quality.scorecard.item"
    _description = "Quality Scorecard Item"
    _order = "sequence, id"

    scorecard_id = fields.Many2one("hotline.quality.scorecard", required=True, index=True, ondelete="cascade")
    group_id = fields.Many2one("hotline.quality.scorecard.group", string="Group", ondelete="restrict",
                               domain="[('scorecard_id', '=', scorecard_id)]")
    sequence = fields.Integer(default=10)
    name = fields.Char(required=True, translate=True)
    description = fields.Text(translate=True, help="What the inspector checks, as on the printed standard.")
    kind = fields.Selection(
        [("score", "Scored"), ("deduction", "Deduction per Occurrence"), ("fatal", "Fatal (致命项)")],
        required=True, default="score",
        help="Scored: rated and weighted. Deduction: points off the score for each occurrence (服务禁语...). "
             "Fatal: when found, the review scores 0.")
    weight = fields.Float(default=10.0, help="Share of a scored item in the score (its full points on the points "
                                             "scale).")
    allow_na = fields.Boolean(string="N/A Allowed", help="The inspector may mark the item not applicable: "
                                                          "it leaves the score and the others' weights scale up.")
    deduction_points = fields.Float(help="Points off the score per occurrence (deduction items).")

    _weight_positive = models.Constraint("CHECK(weight >= 0)", "An item's weight cannot be negative.")
    _deduction_positive = models.Constraint("CHECK(deduction_points >= 0)",
                                            "Deduction points cannot be negative.")

    @api.constrains("kind", "weight", "group_id", "scorecard_id")
    def _check_item(self):
        for item in self:
            if item.kind == "score" and item.weight <= 0:
                raise ValidationError(self.env._("The scored item %s needs a weight above 0.", item.name))
            if item.group_id and item.group_id.scorecard_id != item.scorecard_id:
                raise ValidationError(self.env._("The item %s belongs to a group of another scorecard.", item.name))


class HotlineQualityBand(models.Model):
    """优秀 / 良好 / 合格 / 不合格: a score reaching min_score (and no higher band's) is in the band."""

    _name = "hotline.quality.band"
    _description = "Quality Score Band"
    _order = "min_score desc, id"

    scorecard_id = fields.Many2one("hotline.quality.scorecard", required=True, index=True, ondelete="cascade")
    name = fields.Char(required=True, translate=True)
    min_score = fields.Float(string="Minimum Score", required=True)
    passing = fields.Boolean(default=True, help="Unchecked for a failing band (不合格).")

    _min_score_range = models.Constraint("CHECK(min_score >= 0 AND min_score <= 100)",
                                         "A band's minimum score lies between 0 and 100.")
    _min_score_uniq = models.Constraint("UNIQUE(scorecard_id, min_score)",
                                        "Two bands of a scorecard cannot start at the same score.")
