import re

from werkzeug.exceptions import NotFound

from odoo import http
from odoo.exceptions import AccessError, UserError
from odoo.http import request

SUPERVISOR_GROUP = "hotline_case.group_reviewer"
TOKEN_PATTERN = re.compile(r"[A-Za-z0-9_-]{1,200}")


class HotlineMonitor(http.Controller):
    """The wallboard: logged out by its secret token (wall screens), or logged in as a supervisor.

    A wrong, rotated or revoked token answers 404 like any unknown page: nothing tells a guesser
    that boards exist."""

    # -- helpers ---------------------------------------------------------------------
    def _board_by_token(self, token):
        # tokens are URL-safe base64 (secrets.token_urlsafe): anything else (a NUL, which PostgreSQL refuses in a
        # query, spaces...) names no board, without asking the database
        if not TOKEN_PATTERN.fullmatch(token or ""):
            raise request.not_found()
        board = request.env["hotline.wallboard"]._by_token(token)
        if not board:
            raise request.not_found()
        return board

    def _supervisor_board(self, board_id):
        if not request.env.user.has_group(SUPERVISOR_GROUP):
            raise request.not_found()
        board = request.env["hotline.wallboard"].browse(board_id).exists()
        if not board:
            raise request.not_found()
        board.check_access("read")
        return board

    def _render(self, board, token, masked):
        # a wall screen speaks the board's language; a supervisor their own
        lang = board.sudo().lang if token else (request.env.user.lang or board.sudo().lang)
        info = {"board_id": board.id, "token": token or "", "masked": masked,
                "name": board.sudo().with_context(lang=lang).name, "lang": lang}
        # what the web client's services read (bus worker version, translations' language)
        session_info = request.env["ir.http"].get_frontend_session_info()
        session_info["bundle_params"]["lang"] = lang
        session_info["user_context"] = {**session_info.get("user_context", {}), "lang": lang}
        session_info.pop("translationURL", None)  # every addon's terms, not only the website's
        return request.render("hotline_monitor.board_page", {"board_info": info, "session_info": session_info})

    # -- logged out (wall screen) ------------------------------------------------------
    @http.route("/hotline_monitor/board/<string:token>", type="http", auth="public", sitemap=False)
    def board(self, token):
        try:
            board = self._board_by_token(token)
        except NotFound:
            # a 404 still, but a screen's page in the room's language rather than Odoo's English one
            lang = request.env["hotline.wallboard"].sudo()._default_lang()
            page = request.env["ir.qweb"].with_context(lang=lang)._render("hotline_monitor.board_gone", {"lang": lang})
            return request.make_response(page, status=404, headers=[("Content-Type", "text/html; charset=utf-8")])
        # the page reads the board by its token only (masked, as on the wall), whoever is logged in: a user
        # opening it from their own browser stays logged in
        return self._render(board, token, masked=True)

    @http.route("/hotline_monitor/board/<string:token>/snapshot", type="jsonrpc", auth="public")
    def board_snapshot(self, token):
        board = self._board_by_token(token)
        return request.env["hotline.monitor.live"].sudo()._snapshot(board, masked=True)

    @http.route("/hotline_monitor/board/<string:token>/agent/<int:user_id>", type="jsonrpc", auth="public")
    def board_agent(self, token, user_id):
        board = self._board_by_token(token)
        return self._agent_panel(board, user_id)

    @http.route("/hotline_monitor/board/<string:token>/avatar/<int:user_id>", type="http", auth="public",
                sitemap=False)
    def board_avatar(self, token, user_id):
        board = self._board_by_token(token)
        if user_id not in board._agents().ids:
            raise request.not_found()
        user = request.env["res.users"].sudo().browse(user_id)
        stream = request.env["ir.binary"]._get_image_stream_from(user, "avatar_128")
        return stream.get_response(max_age=300)

    # -- logged in (supervisor) -------------------------------------------------------------
    @http.route("/hotline_monitor/supervisor/<int:board_id>", type="http", auth="user", sitemap=False)
    def supervisor(self, board_id):
        board = self._supervisor_board(board_id)
        return self._render(board, None, masked=False)

    @http.route("/hotline_monitor/supervisor/<int:board_id>/snapshot", type="jsonrpc", auth="user")
    def supervisor_snapshot(self, board_id):
        board = self._supervisor_board(board_id)
        return request.env["hotline.monitor.live"].sudo()._snapshot(board, masked=False)

    @http.route("/hotline_monitor/supervisor/<int:board_id>/agent/<int:user_id>", type="jsonrpc", auth="user")
    def supervisor_agent(self, board_id, user_id):
        board = self._supervisor_board(board_id)
        return self._agent_panel(board, user_id)

    @http.route("/hotline_monitor/supervisor/<int:board_id>/callback/<int:call_id>", type="jsonrpc",
                auth="user")
    def supervisor_callback(self, board_id, call_id):
        """One click: call an abandoned caller back from the supervisor's own phone."""
        self._supervisor_board(board_id)
        call = request.env["hotline.call"].browse(call_id).exists()
        if not call:
            raise request.not_found()
        try:
            action = call.action_monitor_callback()
        except (UserError, AccessError) as exc:
            return {"error": str(exc)}
        return {"ok": True, "message": action["params"]["title"]}

    def _agent_panel(self, board, user_id):
        return request.env["hotline.monitor.live"].sudo()._agent_panel(board, user_id)
