from odoo import api, models


class HotlineUnit(models.Model):
    _inherit = "hotline.unit"

    # what of a unit crosses to the unit server: never its members (the unit server has its own users)
    _EXCHANGE_FIELDS = ("name", "code", "phone", "active", "parent_id", "sequence")

    def _exchange_payload(self):
        self.ensure_one()
        unit = self.sudo()
        langs = [code for code, _name in self.env["res.lang"].get_installed()]
        return {
            "code": unit.code,
            "names": {lang: unit.with_context(lang=lang).name for lang in langs},
            "phone": unit.phone or "",
            "active": unit.active,
            "sequence": unit.sequence,
            "parent": unit.parent_id.code or "",
        }

    @api.model_create_multi
    def create(self, vals_list):
        units = super().create(vals_list)
        if self.env["hotline.exchange.event"]._role() == "center":
            self.env["hotline.case"]._exchange_pending()["units"].update(units.ids)
        return units

    def write(self, vals):
        res = super().write(vals)
        if (set(vals) & set(self._EXCHANGE_FIELDS) and not self.env.context.get("hotline_exchange_applying")
                and self.env["hotline.exchange.event"]._role() == "center"):
            self.env["hotline.case"]._exchange_pending()["units"].update(self.ids)
        return res

    @api.model
    def _exchange_upsert(self, data):
        """The unit server's copy of a center unit, found by its code (its members stay this server's)."""
        Unit = self.sudo().with_context(active_test=False, hotline_exchange_applying=True)
        code = str(data.get("code") or "").strip()
        if not code:
            return Unit
        unit = Unit.search([("code", "=", code)], limit=1)
        names = data.get("names") or {}
        langs = [code for code, _name in self.env["res.lang"].get_installed()]
        default_name = names.get(self.env.lang) or next(iter(names.values()), code)
        vals = {"code": code, "phone": data.get("phone") or False, "active": bool(data.get("active", True)),
                "sequence": int(data.get("sequence") or 10)}
        if data.get("parent"):
            parent = Unit.search([("code", "=", data["parent"])], limit=1)
            vals["parent_id"] = parent.id or False
        if unit:
            unit.write(vals)
        else:
            unit = Unit.create({**vals, "name": default_name})
        for lang in langs:
            if names.get(lang) and unit.with_context(lang=lang).name != names[lang]:
                unit.with_context(lang=lang).name = names[lang]
        return unit

    @api.model
    def _exchange_catalog(self, model, data):
        """A type, category, district or street of the center on this server: by code, else by name; created
        if missing (with its parent or district)."""
        if not data:
            return False
        Model = self.env[model].sudo().with_context(active_test=False)
        domain = [("code", "=", data["code"])] if data.get("code") else [("name", "=", data.get("name"))]
        vals = {"name": data.get("name") or data.get("code"), "code": data.get("code") or False}
        if model == "hotline.category":
            vals["parent_id"] = self._exchange_catalog(model, data.get("parent_id"))
            domain.append(("parent_id", "=", vals["parent_id"]))
        if model == "hotline.street":
            vals["district_id"] = self._exchange_catalog("hotline.district", data.get("district_id"))
            domain.append(("district_id", "=", vals["district_id"]))
        record = Model.search(domain, limit=1)
        if not record:
            if model == "hotline.case.type" and not vals["code"]:
                vals["code"] = vals["name"]
            record = Model.create(vals)
        return record.id
