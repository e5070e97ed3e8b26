// Where the local stack keeps its tools (shared by every stack) and its data (one dir per stack).
import path from 'node:path';

export const ROOT = path.resolve(import.meta.dirname, '../..');
export const TOOLS_DIR = path.join(ROOT, '.tools');
export const VENV_DIR = path.join(TOOLS_DIR, 'venv');
export const FUZZ_VENV_DIR = path.join(TOOLS_DIR, 'fuzz-venv');
export const GO_BIN_DIR = path.join(TOOLS_DIR, 'go', 'bin');
/** HOME for bqemulator: DuckDB looks for pre-placed extensions under $HOME/.duckdb. */
export const DUCKDB_HOME = path.join(TOOLS_DIR, 'duckdb-home');
export const REQUIREMENTS = path.join(import.meta.dirname, 'requirements.lock');
export const REQUIREMENTS_TEMPORAL = path.join(import.meta.dirname, 'requirements-temporal.txt');
export const REQUIREMENTS_FUZZ = path.join(import.meta.dirname, 'requirements-fuzz.lock');

export interface StackDirs {
  data: string;
  logs: string;
  run: string;
}

export function stackDirs(dataDir: string): StackDirs {
  return { data: dataDir, logs: path.join(dataDir, 'logs'), run: path.join(dataDir, 'run') };
}
