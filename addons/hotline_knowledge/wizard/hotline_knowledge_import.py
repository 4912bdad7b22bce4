"""Import and export of knowledge items in the Xinyang-style spreadsheet (信阳知识库导入模板).

One header row, then one item a row: 类目 is the category path with "/", 标题 at most 128 characters and unique,
关键字 separated by "、" or commas (each at most 20 characters, not the title), at most 1,000 rows a file. Every
row is checked before anything is written: a file with one wrong row imports nothing and says which rows.
"""
import base64
import io
import re
from datetime import date, datetime

import openpyxl

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import html2plaintext

from ..models.hotline_knowledge_item import KEYWORD_MAX, TITLE_MAX

MAX_ROWS = 1000
MAX_ERRORS_SHOWN = 50
# column header (as in the template) -> field; 类目 and 标题 are required
COLUMNS = [
    ("类目", "category"),
    ("标题", "name"),
    ("标准答复口径", "answer"),
    ("内容", "content"),
    ("关键字", "keywords"),
    ("材料性质", "material_type"),
    ("发文单位", "issuer"),
    ("文号", "doc_number"),
    ("生效日期", "date_start"),
    ("失效日期", "date_end"),
    ("责任单位", "unit"),
]
MATERIAL_LABELS = {"办事指南": "guide", "法律法规": "law", "热点问答": "faq", "日常咨询": "daily",
                   "通知公告": "notice", "业务指引": "business"}
KEYWORD_SPLIT = re.compile(r"[、,，;；\s]+")


