import type { DbPool } from '@faultline/platform';
import { ledgerBalances, ledgerByOrder, type OrderLedger, paymentsMissingEntries } from '../store/ledger.js';

export interface LedgerAudit {
  /** Every transaction sums to zero (so the accounts do too). */
  balanced: boolean;
  /** Every captured or refunded payment has its ledger transactions. */
  complete: boolean;
  transactions: number;
  totals: Record<string, number>;
  unbalancedTransactions: string[];
  paymentsMissingEntries: string[];
  /** Orders captured more than once: must always be empty. */
  doubleCaptured: string[];
  orders: OrderLedger[];
}

/** Check the books: balanced transactions, complete entries, no order captured twice. */
export async function auditLedger(pool: DbPool, orderId?: string): Promise<LedgerAudit> {
  const [balances, orders, missing] = await Promise.all([ledgerBalances(pool), ledgerByOrder(pool, orderId), paymentsMissingEntries(pool)]);
  const accountsSum = Object.values(balances.totals).reduce((sum, total) => sum + total, 0);
  return {
    balanced: balances.unbalanced.length === 0 && accountsSum === 0,
    complete: missing.length === 0,
    transactions: balances.transactions,
    totals: balances.totals,
    unbalancedTransactions: balances.unbalanced,
    paymentsMissingEntries: missing,
    doubleCaptured: orders.filter((o) => o.captures > 1).map((o) => o.orderId),
    orders,
  };
}
