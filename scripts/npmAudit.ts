// `npm audit --omit=dev` as a check of `npm test`: no high or critical advisory in what production
// installs. A failure lists each advisory (package, severity, title, link) and the path it comes by.
import { execFile } from 'node:child_process';
import { ROOT } from './stack/paths.ts';

const BLOCKING = new Set(['high', 'critical']);

interface Advisory {
  source?: number;
  name: string;
  title: string;
  url: string;
  severity: string;
  range: string;
}
/** The parts of `npm audit --json` (report version 2) the check reads. */
export interface AuditReport {
  vulnerabilities?: Record<
    string,
    { name: string; severity: string; via: (Advisory | string)[]; fixAvailable?: unknown }
  >;
  message?: string;
  statusCode?: number;
  error?: { summary?: string; detail?: string };
}

export type AuditOutcome =
  | { ok: true; lowerSeverity: number }
  | { ok: false; advisories: string[] }
  /** The registry could not be asked (e.g. a mirror without the audit API): not a pass. */
  | { ok: false; unavailable: string };

/** Classifies a report: each high or critical advisory once, as one line. */
export function auditOutcome(report: AuditReport): AuditOutcome {
  if (!report.vulnerabilities) {
    const why = report.message ?? report.error?.summary ?? 'no vulnerabilities section in the report';
    return { ok: false, unavailable: why };
  }
  const lines = new Map<string, string>();
  for (const [pkg, v] of Object.entries(report.vulnerabilities)) {
    for (const via of v.via) {
      // A string names the dependency the advisory comes through; the advisory itself is listed there.
      if (typeof via === 'string' || !BLOCKING.has(via.severity)) continue;
      const key = `${via.source ?? via.url} ${pkg}`;
      lines.set(
        key,
        `${via.severity} ${via.name} ${via.range}: ${via.title} (${via.url})${pkg === via.name ? '' : `, in ${pkg}`}`,
      );
    }
  }
  if (lines.size) return { ok: false, advisories: [...lines.values()].sort() };
  return { ok: true, lowerSeverity: Object.keys(report.vulnerabilities).length };
}

/**
 * The check's verdict, printed. A registry that cannot be asked (a mirror or proxy without the
 * audit API) fails it where the audit is required (NPM_AUDIT_REQUIRED=1, as the GitHub workflow
 * sets); elsewhere it is a loud warning that nothing was checked, so a CI or machine behind such a
 * proxy can still run its tests.
 */
export async function auditCheck(required = process.env.NPM_AUDIT_REQUIRED === '1'): Promise<boolean> {
  const t0 = performance.now();
  const outcome = await npmAudit();
  const seconds = ((performance.now() - t0) / 1000).toFixed(1);
  if (outcome.ok) {
    console.log(`[test] npm audit --omit=dev passed (${seconds} s; ${outcome.lowerSeverity} below high)`);
    return true;
  }
  if ('advisories' in outcome) {
    console.error(
      `[test] npm audit --omit=dev FAILED: ${outcome.advisories.length} high or critical advisory(ies):\n` +
        outcome.advisories.map((a) => `  - ${a}`).join('\n') +
        '\n  update the packages (npm update <pkg>, or an override in package.json)',
    );
    return false;
  }
  console.error(
    `[test] npm audit --omit=dev NOT CHECKED: ${outcome.unavailable}${required ? '' : ' (a failure with NPM_AUDIT_REQUIRED=1)'}`,
  );
  return !required;
}

/** Runs `npm audit --omit=dev --json` in the project and classifies what it says. */
export function npmAudit(): Promise<AuditOutcome> {
  return new Promise((resolve) => {
    // npm audit exits non-zero when it finds anything: the JSON on stdout is what counts.
    execFile('npm', ['audit', '--omit=dev', '--json'], { cwd: ROOT, maxBuffer: 64 * 1024 * 1024 }, (err, stdout) => {
      try {
        resolve(auditOutcome(JSON.parse(stdout) as AuditReport));
      } catch {
        resolve({ ok: false, unavailable: `npm audit gave no JSON (${err?.message ?? 'empty output'})` });
      }
    });
  });
}
