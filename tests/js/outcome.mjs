// What the JavaScript client tests share: one outcome line each, the first one wins, and the process exits only
// once that line is written, so a reader on a pipe never misses it; and a socket to one of Stride's namespaces.
import { io } from "socket.io-client";

let finished = false;

export function isFinished() {
  return finished;
}

export function finish(line, code) {
  if (finished) return;
  finished = true;
  process.stdout.write(line + "\n", () => process.exit(code));
}

export function fail(message) {
  finish(`error ${message}`, 1);
}

export function connect(url, namespace, token) {
  return io(url.replace(/\/+$/, "") + namespace, { auth: { token }, transports: ["websocket"], reconnection: false });
}
