import { runAction } from '../../adapters/runner/action.js';
import { train } from './main.js';

await runAction(train);
