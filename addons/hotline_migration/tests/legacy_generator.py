"""A realistic legacy hotline system, generated deterministically (seeded) at any size.

The tables are those of a typical pre-2020 12319 system: pinyin column names in the database,
Chinese headers in the Excel exports, dates as text in whatever format each screen used, phone
numbers as typed. The dirt a migration meets is put in on purpose and listed in `expected_rejects`
so that tests can check every bad row is reported and nothing else is lost:
bad phones, unknown codes, bad dates, orphan references, duplicate callers, a truncated line.
"""

import csv
import random
from datetime import datetime, timedelta
from pathlib import Path

# table → [(pinyin column, Chinese header)]
SCHEMA = {
    "t_danwei": [("dwbm", "单位编码"), ("dwmc", "单位名称"), ("sjdwbm", "上级单位编码")],
    "t_fenlei": [("flbm", "分类编码"), ("flmc", "分类名称"), ("sjflbm", "上级分类编码")],
    "t_leixing": [("lxbm", "类型编码"), ("lxmc", "类型名称")],
    "t_quyu": [("qybm", "区域编码"), ("qymc", "区域名称")],
    "t_jiedao": [("jdbm", "街道编码"), ("jdmc", "街道名称"), ("qybm", "区域编码")],
    "t_zuoxi": [("gh", "工号"), ("xm", "姓名"), ("zt", "状态")],
    "t_laidianren": [("ldrid", "来电人编号"), ("xm", "姓名"), ("dh", "电话"), ("dz", "地址")],
    "t_gongdan": [
        ("gdid", "工单ID"), ("gdbh", "工单编号"), ("slsj", "受理时间"), ("ldhm", "来电号码"), ("ldrxm", "来电人"),
        ("lxbm", "类型编码"), ("flbm", "分类编码"), ("qybm", "区域编码"), ("jdbm", "街道编码"), ("dz", "地址"),
        ("nr", "诉求内容"), ("zt", "状态"), ("dwbm", "承办单位"), ("slgh", "受理工号"), ("jjcd", "紧急程度"),
        ("bm", "保密"), ("qx", "办理期限"), ("bjsj", "办结时间"), ("cljg", "处理结果"), ("shyj", "审核意见"),
        ("myd", "满意度"), ("hfsm", "回访说明"),
    ],
    "t_liuzhuan": [
        ("lzid", "流转ID"), ("gdid", "工单ID"), ("dzbm", "操作"), ("ydzt", "原状态"), ("xdzt", "新状态"),
        ("czgh", "操作工号"), ("dwbm", "单位编码"), ("czsj", "操作时间"), ("yj", "意见"),
    ],
    "t_fujian": [("fjid", "附件ID"), ("gdid", "工单ID"), ("wjlj", "文件路径"), ("wjmc", "文件名")],
    "t_huawu": [
        ("hwid", "话务ID"), ("zjhm", "主叫号码"), ("bjhm", "被叫号码"), ("dl", "队列"), ("gh", "工号"),
        ("fx", "方向"), ("ldsj", "来电时间"), ("jtsj", "接通时间"), ("gjsj", "挂机时间"), ("ddsc", "等待时长"),
        ("thsc", "通话时长"), ("jg", "结果"), ("gdid", "工单ID"),
    ],
}

UNITS = [("DW01", "市自来水公司", ""), ("DW02", "市煤气公司", ""), ("DW03", "市供热公司", ""),
         ("DW04", "市排水处", ""), ("DW05", "市政工程处", ""), ("DW06", "市园林处", ""),
         ("DW07", "市环卫处", ""), ("DW08", "市房管局", ""), ("DW0801", "城东房管所", "DW08"),
         ("DW0802", "城西房管所", "DW08"), ("DW09", "市城管执法局", ""), ("DW10", "老城区建设局", "")]
CATEGORIES = [("A", "供水", ""), ("A01", "停水", "A"), ("A02", "水质", "A"), ("A03", "水压低", "A"),
              ("B", "燃气", ""), ("B01", "燃气泄漏", "B"), ("B02", "燃气费", "B"),
              ("C", "供热", ""), ("C01", "暖气不热", "C"), ("D", "排水", ""), ("D01", "污水外溢", "D"),
              ("E", "道路", ""), ("E01", "路面破损", "E"), ("F", "物业", ""), ("F01", "物业服务", "F"),
              ("G", "其他", "")]
