/**
 * What `docker build` + `docker run` would do, without a Docker engine:
 * lays out the runtime stage the way the Dockerfile does (compiled dist/,
 * config/, `npm ci --omit=dev` from the lockfile, the stage's ENV), runs
 * its ENTRYPOINT + CMD as an unprivileged user against the simulated
 * cloud, and checks its HEALTHCHECK, the state volume and `docker stop`.
 *
 *   npm run image-smoke        (about 20 s; needs the npm registry)
 *
 * Prints one line per check and exits non-zero on the first failure.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, cpSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startSimulator } from 'tplink-cloud-sim';
import { execForm, runtimeStage, stageEnv } from './dockerfile.js';
import { simulatorEnv } from '../src/cli/simulate-env.js';

const ROOT = resolve(import.meta.dirname, '..');
const NOBODY = 65534;

function check(ok: boolean, what: string): void {
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`);
  if (!ok) process.exit(1);
}

function freePort(): Promise<number> {
  return new Promise((done) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => done(port));
    });
  });
}

const stage = runtimeStage(join(ROOT, 'Dockerfile'));
const entrypoint = execForm(stage.find((step) => step.keyword === 'ENTRYPOINT'));
const cmd = execForm(stage.find((step) => step.keyword === 'CMD'));
const healthcheck = execForm(stage.find((step) => step.keyword === 'HEALTHCHECK'));
check(entrypoint[0] === 'node' && healthcheck[0] === 'node', `Dockerfile: ENTRYPOINT ${entrypoint.join(' ')}, CMD ${cmd.join(' ')}, HEALTHCHECK ${healthcheck.join(' ')}`);

// The runtime stage's /app and /data.
const work = mkdtempSync(join(tmpdir(), 'tpcm-image-'));
const app = join(work, 'app');
const data = join(work, 'data');
execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json', '--outDir', join(app, 'dist')], { cwd: ROOT, stdio: 'inherit' });
for (const file of ['package.json', 'package-lock.json', 'config']) cpSync(join(ROOT, file), join(app, file), { recursive: true });
execFileSync('npm', ['ci', '--omit=dev', '--no-audit', '--no-fund', '--silent'], { cwd: app, stdio: 'inherit' });
const dev = spawnSync('node', ['-e', "import('tsx').then(() => process.exit(1), () => process.exit(0))"], { cwd: app });
check(dev.status === 0, 'production install only: dev dependencies (tsx) are absent');
// The simulated cloud is a development package: neither installed nor compiled into the image.
const simulatorInstalled = spawnSync('node', ['-e', "import('tplink-cloud-sim').then(() => process.exit(1), () => process.exit(0))"], { cwd: app });
const compiledSimulator = spawnSync('grep', ['-rlE', 'builtinDevices|tapoAppApi|renderSysinfo', join(app, 'dist')], { encoding: 'utf8' });
check(simulatorInstalled.status === 0 && compiledSimulator.stdout.trim() === '', 'no simulator in the image: the package is not installed and dist/ holds none of its code');
const demo = spawnSync('node', ['dist/cli.js', 'demo'], { cwd: app, encoding: 'utf8', env: { PATH: process.env.PATH, HOME: '/nonexistent' } });
check(demo.status === 2 && /needs the simulated cloud/.test(demo.stderr), `demo in the image says what it needs: ${demo.stderr.trim()}`);

// As root we can drop to an unprivileged user, as USER node does; otherwise we already are one.
const asRoot = process.getuid?.() === 0;
// mkdtemp makes a 0700 folder: the unprivileged user must reach /app and /data inside it.
chmodSync(work, 0o755);
mkdirSync(data);
if (asRoot) chownSync(data, NOBODY, NOBODY);
const sim = await startSimulator();
const passwordFile = join(work, 'password');
writeFileSync(passwordFile, `${sim.password}\n`, { mode: 0o644 });

// The passwords go in a file, as the image's users are told to pass them.
const { KASA_PASSWORD: _kasa, TAPO_PASSWORD: _tapo, ...pointedAtSimulator } = simulatorEnv(sim);
const port = await freePort();
const env: NodeJS.ProcessEnv = {
  PATH: process.env.PATH,
  HOME: '/nonexistent',
  ...stageEnv(stage),
  TPCM_EMBEDDED_BROKER_PORT: String(port),
  ...pointedAtSimulator,
  KASA_PASSWORD_FILE: passwordFile,
  TAPO_PASSWORD_FILE: passwordFile,
};
// The image's /data is TPCM_STATE_DIR; here it is a temporary folder.
env.TPCM_STATE_DIR = data;
const user = asRoot ? { uid: NOBODY, gid: NOBODY } : {};
const [node = 'node', ...entryArgs] = entrypoint;
const bridge = spawn(node, [...entryArgs, ...cmd], { cwd: app, env, stdio: ['ignore', 'pipe', 'pipe'], ...user });
let output = '';
bridge.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
bridge.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
const exited = new Promise<number | null>((done) => bridge.once('exit', (code) => done(code)));

const [healthNode = 'node', ...healthArgs] = healthcheck;
const health = () => spawnSync(healthNode, healthArgs, { cwd: app, env, encoding: 'utf8', ...user });
let result = health();
for (let tries = 0; result.status !== 0 && tries < 30 && bridge.exitCode === null; tries++) {
  await new Promise((done) => setTimeout(done, 500));
  result = health();
}
check(result.status === 0, `HEALTHCHECK passes: ${result.stdout.trim() || result.stderr.trim() || output.slice(-500)}`);

const state = statSync(join(data, 'state.json'));
check((state.mode & 0o777) === 0o600, `tokens in the state volume, mode ${(state.mode & 0o777).toString(8)}`);
if (asRoot) check(state.uid === NOBODY, 'state file owned by the unprivileged user the bridge runs as');

const stopAt = Date.now();
bridge.kill('SIGTERM');
const code = await exited;
check(code === 0 && Date.now() - stopAt < 10_000, `docker stop (SIGTERM): exit ${code} after ${Date.now() - stopAt} ms`);
const after = health();
check(after.status === 1, `HEALTHCHECK fails once stopped: ${after.stdout.trim()}`);
await sim.close();
rmSync(work, { recursive: true, force: true });
console.log('image smoke test passed');
