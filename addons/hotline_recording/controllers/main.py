import os

from werkzeug.exceptions import Forbidden

from odoo import http
from odoo.exceptions import AccessError
from odoo.http import Stream, request

from ..tools.audio import CODECS


class HotlineRecordingController(http.Controller):
    @http.route("/hotline/recording/<int:call_id>", type="http", auth="user", methods=["GET"])
    def recording(self, call_id, recording=None, download=None, **kwargs):
        """The sound of a call, with HTTP Range (206) so players start at once and seek; ``recording``
        picks one of several recordings of the call (a transfer), ``download=1`` asks to save it.
        403 for users who may hear no recording, 404 for a call or recording they may not hear."""
        Recording = request.env["hotline.recording"]
        try:
            rec = Recording._for_playback(call_id, int(recording) if str(recording or "").isdigit() else None)
        except AccessError:
            raise Forbidden() from None
        except LookupError:
            raise request.not_found() from None
        path = rec.sudo()._stored_path()
        offset = _range_start(request.httprequest.headers.get("Range"))
        rec._log_access("download" if download else "play", offset)
        stat = os.stat(path)
        mimetype, ext = CODECS[rec.sudo().codec]
        stream = Stream(type="path", path=path, mimetype=mimetype, download_name=f"call-{call_id}-{rec.id}{ext}",
                        etag=rec.sudo().checksum, last_modified=stat.st_mtime, size=stat.st_size, conditional=True)
        response = stream.get_response(as_attachment=bool(download))
        response.headers["Cache-Control"] = "private, no-store"
        response.headers["Accept-Ranges"] = "bytes"
        return response


def _range_start(header):
    """The first byte asked for by a Range header (0 when none or unreadable)."""
    if not header or not header.startswith("bytes="):
        return 0
    first = header[6:].split(",")[0].split("-")[0].strip()
    return int(first) if first.isdigit() else 0
