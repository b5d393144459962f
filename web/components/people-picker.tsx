import { useEffect, useRef, useState } from "preact/hooks";
import type { Person } from "../../sdk/index";
import { client } from "../store";

let nextId = 0;

/**
 * Finds people by name or id as you type (`GET /v1/users?q=`, DESIGN §19), so nobody has to know
 * an exact user id. A combobox with a listbox of suggestions (↑/↓, Enter picks, Escape closes);
 * the people picked show as chips with a button to drop each. `single`: picking replaces.
 * Enter on text that matches no suggestion looks the text up as an exact id (`GET /v1/users/{id}`):
 * with `USER_DIRECTORY=shared` someone outside your channels is not suggested but can still be named.
 */
export function PeoplePicker(props: { label: string; picked: Person[]; onChange(people: Person[]): void; single?: boolean; exclude?: string[] }) {
  const { label, picked, onChange, single = false, exclude = [] } = props;
  const [query, setQuery] = useState("");
  const [found, setFound] = useState<Person[] | null>(null);
  const [active, setActive] = useState(0);
  const [hint, setHint] = useState<string | null>(null);
  const ids = useRef({ list: `people-${nextId}`, hint: `people-hint-${nextId++}` }).current;

  // Suggestions for the text typed, debounced; an answer for older text is dropped.
  useEffect(() => {
    const q = query.trim();
    if (!q) return setFound(null);
    let current = true;
    const timer = setTimeout(() => {
      client.value?.users(q, 8).then(
        (people) => current && (setFound(people), setActive(0)),
        () => current && setFound([]),
      );
    }, 150);
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [query]);

  const skip = new Set([...exclude, ...picked.map((p) => p.id)]);
  const options = (found ?? []).filter((p) => !skip.has(p.id));
  const open = query.trim() !== "" && found !== null;

  const pick = (person: Person) => {
    onChange(single ? [person] : [...picked.filter((p) => p.id !== person.id), person]);
    setQuery("");
    setFound(null);
    setHint(null);
  };

  /** Enter without a suggestion: the text may be an exact user id that search does not offer. */
  const pickTyped = async () => {
    const id = query.trim();
    if (!id) return;
    try {
      const profile = await client.value!.user(id);
      pick({ id: profile.id, display_name: profile.display_name });
    } catch {
      setHint(`No one called “${id}”. People appear here once they have signed in or been added by an administrator.`);
    }
  };

  return (
    <div class="people-picker">
      <label>
        {label}
        <input
          role="combobox"
          aria-expanded={open}
          aria-controls={ids.list}
          aria-autocomplete="list"
          aria-activedescendant={open && options[active] ? `${ids.list}-${active}` : undefined}
          aria-describedby={hint ? ids.hint : undefined}
          autocomplete="off"
          placeholder="Type a name or user id"
          value={query}
          onInput={(e) => (setQuery(e.currentTarget.value), setHint(null))}
          onKeyDown={(e) => {
            if (e.key === "ArrowDown" && options.length) (e.preventDefault(), setActive((active + 1) % options.length));
            else if (e.key === "ArrowUp" && options.length) (e.preventDefault(), setActive((active - 1 + options.length) % options.length));
            else if (e.key === "Escape") setFound(null);
            else if (e.key === "Enter" && query.trim()) {
              e.preventDefault(); // picking, not submitting the form
              if (open && options[active]) pick(options[active]);
              else void pickTyped();
            }
          }}
        />
      </label>
      {open && (
        <ul class="people-options" role="listbox" id={ids.list} aria-label={`${label}: suggestions`}>
          {options.length === 0 ? (
            <li class="muted" role="presentation">No one found. Press Enter to look up an exact user id.</li>
          ) : (
            options.map((p, i) => (
              <li
                key={p.id}
                id={`${ids.list}-${i}`}
                role="option"
                aria-selected={i === active}
                // mousedown, not click: the input keeps focus and the list does not close first.
                onMouseDown={(e) => (e.preventDefault(), pick(p))}
              >
                {p.display_name} <span class="muted">{p.id}</span>
              </li>
            ))
          )}
        </ul>
      )}
      {hint && (
        <p class="hint" id={ids.hint} role="status">
          {hint}
        </p>
      )}
      {picked.length > 0 && (
        <ul class="chips" aria-label={`${label}: picked`}>
          {picked.map((p) => (
            <li key={p.id}>
              {p.display_name}
              <button type="button" class="link" aria-label={`Drop ${p.display_name}`} onClick={() => onChange(picked.filter((x) => x.id !== p.id))}>
                ×
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
