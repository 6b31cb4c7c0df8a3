// What the kafkajs driver scripts (sluice.js, groups.js) share: the client set-up and the JSON
// shape of errors they report.
'use strict'

const { Kafka, logLevel } = require('kafkajs')

// A client for one broker; kafkajs logs errors only, to stderr (stdout carries the JSON result).
function makeKafka (clientId, broker, retries) {
  return new Kafka({
    clientId,
    brokers: [broker],
    connectionTimeout: 3000,
    requestTimeout: 10000,
    retry: { retries, initialRetryTime: 100, maxRetryTime: 1000 },
    logLevel: logLevel.ERROR,
    logCreator: () => ({ namespace, level, log }) => {
      process.stderr.write(`[kafkajs ${namespace}] ${log.message} ${JSON.stringify(log)}\n`)
    },
  })
}

// An error (and its causes, per-partition and per-group errors) as plain JSON.
function describeError (e) {
  const out = { name: e.name, type: e.type, code: e.code, message: e.message, retriable: e.retriable }
  if (e.originalError) out.cause = describeError(e.originalError)
  if (e.cause && e.cause instanceof Error) out.cause = describeError(e.cause)
  if (Array.isArray(e.errors)) out.errors = e.errors.map(describeError)
  if (Array.isArray(e.partitions)) {
    out.partitions = e.partitions.map(p => ({ partition: p.partition, error: p.error && describeError(p.error) }))
  }
  if (Array.isArray(e.groups)) {
    out.groups = e.groups.map(g => ({ groupId: g.groupId, errorCode: g.errorCode, type: g.error && g.error.type }))
  }
  return out
}

// Ends the process after ms whatever is still running: prints {fatal, ...extra()} and exits 3.
function startHardTimeout (ms, extra = () => ({})) {
  return setTimeout(() => {
    process.stdout.write(JSON.stringify({ fatal: `timed out after ${ms} ms`, ...extra() }) + '\n')
    process.exit(3)
  }, ms)
}

// Runs the steps in order through ops (name -> async step => value): one {ok} or {error} each.
async function runSteps (steps, ops) {
  const results = []
  for (const step of steps) {
    try {
      const fn = ops[step.op]
      if (!fn) throw new Error(`unknown op ${step.op}`)
      const value = await fn(step)
      results.push({ ok: value === undefined ? null : value })
    } catch (e) {
      results.push({ error: describeError(e) })
    }
  }
  return results
}

// Prints the one JSON line the Python side reads — {results, ...extra()}, or {fatal, ...extra()}
// if main failed — and exits (0, or 4 on failure).
function exitWith (main, timer, extra = () => ({})) {
  main.then(results => {
    clearTimeout(timer)
    process.stdout.write(JSON.stringify({ results, ...extra() }) + '\n')
    process.exit(0)
  }, e => {
    clearTimeout(timer)
    process.stdout.write(JSON.stringify({ fatal: describeError(e), ...extra() }) + '\n')
    process.exit(4)
  })
}

module.exports = { makeKafka, describeError, startHardTimeout, runSteps, exitWith }
