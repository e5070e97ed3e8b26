// Paths of the project's own files (web/, node_modules/) for serveStatic, which resolves them
// against the working directory, so the API serves them from wherever it was started.
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '..');

export const projectFile = (p: string): string => path.relative(process.cwd(), path.join(ROOT, p));
