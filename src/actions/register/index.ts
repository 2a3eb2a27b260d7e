import { runAction } from '../../adapters/runner/action.js';
import { register } from './main.js';

await runAction(register);
