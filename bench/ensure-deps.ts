/**
 * Installs the benchmark's own dependencies (bench/package.json) on first use, kept apart from the
 * main install and CI. Install scripts are skipped: onnxruntime-node's tries a download (its CPU
 * binary already ships in the package) and nothing else here needs one.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const benchDir = fileURLToPath(new URL('./', import.meta.url));
const REQUIRED = ['@tensorflow/tfjs', '@tensorflow/tfjs-backend-wasm', 'onnxruntime-node'];

export function ensureBenchDeps(): void {
  const missing = REQUIRED.filter((name) => !existsSync(fileURLToPath(new URL(`./node_modules/${name}/package.json`, import.meta.url))));
  if (missing.length === 0) return;
  console.error(`bench: installing ${missing.join(', ')} into bench/node_modules (first run)...`);
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const lock = existsSync(fileURLToPath(new URL('./package-lock.json', import.meta.url)));
  const result = spawnSync(npm, [lock ? 'ci' : 'install', '--prefix', benchDir, '--ignore-scripts', '--no-audit', '--no-fund'], { stdio: 'inherit' });
  if (result.status !== 0) throw new Error(`npm install in ${benchDir} failed (exit ${result.status})`);
}
