/** A tiny typed event emitter (browser and Node alike; no EventTarget subclassing quirks). */
export type Listener<T> = (value: T) => void;

export class Emitter<Events extends object> {
  #listeners = new Map<keyof Events, Set<Listener<never>>>();

  /** Adds a listener; returns a function that removes it. */
  on<K extends keyof Events>(type: K, listener: Listener<Events[K]>): () => void {
    let set = this.#listeners.get(type);
    if (!set) this.#listeners.set(type, (set = new Set()));
    set.add(listener as Listener<never>);
    return () => this.off(type, listener);
  }

  off<K extends keyof Events>(type: K, listener: Listener<Events[K]>): void {
    this.#listeners.get(type)?.delete(listener as Listener<never>);
  }

  /** Resolves with the next event of this type (optionally the next one that matches). */
  once<K extends keyof Events>(type: K, match: (value: Events[K]) => boolean = () => true): Promise<Events[K]> {
    return new Promise((resolve) => {
      const off = this.on(type, (value) => {
        if (!match(value)) return;
        off();
        resolve(value);
      });
    });
  }

  protected emit<K extends keyof Events>(type: K, value: Events[K]): void {
    for (const listener of [...(this.#listeners.get(type) ?? [])]) {
      try {
        (listener as Listener<Events[K]>)(value);
      } catch (err) {
        // One listener's bug must not stop delivery to the others (nor kill the socket loop).
        console.error(err);
      }
    }
  }
}
