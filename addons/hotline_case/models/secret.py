"""Secrets (API keys, tokens, passwords) kept in settings and records: who reads them and how they are shown.

A field is a secret when declared ``hotline_secret=True`` on a model inheriting ``hotline.secret.mixin``
(every ``res.config.settings`` does), or, for Odoo's own settings, when listed in ``ODOO_SECRET_SETTINGS``.
Nobody gets a secret back in clear through the ORM's read paths: administrators see ``SECRET_MASK``
when it is set (and may type a new value over it), everyone else sees nothing. The code that uses a
secret reads it as before (the record's attribute, ``ir.config_parameter.get_param``).
"""

from odoo import api, models
from odoo.exceptions import AccessError

# Shown instead of a secret that is set; a value equal to it written back means "unchanged".
SECRET_MASK = "••••••••"
# Odoo's own settings holding a secret, in modules the hotline does not depend on (absent ones are ignored).
ODOO_SECRET_SETTINGS = frozenset({
    "google_gmail_client_secret", "google_translate_api_key", "microsoft_outlook_client_secret", "sfu_server_key",
    "tenor_api_key", "twilio_account_token", "unsplash_access_key", "recaptcha_private_key", "turnstile_secret",
})


class HotlineSecretMixin(models.AbstractModel):
    _name = "hotline.secret.mixin"
    _description = "Secret Fields"

    def _valid_field_parameter(self, field, name):
        return name == "hotline_secret" or super()._valid_field_parameter(field, name)

    @api.model
    def _hotline_secret_fields(self):
        return {name for name, field in self._fields.items() if getattr(field, "hotline_secret", False)}

    @api.model
    def _hotline_mask_secrets(self, values_list, names=None):
        """Replace, in dicts of field values, each secret by the mask (administrators) or nothing (others)."""
        names = self._hotline_secret_fields() if names is None else names
        shown = SECRET_MASK if self.env.is_system() else False
        for values in values_list:
            for name in names & values.keys():
                values[name] = shown if values[name] else False
        return values_list

    def _read_format(self, fnames, load="_classic_read"):
        # read, web_read, search_read and web_save's answer all format their values here
        return self._hotline_mask_secrets(super()._read_format(fnames, load=load))

    @api.model
    def _hotline_drop_mask(self, vals):
        """The mask sent back (a form saved without retyping the secret) keeps the stored secret."""
        return {name: value for name, value in vals.items()
                if not (value == SECRET_MASK and name in self._hotline_secret_fields())}

    @api.model_create_multi
    def create(self, vals_list):
        return super().create([self._hotline_drop_mask(vals) for vals in vals_list])

    def write(self, vals):
        return super().write(self._hotline_drop_mask(vals))


class ResConfigSettings(models.TransientModel):
    """Settings: ``default_get`` and ``get_values`` read config parameters with sudo for anyone who calls them,
    and ``set_values`` writes every parameter with sudo (even on an empty recordset); both are guarded here."""

    _name = "res.config.settings"
    _inherit = ["res.config.settings", "hotline.secret.mixin"]

    @api.model
    def _hotline_secret_fields(self):
        return super()._hotline_secret_fields() | (ODOO_SECRET_SETTINGS & self._fields.keys())

    @api.model
    def _hotline_secret_parameters(self):
        """The ir.config_parameter keys holding a secret setting."""
        return {self._fields[name].config_parameter for name in self._hotline_secret_fields()
                if getattr(self._fields[name], "config_parameter", False)}

    @api.model
    def default_get(self, fields):
        return self._hotline_mask_secrets([super().default_get(fields)])[0]

    @api.model
    def get_values(self):
        return self._hotline_mask_secrets([super().get_values()])[0]

    def _hotline_check_system(self):
        if not self.env.is_system():
            raise AccessError(self.env._("Only administrators can change the settings."))

    def set_values(self):
        self._hotline_check_system()
        unchanged = frozenset(name for name in self._hotline_secret_fields() if self[name] == SECRET_MASK)
        return super(ResConfigSettings, self.with_context(hotline_secrets_unchanged=unchanged)).set_values()

    def _get_classified_fields(self, fnames=None):
        classified = super()._get_classified_fields(fnames)
        unchanged = self.env.context.get("hotline_secrets_unchanged")
        if unchanged:
            classified["config"] = [(name, key) for name, key in classified["config"] if name not in unchanged]
        return classified


class IrConfigParameter(models.Model):
    """The secret settings' parameters, masked the same way in Settings › Technical › System Parameters."""

    _inherit = "ir.config_parameter"

    def _read_format(self, fnames, load="_classic_read"):
        result = super()._read_format(fnames, load=load)
        if "value" in fnames:
            secret_keys = self.env["res.config.settings"]._hotline_secret_parameters()
            secret_ids = {param.id for param in self if param.key in secret_keys}
            self.env["res.config.settings"]._hotline_mask_secrets(
                [values for values in result if values["id"] in secret_ids], names={"value"})
        return result

    def write(self, vals):
        if vals.get("value") == SECRET_MASK:
            vals = {name: value for name, value in vals.items() if name != "value"}
        return super().write(vals)
