import type { D1Migration } from "cloudflare:test";
import type { Env as AppBindings } from "../src/env";

declare global {
  namespace Cloudflare {
    interface Env extends AppBindings {
      TEST_MIGRATIONS: D1Migration[];
      TEST_HISTORY_MIGRATIONS: D1Migration[];
      /** Base URL of the Node receiver the webhook tests deliver to (test/receiver/server.mjs). */
      WEBHOOK_RECEIVER: string;
    }
    // Types `exports.default` from "cloudflare:workers" as our Worker.
    interface GlobalProps {
      mainModule: typeof import("../src/index");
    }
  }
}
