// Installs the demo shop into the local database: an offline session whose token the emulator
// accepts (sealed at rest like any other), and its Shop row. Run by scripts/demo.mjs.
import { env } from "../app/env.server";
import { storeOfflineInstall } from "../app/services/offline-install.server";

const domain = env().CARRYOVER_DEMO_SHOP;
const accessToken = process.env.EMULATOR_ACCESS_TOKEN;
if (!domain || !accessToken) throw new Error("CARRYOVER_DEMO_SHOP and EMULATOR_ACCESS_TOKEN are required");
await storeOfflineInstall({ domain, accessToken, scope: env().SCOPES.join(",") });
console.log(`demo shop ${domain} installed`);
