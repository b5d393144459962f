import { describe, expect, it } from "vitest";
import { call, newUser } from "./helpers/api";

describe("smoke", () => {
  it("knows the signed-in user", async () => {
    const u = await newUser("Alice");
    const res = await call("GET", "/v1/users/me", { token: u.token });
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ id: u.id, display_name: "Alice" });
  });
});
