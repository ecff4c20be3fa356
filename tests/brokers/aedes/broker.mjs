// A second broker for the end-to-end tests: aedes, with MQTT over TCP and MQTT over WebSocket,
// both on 127.0.0.1 only, anonymous, in-memory persistence (aedes's default: sessions and
// retained messages live as long as the process).
//
//   node broker.mjs --tcp PORT --ws PORT
//
// Once both listeners accept connections it prints exactly one line
//
//   aedes listening tcp=PORT ws=PORT
//
// with the ports it bound (port 0 asks the system for a free one). Then one short line per
// event: "client connected: ID (ws, MQTT 3.1.1, persistent session)", "client disconnected: ID",
// "client error: ID: MESSAGE", "connection error: (before CONNECT): MESSAGE". SIGTERM and SIGINT
// print "aedes stopping (SIGTERM)", close every connection and exit 0 (a signal that comes while
// node is still loading the modules, before main() runs, has its default effect). Wrong
// arguments exit 2, a port it cannot bind exits 1, each with a message on stderr.
//
// aedes 1.x speaks MQTT 3.1 and 3.1.1 only: a CONNECT with protocol level 5 gets a CONNACK
// with return code 1 (unacceptable protocol version) and the connection is closed.
//
// The dependencies (exact versions in package.json and package-lock.json) are installed by
// `scripts/setup.sh test`: npm ci --prefix tests/brokers/aedes.

import { createServer as createTcpServer } from 'node:net'
import { createServer as createHttpServer } from 'node:http'
import { Aedes } from 'aedes'
import { WebSocketServer, createWebSocketStream } from 'ws'

const HOST = '127.0.0.1'
const USAGE = 'usage: node broker.mjs --tcp PORT --ws PORT   (PORT: 0-65535, 0 = any free port)'

function usage (message) {
  process.stderr.write(`aedes broker: ${message}\n${USAGE}\n`)
  process.exit(2)
}

function parsePort (flag, value) {
  if (value === undefined || !/^\d{1,5}$/.test(value) || Number(value) > 65535) {
    usage(`${flag} needs a port number, got ${value === undefined ? 'nothing' : JSON.stringify(value)}`)
  }
  return Number(value)
}

function parseArgs (argv) {
  const ports = {}
  for (let i = 0; i < argv.length; i++) {
    let flag = argv[i]
    let value
    const eq = flag.indexOf('=')
    if (flag.startsWith('--') && eq > 0) {
      value = flag.slice(eq + 1)
      flag = flag.slice(0, eq)
    } else {
      value = argv[++i]
    }
    if (flag === '--tcp' || flag === '--ws') {
      const name = flag.slice(2)
      if (name in ports) usage(`${flag} given twice`)
      ports[name] = parsePort(flag, value)
    } else if (flag === '--help' || flag === '-h') {
      process.stdout.write(USAGE + '\n')
      process.exit(0)
    } else {
      usage(`unknown argument ${JSON.stringify(flag)}`)
    }
  }
  if (!('tcp' in ports)) usage('--tcp PORT is required')
  if (!('ws' in ports)) usage('--ws PORT is required')
  return ports
}

function say (line) {
  process.stdout.write(line + '\n')
}

// Binds SERVER to HOST:PORT; resolves to the port bound, or ends the process with a message.
function listen (server, port, what) {
  return new Promise((resolve) => {
    const failed = (err) => {
      const why = err.code === 'EADDRINUSE'
        ? 'address already in use'
        : err.code === 'EACCES' ? 'permission denied' : err.message
      process.stderr.write(`aedes broker: cannot listen for ${what} on ${HOST}:${port}: ${why}\n`)
      process.exit(1)
    }
    server.once('error', failed)
    server.listen({ host: HOST, port, exclusive: true }, () => {
      server.off('error', failed)
      resolve(server.address().port)
    })
  })
}

const PROTOCOL_NAMES = { 3: 'MQTT 3.1', 4: 'MQTT 3.1.1', 5: 'MQTT 5.0' }

// What SIGTERM and SIGINT close; the handlers go in before anything listens, so that a signal
// sent as soon as the "listening" line is read never meets the default action (death by signal).
const open = { broker: null, tcp: null, http: null, wss: null }
let stopping = false

function stop (signal) {
  if (stopping) return
  stopping = true
  say(`aedes stopping (${signal})`)
  // Whatever is still open after a second does not keep the process.
  setTimeout(() => process.exit(0), 1000).unref()
  open.tcp?.close(() => {})
  for (const client of open.wss?.clients ?? []) client.terminate()
  open.wss?.close()
  open.http?.close(() => {})
  if (open.broker) open.broker.close(() => process.exit(0))
  else process.exit(0)
}

async function main () {
  const ports = parseArgs(process.argv.slice(2))
  process.on('SIGTERM', () => stop('SIGTERM'))
  process.on('SIGINT', () => stop('SIGINT'))
  const broker = open.broker = await Aedes.createBroker()

  broker.on('client', (client) => {
    const transport = client.req ? 'ws' : 'tcp'
    const version = PROTOCOL_NAMES[client.version] ?? `protocol level ${client.version}`
    const clean = client.clean ? 'clean' : 'persistent'
    say(`client connected: ${client.id} (${transport}, ${version}, ${clean} session)`)
  })
  broker.on('clientDisconnect', (client) => say(`client disconnected: ${client.id}`))
  broker.on('clientError', (client, err) => say(`client error: ${client.id}: ${err.message}`))
  broker.on('connectionError', (client, err) =>
    say(`connection error: ${client.id ?? '(before CONNECT)'}: ${err.message}`))
  broker.on('keepaliveTimeout', (client) => say(`client keepalive timeout: ${client.id}`))

  const tcp = open.tcp = createTcpServer(broker.handle)

  // MQTT over WebSocket: any path; the subprotocol "mqtt" when the client offers it (browsers
  // fail the handshake unless the server selects one of the subprotocols they offered).
  const http = open.http = createHttpServer((req, res) => {
    res.writeHead(426, { 'Content-Type': 'text/plain', Connection: 'close' })
    res.end('MQTT over WebSocket only\n')
  })
  const wss = open.wss = new WebSocketServer({
    server: http,
    handleProtocols: (offered) => {
      for (const name of ['mqtt', 'mqttv3.1']) {
        if (offered.has(name)) return name
      }
      return false
    }
  })
  wss.on('connection', (socket, req) => {
    const stream = createWebSocketStream(socket)
    // A client that goes away mid-frame makes the stream error; aedes then sees it closed.
    stream.on('error', () => {})
    broker.handle(stream, req)
  })
  // The WebSocketServer re-emits the http server's errors; listen() reports them.
  wss.on('error', () => {})

  const tcpPort = await listen(tcp, ports.tcp, 'MQTT over TCP')
  const wsPort = await listen(http, ports.ws, 'MQTT over WebSocket')
  if (!stopping) say(`aedes listening tcp=${tcpPort} ws=${wsPort}`)
}

main().catch((err) => {
  process.stderr.write(`aedes broker: ${err.stack ?? err}\n`)
  process.exit(1)
})
