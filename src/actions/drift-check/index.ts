import { runAction } from '../../adapters/runner/action.js';
import { driftCheck } from './main.js';

await runAction(driftCheck);
