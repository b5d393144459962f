/** D1 surfaces SQLite constraint failures only as message text. */
export function isUniqueViolation(err: unknown): boolean {
  const text = String((err as Error)?.message ?? err) + String((err as { cause?: unknown })?.cause ?? "");
  return /UNIQUE constraint failed|PRIMARY KEY|SQLITE_CONSTRAINT/i.test(text);
}
