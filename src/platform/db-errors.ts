/** D1 surfaces SQLite constraint failures only as message text (Drizzle may wrap it as `cause`). */
export const errorText = (err: unknown) => String((err as Error)?.message ?? err) + String((err as { cause?: unknown })?.cause ?? "");

export function isUniqueViolation(err: unknown, table?: string): boolean {
  const text = errorText(err);
  return /UNIQUE constraint failed|PRIMARY KEY|SQLITE_CONSTRAINT/i.test(text) && (!table || text.includes(`${table}.`));
}
