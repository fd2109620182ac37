import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { dependencyTable } from '@faultline/platform';
import { NOTIFICATION_DEPENDENCIES } from '../../services/notification/src/config.js';
import { ORDER_DEPENDENCIES } from '../../services/order/src/config.js';
import { PAYMENT_DEPENDENCIES } from '../../services/payment/src/config.js';

const START = "<!-- dependencies:start (generated from the services' declarations; this test prints the table) -->";
const END = '<!-- dependencies:end -->';

/** A Markdown table's cells, trimmed (the formatter pads them to align the columns). */
const cells = (table: string) =>
  table
    .trim()
    .split('\n')
    .map((row) =>
      row
        .split(/(?<!\\)\|/)
        .map((cell) => cell.trim())
        .map((cell) => (/^-+$/.test(cell) ? '---' : cell)),
    );

describe("README: the dependency table is the services' declarations", () => {
  it('lists every declared dependency of every service with its variables, policy and deadline', async () => {
    const readme = await readFile(new URL('../../README.md', import.meta.url), 'utf8');
    const start = readme.indexOf(START);
    const end = readme.indexOf(END);
    assert.ok(start >= 0 && end > start, `the README needs the markers ${START} … ${END}`);
    const expected = dependencyTable({ order: ORDER_DEPENDENCIES, payment: PAYMENT_DEPENDENCIES, notification: NOTIFICATION_DEPENDENCIES });
    assert.deepEqual(cells(readme.slice(start + START.length, end)), cells(expected), `replace the README's table with:\n${expected}`);
  });
});
