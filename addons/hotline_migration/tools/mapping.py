"""The declarative mapping (TOML): legacy tables, columns and codes → the hotline's entities."""

import json
import re

import tomllib

# entity → {field: required}; the import order is this order (references point backwards)
ENTITIES = {
    "units": {"id": True, "name": True, "parent": False},
    "categories": {"id": True, "name": True, "parent": False},
    "types": {"id": True, "name": True},
    "districts": {"id": True, "name": True},
    "streets": {"id": True, "name": True, "district": True},
    "agents": {"id": True, "name": True, "active": False},
    "callers": {"id": True, "name": False, "phone": True, "address": False},
    "cases": {
        "id": True, "number": False, "received": True, "phone": False, "caller_name": False, "type": False,
        "category": False, "district": False, "street": False, "address": False, "description": False,
        "state": True, "unit": False, "agent": False, "urgency": False, "confidential": False,
        "deadline": False, "closed": False, "result": False, "review_note": False, "satisfaction": False,
        "callback_note": False,
    },
    "logs": {"id": True, "case": True, "action": True, "from_state": False, "to_state": False, "user": False,
             "unit": False, "date": True, "note": False},
    "attachments": {"id": True, "case": True, "path": True, "name": False},
    "calls": {"id": True, "caller_number": False, "called_number": False, "queue": False, "agent": False,
              "direction": False, "enter": True, "answer": False, "end": False, "wait": False, "talk": False,
              "outcome": False, "case": False},
}
CODE_TABLES = ("state", "satisfaction", "urgency", "action", "direction", "outcome", "unit", "category", "type",
               "agent")
# code table → (model, field) whose selection its targets must be in (checked before the first row)
CODE_TARGETS = {
    "state": ("hotline.case", "state"), "satisfaction": ("hotline.case", "satisfaction"),
    "urgency": ("hotline.case", "urgency"), "action": ("hotline.case.log", "action"),
    "direction": ("hotline.call", "direction"), "outcome": ("hotline.call", "outcome"),
}
# `"登记" = ""` under [codes.action]: a legacy step the workflow writes no line for (recording a case)
SKIPPED_ACTION = ""
_SECTION = re.compile(r"^\s*\[\s*codes\.([A-Za-z_]+)\s*\]")
_KEY = re.compile(r"""^\s*("(?:[^"\\]|\\.)*"|'[^']*'|[A-Za-z0-9_-]+)\s*=""")

# Names legacy systems commonly give their columns (pinyin initials, pinyin, Chinese), for --init-mapping.
GUESSES = {
    "id": ["id", "bh", "bm", "编号", "编码", "ID"],
    "name": ["mc", "xm", "name", "名称", "姓名"],
    "parent": ["sjbm", "sj", "parent", "上级"],
    "phone": ["dh", "ldhm", "lxdh", "sjhm", "phone", "电话", "号码"],
    "address": ["dz", "address", "地址"],
    "received": ["slsj", "ldsj", "cjsj", "受理时间", "来电时间"],
    "state": ["zt", "state", "状态"],
    "unit": ["dwbm", "cbdw", "单位"],
    "category": ["flbm", "分类"],
    "type": ["lxbm", "类型"],
    "agent": ["gh", "slgh", "工号"],
    "case": ["gdid", "gdbh", "工单"],
    "date": ["czsj", "sj", "时间"],
    "enter": ["ldsj", "kssj", "来电时间", "开始时间"],
    "talk": ["thsc", "通话时长"],
}


class MappingError(ValueError):
    pass


