import path from "node:path";

// After tests/integration/setup.ts (the app's environment): uploads kept by the hostile-file
// imports go beside the corpus, not into the demo's upload folder.
process.env.UPLOAD_DIR = path.resolve(".carryover/reliability/uploads");
