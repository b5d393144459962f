// The blocklist's cost per message (DESIGN §15: 1,000 rules must not slow a send measurably):
// the matcher with 0 and with 1,000 rules over 1,000-character messages, reported as a ratio.
// Run: npm run bench:blocklist
import { BlocklistMatcher } from "../src/features/moderation/blocklist-matcher.ts";

const rules = Array.from({ length: 1000 }, (_, i) => ({ term: i % 3 ? `wörd${i}` : `d${i}.example.org`, kind: i % 3 ? "word" : "domain", action: ["block", "mask", "flag"][i % 3] }));
const messages = [
  "Lorem ipsum dolor sit amet, see https://docs.example.net/a/b and wörd999 café ",
  "ＦＵＬＬ－ＷＩＤＴＨ ｔｅｘｔ with ácçents and links like http://a.b.c.d.e.f.example.com/ ",
  "😀 emoji 🎉 and plain words words words words words words words words ",
].map((m) => m.repeat(20).slice(0, 1000));

function perMessage(matcher, rounds = 5000) {
  for (let i = 0; i < 500; i++) for (const m of messages) matcher.check(m); // warm up
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < rounds; i++) for (const m of messages) matcher.check(m);
  return Number(process.hrtime.bigint() - t0) / 1000 / (rounds * messages.length); // µs
}

const none = perMessage(new BlocklistMatcher([]));
const thousand = perMessage(new BlocklistMatcher(rules));
const one = perMessage(new BlocklistMatcher(rules.slice(0, 1)));
console.log(JSON.stringify({ bench: "blocklist", message_chars: 1000, us_per_message: { rules_0: +none.toFixed(2), rules_1: +one.toFixed(2), rules_1000: +thousand.toFixed(2) }, ratio_1000_vs_1: +(thousand / one).toFixed(2) }));
