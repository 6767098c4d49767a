/**
 * The configured knowledge set at start-up: compiled from KNOWLEDGE_DIR (the starter set when
 * unset) without touching anything else, so a start refused for it leaves no data directory; a
 * path that names no directory is a configuration error, a directory holding a bad set is
 * KNOWLEDGE_INVALID; the bundle is stored by its hash for every later re-run of a check.
 */
import t from 'tap';
import { cpSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { compileBundle } from '../../src/domain/checker/knowledge-bundle.js';
import { createKnowledgeRuleSet } from '../../src/domain/checker/knowledge-rule-set.js';
import { loadConfiguredRuleSet, storeRuleSetBundle } from '../../src/ledger/rule-set-startup.js';
import { openDatabase } from '../../src/store/database.js';
import { loadKnowledgeDir, starterKnowledgeDir } from '../../src/store/knowledge-dir.js';
import { createRuleSetStore } from '../../src/store/rule-set-store.js';
import { testdirWithStops } from '../support/testdir.js';

const starter = createKnowledgeRuleSet(compileBundle(loadKnowledgeDir(starterKnowledgeDir())));

t.test('unset, the starter set; a copy of it elsewhere, the same rule set by hash', async (t) => {
  t.equal(loadConfiguredRuleSet(undefined).hash, starter.hash);
  const copy = join(t.testdir(), 'knowledge');
  cpSync(starterKnowledgeDir(), copy, { recursive: true });
  t.equal(loadConfiguredRuleSet(copy).hash, starter.hash);
});

t.test('a path that names no directory is CONFIG_INVALID naming KNOWLEDGE_DIR', async (t) => {
  const dir = t.testdir({ 'a-file.json': '{}' });
  for (const path of [join(dir, 'missing'), join(dir, 'a-file.json')]) {
    t.throws(() => loadConfiguredRuleSet(path), { code: 'CONFIG_INVALID', paths: ['KNOWLEDGE_DIR'], message: `invalid configuration: KNOWLEDGE_DIR: ${path} is not a directory` }, path);
  }
});

t.test('a directory holding a broken set is KNOWLEDGE_INVALID, naming the file', async (t) => {
  const copy = join(t.testdir(), 'knowledge');
  cpSync(starterKnowledgeDir(), copy, { recursive: true });
  writeFileSync(join(copy, 'classes.json'), '{ not json');
  t.throws(() => loadConfiguredRuleSet(copy), { code: 'KNOWLEDGE_INVALID', message: /classes\.json/ });
});

t.test('the bundle is stored under its hash, byte for byte', async (t) => {
  const { dir, stopBeforeRemoval } = testdirWithStops(t);
  const db = openDatabase(join(dir, 'ledger.sqlite'));
  stopBeforeRemoval(() => db.close());
  const store = createRuleSetStore(db);
  storeRuleSetBundle(store, starter);
  t.same(store.bundle(starter.hash), starter.compiled.bytes);
});
