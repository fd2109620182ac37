import { z } from 'zod';

/** Amounts are integer minor units (cents) — never floats. */
export const amountSchema = z.number().int().min(0).max(100_000_000);
export const currencySchema = z.literal('EUR');
export type Currency = z.infer<typeof currencySchema>;
