// Asks for a secret in the terminal without echoing it (as `read -s` does): what is typed never
// reaches the screen, a scrollback or a screen recording. Only for a TTY stdin (raw mode); the
// question goes to stderr, so it shows even when stdout is redirected.

/** Arrow keys and other escape sequences: never part of a secret. */
const ESCAPES = /\x1b(\[[0-9;?]*[ -/]*[@-~]|O.|.)?/g;

/**
 * Reads one line from the terminal without echo. Backspace and Ctrl-U edit, Enter ends, Ctrl-C
 * exits (130, as the shell would), Ctrl-D on an empty line answers "".
 * @param {string} question
 * @param {{ input?: NodeJS.ReadStream, output?: NodeJS.WriteStream }} [io]
 * @returns {Promise<string>}
 */
export function askSecret(question, { input = process.stdin, output = process.stderr } = {}) {
  return new Promise((resolve) => {
    // Raw mode before the question: a reply typed (or pasted) at once is never echoed by the terminal.
    input.setRawMode(true);
    input.setEncoding("utf8");
    output.write(question);
    let value = "";
    const finish = () => {
      input.off("data", onData);
      input.setRawMode(false);
      input.pause();
      output.write("\n");
    };
    const onData = (chunk) => {
      for (const ch of chunk.replace(ESCAPES, "")) {
        if (ch === "\r" || ch === "\n") return finish(), resolve(value);
        if (ch === "\u0003") return finish(), process.exit(130);
        if (ch === "\u0004" && value === "") return finish(), resolve("");
        if (ch === "\u007f" || ch === "\b") value = [...value].slice(0, -1).join("");
        else if (ch === "\u0015") value = "";
        else if (ch >= " ") value += ch;
      }
    };
    input.on("data", onData);
    input.resume();
  });
}
