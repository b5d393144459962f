// Once for the browser project: the real app under `wrangler dev`, and the unpacked Chromium binary.
import type { TestProject } from "vitest/node";
import { chromiumExecutable } from "./helpers/browser";
import { startApi } from "./helpers/server";

declare module "vitest" {
  export interface ProvidedContext {
    apiBase: string;
    chromiumPath: string;
  }
}

export default async function setup(project: TestProject) {
  const [api, chromiumPath] = await Promise.all([startApi(), chromiumExecutable()]);
  project.provide("apiBase", api.base);
  project.provide("chromiumPath", chromiumPath);
  return () => api.stop();
}
