// A worker of the offload pool. It runs the tasks' TypeScript: the loader is registered here, as
// a worker does not always inherit the one its process started with.
import { register } from 'tsx/esm/api';

register();
const { runTask } = await import('./tasks.ts');

export default runTask;
