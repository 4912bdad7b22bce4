import { registry } from "@web/core/registry";

/**
 * A unit member on a phone: from the portal home to signing for a case and submitting the result with a
 * photo. Runs on a 390x844 viewport, so the card layout (not the table) is the one used.
 */
registry.category("web_tour.tours").add("hotline_portal_mobile_sign_submit", {
    url: "/my",
    steps: () => [
        {
            content: "No horizontal scrolling on a phone",
            trigger: "#hotline_counters",
            run() {
                if (document.documentElement.scrollWidth > window.innerWidth + 1) {
                    throw new Error(`page wider than the phone: ${document.documentElement.scrollWidth}px`);
                }
            },
        },
        {
            content: "Open the cases waiting to be signed for",
            trigger: "#hotline_counters a[href='/my/hotline/cases?state=dispatched']",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "Open the case from its card",
            trigger: ".o_hotline_case_card:contains('HPTOUR Street 8')",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "Sign for the case",
            trigger: "button.o_hotline_accept",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "Signed for",
            trigger: ".o_hotline_flash.alert-success",
        },
        {
            content: "Describe the result",
            trigger: ".o_hotline_submit_box textarea[name='note']",
            run: "edit 已更换破损水管，14:00恢复供水",
        },
        {
            content: "Choose the handling result",
            trigger: ".o_hotline_submit_box select[name='result']",
            run: "select resolved",
        },
        {
            content: "Attach a photo",
            trigger: ".o_hotline_submit_box input[type='file']",
            run() {
                const transfer = new DataTransfer();
                // a JPEG's signature: the server reads a result file's type from its content
                const jpeg = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00]);
                transfer.items.add(new File([jpeg], "repair_photo.jpg", { type: "image/jpeg" }));
                this.anchor.files = transfer.files;
            },
        },
        {
            content: "Submit the result",
            trigger: "button.o_hotline_submit",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "Submitted, photo listed",
            trigger: ".o_hotline_flash.alert-success",
        },
        {
            content: "The photo is downloadable",
            trigger: ".o_hotline_attachments a:contains('repair_photo.jpg')",
        },
        {
            content: "No action left while the center reviews",
            trigger: ".o_hotline_case_page[data-state='submitted']:not(:has(.o_hotline_actions))",
        },
    ],
});

/**
 * A unit member on a phone picks a photo over the size limit: the browser refuses it at once, in Chinese,
 * sends nothing, and the typed result stays in the form.
 */
registry.category("web_tour.tours").add("hotline_portal_mobile_oversize_photo", {
    steps: () => [
        {
            content: "Describe the result",
            trigger: ".o_hotline_submit_box textarea[name='note']",
            run: "edit 阀门已更换，管道试压正常",
        },
        {
            content: "Choose the handling result",
            trigger: ".o_hotline_submit_box select[name='result']",
            run: "select resolved",
        },
        {
            content: "Attach a photo of 11 MB",
            trigger: ".o_hotline_submit_box input[type='file']",
            run() {
                const transfer = new DataTransfer();
                const big = new File([new Uint8Array(11 * 1024 * 1024)], "big_photo.jpg", { type: "image/jpeg" });
                transfer.items.add(big);
                this.anchor.files = transfer.files;
                this.anchor.dispatchEvent(new Event("change", { bubbles: true }));
            },
        },
        {
            content: "Refused at once, in Chinese, naming the file",
            trigger: ".o_hotline_upload_error:not(.d-none):contains('big_photo.jpg'):contains('超过 10 MB')",
        },
        {
            content: "Submitting is refused in the browser too",
            trigger: "button.o_hotline_submit",
            run: "click",
        },
        {
            content: "Still on the page, the typed result kept",
            trigger: ".o_hotline_upload_error:not(.d-none)",
            run() {
                const note = document.querySelector(".o_hotline_submit_box textarea[name='note']");
                if (note.value !== "阀门已更换，管道试压正常") {
                    throw new Error(`the typed result was lost: ${JSON.stringify(note.value)}`);
                }
            },
        },
    ],
});
