/** Amounts at the till: Plaza counts in fen (1/100 yuan), people type and read yuan. */

/** Largest order Plaza opens: 10,000,000 yuan, in fen. */
export const MAX_ORDER_FEN = 1_000_000_000;

/**
 * The fen of an amount typed in yuan ("123", "123.4", "123.45"), or null when it is not a
 * positive amount of at most two decimals within Plaza's limit. Counted in whole numbers,
 * so 0.29 yuan is 29 fen, not 28.999….
 */
export function fenFromYuan(text: string): number | null {
  const match = /^(\d{1,8})(?:\.(\d{1,2}))?$/.exec(text.trim());
  if (!match) return null;
  const fen = Number(match[1]) * 100 + Number((match[2] ?? '').padEnd(2, '0'));
  return fen > 0 && fen <= MAX_ORDER_FEN ? fen : null;
}

/** An amount in fen as the page shows it: ¥123.45. */
export function yuan(fen: number): string {
  const sign = fen < 0 ? '-' : '';
  const abs = Math.abs(fen);
  return `${sign}¥${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}
