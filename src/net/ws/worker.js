// The link's WebSocket, in a dedicated Worker (see wire.rs): under a flood the
// browser's per-frame work (events, buffers) stays off the page's thread, and
// the page gets the frames that arrived since it last looked in one message.
//
// Page -> worker: {k: "open", url, protocol}; an ArrayBuffer to send as one
// binary frame; {k: "more"} when the page has handled the last batch;
// {k: "close", code}; {k: "drain"}: say how much was sent once the socket
// holds little; {k: "shed", keep: [prefix]}: skip QoS 0 messages while the
// page is behind, except those whose topic starts with one of the prefixes.
// Worker -> page: {k: "open"}; {k: "frames", f: [ArrayBuffer], t: [ms], s}
// with each frame's arrival on the epoch clock and s the messages skipped so
// far; {k: "skipped", s} when that grew and no frames are left to carry it;
// {k: "text"} for a text frame; {k: "close", code, reason}; {k: "failed",
// detail} when the socket cannot even be made (a malformed URL); {k: "sent",
// a}: of the bytes the page posted, a are on the network (the answer to
// "drain").
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

// Shedding, when asked for ("shed"): a QoS 0 PUBLISH that has waited here
// more than SHED_AFTER ms for the page, or arrives behind one that has, is
// skipped and counted, unless it is retained or its topic starts with a
// kept prefix (the page's alarm topics). QoS 1 and 2 packets and everything
// else always reach the page: the session owes them an answer, and the
// broker's own window bounds them. So what waits here is at most SHED_AFTER
// ms of the flood, and the page catches up soon after it ends.
const SHED_AFTER = 250;
// Each waiting frame's whole packets, as [start, end, start, end, ...].
let wholes = [];
// UTF-8 topic prefixes never skipped; null: never skip anything.
let keep = null;
let skipped = 0;
let reportedSkipped = 0;
// Where packets start, followed across frames: bytes of a packet begun in an
// earlier frame still to come, and the start of a fixed header that the
// end of a frame cut.
let carry = 0;
let head = [];
// A malformed length was seen: nothing more is skipped on this socket (the
// session will say what is wrong and close it).
let lost = false;

// A fixed header's remaining length from bytes[at..]: [length, end of the
// header], or null when the bytes end first, or -1 when it is malformed.
function remaining(bytes, at) {
  let len = 0;
  let mul = 1;
  for (let j = at + 1; j < at + 5; j++) {
    if (j >= bytes.length) return null;
    const b = bytes[j];
    len += (b & 127) * mul;
    mul *= 128;
    if (!(b & 128)) return [len, j + 1];
  }
  return -1;
}

// The whole packets in a frame, as [start, end] pairs; follows the packets
// that run over the frame's edges.
function packets(bytes) {
  const whole = [];
  let i = 0;
  if (head.length > 0) {
    const need = Math.min(bytes.length, 5 - head.length);
    const joined = Uint8Array.from(head.concat(Array.from(bytes.subarray(0, need))));
    const found = remaining(joined, 0);
    if (found === -1) lost = true;
    if (found === null || found === -1) {
      head = Array.from(joined);
      return whole;
    }
    i = found[1] - head.length;
    head = [];
    carry = found[0];
  }
  const over = Math.min(carry, bytes.length - i);
  carry -= over;
  i += over;
  while (carry === 0 && i < bytes.length) {
    const found = remaining(bytes, i);
    if (found === -1) lost = true;
    if (found === null || found === -1) {
      head = Array.from(bytes.subarray(i));
      break;
    }
    const end = found[1] + found[0];
    if (end > bytes.length) {
      carry = end - bytes.length;
      break;
    }
    whole.push(i, end);
    i = end;
  }
  return whole;
}

// Whether the packet at bytes[start..end] may be skipped: a QoS 0 PUBLISH,
// not retained, with a topic (not an MQTT 5 alias alone) no kept prefix starts.
function sheddable(bytes, start, end) {
  if (bytes[start] !== 0x30) return false;
  const at = remaining(bytes, start)[1];
  if (at + 2 > end) return false;
  const len = (bytes[at] << 8) | bytes[at + 1];
  if (len === 0 || at + 2 + len > end) return false;
  const topic = bytes.subarray(at + 2, at + 2 + len);
  return !keep.some((p) => p.length <= topic.length && p.every((b, k) => topic[k] === b));
}

// `data` less its packets that may be skipped (counted): the same buffer
// when none may, null when all of it goes.
function cut(data, whole) {
  if (keep === null || lost || whole.length === 0) return data;
  const bytes = new Uint8Array(data);
  const parts = [];
  let from = 0;
  for (let k = 0; k < whole.length; k += 2) {
    const [start, end] = [whole[k], whole[k + 1]];
    if (!sheddable(bytes, start, end)) continue;
    skipped += 1;
    if (start > from) parts.push(bytes.subarray(from, start));
    from = end;
  }
  if (from === 0) return data;
  if (from < bytes.length) parts.push(bytes.subarray(from));
  const kept = parts.reduce((n, part) => n + part.length, 0);
  if (kept === 0) return null;
  const out = new Uint8Array(kept);
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out.buffer;
}

function now() {
  return performance.timeOrigin + performance.now();
}

// A frame that arrived at `stamp`: queued, less what it may lose when the
// page is behind.
function arrive(data, stamp) {
  let whole = packets(new Uint8Array(data));
  if (stamps.length > 0 && now() - stamps[0] > SHED_AFTER) {
    data = cut(data, whole);
    whole = [];
  }
  if (data === null) return;
  frames.push(data);
  stamps.push(stamp);
  wholes.push(whole);
}

// Of a batch about to go to the page, the frames that waited too long lose
// what they may.
function trim(f, t, w) {
  const oldest = now() - SHED_AFTER;
  const out = [[], []];
  for (let k = 0; k < f.length; k++) {
    const data = t[k] < oldest ? cut(f[k], w[k]) : f[k];
    if (data === null) continue;
    out[0].push(data);
    out[1].push(t[k]);
  }
  return out;
}

function flush() {
  while (credits > 0 && frames.length > 0) post();
  if (credits > 0 && skipped !== reportedSkipped) {
    reportedSkipped = skipped;
    postMessage({ k: "skipped", s: skipped });
  }
}

function post() {
  const n = Math.min(frames.length, BATCH);
  const [f, t] = trim(frames.splice(0, n), stamps.splice(0, n), wholes.splice(0, n));
  if (f.length === 0) return;
  credits -= 1;
  reportedSkipped = skipped;
  postMessage({ k: "frames", f, t, s: skipped }, f);
}

// Everything that arrived, before what ends the connection.
function drain() {
  while (frames.length > 0) post();
  if (skipped !== reportedSkipped) {
    reportedSkipped = skipped;
    postMessage({ k: "skipped", s: skipped });
  }
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
    arrive(ev.data, performance.timeOrigin + ev.timeStamp);
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
  } else if (m.k === "shed") {
    const utf8 = new TextEncoder();
    keep = m.keep.map((p) => utf8.encode(p));
  } else if (m.k === "open") {
    open(m.url, m.protocol);
  } else if (m.k === "close") {
    shut(m.code);
  }
};
