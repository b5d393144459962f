// The head of the packaged sdk/dist/types.d.ts (scripts/build-sdk.mjs appends every type of
// sdk/types.ts, expanded). The expanded `Api` names hono/client's ClientRequest for each route; these
// are the shapes of hono's client types that an app uses (`$get`/`$post`… and their typed
// responses), written out so that the package needs neither hono nor workers-types to type-check.

type SuccessStatus = 200 | 201 | 202 | 203 | 204 | 205 | 206 | 207 | 208 | 226;

/** A fetch Response whose `json()` is typed by the route's schema and whose `ok` narrows by status. */
export interface ClientResponse<T, U extends number = number, F extends string = string> {
  readonly body: ReadableStream | null;
  readonly bodyUsed: boolean;
  ok: U extends SuccessStatus ? true : false;
  redirected: boolean;
  status: U;
  statusText: string;
  headers: Headers;
  url: string;
  clone(): Response;
  json(): F extends "json" ? Promise<T> : Promise<unknown>;
  text(): Promise<string>;
  blob(): Promise<Blob>;
  arrayBuffer(): Promise<ArrayBuffer>;
}

export interface ClientRequestOptions {
  fetch?: typeof fetch;
  headers?: Record<string, string> | (() => Record<string, string> | Promise<Record<string, string>>);
  init?: RequestInit;
}

type ResponseOf<E> = E extends { output: infer O; outputFormat: infer F; status: infer S }
  ? ClientResponse<O, S extends number ? S : never, F extends string ? F : never>
  : never;

// Not distributive over the endpoint's statuses: one call signature whose answer is their union.
type Call<E> = [E] extends [{ input: infer R }]
  ? {} extends R
    ? (args?: R, options?: ClientRequestOptions) => Promise<ResponseOf<E>>
    : (args: R, options?: ClientRequestOptions) => Promise<ResponseOf<E>>
  : never;

type UrlArgs = { param?: Record<string, string>; query?: Record<string, unknown> };

/** One route of `chat.api`: a method per HTTP verb (`$get`, `$post`, …), plus `$url` and `$path`. */
export type ClientRequest<Prefix extends string, Path extends string, S> = { [M in keyof S]: Call<S[M]> } & {
  $url(arg?: UrlArgs): URL;
  $path(arg?: UrlArgs): string;
};

/** What a JSON body can hold (hono's JSONValue). */
export type JSONValue = string | number | boolean | null | JSONValue[] | { [key: string]: JSONValue };
