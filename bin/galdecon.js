#!/usr/bin/env node
// Entry point of the `galdecon` command: TypeScript sources run through tsx.
import { register } from 'tsx/esm/api';

register();
const { main, cleanUpOnSignals } = await import('../src/cli/main.ts');
cleanUpOnSignals(process.argv[2]);
const code = await main(process.argv.slice(2));
// Let pending writes drain, then exit with the command's status.
process.exitCode = code;
