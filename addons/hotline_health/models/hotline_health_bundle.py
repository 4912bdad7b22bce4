import collections
import csv
import io
import json
import logging
import platform
import re
import zipfile

from odoo import api, fields, models, release
from odoo.tools import config

# Option, parameter and field names whose values never leave the server.
SECRET_NAME = re.compile(r"pass|secret|token|key|pwd|auth", re.IGNORECASE)
MASK = "********"


class _RecentErrors(logging.Handler):
    """Warnings and errors of this server process, for bundles of servers without a log file."""

    def __init__(self):
        super().__init__(logging.WARNING)
        self.lines = collections.deque(maxlen=300)
        self.setFormatter(logging.Formatter("%(asctime)s %(process)d %(levelname)s %(name)s: %(message)s"))

    def emit(self, record):
        self.lines.append(self.format(record))


RECENT_ERRORS = _RecentErrors()
logging.getLogger().addHandler(RECENT_ERRORS)


class HotlineHealthBundle(models.AbstractModel):
    """The diagnostic bundle: what a supporter needs, without a single secret."""

    _name = "hotline.health.bundle"
    _description = "Hotline Diagnostic Bundle"

    @api.model
    def _build(self):
        """Zip bytes: versions, configuration and parameters (secrets masked), health rows,
        incidents and recoveries, the PBX bridges' state and recent log, the server's last errors."""
        self.env["hotline.health.check"]._refresh()
        secrets = self._secret_values()
        files = {
            "versions.json": json.dumps(self._versions(), ensure_ascii=False, indent=2),
            "configuration.txt": self._configuration(),
            "parameters.txt": self._parameters(),
            "health.csv": self._csv("hotline.health.check", ["name", "state", "fact", "since", "checked"]),
            "events.csv": self._csv("hotline.health.event",
                                    ["kind", "name", "start", "stop", "duration", "caught_up", "detail"], limit=500),
            "pbx.txt": self._pbx(),
            "server-errors.log": self._server_errors(),
        }
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as bundle:
            for name, text in files.items():
                bundle.writestr(name, self._scrub(text, secrets))
        return buffer.getvalue()

    def _secret_values(self):
        """Every secret this server knows, to scrub it wherever it might appear."""
        values = {str(v) for k, v in config.options.items() if SECRET_NAME.search(k) and v and v is not True}
        values.update(p.value for p in self.env["ir.config_parameter"].sudo().search([("value", "!=", False)])
                      if SECRET_NAME.search(p.key) and p.value)
        Pbx = self.env["hotline.pbx"].sudo().with_context(active_test=False)
        values.update(Pbx.search([("secret", "!=", False)]).mapped("secret"))
        values.update(self.env["ir.mail_server"].sudo().search([("smtp_pass", "!=", False)]).mapped("smtp_pass"))
        # Short values ("True", "b2b", a port) are settings, not secrets; scrubbing them would maul the text.
        return sorted({v for v in values if v and len(v) >= 8}, key=len, reverse=True)

    @staticmethod
    def _scrub(text, secrets):
        for secret in secrets:
            text = text.replace(secret, MASK)
        return text

    def _versions(self):
        modules = self.env["ir.module.module"].sudo().search([("state", "=", "installed")])
        self.env.cr.execute("SHOW server_version")
        return {
            "odoo": release.version,
            "python": platform.python_version(),
            "platform": platform.platform(),
            "postgresql": self.env.cr.fetchone()[0],
            "database": self.env.cr.dbname,
            "generated": fields.Datetime.to_string(fields.Datetime.now()),
            "hotline_addons": {m.name: m.latest_version for m in modules if m.name.startswith("hotline")},
            "other_addons": sorted(m.name for m in modules if not m.name.startswith("hotline")),
        }

    def _configuration(self):
        lines = []
        for key in sorted(config.options):
            value = config.options[key]
            lines.append(f"{key} = {MASK if SECRET_NAME.search(key) and value else value}")
        return "\n".join(lines) + "\n"

    def _parameters(self):
        params = self.env["ir.config_parameter"].sudo().search([("key", "!=", False)], order="key")
        return "".join(f"{p.key} = {MASK if SECRET_NAME.search(p.key) else p.value}\n" for p in params)

    def _csv(self, model, names, limit=None):
        out = io.StringIO()
        writer = csv.writer(out)
        Model = self.env[model].sudo()
        writer.writerow([Model._fields[n].get_description(self.env)["string"] for n in names])
        for record in Model.search([], limit=limit):
            writer.writerow([record[n] if record[n] is not False else "" for n in names])
        return out.getvalue()

    def _pbx(self):
        chunks = []
        for pbx in self.env["hotline.pbx"].sudo().with_context(active_test=False).search([("id", "!=", False)]):
            facts = {name: pbx[name] for name in ("name", "active", "host", "port", "username", "queue_names",
                                                  "queue_log_path", "queue_log_offset", "bridge_status",
                                                  "bridge_heartbeat", "bridge_host", "bridge_pid",
                                                  "bridge_connected_since", "bridge_last_event",
                                                  "bridge_events_minute", "bridge_queue_log_lag", "bridge_pop_p95")}
            chunks.append("\n".join(f"{k} = {v}" for k, v in facts.items())
                          + "\n--- recent bridge log ---\n" + (pbx.bridge_log or "") + "\n")
        return "\n".join(chunks)

    def _server_errors(self):
        logfile = config.get("logfile")
        if logfile:
            try:
                with open(logfile, "rb") as fh:
                    fh.seek(0, 2)
                    fh.seek(max(0, fh.tell() - 2_000_000))
                    tail = fh.read().decode("utf-8", "replace").splitlines()
            except OSError as exc:
                return f"log file {logfile} unreadable: {exc}\n"
            wanted = [line for line in tail if re.search(r" (WARNING|ERROR|CRITICAL) ", line)]
            return "\n".join(wanted[-300:]) + "\n"
        return "\n".join(RECENT_ERRORS.lines) + "\n"
