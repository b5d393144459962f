/** Which URLs a webhook (and later a push or preview target) may point at (src/platform/outbound-targets.ts), with and without DEV_LOGIN. */
import { describe, expect, it } from "vitest";
import { targetProblem } from "../../src/platform/outbound-targets";

const ok = (url: string, dev = false) => targetProblem(url, dev) === undefined;

describe("webhook targets", () => {
  it("allows https on public hosts and addresses", () => {
    for (const url of ["https://hooks.example.com/x?y=1", "https://example.com:443/", "https://example.com:80/", "https://8.8.8.8/", "https://[2606:4700:4700::1111]/", "https://1.1.1.1.nip.io/"]) {
      expect(ok(url), url).toBe(true);
    }
  });

  it("refuses http, other schemes, credentials and long URLs", () => {
    for (const url of ["http://example.com/", "ws://example.com/", "file:///etc/passwd", "javascript:alert(1)", "https://a:b@example.com/", `https://example.com/${"x".repeat(2048)}`, "/relative", ""]) {
      expect(ok(url), url).toBe(false);
    }
  });

  it("refuses ports other than 443 and 80, where internal services listen", () => {
    for (const url of ["https://example.com:8443/", "https://example.com:22/", "https://8.8.8.8:6379/", "https://[2606:4700:4700::1111]:8080/", "https://example.com:1/"]) {
      expect(targetProblem(url, false), url).toBe("url must use port 443 or 80");
    }
  });

  it("refuses loopback, private, link-local and reserved addresses, however they are spelled", () => {
    for (const url of [
      "https://127.0.0.1/",
      "https://127.1/",
      "https://2130706433/",
      "https://0x7f000001/",
      "https://017700000001/",
      "https://0.0.0.0/",
      "https://10.255.255.255/",
      "https://172.31.0.1/",
      "https://192.168.0.1/",
      "https://169.254.169.254/",
      "https://100.100.100.200/",
      "https://198.18.0.1/",
      "https://224.0.0.1/",
      "https://255.255.255.255/",
      "https://[::1]/",
      "https://[::]/",
      "https://[0:0:0:0:0:0:0:1]/",
      "https://[::ffff:127.0.0.1]/",
      "https://[::ffff:192.168.1.1]/",
      "https://[64:ff9b::a00:1]/",
      "https://[64:ff9b:1::808:808]/", // local-use NAT64 (RFC 8215), even with a public IPv4 inside
      "https://[64:ff9b:1:ffff::1]/",
      "https://[fc00::1]/",
      "https://[fd12:3456::1]/",
      "https://[fe80::1]/",
      "https://[ff02::1]/",
      "https://[2001:db8::1]/",
      "https://[2002:c0a8:101::1]/",
    ]) {
      expect(ok(url), url).toBe(false);
    }
  });

  it("refuses obvious local names", () => {
    for (const url of ["https://localhost/", "https://LOCALHOST./", "https://api.localhost/", "https://nas.local/", "https://db.internal/", "https://router.lan/", "https://box.home.arpa/", "https://intranet/"]) {
      expect(ok(url), url).toBe(false);
    }
  });

  it("with DEV_LOGIN=true allows loopback, over http too, any port, and nothing else more", () => {
    for (const url of ["https://example.com:8443/", "http://127.0.0.1:8787/hook", "http://localhost:3000/", "https://127.0.0.1/", "http://[::1]:9000/", "http://127.0.0.2/"]) expect(ok(url, true), url).toBe(true);
    for (const url of ["http://example.com/", "http://10.0.0.1/", "https://192.168.1.1/", "http://[fe80::1]/", "https://[64:ff9b:1::1]:8080/"]) expect(ok(url, true), url).toBe(false);
  });
});