class HotlineKnowledgeImport(models.TransientModel):
    _name = "hotline.knowledge.import"
    _description = "Import Knowledge Items"

    file = fields.Binary(string="Spreadsheet (.xlsx)", required=True)
    filename = fields.Char()
    unit_id = fields.Many2one("hotline.unit", string="Default Owner Unit",
                              help="For the rows whose 责任单位 column is empty.")
    publish = fields.Boolean(string="Publish at Once",
                             help="Otherwise the items are imported as drafts, to be submitted and approved.")

    @api.model
    def _cell_text(self, value):
        if value is None:
            return ""
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        return str(value).strip()

    @api.model
    def _cell_date(self, value):
        if value in (None, ""):
            return False
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
        text = self._cell_text(value).replace("年", "-").replace("月", "-").replace("日", "").replace("/", "-")
        try:
            return datetime.strptime(text, "%Y-%m-%d").date()
        except ValueError:
            return None

    def _read_rows(self):
        try:
            book = openpyxl.load_workbook(io.BytesIO(base64.b64decode(self.file)), read_only=True, data_only=True)
        except Exception as error:  # noqa: BLE001 — any unreadable upload gets the same clear answer
            raise UserError(self.env._("The file is not an Excel spreadsheet (.xlsx).")) from error
        sheet = book.worksheets[0]
        rows = list(sheet.iter_rows(values_only=True))
        if not rows:
            raise UserError(self.env._("The spreadsheet is empty."))
        header = [self._cell_text(cell) for cell in rows[0]]
        positions = {}
        for title, key in COLUMNS:
            if title in header:
                positions[key] = header.index(title)
        missing = [title for title, key in COLUMNS[:2] if key not in positions]
        if missing:
            raise UserError(self.env._("The header row lacks the columns: %(columns)s.", columns="、".join(missing)))
        data = [(index, row) for index, row in enumerate(rows[1:], start=2)
                if any(self._cell_text(cell) for cell in row)]
        if len(data) > MAX_ROWS:
            raise UserError(self.env._("At most %(max)s items a file: this one has %(count)s.",
                                       max=MAX_ROWS, count=len(data)))
        return [(index, {key: row[pos] if pos < len(row) else None for key, pos in positions.items()})
                for index, row in data]

    def _check_rows(self, rows):
        """(values for create, errors) — every row checked, each error names its row."""
        Category = self.env["hotline.knowledge.category"]
        categories = {c.complete_name.replace(" / ", "/"): c for c in Category.search([])}
        unit_keys = {self._cell_text(row.get("unit")) for _line, row in rows} - {""}
        units = self.env["hotline.unit"].search(["|", ("name", "in", list(unit_keys)), ("code", "in", list(unit_keys))])
        unit_by_key = {u.name: u for u in units} | {u.code: u for u in units}
        names = [self._cell_text(row.get("name")) for _line, row in rows]
        # archived items keep their title free: the unique index covers active items only
        taken = set(self.env["hotline.knowledge.item"].sudo().search(
            [("name", "in", names), ("origin_id", "=", False)]).mapped("name"))
        seen = {}
        vals_list, errors = [], []
        for line, row in rows:
            def error(message, line=line):
                errors.append(self.env._("Row %(row)s: %(message)s", row=line, message=message))

            path = "/".join(part.strip() for part in self._cell_text(row.get("category")).split("/") if part.strip())
            category = categories.get(path)
            if not path:
                error(self.env._("类目 is empty."))
            elif not category:
                error(self.env._("the category “%(path)s” does not exist.", path=path))
            name = self._cell_text(row.get("name"))
            if not name:
                error(self.env._("标题 is empty."))
            elif len(name) > TITLE_MAX:
                error(self.env._("标题 has %(count)s characters, at most %(max)s.", count=len(name), max=TITLE_MAX))
            elif name in taken:
                error(self.env._("an item titled “%(title)s” already exists.", title=name))
            elif name in seen:
                error(self.env._("the title “%(title)s” is also on row %(other)s.", title=name, other=seen[name]))
            seen.setdefault(name, line)
            keywords, material, dates = self._check_details(row, name, error)
            unit_text = self._cell_text(row.get("unit"))
            unit = unit_by_key.get(unit_text) if unit_text else self.unit_id
            if not unit:
                error(self.env._("the unit “%(unit)s” does not exist.", unit=unit_text) if unit_text
                      else self.env._("责任单位 is empty and no default owner unit is chosen."))
            answer = self._cell_text(row.get("answer"))
            if self.publish and not answer:
                error(self.env._("标准答复口径 is empty: an item is published with the answer agents read out."))
            content = self._cell_text(row.get("content"))
            vals_list.append({
                "category_id": category.id if category else False, "name": name, "answer": answer or False,
                "content": "".join(f"<p>{line_}</p>" for line_ in content.splitlines() if line_.strip()) or False,
                "keywords": ",".join(keywords) or False, "material_type": material or "daily",
                "issuer": self._cell_text(row.get("issuer")) or False,
                "doc_number": self._cell_text(row.get("doc_number")) or False,
                "date_start": dates.get("date_start") or False, "date_end": dates.get("date_end") or False,
                "unit_id": unit.id if unit else False,
            })
        return vals_list, errors

    def _check_details(self, row, name, error):
        """Keywords, 材料性质 and dates of a row: (keywords, material type, {date_start, date_end})."""
        keywords = [k for k in KEYWORD_SPLIT.split(self._cell_text(row.get("keywords"))) if k]
        for keyword in keywords:
            if len(keyword) > KEYWORD_MAX:
                error(self.env._("the keyword “%(keyword)s” is longer than %(max)s characters.",
                        keyword=keyword, max=KEYWORD_MAX))
            if keyword == name:
                error(self.env._("the keyword “%(keyword)s” is the title itself.", keyword=keyword))
        material_label = self._cell_text(row.get("material_type"))
        material = MATERIAL_LABELS.get(material_label, "daily" if not material_label else None)
        if material is None:
            error(self.env._("材料性质 “%(value)s” is not one of %(allowed)s.", value=material_label,
                    allowed="、".join(MATERIAL_LABELS)))
        dates = {}
        for key, label in (("date_start", "生效日期"), ("date_end", "失效日期")):
            dates[key] = self._cell_date(row.get(key))
            if dates[key] is None:
                error(self.env._("%(column)s “%(value)s” is not a date (2026-01-31).", column=label,
                        value=self._cell_text(row.get(key))))
        if dates.get("date_start") and dates.get("date_end") and dates["date_end"] < dates["date_start"]:
            error(self.env._("失效日期 is before 生效日期."))
        return keywords, material, dates

    def action_import(self):
        self.ensure_one()
        self.env["hotline.knowledge.item"]._check_editor()
        rows = self._read_rows()
        if not rows:
            raise UserError(self.env._("The spreadsheet has no item rows."))
        vals_list, errors = self._check_rows(rows)
        if errors:
            shown = errors[:MAX_ERRORS_SHOWN]
            more = len(errors) - len(shown)
            raise UserError(self.env._("Nothing was imported, correct these rows first:") + "\n" + "\n".join(shown)
                            + ("\n" + self.env._("… and %(count)s more.", count=more) if more else ""))
        items = self.env["hotline.knowledge.item"].create(vals_list)
        if self.publish:
            items.action_submit()
            items.action_approve()
        return {
            "type": "ir.actions.act_window", "res_model": "hotline.knowledge.item", "view_mode": "list,form",
            "views": [(False, "list"), (False, "form")], "domain": [("id", "in", items.ids)],
            "name": self.env._("Imported Items"),
        }


class HotlineKnowledgeItem(models.Model):
    _inherit = "hotline.knowledge.item"

    def _export_rows(self):
        labels = {value: label for label, value in MATERIAL_LABELS.items()}
        for item in self:
            content = html2plaintext(item.content).strip() if item.content else ""
            yield [item.category_id.complete_name.replace(" / ", "/"), item.name, item.answer or "", content,
                   "、".join(item._keyword_list()), labels.get(item.material_type, ""), item.issuer or "",
                   item.doc_number or "", item.date_start or None, item.date_end or None, item.unit_id.name]

    def action_export_xlsx(self):
        """The selected items in the import template's layout (the file imports back as is)."""
        book = openpyxl.Workbook()
        sheet = book.active
        sheet.title = "知识库"
        sheet.append([title for title, _key in COLUMNS])
        for row in self._export_rows():
            sheet.append(row)
        for column in ("I", "J"):
            for cell in sheet[column][1:]:
                cell.number_format = "yyyy-mm-dd"
        buffer = io.BytesIO()
        book.save(buffer)
        attachment = self.env["ir.attachment"].create({
            "name": f"知识库导出-{fields.Date.context_today(self)}.xlsx", "raw": buffer.getvalue(),
            "mimetype": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        })
        return {"type": "ir.actions.act_url", "url": f"/web/content/{attachment.id}?download=true",
                "target": "download"}

