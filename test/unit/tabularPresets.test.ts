// The tabular presets: every named model has a valid spec; a spec's key names raw columns.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TABULAR_MODELS } from '../../contracts/tabular.ts';
import { isTabularModel, noTabularPreset } from '../../domain/tabularModels.ts';
import { BIGMART_SPEC } from '../../ml/tabular/presets/bigmart.ts';
import { TABULAR_PRESETS } from '../../ml/tabular/presets/index.ts';
import { validateSpec } from '../../ml/tabular/spec.ts';

describe('tabular presets', () => {
  it('maps every model name, and only those, to a valid spec', () => {
    assert.deepEqual(Object.keys(TABULAR_PRESETS).sort(), [...TABULAR_MODELS].sort());
    for (const name of TABULAR_MODELS) validateSpec(TABULAR_PRESETS[name]);
    assert.equal(isTabularModel('bigmart'), true);
    assert.equal(isTabularModel('walmart'), false);
    assert.equal(isTabularModel('power-user'), true);
    assert.equal(isTabularModel('air-quality'), true);
    assert.equal(noTabularPreset('walmart'), `walmart has no preset (known: ${TABULAR_MODELS.join(', ')})`);
    assert.match(noTabularPreset('walmart'), /known: bigmart, /);
  });

  it("keys BigMart's rows by item and outlet; a key that is not a raw column is an error naming it", () => {
    assert.deepEqual(BIGMART_SPEC.key, ['Item_Identifier', 'Outlet_Identifier']);
    assert.throws(() => validateSpec({ ...BIGMART_SPEC, key: ['Item_Identifier', 'Store'] }), {
      message: `spec ${BIGMART_SPEC.name}: key names Store, not a raw column`,
    });
  });
});
