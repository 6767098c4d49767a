/**
 * OVERSIGHT_DOCTOR_SHOPPING_CLASSES is checked against the configured knowledge set at start-up:
 * `nonexistentclass,opiod` was accepted, so the typo switched doctor-shopping detection off for
 * opioids without a word.
 */
import t from 'tap';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pino } from 'pino';
import { loadConfig } from '../../src/config.js';
import { compileBundle } from '../../src/domain/checker/knowledge-bundle.js';
import { createKnowledgeRuleSet } from '../../src/domain/checker/knowledge-rule-set.js';
import { checkDoctorShoppingClasses, unknownDoctorShoppingClasses } from '../../src/oversight/doctor-shopping-classes.js';
import { openServiceLedger, startService } from '../../src/service.js';
import { loadKnowledgeDir, starterKnowledgeDir } from '../../src/store/knowledge-dir.js';

const starter = createKnowledgeRuleSet(compileBundle(loadKnowledgeDir(starterKnowledgeDir())));

t.test('unknownDoctorShoppingClasses: the configured classes the rule set does not define', async (t) => {
  const known = new Map([['opioid', {}], ['benzodiazepine', {}]]);
  t.same(unknownDoctorShoppingClasses([], known), [], 'none configured: every class is watched');
  t.same(unknownDoctorShoppingClasses(['benzodiazepine', 'opioid'], known), []);
  t.same(unknownDoctorShoppingClasses(['nonexistentclass', 'opiod', 'opioid'], known), ['nonexistentclass', 'opiod']);
});

t.test('checkDoctorShoppingClasses against the starter set: known classes pass, unknown ones are a configuration error naming the variable and each', async (t) => {
  t.doesNotThrow(() => checkDoctorShoppingClasses([], starter));
  t.doesNotThrow(() => checkDoctorShoppingClasses(['benzodiazepine', 'opioid', 'z-hypnotic'], starter));
  t.throws(() => checkDoctorShoppingClasses(['nonexistentclass', 'opiod'], starter), {
    code: 'CONFIG_INVALID',
    paths: ['OVERSIGHT_DOCTOR_SHOPPING_CLASSES'],
    message: `invalid configuration: OVERSIGHT_DOCTOR_SHOPPING_CLASSES: unknown drug classes nonexistentclass, opiod (did you mean opioid?): not in the knowledge base ${starter.name}`,
  });
  t.throws(() => checkDoctorShoppingClasses(['opioid', 'ssri', 'statins'], starter), { message: /unknown drug class statins \(did you mean statin\?\): not in/ }, 'one unknown class, among known ones');
});

t.test('the service refuses to start on an unknown class before creating anything, and leaves the data directory free', async (t) => {
  const dataDir = join(t.testdir(), 'data');
  const logger = pino({ level: 'silent' });
  const env = { DATA_DIR: dataDir, PORT: '0' };
  await t.rejects(startService(loadConfig({ ...env, OVERSIGHT_DOCTOR_SHOPPING_CLASSES: 'nonexistentclass,opiod' }), { logger }), {
    code: 'CONFIG_INVALID',
    paths: ['OVERSIGHT_DOCTOR_SHOPPING_CLASSES'],
    message: /OVERSIGHT_DOCTOR_SHOPPING_CLASSES: unknown drug classes nonexistentclass, opiod/,
  });
  t.notOk(existsSync(dataDir), 'a first start refused for its setting creates no data directory, keys or databases');
  const opened = await openServiceLedger(loadConfig({ ...env, OVERSIGHT_DOCTOR_SHOPPING_CLASSES: 'opioid' }), { logger });
  t.same(opened.checker.name, starter.name, 'with a known class it opens (the refusal released the lock)');
  await opened.close();
});
