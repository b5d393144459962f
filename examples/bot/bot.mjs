// @ts-check
// An echo bot on @edge-chat/sdk: signs in, opens a DM with a person, answers every message in every
// channel it is in. `npm start` here, against `npm start` at the repository's root (DEV_LOGIN=true).
// The test suite runs this file from the packed SDK (test/scripts/sdk-package.test.ts).
import { ChatClient } from "@edge-chat/sdk";

const baseUrl = process.env.CHAT_URL ?? "http://127.0.0.1:8787";
const botId = process.env.BOT_ID ?? "echo-bot";
const greet = process.env.GREET_USER; // someone who has signed in once (or was provisioned), e.g. "alice"

// The dev token route works while the server has DEV_LOGIN=true; a deployment gives the bot a token.
const { token } = await ChatClient.devLogin(baseUrl, botId, "Echo Bot");
const chat = new ChatClient({ baseUrl, token });
const me = await chat.me(); // the first authenticated call also creates the bot's user

chat.on("message", async ({ channelId, data }) => {
  if (data.sender_id === me.id) return; // `message` includes the bot's own messages: never answer those
  await chat.send(channelId, `You said: ${data.body}`);
});

// Channels the bot is already in (none on a fresh server: the list may be empty), then new ones.
for (const channel of await chat.channels()) chat.subscribe(channel.id);
chat.connectUser().on("channel_add", (channel) => chat.subscribe(channel.id));

if (greet) {
  const dm = await chat.createDm(greet); // the same DM every time: a DM is unique per pair
  await chat.subscribe(dm.id).ready(); // listening before the greeting, so no answer is missed
  await chat.send(dm.id, "Hi! I repeat what you say.");
}
console.log(`ready: ${me.id} on ${baseUrl}`);
process.on("SIGINT", () => (chat.close(), process.exit(0)));
