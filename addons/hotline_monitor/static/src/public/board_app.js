import { App, whenReady } from "@odoo/owl";
import { makeEnv, startServices } from "@web/env";
import { getTemplate } from "@web/core/templates";
import { appTranslateFn } from "@web/core/l10n/translation";
import { Board } from "@hotline_monitor/board/board";

/** The full-screen board page (wall screen by token, or a supervisor's tab), like hr_attendance's kiosk. */
export async function createBoardApp(document, info) {
    await whenReady();
    const env = makeEnv();
    await startServices(env);
    const app = new App(Board, {
        getTemplate,
        env,
        props: { boardId: info.board_id, token: info.token || undefined, masked: info.masked },
        dev: env.debug,
        translateFn: appTranslateFn,
    });
    return app.mount(document.body);
}
