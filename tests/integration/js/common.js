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

module.exports = { makeKafka, describeError }
