import { chaos } from './boards/chaos.js';
import { load } from './boards/load.js';
import { messaging } from './boards/messaging.js';
import { resilience } from './boards/resilience.js';
import { saga } from './boards/saga.js';
import { serviceOverview } from './boards/service-overview.js';
import type { DashboardSpec } from './grafana.js';

/** Every dashboard, in the order of the Grafana folder. */
export const DASHBOARDS: readonly DashboardSpec[] = [serviceOverview, resilience, saga, messaging, load, chaos];
