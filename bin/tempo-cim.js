#!/usr/bin/env node
// Entry point: runs the TypeScript CLI through tsx's loader (no separate compile step).
import { register } from 'tsx/esm/api';

register();
// `tempo-cim inspect model.tcm | head`: a closed pipe ends the output quietly, like other Unix tools.
process.stdout.on('error', (error) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});
const { main } = await import('../compiler/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
