import { runAction } from '../../adapters/runner/action.js';
import { evaluateGate } from './main.js';

await runAction(evaluateGate);
