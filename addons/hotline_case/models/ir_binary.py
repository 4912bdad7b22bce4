from odoo import models
from odoo.http import Stream


class _DownloadStream(Stream):
    """A stream always offered for saving (Content-Disposition: attachment), whatever the URL asks."""

    def get_response(self, as_attachment=None, immutable=None, content_security_policy="default-src 'none'",
                     **send_file_kwargs):
        return super().get_response(as_attachment=True, immutable=immutable,
                                    content_security_policy=content_security_policy, **send_file_kwargs)


class IrBinary(models.AbstractModel):
    _inherit = "ir.binary"

    def _get_stream_from(self, record, field_name="raw", filename=None, filename_field="name", mimetype=None,
                         default_mimetype="application/octet-stream"):
        """A case's files come from callers and units: downloaded, never opened in the browser's page (an <img>
        or the PDF viewer still show them)."""
        stream = super()._get_stream_from(record, field_name, filename=filename, filename_field=filename_field,
                                          mimetype=mimetype, default_mimetype=default_mimetype)
        if (record._name == "ir.attachment" and stream.type in ("data", "path")
                and record.sudo().res_model == "hotline.case"):
            return _DownloadStream(**vars(stream))
        return stream