CATEGORY_UNIT = {"A": "DW01", "B": "DW02", "C": "DW03", "D": "DW04", "E": "DW05", "F": "DW08", "G": "DW09"}
TYPES = [("1", "投诉"), ("2", "咨询"), ("3", "求助"), ("4", "建议"), ("5", "表扬"), ("6", "举报")]
DISTRICTS = [("Q01", "老城区"), ("Q02", "新城区"), ("Q03", "江北区"), ("Q04", "开发区")]
STREETS = [(f"{q}{i:02d}", f"{n[:2]}{s}街道", q) for q, n in DISTRICTS
           for i, s in enumerate(("东关", "西关", "南湖", "北山"), start=1)]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"
GIVEN = "秀英桂英秀兰玉兰建华建国志强文军海燕红梅丽娟明亮永刚晓东春梅国庆小红伟华德胜淑珍立新桂芝子涵浩然欣怡宇轩"
ROADS = ("人民路", "解放路", "建设路", "中山路", "滨江路", "和平街", "胜利路", "朝阳路", "文化路", "长江路")
TEXTS = {"A": "家中停水已两天，请尽快恢复供水", "B": "楼道内有燃气味，担心泄漏", "C": "暖气不热，室温只有十四度",
         "D": "小区污水井外溢，臭味很大", "E": "路面塌陷有坑，影响通行", "F": "物业不作为，电梯常坏",
         "G": "占道经营，噪音扰民"}
RESULTS = ("已派人现场处理，问题已解决", "已协调相关单位整改完毕", "经核实已修复，市民认可", "已答复市民并做好解释")

# legacy codes (the example mapping translates them)
STATES_OPEN = ("02", "03", "04", "05", "06")  # 待分理 待签收 办理中 待审核 待回访
SATISFACTION = ("1", "2", "3", "4", "5")  # 非常满意 … 非常不满意
CLOSED = "07"
CANCELLED = "09"
DATE_FORMATS = ("%Y/%m/%d %H:%M", "%Y%m%d%H%M%S", "%Y-%m-%d %H:%M:%S", "excel")


def excel_serial(moment):
    delta = moment - datetime(1899, 12, 30)
    return round(delta.days + delta.seconds / 86400, 8)


