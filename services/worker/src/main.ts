// The worker process: `node services/worker/src/main.ts`. Configuration comes from the
// environment (see config.ts); SIGTERM and SIGINT stop it gracefully.
import { runWorkerProcess } from "./process.ts";

await runWorkerProcess();
