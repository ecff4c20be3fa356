// The link's WebSocket, in a dedicated Worker (see wire.rs): under a flood the
// browser's per-frame work (events, buffers) stays off the page's thread, and
// the page gets the frames that arrived since it last looked in one message.
//
// Page -> worker: {k: "open", url, protocol}; an ArrayBuffer to send as one
// binary frame; {k: "more"} when the page has handled the last batch;
// {k: "close", code}; {k: "drain"}: say how much was sent once the socket
// holds little.
// Worker -> page: {k: "open"}; {k: "frames", f: [ArrayBuffer], t: [ms]} with
// each frame's arrival on the epoch clock; {k: "text"} for a text frame;
// {k: "close", code, reason}; {k: "failed", detail} when the socket cannot
// even be made (a malformed URL); {k: "sent", a}: of the bytes the page
// posted, a are on the network (the answer to "drain").
"use strict";
let ws = null;
let frames = [];
let stamps = [];
// Batches the page may be sent before it says it handled one ("more"). Two:
// while the page handles one batch, the next waits for it; a busy page then
// gets what arrived meanwhile in a few full batches, instead of a queue of
// messages that grows while it is busy.
let credits = 2;
// Most frames in one batch: the page handles a batch in one task, and must
// get to draw between batches.
const BATCH = 512;
// Bytes the page posted to send, and whether it waits to hear they left.
let posted = 0;
let drainAsked = false;
// "drain" is answered once the socket holds at most this many bytes.
const LOW_WATER = 64 * 1024;
// How often a socket that holds more is looked at again (ms).
const DRAIN_POLL = 4;

function answerDrain() {
  const open = ws && ws.readyState === WebSocket.OPEN;
  const buffered = open ? ws.bufferedAmount : 0;
  if (buffered > LOW_WATER) {
    setTimeout(answerDrain, DRAIN_POLL);
    return;
  }
  drainAsked = false;
  postMessage({ k: "sent", a: posted - buffered });
}

function flush() {
  while (credits > 0 && frames.length > 0) post();
}

function post() {
  let f = frames;
  let t = stamps;
  if (f.length > BATCH) {
    f = frames.splice(0, BATCH);
    t = stamps.splice(0, BATCH);
  } else {
    frames = [];
    stamps = [];
  }
  credits -= 1;
  postMessage({ k: "frames", f, t }, f);
}

// Everything that arrived, before what ends the connection.
function drain() {
  while (frames.length > 0) post();
}

function open(url, protocol) {
  try {
    ws = new WebSocket(url, protocol);
  } catch (err) {
    postMessage({ k: "failed", detail: String((err && err.message) || err) });
    close();
    return;
  }
  ws.binaryType = "arraybuffer";
  ws.onopen = () => postMessage({ k: "open" });
  ws.onmessage = (ev) => {
    if (typeof ev.data === "string") {
      drain();
      postMessage({ k: "text" });
      return;
    }
    frames.push(ev.data);
    stamps.push(performance.timeOrigin + ev.timeStamp);
    // An idle page gets a frame at once.
    flush();
  };
  ws.onclose = (ev) => {
    drain();
    postMessage({ k: "close", code: ev.code, reason: ev.reason });
    close();
  };
}

function shut(code) {
  if (!ws) {
    close();
    return;
  }
  ws.onmessage = null;
  ws.onclose = () => close();
  try {
    ws.close(code);
  } catch (err) {
    // Only 1000 and 3000-4999 may be sent from a page (1003 may not).
    ws.close(1000);
  }
}

onmessage = (ev) => {
  const m = ev.data;
  if (m instanceof ArrayBuffer) {
    posted += m.byteLength;
    if (ws && ws.readyState === WebSocket.OPEN) ws.send(m);
  } else if (m.k === "drain") {
    if (!drainAsked) {
      drainAsked = true;
      answerDrain();
    }
  } else if (m.k === "more") {
    credits += 1;
    flush();
  } else if (m.k === "open") {
    open(m.url, m.protocol);
  } else if (m.k === "close") {
    shut(m.code);
  }
};
