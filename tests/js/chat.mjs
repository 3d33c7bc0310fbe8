// Chat from the official JavaScript client's side: connect to Stride's /chat namespace with `auth: {token}`
// over WebSocket, join a conversation, send one message and print its acknowledgement (`ack {...}`), then
// print the first `message` someone else sends (`message {...}`) and exit 0. Exits 1 on a refused connection,
// a refused join or message, a disconnect, or after TIMEOUT_MS.
//
//   STRIDE_URL=http://127.0.0.1:5000 STRIDE_TOKEN=<access token> STRIDE_CONVERSATION=<id> node tests/js/chat.mjs
import { connect, fail, finish, isFinished } from "./outcome.mjs";

const TIMEOUT_MS = 20000;
const url = process.env.STRIDE_URL;
const token = process.env.STRIDE_TOKEN;
const conversationId = Number(process.env.STRIDE_CONVERSATION);

if (!url || !token || !conversationId) {
  console.log("error STRIDE_URL, STRIDE_TOKEN and STRIDE_CONVERSATION must be set");
  process.exit(1);
}

const socket = connect(url, "/chat", token);

const timer = setTimeout(() => {
  socket.close();
  fail(`no reply within ${TIMEOUT_MS / 1000}s`);
}, TIMEOUT_MS);

socket.on("connect", async () => {
  const joined = await socket.timeout(10000).emitWithAck("join", { conversation_id: conversationId });
  if (!joined.ok) return fail(`join ${JSON.stringify(joined.error)}`);
  const ack = await socket
    .timeout(10000)
    .emitWithAck("message", { conversation_id: conversationId, client_id: "js-1", text: "Hello from JavaScript" });
  if (!ack.ok) return fail(`message ${JSON.stringify(ack.error)}`);
  console.log(`ack ${JSON.stringify(ack.message)}`);
});

socket.on("message", (message) => {
  clearTimeout(timer);
  finish(`message ${JSON.stringify(message)}`, 0);
  socket.close();
});

socket.on("connect_error", (err) => {
  clearTimeout(timer);
  fail(`connect_error ${err.message}`);
});

socket.on("disconnect", (reason) => {
  if (!isFinished()) {
    clearTimeout(timer);
    fail(`disconnected ${reason}`);
  }
});
