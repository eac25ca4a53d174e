// Runs once, before any test worker starts: compile src/ -> dist/ and build the guest
// programs. Doing it here (not in each file's beforeAll) matters: tsc rewrites every file in
// dist/ and guest/build.sh rewrites stale binaries, and a test in another worker that
// spawns ucrun or a guest at that moment could load a half-written file.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

function run(cmd: string, args: string[]): void {
  const r = spawnSync(cmd, args, { cwd: ROOT, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (status ${r.status}):\n${r.stdout}${r.stderr}`);
}

export default function setup(): void {
  run('npx', ['tsc', '-p', 'tsconfig.json']);
  if (!existsSync(join(ROOT, 'dist', 'cli', 'main.js'))) throw new Error('tsc produced no dist/cli/main.js');
  run('bash', ['guest/build.sh']);
}
