import shutil

from odoo.tests import HttpCase, tagged

from .common import HotlineSmsCommon

# Runs in a real Chromium at a phone's size: the status page is looked up in a same-origin frame, as a citizen
# would (type, tap, read), and measured there. Logs "test successful" when every check holds.
TOUR = """
(async () => {
    const fail = (message) => { console.error("tour failed: " + message); };
    const frame = document.createElement("iframe");
    frame.style.cssText = "position:fixed;inset:0;width:100%%;height:100%%;border:0";
    const loaded = () => new Promise((resolve) => frame.addEventListener("load", resolve, {once: true}));
    document.body.appendChild(frame);
    let next = loaded();
    frame.src = "/case";
    await next;
    const check = (doc, label) => {
        const root = doc.documentElement;
        if (root.scrollWidth > root.clientWidth + 1) {
            fail(`${label}: the page scrolls sideways (${root.scrollWidth} > ${root.clientWidth})`);
            return false;
        }
        for (const input of doc.querySelectorAll("input:not([type=hidden])")) {
            // below 16px a phone's browser zooms into the field
            if (parseFloat(getComputedStyle(input).fontSize) < 16) {
                fail(`${label}: ${input.name} is too small to type in`);
                return false;
            }
        }
        const button = doc.querySelector("button");
        if (button && button.getBoundingClientRect().height < 44) {
            fail(`${label}: the button is smaller than a finger`);
            return false;
        }
        return true;
    };
    const lookUp = async (number, secret) => {
        const doc = frame.contentDocument;
        doc.querySelector("input[name=number]").value = number;
        doc.querySelector("input[name=secret]").value = secret;
        next = loaded();
        doc.querySelector("button").click();
        await next;
        return frame.contentDocument;
    };
    if (frame.contentWindow.innerWidth !== %(width)s) {
        return fail(`the frame is ${frame.contentWindow.innerWidth}px wide`);
    }
    if (!check(frame.contentDocument, "form")) { return; }
    let doc = await lookUp("%(number)s", "000000");
    if (!doc.querySelector(".alert") || doc.querySelector("section li")) {
        return fail("a wrong code shows no alert, or shows a case");
    }
    if (!check(doc, "wrong code")) { return; }
    doc = await lookUp("%(number)s", "%(code)s");
    const steps = [...doc.querySelectorAll("section li")];
    if (steps.length !== %(steps)s) {
        return fail(`${steps.length} steps shown`);
    }
    const text = doc.body.innerText;
    for (const expected of %(expected)s) {
        if (!text.includes(expected)) { return fail(`"${expected}" is not on the page`); }
    }
    for (const secret of %(hidden)s) {
        if (text.includes(secret)) { return fail(`"${secret}" is shown`); }
    }
    if (!check(doc, "timeline")) { return; }
    // the timeline is read top to bottom: every step below the previous one, inside the screen's width
    let bottom = 0;
    for (const step of steps) {
        const box = step.getBoundingClientRect();
        if (box.top < bottom || box.right > %(width)s) {
            return fail("the steps overlap or leave the screen");
        }
        bottom = box.bottom;
    }
    console.log("test successful");
})();
"""


@tagged("post_install", "-at_install")
class TestCaseStatusPhoneTour(HttpCase, HotlineSmsCommon):
    """The public status page on a phone (390×844, touch): look a case up with a wrong code, then the right one,
    and read its timeline; nothing scrolls sideways, fields are large enough to type in, the button to tap."""

    browser_size = "390x844"
    touch_enabled = True

    def test_phone_lookup(self):
        self.assertTrue(any(shutil.which(name) for name in ("chromium", "chromium-browser", "google-chrome")),
                        "Chromium is required for the phone tour")
        case = self._callback_case(caller_phone="13812349876", caller_name="王女士")
        case.sudo().result_note = "已于当日修复供水管道，恢复供水。"
        steps = len(case._hotline_public_status()["steps"])
        code = {
            "width": 390, "number": case.name, "code": case.sudo().hotline_retrieval_code, "steps": steps,
            "expected": repr([case.name, "已于当日修复供水管道", self.unit_a.name]),
            "hidden": repr(["王女士", "13812349876", self.agent.name]),
        }
        self.browser_js("/case", TOUR % code, timeout=120)