class Mapping:
    def __init__(self, data, text=""):
        self.data = data
        self.path = ""
        # (code table, legacy code) → line of the mapping file, to name a wrong line
        self.code_lines = _code_lines(text)
        source = data.get("source", {})
        self.name = source.get("name", "")
        self.timezone = source.get("timezone", "Asia/Shanghai")
        self.date_formats = source.get("date_formats", ["%Y-%m-%d %H:%M:%S", "excel"])
        self.true_values = {str(v).lower() for v in source.get("true_values", ["1", "是", "y", "true"])}
        self.agent_login_prefix = source.get("agent_login_prefix", "legacy_")
        self.attachments_root = source.get("attachments_root", "")
        self.entities = data.get("entities", {})
        self.codes = {name: {str(k): str(v) for k, v in data.get("codes", {}).get(name, {}).items()}
                      for name in CODE_TABLES}
        unknown = set(self.entities) - set(ENTITIES)
        if unknown:
            raise MappingError(f"unknown entities in the mapping: {', '.join(sorted(unknown))}")

    @classmethod
    def load(cls, path):
        with open(path, "rb") as handle:
            text = handle.read().decode("utf-8-sig")
        try:
            mapping = cls(tomllib.loads(text), text)
        except tomllib.TOMLDecodeError as exc:
            raise MappingError(f"{path}: {exc}") from exc
        mapping.path = str(path)
        return mapping

    def wrong_codes(self, selections):
        """(line, code table, legacy code, target) of every code whose target is not in `selections`
        ({code table: set of valid values}); targets of tables not in `selections` are not checked."""
        wrong = []
        for table, valid in selections.items():
            for code, target in self.codes[table].items():
                if target in valid or (table == "action" and target == SKIPPED_ACTION):
                    continue
                wrong.append((self.code_lines.get((table, code)), table, code, target))
        return sorted(wrong, key=lambda item: (item[0] or 0, item[1], item[2]))

    def table(self, entity):
        return self.entities.get(entity, {}).get("table")

    def resolve(self, entity, headers):
        """{field: source column} for the columns present in `headers`; MappingError on a missing required one."""
        spec = self.entities.get(entity, {}).get("columns", {})
        present = {h.strip(): h for h in headers}
        resolved, missing = {}, []
        for field, required in ENTITIES[entity].items():
            names = spec.get(field, [])
            names = [names] if isinstance(names, str) else names
            column = next((present[n] for n in names if n in present), None)
            if column is not None:
                resolved[field] = column
            elif required:
                missing.append(f"{field} ({' / '.join(names) or 'not mapped'})")
        if missing:
            raise MappingError(f"{entity} ({self.table(entity)}): required columns missing: {', '.join(missing)}")
        return resolved


def _code_lines(text):
    """{(code table, legacy code): line number} of the [codes.*] entries of a mapping's TOML text."""
    lines, table = {}, None
    for number, line in enumerate(text.splitlines(), start=1):
        section = _SECTION.match(line)
        if section:
            table = section.group(1)
            continue
        if line.lstrip().startswith("["):
            table = None
            continue
        key = _KEY.match(line) if table else None
        if key:
            try:
                code = tomllib.loads(f"{key.group(1)} = 0").popitem()[0]
            except tomllib.TOMLDecodeError:
                continue
            lines[(table, code)] = number
    return lines


def _guess(field, headers):
    lowered = {h.lower(): h for h in headers}
    for guess in [field, *GUESSES.get(field, [])]:
        if guess.lower() in lowered:
            return lowered[guess.lower()]
    for guess in GUESSES.get(field, []):
        for header in headers:
            if guess in header:
                return header
    return None


def starter_mapping(source):
    """TOML text of a mapping guessed from the source's own tables and headers, to be completed by hand."""
    tables = {table: source.headers(table) for table in source.tables()}
    lines = [
        "# Starter mapping written by hotline_import --init-mapping: check every line, fill the TODOs.",
        f"# Source tables: {', '.join(f'{t} ({len(h)} columns)' for t, h in tables.items())}",
        "",
        "[source]",
        'name = ""',
        'timezone = "Asia/Shanghai"',
        'date_formats = ["%Y/%m/%d %H:%M", "%Y%m%d%H%M%S", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d", "excel"]',
        'true_values = ["1", "是", "Y", "true"]',
        'agent_login_prefix = "legacy_"',
        "",
    ]
    for entity, fields in ENTITIES.items():
        # the table whose headers match most of the entity's fields
        scored = sorted(((sum(1 for f in fields if _guess(f, h)), t) for t, h in tables.items()), reverse=True)
        table = scored[0][1] if scored and scored[0][0] else ""
        headers = tables.get(table, [])
        lines += [f"[entities.{entity}]", f"table = {json.dumps(table)}  # TODO check",
                  f"[entities.{entity}.columns]"]
        for field, required in fields.items():
            column = _guess(field, headers)
            if column:
                lines.append(f"{field} = [{json.dumps(column, ensure_ascii=False)}]")
            else:
                lines.append(f"# {field} = []  # TODO{' (required)' if required else ''}")
        lines.append(f"# headers of {table or '?'}: {', '.join(headers)}")
        lines.append("")
    for name in CODE_TABLES:
        lines += [f"[codes.{name}]", '# "legacy code" = "hotline value"', ""]
    return "\n".join(lines)
