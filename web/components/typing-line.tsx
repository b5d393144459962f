import { typing } from "../store";

/** "Bob is typing…": a polite live region, so screen readers hear it without losing focus. */
export function TypingLine() {
  const names = [...typing.value.values()].map((t) => t.name);
  const text = names.length === 0 ? "" : names.length === 1 ? `${names[0]} is typing…` : `${names.join(", ")} are typing…`;
  return (
    <div class="typing" role="status" aria-live="polite">
      {text}
    </div>
  );
}
