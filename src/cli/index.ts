#!/usr/bin/env node
import { processVariables } from '../adapters/environment.js';
import { runCli } from './main.js';

// The process entry point: the CLI reads every variable from the `env` it is given, so tests inject one.
process.exitCode = await runCli(process.argv.slice(2), processVariables());
