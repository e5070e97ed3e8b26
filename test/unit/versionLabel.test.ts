// Version labels: the seeds' YYYYMMDD_HHMMSS, on the clock of the preset's time zone. Air quality's
// seed labels by US/Eastern time, so 21:00 in New York is 21:00 in the label in summer (EDT, UTC-4)
// and in winter (EST, UTC-5); every other preset keeps UTC.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TABULAR_PRESETS } from '../../ml/tabular/presets/index.ts';
import { validateSpec } from '../../ml/tabular/spec.ts';
import { versionLabel } from '../../platform/tabularRegistry.ts';

describe('version labels', () => {
  const summer = new Date('2026-07-01T01:00:00Z'); // 21:00 EDT on 30 June
  const winter = new Date('2026-12-02T02:00:00Z'); // 21:00 EST on 1 December

  it('are UTC by default', () => {
    assert.equal(versionLabel(summer), '20260701_010000');
    assert.equal(versionLabel(winter), '20261202_020000');
  });

  it('follow New York daylight saving time: the seed 21:00 run is labelled 21:00 on both sides of it', () => {
    assert.equal(versionLabel(summer, 'America/New_York'), '20260630_210000');
    assert.equal(versionLabel(winter, 'America/New_York'), '20261201_210000');
    // midnight is 00, not 24
    assert.equal(versionLabel(new Date('2026-01-15T05:00:00Z'), 'America/New_York'), '20260115_000000');
  });

  it('are US/Eastern for air quality, UTC for the other presets', () => {
    assert.equal(TABULAR_PRESETS['air-quality'].versionTimeZone, 'America/New_York');
    assert.equal(TABULAR_PRESETS.bigmart.versionTimeZone, undefined);
    assert.equal(TABULAR_PRESETS['power-user'].versionTimeZone, undefined);
  });

  it('a spec with a time zone that does not exist is rejected naming it', () => {
    assert.throws(
      () => validateSpec({ ...TABULAR_PRESETS['air-quality'], versionTimeZone: 'US/Nowhere' }),
      /versionTimeZone US\/Nowhere is not an IANA time zone/,
    );
  });
});
