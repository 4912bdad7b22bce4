import { Interaction } from "@web/public/interaction";
import { registry } from "@web/core/registry";

/**
 * The result form refuses, before sending, the files the server would refuse (count, size of each, total):
 * a unit on a mobile network does not upload 30 MB to hear "larger than 10 MB", and the typed result stays
 * on the page. Limits and translated messages come from the server (data-* of the form).
 */
export class HotlineResultUploadCheck extends Interaction {
    static selector = "form.o_hotline_submit_form";
    dynamicContent = {
        "input[type='file']": { "t-on-change": this.onFilesChange },
        _root: { "t-on-submit": this.onSubmit },
    };

    setup() {
        this.fileInput = this.el.querySelector("input[type='file']");
        this.errorEl = this.el.querySelector(".o_hotline_upload_error");
    }

    /** The message of the first limit the selected files break, or "" when they fit. */
    refusal() {
        const data = this.el.dataset;
        const files = [...this.fileInput.files];
        if (files.length > Number(data.maxFiles)) {
            return data.msgTooMany;
        }
        const tooBig = files.find((file) => file.size > Number(data.maxFileBytes));
        if (tooBig) {
            return data.msgTooBig.replace("%s", tooBig.name);
        }
        const total = files.reduce((sum, file) => sum + file.size, 0);
        return total > Number(data.maxTotalBytes) ? data.msgTooMuch : "";
    }

    showRefusal(message) {
        this.errorEl.textContent = message;
        this.errorEl.classList.toggle("d-none", !message);
    }

    onFilesChange() {
        this.showRefusal(this.refusal());
    }

    onSubmit(ev) {
        const message = this.refusal();
        this.showRefusal(message);
        if (message) {
            ev.preventDefault();
        }
    }
}

registry.category("public.interactions").add("hotline_portal.result_upload_check", HotlineResultUploadCheck);
