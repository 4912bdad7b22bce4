"""Callers: one contact per phone, merged with the contacts the hotline already has (bulk, as create()
gives them)."""

from .base import Entity, text


class Callers(Entity):
    name, model = "callers", "res.partner"

    def convert(self, row, columns):
        norm = self._normalize(row, columns, "phone", required=True)
        return {"phone_norm": norm, "name": text(row.get(columns.get("name"))) or norm,
                "address": text(row.get(columns.get("address"))) or None, "merged": self.phones.get(norm)}

    def new_partners(self, items):
        """Create the partners of `items` [(phone_norm, name, street)] in bulk; returns their ids."""
        # every stored computed field of res.partner as its compute gives it for a person without parent,
        # company, country, e-mail or user (the tests compare with the ORM field by field)
        inserter = self._inserter("res.partner", [
            "name", "phone", "street", "hotline_phone_norm", "phone_sanitized", "tz", "complete_name",
            "commercial_partner_id", "partner_share", "email_normalized", "commercial_company_name",
            "company_registry", "user_id", "properties"])
        ids = inserter.new_ids(len(items))
        inserter.insert(ids, [(name, phone, street, phone, self._sanitized(phone), self.mapping.timezone, name,
                               res_id, True, None, None, None, None, None)
                              for (phone, name, street), res_id in zip(items, ids, strict=True)])
        names = self.partner_names()
        for (phone, name, _street), res_id in zip(items, ids, strict=False):
            self.phones[phone] = res_id
            names[res_id] = name
        return ids

    def partner_names(self, ids=()):
        """Names of the partners by id (known ones, plus `ids` read from the database)."""
        names = self.__dict__.setdefault("_names_of_partners", {})
        missing = [i for i in ids if i not in names]
        if missing:
            self.env.cr.execute("SELECT id, name FROM res_partner WHERE id = ANY(%s)", [missing])
            names.update(self.env.cr.fetchall())
        return names

    def _sanitized(self, phone):
        """res.partner.phone_sanitized (phone_validation) of a partner without country: the company's."""
        return self.env["res.partner"]._phone_format(number=phone) or None

    def write(self, batch):  # pylint: disable=method-required-super
        pairs, new, waiting, pending = [], [], [], set()
        for legacy_id, vals in batch:
            existing = self.phones.get(vals["phone_norm"])
            if existing:
                self.counts["callers"]["merged"] += 1
                pairs.append((legacy_id, existing))
            elif vals["phone_norm"] in pending:
                self.counts["callers"]["merged"] += 1
                waiting.append((legacy_id, vals["phone_norm"]))
            else:
                new.append((vals["phone_norm"], vals["name"], vals["address"]))
                pending.add(vals["phone_norm"])
                waiting.append((legacy_id, vals["phone_norm"]))
        self.new_partners(new)
        self.counts["callers"]["created"] += len(new)
        pairs += [(legacy_id, self.phones[phone]) for legacy_id, phone in waiting]
        return pairs