class LegacySystem:
    """Build the tables of a legacy system with `cases` cases (about 2.5 calls per case)."""

    def __init__(self, cases=200, seed=12319, start=datetime(2019, 1, 1)):
        self.rng = random.Random(seed)
        self.n_cases = cases
        self.start = start
        self.tables = {}
        self.expected_rejects = []  # (table, legacy id, reason, column)
        self._build()

    # -- helpers -------------------------------------------------------------------------------
    def _date(self, moment, formats=DATE_FORMATS):
        fmt = self.rng.choice(formats)
        if fmt == "excel":
            return f"{excel_serial(moment):.8f}".rstrip("0")
        if fmt == "%Y/%m/%d %H:%M":
            moment = moment.replace(second=0)
            return f"{moment.year}/{moment.month}/{moment.day} {moment:%H:%M}"  # 2019/3/5 14:03
        return moment.strftime(fmt)

    def _phone(self, number, styled=True):
        """The same number as different screens typed it."""
        if not styled:
            return number
        style = self.rng.randrange(6)
        if number.startswith("1"):
            return [number, f"{number[:3]} {number[3:7]} {number[7:]}", f"{number[:3]}-{number[3:7]}-{number[7:]}",
                    f"+86 {number}", f"+86-{number}", f"0086{number}"][style]
        area, local = number.split("-")
        extension = f"{number}转{self.rng.randint(800, 899)}"
        return [number, f"{area} {local}", f"({area}){local}", f"{area}{local}", extension,
                f"+86 {area[1:]} {local}"][style]

    def _person(self):
        return self.rng.choice(SURNAMES) + self.rng.choice(GIVEN[::2]) + self.rng.choice(GIVEN[1::2])

    # -- build ---------------------------------------------------------------------------------
    def _build(self):
        rng = self.rng
        self.tables["t_danwei"] = [list(u) for u in UNITS]
        self.tables["t_fenlei"] = [list(c) for c in CATEGORIES]
        self.tables["t_leixing"] = [list(t) for t in TYPES]
        self.tables["t_quyu"] = [list(d) for d in DISTRICTS]
        self.tables["t_jiedao"] = [list(s) for s in STREETS]
        agents = [[f"{1000 + i}", self._person(), "1" if i < 12 else "0"] for i in range(16)]  # 4 have left
        self.tables["t_zuoxi"] = agents
        agent_ids = [a[0] for a in agents]

        n_callers = max(self.n_cases // 3, 10)
        callers, numbers = [], []
        for i in range(n_callers):
            if rng.random() < 0.8:
                number = f"1{rng.choice('3578')}{rng.randint(0, 999999999):09d}"
            else:
                number = f"0{rng.choice(('571', '21', '10', '931'))}-{rng.randint(2000000, 89999999)}"
            numbers.append(number)
            address = f"{rng.choice(ROADS)}{rng.randint(1, 300)}号"
            callers.append([str(i + 1), self._person(), self._phone(number), address])
        # duplicate callers: the same person entered again with the number typed differently
        for i in range(0, n_callers, 10):
            callers.append([str(n_callers + i + 1), callers[i][1], self._phone(numbers[i]), callers[i][3]])
        self.tables["t_laidianren"] = callers
        self.duplicate_callers = len(range(0, n_callers, 10))

        cases, logs, files, calls = [], [], [], []
        span = 3 * 365 * 86400
        bad = {}
        step = max(self.n_cases // 5, 1)
        # one of each kind of bad case, spread over the table (never the last row, kept for truncation)
        for k, (column, reason) in enumerate((("ldhm", "bad phone"), ("zt", "unknown code"),
                                              ("slsj", "bad date"), ("flbm", "unknown code"))):
            bad[min(k * step + 3, self.n_cases - 2)] = (column, reason)
        log_id = file_id = call_id = 0
        for i in range(self.n_cases):
            gdid = str(100000 + i)
            received = self.start + timedelta(seconds=int(span * i / self.n_cases) + rng.randint(0, 3600))
            caller_index = rng.randrange(n_callers)
            category = rng.choice([c for c in CATEGORIES if c[2]] + [CATEGORIES[-1]])
            root = category[2] or category[0]
            unit = CATEGORY_UNIT[root]
            if unit == "DW08":
                unit = rng.choice(("DW0801", "DW0802"))
            street = rng.choice(STREETS)
            roll = rng.random()
            state = CLOSED if roll < 0.85 else (CANCELLED if roll < 0.87 else rng.choice(STATES_OPEN))
            on_call = state == CLOSED and rng.random() < 0.2  # 处理完毕 on the call: no unit
            agent = rng.choice(agent_ids)
            deadline = received + timedelta(days=rng.choice((2, 5, 10, 15)))
            closed = received + timedelta(hours=rng.randint(2, 300)) if state == CLOSED else None
            satisfaction = rng.choice(SATISFACTION) if state == CLOSED and not on_call else ""
            row = {
                "gdid": gdid, "gdbh": f"12319{received:%Y%m%d}{i % 10000:04d}", "slsj": self._date(received),
                "ldhm": self._phone(numbers[caller_index]), "ldrxm": callers[caller_index][1],
                "lxbm": rng.choice(TYPES)[0], "flbm": category[0], "qybm": street[2], "jdbm": street[0],
                "dz": f"{street[1]}{rng.choice(ROADS)}{rng.randint(1, 500)}号", "nr": TEXTS[root],
                "zt": state, "dwbm": "" if on_call or state == "02" else unit, "slgh": agent,
                "jjcd": rng.choice("1112"), "bm": "1" if rng.random() < 0.05 else "0",
                "qx": "" if on_call else self._date(deadline), "bjsj": self._date(closed) if closed else "",
                "cljg": rng.choice(RESULTS) if state in (CLOSED, "05", "06") else "",
                "shyj": "同意办结" if state in (CLOSED, "06") and not on_call else "",
                "myd": satisfaction, "hfsm": "市民表示认可" if satisfaction else "",
            }
            problem = bad.get(i)
            if problem:
                row[problem[0]] = {"ldhm": "电话未留", "zt": "99", "slsj": "2019/13/45 25:61",
                                   "flbm": "ZZ99"}[problem[0]]
                self.expected_rejects.append(("t_gongdan", gdid, problem[1], problem[0]))
            cases.append([row[c] for c, _h in SCHEMA["t_gongdan"]])

            steps = self._steps(state, on_call, received, agent, unit, row, agent_ids)
            for action, old, new, operator, step_unit, when, note in steps:
                log_id += 1
                logs.append([str(log_id), gdid, action, old, new, operator, step_unit, self._date(when), note])
                if problem:
                    self.expected_rejects.append(("t_liuzhuan", str(log_id), "orphan reference", "gdid"))
            if rng.random() < 0.1:
                file_id += 1
                path = f"attachments/{received:%Y/%m}/{gdid}_{file_id}.jpg"
                files.append([str(file_id), gdid, path, f"现场照片{file_id}.jpg"])
                if problem:
                    self.expected_rejects.append(("t_fujian", str(file_id), "orphan reference", "gdid"))
            # the call that opened the case, and sometimes the callback call
            for direction in ("in", "out") if state == CLOSED and not on_call else ("in",):
                call_id += 1
                calls.append(self._call(call_id, numbers[caller_index], agent,
                                        received if direction == "in" else (closed or received), direction, gdid))
                if problem:
                    self.expected_rejects.append(("t_huawu", str(call_id), "orphan reference", "gdid"))
        # calls without a case: abandoned, timeouts, enquiries
        for _ in range(self.n_cases // 2):
            call_id += 1
            moment = self.start + timedelta(seconds=rng.randint(0, span))
            number = numbers[rng.randrange(n_callers)]
            calls.append(self._call(call_id, number, rng.choice(agent_ids), moment, "in", ""))
        # orphan references: a log line and an attachment of a case that never existed, a call of an unknown agent
        log_id += 1
        logs.append([str(log_id), "999999", "QS", "03", "04", agent_ids[0], "DW01", self._date(self.start), ""])
        self.expected_rejects.append(("t_liuzhuan", str(log_id), "orphan reference", "gdid"))
        file_id += 1
        files.append([str(file_id), "999998", "attachments/lost.jpg", "丢失.jpg"])
        self.expected_rejects.append(("t_fujian", str(file_id), "orphan reference", "gdid"))
        call_id += 1
        orphan_call = self._call(call_id, numbers[0], "9999", self.start + timedelta(days=40), "in", "")
        calls.append(orphan_call)
        # its agent left: the call is imported with an archived user created for the number
        self.departed_staff = {"9999": str(call_id)}
        self.tables["t_gongdan"] = cases
        self.tables["t_liuzhuan"] = logs
        self.tables["t_fujian"] = files
        self.tables["t_huawu"] = calls

    def _steps(self, state, on_call, received, agent, unit, row, agent_ids):
        """The history: the steps the legacy workflow logged, with their times and operators."""
        rng = self.rng
        steps = [("SL", "", "01", agent, "", received, "")]
        moment = received
        if on_call:
            steps.append(("JA", "01", CLOSED, agent, "", received + timedelta(minutes=5), "电话中已答复"))
        elif state == CANCELLED:
            steps.append(("ZF", "01", CANCELLED, agent, "", received + timedelta(minutes=3), "重复来电，作废"))
        else:
            order = ["02", "03", "04", "05", "06", CLOSED]
            actions = {"02": "ZDD", "03": "XF", "04": "QS", "05": "BJ", "06": "SHTG", CLOSED: "HF"}
            previous = "01"
            for new in order[:order.index(state) + 1]:
                action = actions[new]
                moment = moment + timedelta(minutes=rng.randint(5, 1800))
                operator = agent if action in ("ZDD", "HF", "SHTG") else rng.choice(agent_ids)
                note = {"BJ": row["cljg"], "SHTG": row["shyj"], "HF": row["hfsm"]}.get(action, "")
                steps.append((action, previous, new, operator, "" if new == "02" else unit, moment, note))
                previous = new
        return steps

    def _call(self, call_id, number, agent, moment, direction, gdid):
        rng = self.rng
        wait = rng.randint(0, 90)
        if direction == "out":
            answered = rng.random() < 0.8
            outcome = "HC" if answered else "HW"
        else:
            roll = rng.random()
            answered = bool(gdid) or roll < 0.8
            outcome = "JT" if answered else ("FQ" if roll < 0.95 else "CS")
        talk = rng.randint(20, 600) if answered else 0
        answer = moment + timedelta(seconds=wait) if answered else None
        end = moment + timedelta(seconds=wait + talk)
        return [str(call_id), self._phone(number) if direction == "in" else "12319",
                "12319" if direction == "in" else self._phone(number), "hotline", agent if answered else "",
                direction, self._date(moment), self._date(answer) if answer else "", self._date(end), str(wait),
                str(talk), outcome, gdid]

    # -- expectations --------------------------------------------------------------------------
    def rejects(self, truncated=False):
        """Expected rejections (table, id, reason, column); `truncated`: the CSV export's cut last case line."""
        rejects = list(self.expected_rejects)
        if truncated:
            gdid = self.tables["t_gongdan"][-1][0]
            rejects.append(("t_gongdan", gdid, "truncated line", ""))
            for table, key in (("t_liuzhuan", 1), ("t_fujian", 1), ("t_huawu", 12)):
                rejects += [(table, row[0], "orphan reference", "gdid")
                            for row in self.tables[table] if row[key] == gdid]
        return rejects

    # -- writers -------------------------------------------------------------------------------
    def headers(self, table, chinese=False):
        return [h if chinese else c for c, h in SCHEMA[table]]

    def write_csv(self, folder, encodings=None, chinese=(), truncate=True, attachments=True):
        """One CSV file per table; `encodings`: table → encoding (default utf-8); `chinese`: tables
        exported with Chinese headers. The last case line is cut in the middle, as a copy interrupted."""
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        encodings = encodings or {}
        for table, rows in self.tables.items():
            encoding = encodings.get(table, "utf-8")
            path = folder / f"{table}.csv"
            with open(path, "w", encoding=encoding, newline="") as handle:
                writer = csv.writer(handle, lineterminator="\r\n")
                writer.writerow(self.headers(table, table in chinese))
                writer.writerows(rows)
            if truncate and table == "t_gongdan":
                data = path.read_bytes().rstrip(b"\r\n")
                cut = data.rfind(b"\n") + 1
                last = data[cut:]
                # keep the first few fields only, cut inside a field, no quote left open
                fields = last.split(b",")
                path.write_bytes(data[:cut] + b",".join(fields[:5]) + b"\r\n")
        if attachments:
            self.write_attachments(folder)
        return folder

    def write_attachments(self, folder):
        for _fjid, gdid, path, _name in self.tables["t_fujian"]:
            if gdid.startswith("9999"):
                continue
            target = Path(folder) / path
            target.parent.mkdir(parents=True, exist_ok=True)
            # a tiny JPEG-like payload, unique per file
            target.write_bytes(b"\xff\xd8\xff\xe0" + path.encode() + b"\xff\xd9")

    def write_xlsx(self, path, chinese=True, native_dates=True):
        """One workbook, a sheet per table (Chinese headers); some date cells native, some Excel serials."""
        from openpyxl import Workbook  # noqa: PLC0415

        from ..tools.dates import DateParser  # noqa: PLC0415

        parser = DateParser(DATE_FORMATS, tz="UTC")  # keep the local wall time: only the cell type changes
        date_columns = {"slsj", "qx", "bjsj", "czsj", "ldsj", "jtsj", "gjsj"}
        book = Workbook(write_only=True)
        for table, rows in self.tables.items():
            sheet = book.create_sheet(table)
            sheet.append(self.headers(table, chinese))
            columns = [c for c, _h in SCHEMA[table]]
            for row in rows:
                cells = list(row)
                for k, column in enumerate(columns):
                    if native_dates and column in date_columns and cells[k]:
                        try:
                            moment = parser.parse(cells[k])
                        except ValueError:
                            continue  # the bad date stays text
                        cells[k] = moment if self.rng.random() < 0.5 else excel_serial(moment)
                sheet.append(cells)
        book.save(path)
        return path

    def write_mysql(self, url, database):
        """Create `database` (dropped first) on a MariaDB/MySQL server and fill it; varchar columns as
        the old system had them."""
        from urllib.parse import urlsplit  # noqa: PLC0415

        import pymysql  # noqa: PLC0415

        parts = urlsplit(url)
        connection = pymysql.connect(host=parts.hostname or "127.0.0.1", port=parts.port or 3306,
                                     user=parts.username or "root", password=parts.password or "",
                                     charset="utf8mb4", autocommit=True)
        try:
            with connection.cursor() as cursor:
                cursor.execute(f"DROP DATABASE IF EXISTS `{database}`")
                cursor.execute(f"CREATE DATABASE `{database}` CHARACTER SET utf8mb4")
                cursor.execute(f"USE `{database}`")
                for table, rows in self.tables.items():
                    columns = [c for c, _h in SCHEMA[table]]
                    ddl = ", ".join(f"`{c}` VARCHAR(255)" if c not in ("nr", "cljg", "yj") else f"`{c}` TEXT"
                                    for c in columns)
                    cursor.execute(f"CREATE TABLE `{table}` ({ddl}, PRIMARY KEY (`{columns[0]}`))"
                                   if table not in ("t_liuzhuan",) or True else "")
                    sql = f"INSERT INTO `{table}` VALUES ({', '.join(['%s'] * len(columns))})"
                    for k in range(0, len(rows), 5000):
                        cursor.executemany(sql, rows[k:k + 5000])
        finally:
            connection.close()
        return f"mysql://{parts.username or 'root'}@{parts.hostname}:{parts.port or 3306}/{database}"
