import { runAction } from '../../adapters/runner/action.js';
import { validateData } from './main.js';

await runAction(validateData);
