#!/usr/bin/env node
// The CLI runs the TypeScript sources directly through tsx's loader, so a checkout needs no build step.
import { register } from 'tsx/esm/api';

register();
const { runCli } = await import('../src/cli/main.ts');
const code = await runCli(process.argv);
// Exit explicitly: pools and timers of a finished command must not keep the process alive.
process.exit(code);
