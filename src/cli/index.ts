#!/usr/bin/env node
import { runCli } from './main.js';

// The process entry point: the CLI reads every variable from the `env` it is given, so tests inject one.
// eslint-disable-next-line no-restricted-properties -- the one place the CLI takes the process's environment
process.exitCode = await runCli(process.argv.slice(2), process.env);
