import assert from 'node:assert/strict';
import { probeControlCharacters } from '../../../packages/platform/test/control-character-probe.js';
import { type NotificationLab, startNotificationLab } from './support/notification-lab.js';

describe('notification: control characters in any text field', () => {
  let lab: NotificationLab;
  before(async () => {
    lab = await startNotificationLab();
  });
  after(() => lab?.stop());

  it('refuses NUL and ESC in every path, query and body text field its OpenAPI declares with 400 validation-failed naming the field', async () => {
    const cases = await probeControlCharacters(lab.service.url);
    assert.ok(cases.length > 0, 'notification declares text fields');
  });
});
