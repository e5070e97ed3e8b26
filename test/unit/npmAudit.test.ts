import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { auditOutcome, type AuditReport } from '../../scripts/npmAudit.ts';

// Shaped as `npm audit --json` (report version 2) prints it.
const advisory = (source: number, name: string, severity: string) => ({
  source,
  name,
  dependency: name,
  title: `${name} is vulnerable`,
  url: `https://github.com/advisories/GHSA-${source}`,
  severity,
  range: '<2.0.0',
});
const report: AuditReport = {
  vulnerabilities: {
    'path-to-regexp': { name: 'path-to-regexp', severity: 'high', via: [advisory(1, 'path-to-regexp', 'high')] },
    express: { name: 'express', severity: 'high', via: ['path-to-regexp', advisory(2, 'express', 'moderate')] },
    semver: { name: 'semver', severity: 'critical', via: [advisory(3, 'semver', 'critical')] },
    debug: { name: 'debug', severity: 'low', via: [advisory(4, 'debug', 'low')] },
  },
};

describe('npm audit check', () => {
  it('fails on each high or critical advisory, listing package, severity, title and link once', () => {
    assert.deepEqual(auditOutcome(report), {
      ok: false,
      advisories: [
        'critical semver <2.0.0: semver is vulnerable (https://github.com/advisories/GHSA-3)',
        'high path-to-regexp <2.0.0: path-to-regexp is vulnerable (https://github.com/advisories/GHSA-1)',
      ],
    });
  });

  it('passes with only low and moderate advisories, or none', () => {
    const { express, debug } = report.vulnerabilities!;
    const lower = { express: { ...express!, via: [express!.via[1]!] }, debug: debug! };
    assert.deepEqual(auditOutcome({ vulnerabilities: lower }), { ok: true, lowerSeverity: 2 });
    assert.deepEqual(auditOutcome({ vulnerabilities: {} }), { ok: true, lowerSeverity: 0 });
  });

  it('does not pass when the registry could not be asked', () => {
    const outcome = auditOutcome({
      message: '405 Method Not Allowed - POST https://registry.npmjs.org/-/npm/v1/security/advisories/bulk',
      statusCode: 405,
    });
    assert.deepEqual(outcome, {
      ok: false,
      unavailable: '405 Method Not Allowed - POST https://registry.npmjs.org/-/npm/v1/security/advisories/bulk',
    });
  });
});
