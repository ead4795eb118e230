// Bundles workflow code in a worker thread. webpack's memory (some 150 MB that a long-running
// process keeps once its heap has grown) goes away with the thread, instead of staying with the
// worker for its whole life. Production loads a prebuilt bundle and never bundles at all.
import { Worker } from 'node:worker_threads';

/** Plain JavaScript (no loader needed in the thread): bundles `workflowsPath`, posts the code back. */
const THREAD_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { bundleWorkflowCode } = require(workerData.sdkPath);
const quiet = { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} };
bundleWorkflowCode({ workflowsPath: workerData.workflowsPath, logger: quiet }).then(
  ({ code }) => parentPort.postMessage({ code }),
  (err) => parentPort.postMessage({ error: String((err && err.stack) || err) }),
);
`;

export function bundleInThread(workflowsPath: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const thread = new Worker(THREAD_SOURCE, {
      eval: true,
      workerData: { workflowsPath, sdkPath: require.resolve('@temporalio/worker') },
      // The thread needs no TypeScript loader of the parent's: webpack reads the sources itself.
      execArgv: [],
    });
    thread.once('message', (message: { code?: string; error?: string }) => {
      if (message.code !== undefined) resolve(message.code);
      else reject(new Error(`bundling the workflows failed: ${message.error}`));
      void thread.terminate();
    });
    thread.once('error', reject);
    thread.once('exit', (code) => reject(new Error(`the bundling thread exited (${code}) before it answered`)));
  });
}
