// Smoke test from the official JavaScript client's side: connect to Stride's /notifications namespace
// with `auth: {token}` over WebSocket, print `connected`, then print the first `notification` and exit 0.
// Exits 1 on a refused connection, a disconnect before any notification, or after TIMEOUT_MS.
//
//   STRIDE_URL=http://127.0.0.1:5000 STRIDE_TOKEN=<access token> node tests/js/smoke.mjs
import { connect, fail, finish } from "./outcome.mjs";

const TIMEOUT_MS = 15000;
const url = process.env.STRIDE_URL;
const token = process.env.STRIDE_TOKEN;

if (!url || !token) {
  console.log("error STRIDE_URL and STRIDE_TOKEN must be set");
  process.exit(1);
}

const socket = connect(url, "/notifications", token);

const timer = setTimeout(() => {
  socket.close();
  fail(`no notification within ${TIMEOUT_MS / 1000}s`);
}, TIMEOUT_MS);

socket.on("connect", () => {
  console.log("connected");
});

socket.on("connect_error", (err) => {
  clearTimeout(timer);
  fail(`connect_error ${err.message}`);
});

socket.on("disconnect", (reason) => {
  clearTimeout(timer);
  fail(`disconnected ${reason}`);
});

socket.on("notification", (payload) => {
  clearTimeout(timer);
  socket.off("disconnect");
  socket.close();
  finish(`notification ${JSON.stringify(payload)}`, 0);
});
