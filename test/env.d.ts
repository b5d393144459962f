import type { D1Migration } from "cloudflare:test";
import type { Env as AppBindings } from "../src/env";

declare global {
  namespace Cloudflare {
    interface Env extends AppBindings {
      TEST_MIGRATIONS: D1Migration[];
      TEST_HISTORY_MIGRATIONS: D1Migration[];
    }
    // Types `exports.default` from "cloudflare:workers" as our Worker.
    interface GlobalProps {
      mainModule: typeof import("../src/index");
    }
  }
}
