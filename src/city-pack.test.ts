import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { checkCityPack, cityPackDir, cityPackFolders, loadCityPack, SHIPPED_PACKS_DIR, type CityPack } from './city-pack.ts';

const TINY = fileURLToPath(new URL('../test/cities/tiny', import.meta.url));

describe('city packs', () => {
  it('finds a pack by name under cities/ or by path, and refuses anything else', () => {
    expect(cityPackDir('chongqing')).toBe(join(SHIPPED_PACKS_DIR, 'chongqing'));
    expect(cityPackDir(TINY)).toBe(TINY);
    expect(() => cityPackDir('Not A Name')).toThrow(/CITY_PACK must be a pack name/);
    expect(() => cityPackDir('atlantis')).toThrow(/no city pack at .*atlantis/);
    const empty = mkdtempSync(join(tmpdir(), 'cityloop-pack-'));
    try {
      expect(() => cityPackDir(empty)).toThrow(/a pack is a folder with city\.ts/);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });

  it('reads the folders by convention: holidays.json first, else the first calendar file', () => {
    expect(cityPackFolders(TINY)).toMatchObject({ plansDir: join(TINY, 'plans'), rulesDir: join(TINY, 'rules'), routingTableFile: join(TINY, 'routing', 'routing-table.yaml'), calendarFile: join(TINY, 'calendar', 'holidays.json') });
    expect(cityPackFolders(cityPackDir('chongqing')).calendarFile).toMatch(/calendar[\\/]cn-public-holidays\.json$/);
  });

  it('loads a manifest with its id and folders', async () => {
    const tiny = await loadCityPack(TINY);
    expect(tiny).toMatchObject({ id: 'tiny', name: { zh: '青溪市' }, dir: TINY });
    expect(tiny.unitKinds.district.map((k) => k.kind)).toEqual(['roads-office', 'parks-office']);
    expect(await loadCityPack(TINY)).toBe(tiny);
  });

  it("refuses a pack whose unit kinds name a category it does not have, naming the pack", async () => {
    const tiny = await loadCityPack(TINY);
    const broken: CityPack = { ...tiny, unitKinds: { ...tiny.unitKinds, street: [{ kind: 'street-team', nameZh: '巡查队', nameEn: 'Patrol', categoryCodes: ['municipal.water.burst'] }] } };
    expect(() => checkCityPack(broken)).toThrow(/city pack tiny: unit kind street-team: category municipal\.water\.burst does not exist/);
    expect(() => checkCityPack({ ...tiny, categories: [{ ...tiny.categories[1]!, parentCode: 'nowhere' }] })).toThrow(/city pack tiny: category roads\.pothole: parent nowhere does not exist/);
    expect(() => checkCityPack({ ...tiny, calendarFile: join(TINY, 'calendar', 'missing.json') })).toThrow(/no calendar file/);
  });

  it('refuses tables that name a category or unit kind the pack does not have, and accepts families and its own', async () => {
    const tiny = await loadCityPack(TINY);
    expect(() => checkCityPack({ ...tiny, capWarningCategories: [{ words: /rain/, categoryCode: 'safety.flash-flood' }] })).toThrow(/city pack tiny: capWarningCategories names category safety\.flash-flood/);
    expect(() => checkCityPack({ ...tiny, cameraEventCategories: { smoke_fire: 'safety.fire' } })).toThrow(/cameraEventCategories names category safety\.fire/);
    expect(() => checkCityPack({ ...tiny, appealLabelCategories: { 城乡建设: 'appeal.urban-rural' } })).toThrow(/appealLabelCategories names category appeal\.urban-rural/);
    expect(() => checkCityPack({ ...tiny, capExportCategories: [['traffic', 'Transport']] })).toThrow(/capExportCategories names category family traffic/);
    expect(() => checkCityPack({ ...tiny, muckReaderUnitKinds: ['urban-management'] })).toThrow(/muckReaderUnitKinds names unit kind urban-management/);
    const attr = tiny.open311Attributes![0]!;
    expect(() => checkCityPack({ ...tiny, open311Attributes: [{ ...attr, appliesTo: ['safety.'] }] })).toThrow(/open311Attributes names category family safety\./);
    const fine = {
      ...tiny,
      capWarningCategories: [{ categories: ['Met' as const], categoryCode: 'roads.flooding' }],
      capExportCategories: [['roads', 'Transport'], ['parks.litter', 'Env']] as const,
      cameraEventCategories: { road_waterlogging: 'roads.flooding' },
      appealLabelCategories: { 城乡建设: 'roads' },
      muckReaderUnitKinds: ['roads-office'],
      open311Attributes: [{ ...attr, appliesTo: ['roads.', 'parks.litter'] }],
    };
    expect(checkCityPack(fine)).toBe(fine);
  });
});
