import { runAction } from '../../adapters/runner/action.js';
import { deploy } from './main.js';

await runAction(deploy);
