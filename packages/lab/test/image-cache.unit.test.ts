import assert from 'node:assert/strict';
import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig } from '../src/config.js';
import { imageHash } from '../src/images/build.js';
import type { ImageSpec } from '../src/images/specs.js';

/** An image whose one input is the folder `dir` without its tests, as the service image's inputs are. */
const specOf = (dir: string): ImageSpec => ({
  name: 'probe',
  version: () => '1',
  what: 'a test image',
  inputs: async () => [{ tree: dir, keep: (relative) => !relative.split('/').includes('test') }],
  prepare: async () => undefined,
  dockerfile: () => 'COPY . /app/\n',
});

describe("an image's cache key", () => {
  it('depends on what the image copies, not on where the clone is or on its tests', async () => {
    const base = await mkdtemp(path.join(tmpdir(), 'faultline-image-key-'));
    try {
      const one = path.join(base, 'one');
      await mkdir(path.join(one, 'src'), { recursive: true });
      await mkdir(path.join(one, 'test'), { recursive: true });
      await writeFile(path.join(one, 'src', 'main.js'), 'console.log(1);\n');
      await writeFile(path.join(one, 'test', 'main.test.js'), 'it();\n');
      const other = path.join(base, 'elsewhere', 'one');
      await cp(one, other, { recursive: true });
      // Two clones: the same tree under two roots.
      const key = await imageHash({ ...loadConfig({}), root: base }, specOf(one), 'parent');
      const cfg = { ...loadConfig({}), root: path.join(base, 'elsewhere') };
      assert.equal(await imageHash(cfg, specOf(other), 'parent'), key, 'the same content in another clone has another key');
      await writeFile(path.join(other, 'test', 'main.test.js'), 'it(); it();\n');
      assert.equal(await imageHash(cfg, specOf(other), 'parent'), key, 'a test changed the key');
      await writeFile(path.join(other, 'src', 'main.js'), 'console.log(2);\n');
      assert.notEqual(await imageHash(cfg, specOf(other), 'parent'), key, 'a changed source kept the key');
      assert.notEqual(await imageHash({ ...loadConfig({}), root: base }, specOf(one), 'another parent'), key, "the parent's key is not part of it");
    } finally {
      await rm(base, { recursive: true, force: true });
    }
  });
});
