"""Cases: written in bulk as create() gives them (a number from the day's range when the export has none,
the known caller's contact and name, the category's industry); counted in the legacy figures by month and
unit."""

from odoo import fields

from ...tools.dates import BadDate
from .base import Entity, Rejected, text


class Cases(Entity):
    name, model, parallel, staff_field = "cases", "hotline.case", True, "agent"

    def convert(self, row, columns):
        received = self._date(row, columns, "received", required=True)
        state = self._code(row, columns, "state", "state", required=True)
        if state not in self._states():
            raise Rejected(columns["state"], "unknown code", text(row.get(columns["state"])))
        phone = self._normalize(row, columns, "phone")
        unit_id = self._ref(row, columns, "unit", "units")
        category_id = self._ref(row, columns, "category", "categories")
        street_id = self._ref(row, columns, "street", "streets")
        district_id = self._ref(row, columns, "district", "districts")
        satisfaction = self._code(row, columns, "satisfaction", "satisfaction")
        return {
            "name": text(row.get(columns.get("number"))) or None,
            "state": state,
            "type_id": self._ref(row, columns, "type", "types"),
            "category_id": category_id,
            "urgency": self._code(row, columns, "urgency", "urgency") or "normal",
            "district_id": district_id or (self._street_district(street_id) if street_id else None),
            "street_id": street_id,
            "address": text(row.get(columns.get("address"))) or None,
            "description": text(row.get(columns.get("description"))) or None,
            "caller_phone": phone,
            "caller_name": text(row.get(columns.get("caller_name"))) or None,
            "confidential": self._bool(row, columns, "confidential"),
            "unit_id": unit_id,
            "agent_id": self._staff_ref(row, columns, "agent"),
            "result_note": text(row.get(columns.get("result"))) or None,
            "review_note": text(row.get(columns.get("review_note"))) or None,
            "satisfaction": satisfaction,
            "callback_note": text(row.get(columns.get("callback_note"))) or None,
            "deadline": self._date(row, columns, "deadline"),
            "date_received": received,
            "date_closed": self._date(row, columns, "closed") if state == "closed" else None,
        }

    def _street_district(self, street_id):
        if street_id < 0:
            return None
        if not hasattr(self, "_street_districts"):
            self.env.cr.execute("SELECT id, district_id FROM hotline_street")
            self._street_districts = dict(self.env.cr.fetchall())
        return self._street_districts.get(street_id)

    def _industry(self, category_id):
        """What hotline.case._compute_industry_id gives, once per category."""
        if not category_id or category_id < 0:
            return None
        if not hasattr(self, "_industries"):
            self._industries = {}
        if category_id not in self._industries:
            self._industries[category_id] = self.env["hotline.category"].sudo().browse(category_id) \
                ._get_industry().id or None
        return self._industries[category_id]

    CASE_COLUMNS = ("name", "state", "channel", "type_id", "category_id", "industry_id", "urgency", "district_id",
                    "street_id", "address", "description", "caller_phone", "partner_id", "caller_name",
                    "confidential", "unit_id", "agent_id", "result_note", "resolution_note", "review_note",
                    "satisfaction", "callback_note", "deadline", "date_received", "date_closed",
                    "return_count", "reopen_count", "urge_count", "extension_days")

    def write(self, batch):  # pylint: disable=method-required-super
        new_partners, unlinked = {}, set()
        for index, (_legacy_id, vals) in enumerate(batch):
            phone = vals["caller_phone"]
            if phone and phone not in self.phones and phone not in new_partners:
                if vals["caller_name"]:
                    new_partners[phone] = (phone, vals["caller_name"], vals["address"])
                else:
                    # no contact for this caller yet, none made from a nameless case: as rows are read one
                    # after the other, whatever the batches (or the processes) they fall in
                    unlinked.add(index)
        if new_partners:
            self.importer.entities["callers"].new_partners(list(new_partners.values()))
        inserter = self._inserter("hotline.case", self.CASE_COLUMNS)
        ids = inserter.new_ids(len(batch))
        rows, dates = [], []
        Case = self.env["hotline.case"].sudo()
        partners = {vals["caller_phone"]: self.phones.get(vals["caller_phone"]) for _legacy_id, vals in batch
                    if vals["caller_phone"]}
        # as create(): a case without a caller name takes the known caller's
        names = self.importer.entities["callers"].partner_names([p for p in partners.values() if p])
        for index, (_legacy_id, vals) in enumerate(batch):
            on_call = vals["state"] == "closed" and not vals["unit_id"]
            partner_id = None if index in unlinked else partners.get(vals["caller_phone"])
            rows.append((
                vals["name"] or Case._next_case_number(fields.Datetime.to_datetime(vals["date_received"])),
                vals["state"], "phone",
                vals["type_id"], vals["category_id"], self._industry(vals["category_id"]), vals["urgency"],
                vals["district_id"], vals["street_id"], vals["address"], vals["description"], vals["caller_phone"],
                partner_id, vals["caller_name"] or (names.get(partner_id) if partner_id else None),
                vals["confidential"], vals["unit_id"], vals["agent_id"] or self.env.uid, vals["result_note"],
                vals["result_note"] if on_call else None, vals["review_note"], vals["satisfaction"],
                vals["callback_note"], vals["deadline"], vals["date_received"], vals["date_closed"], 0, 0, 0, 0,
            ))
            dates.append(vals["date_received"])
        inserter.insert(ids, rows, dates)
        self.counts["cases"]["created"] += len(batch)
        return [(legacy_id, res_id) for (legacy_id, _vals), res_id in zip(batch, ids, strict=False)]

    def count(self, row, columns, into):
        try:
            month = self.dates.month(row.get(columns["received"]))
        except BadDate:
            month = "?"
        unit = self._unit_key(text(row.get(columns.get("unit"))) if columns.get("unit") else "")
        state = self.mapping.codes["state"].get(text(row.get(columns["state"])))
        bucket = into[(month, unit)]
        bucket["cases"] += 1
        bucket["closed"] += state == "closed"
        satisfaction = self.mapping.codes["satisfaction"].get(text(row.get(columns.get("satisfaction")))) \
            if columns.get("satisfaction") else None
        if satisfaction:
            bucket[f"satisfaction:{satisfaction}"] += 1

    def _unit_key(self, legacy_code):
        """The hotline code of the unit a legacy code was imported as (the reconciliation's unit column)."""
        res_id = self.ids.get("units", {}).get(legacy_code)
        if res_id is None or res_id < 0:
            return self.mapping.codes["unit"].get(legacy_code, legacy_code)
        if not hasattr(self, "_unit_codes"):
            self._unit_codes = {}
        if res_id not in self._unit_codes:
            self._unit_codes[res_id] = self.env["hotline.unit"].sudo().browse(res_id).code
        return self._unit_codes[res_id]
