/** A light child entry for the pool's own tests: the test-only fault tasks, no raster modules. */
import { serveTasks } from '../../server/workers/child.js';
import { tasks } from './fault-tasks.js';

serveTasks(() => tasks);
