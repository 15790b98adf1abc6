// A worker of the offload pool. It runs the tasks' TypeScript: the loader is registered here, as
// a worker does not always inherit the one its process started with.
import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';
import { register } from 'tsx/esm/api';

// Below the thread that serves requests: a large document's work takes the cores it leaves.
// Linux names a thread by its own id (`/proc/thread-self` is `<pid>/task/<tid>`); elsewhere the
// worker keeps the process's priority.
try {
  setPriority(Number(readlinkSync('/proc/thread-self').split('/').pop()), 10);
} catch {}

register();
const { runTask } = await import('./tasks.ts');

export default runTask;
