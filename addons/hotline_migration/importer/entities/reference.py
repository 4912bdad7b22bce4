"""The small reference tables (units, categories, types, districts, streets, agents): through the ORM
(translations, parent paths, constraints), each legacy code linked to the hotline's record of that code
when there is one."""

from odoo import Command

from .base import Entity, text


class Coded(Entity):
    """A table of codes and names; `code_table` names the mapping's [codes.*] section that renames them."""

    reference = True
    code_table = None
    extra = ()  # converted fields written as they are

    def convert(self, row, columns):
        return {"code": text(row[columns["id"]]), "name": text(row[columns["name"]])}

    def write(self, batch):  # pylint: disable=method-required-super
        Model = self.env[self.model].sudo()
        counts = self.counts[self.name]
        pairs = []
        for legacy_id, vals in batch:
            code = (self.mapping.codes[self.code_table].get(vals["code"]) if self.code_table else None) \
                or vals["code"]
            record = Model.search([("code", "=", code)], limit=1)
            if record:
                counts["linked"] += 1
            else:
                create = {"code": code, "name": vals["name"]}
                create.update({k: v for k, v in vals.items() if k in self.extra})
                record = Model.create(create)
                counts["created"] += 1
                self._parents.append((record, vals.get("parent")))
            pairs.append((legacy_id, record.id))
        return pairs

    @property
    def _parents(self):
        return self.__dict__.setdefault("_parent_links", [])

    def link_parents(self):
        """Parents are set once the whole table is in (a child may come before its parent)."""
        known = self.ids[self.name]
        for record, parent in self._parents:
            if parent and parent in known:
                record.parent_id = known[parent]
        self._parents.clear()


class Tree(Coded):
    """A table whose rows name their parent."""

    def convert(self, row, columns):
        return {**super().convert(row, columns), "parent": text(row.get(columns.get("parent")))}


class Units(Tree):
    name, model, code_table = "units", "hotline.unit", "unit"


class Categories(Tree):
    name, model, code_table = "categories", "hotline.category", "category"


class Types(Coded):
    name, model, code_table = "types", "hotline.case.type", "type"


class Districts(Coded):
    name, model = "districts", "hotline.district"


class Streets(Coded):
    name, model, extra = "streets", "hotline.street", ("district_id",)

    def convert(self, row, columns):
        vals = super().convert(row, columns)
        vals["district_id"] = self._ref(row, columns, "district", "districts", "orphan reference")
        return vals


class Agents(Coded):
    """The legacy staff table: a user per staff number (login: the mapping's prefix and the number), agents
    gone archived (kept for the history, cannot log in)."""

    name, model = "agents", "res.users"

    def convert(self, row, columns):
        vals = super().convert(row, columns)
        vals["active"] = self._bool(row, columns, "active") if columns.get("active") else True
        return vals

    def write(self, batch):  # pylint: disable=method-required-super
        Users = self.env["res.users"].sudo()
        group = self.env.ref("hotline_case.group_agent")
        counts = self.counts["agents"]
        pairs = []
        for legacy_id, vals in batch:
            login = f"{self.mapping.agent_login_prefix}{vals['code']}"
            user = Users.search([("login", "=", login)], limit=1)
            if user:
                counts["linked"] += 1
            else:
                user = Users.create({"login": login, "name": vals["name"] or login,
                                     "tz": self.mapping.timezone, "group_ids": [Command.link(group.id)]})
                counts["created"] += 1
                if not vals["active"]:
                    user.action_archive()  # gone: kept for the history, cannot log in
                    counts["inactive"] += 1
            pairs.append((legacy_id, user.id))
        return pairs
