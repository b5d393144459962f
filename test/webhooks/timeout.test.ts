/**
 * A receiver that does not answer within 10 s has failed that attempt. In its own file: locally one
 * queue consumer handles one batch at a time, and this test holds it for the whole 10 s.
 */
import { describe, expect, it } from "vitest";
import { createChannel, newUser, send } from "../helpers/api";
import { appWebhook, deliveriesOf, eventually, received, receiver } from "../helpers/webhooks";

describe("webhook timeout", () => {
  it("gives up on an attempt after 10 s and retries with the same id", async () => {
    const { bucket, url } = receiver({ delay: 12_000, slow: 1 });
    const hook = await appWebhook({ url, events: ["message"] });
    const alice = await newUser();
    const group = await createChannel(alice, { type: "group", name: "Slow" });
    await send(alice, group.id, "patience");
    const got = await received(bucket, 2, 40_000);
    expect(got.map((r) => r.headers["x-webhook-attempt"])).toEqual(["1", "2"]);
    expect(got[1]!.headers["x-webhook-id"]).toBe(got[0]!.headers["x-webhook-id"]);
    expect(got[1]!.at - got[0]!.at).toBeGreaterThanOrEqual(9_500);
    const [delivery] = await eventually(async () => {
      const { deliveries } = await deliveriesOf(hook.id);
      return deliveries[0]?.status === "succeeded" && deliveries;
    });
    expect(delivery.attempt_log[0]).toMatchObject({ attempt: 1, status_code: null, error: "no answer within 10 s" });
    expect(delivery.attempt_log[0].duration_ms).toBeGreaterThanOrEqual(9_500);
  });
});
