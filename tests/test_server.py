"""The product as `make run` serves it: login page, demo users of every role,
the hotline menus, and the database manager kept shut."""

import pytest

from .chromium import Browser
from .conftest import ROOT, login

CENTER_ROLES = ["agent", "agent2", "dispatcher", "reviewer", "manager"]


def _hotline_menus(session, url):
    menus = session.get(f"{url}/web/webclient/load_menus", timeout=60).json()
    return {m["xmlid"] for m in menus.values() if (m.get("xmlid") or "").startswith("hotline_")}


def test_login_page_is_served(odoo_server):
    import requests

    page = requests.get(f"{odoo_server}/web/login", timeout=30)
    assert page.status_code == 200
    assert 'name="csrf_token"' in page.text and 'name="password"' in page.text


def test_wrong_password_is_refused(odoo_server):
    with pytest.raises(AssertionError, match="could not log in"):
        login(odoo_server, "agent", "not-the-password")


def test_admin_sees_the_hotline_menus(odoo_server):
    session = login(odoo_server, "admin", "admin")
    assert _hotline_menus(session, odoo_server), "no hotline menu for the administrator"


@pytest.mark.parametrize("user", CENTER_ROLES)
def test_every_center_role_has_a_demo_user_with_the_hotline_menus(odoo_server, user):
    session = login(odoo_server, user, user)
    assert _hotline_menus(session, odoo_server), f"{user} sees no hotline menu"


def test_unit_portal_user_cannot_open_the_backend(odoo_server):
    session = login(odoo_server, "portal_water", "portal_water")
    reply = session.get(f"{odoo_server}/odoo", timeout=30, allow_redirects=False)
    assert reply.status_code in (303, 302) and "/my" in reply.headers.get("Location", "")


def test_database_manager_is_disabled(odoo_server, demo_db):
    import requests

    # Odoo still renders the manager page; what must hold is that no operation
    # goes through, even with the well-known default master password.
    reply = requests.post(f"{odoo_server}/web/database/backup", timeout=60,
                          data={"master_pwd": "admin", "name": demo_db, "backup_format": "zip"})
    assert not reply.content.startswith(b"PK"), "a database backup was handed out"
    assert "zip" not in reply.headers.get("Content-Type", "")
    reply = requests.post(f"{odoo_server}/web/database/list", json={}, timeout=30)
    assert "error" in reply.json(), "the database list must not be served"


def test_admin_logs_in_through_chromium_and_sees_the_hotline_app(odoo_server):
    browser = Browser()
    shots = ROOT / ".artefacts"
    shots.mkdir(exist_ok=True)
    try:
        browser.goto(f"{odoo_server}/web/login")
        browser.wait_for("document.querySelector('form.oe_login_form input[name=password]')")
        browser.screenshot(shots / "login.png")
        browser.evaluate("""
            document.querySelector('input[name=login]').value = 'admin';
            document.querySelector('input[name=password]').value = 'admin';
            document.querySelector('form.oe_login_form').submit();
        """)
        # The web client is a JavaScript application: a blank page (broken
        # asset bundle) would never show the navbar's app menu.
        browser.wait_for("document.querySelector('.o_navbar_apps_menu')")
        browser.evaluate("document.querySelector('.o_navbar_apps_menu button').click()")
        browser.wait_for("[...document.querySelectorAll('.o-dropdown-item, .o_app')]"
                         ".some(e => /Hotline|热线/.test(e.textContent))")
        browser.screenshot(shots / "backend-apps.png")
        browser.evaluate("[...document.querySelectorAll('.o-dropdown-item, .o_app')]"
                         ".find(e => /Hotline|热线/.test(e.textContent)).click()")
        browser.wait_for("document.querySelector('.o_action_manager .o_view_controller')")
        browser.screenshot(shots / "backend-hotline.png")
    finally:
        browser.close()
