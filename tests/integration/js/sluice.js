// Drives kafkajs against a sluiced broker. Usage: node sluice.js '<json>'
//   json = {"broker": "127.0.0.1:PORT", "steps": [{"op": "...", ...}, ...]}
// Runs the steps in order with one admin client and one producer, and prints one JSON line:
//   {"results": [{"ok": <result>} | {"error": {...}}, ...]}
// Nothing else is written to stdout; kafkajs logs (errors only) go to stderr.
'use strict'

const { CompressionTypes, ConfigResourceTypes, Partitioners } = require('kafkajs')
const { makeKafka, startHardTimeout, runSteps, exitWith } = require('./common')

const HARD_TIMEOUT_MS = 45000
const timer = startHardTimeout(HARD_TIMEOUT_MS)

const spec = JSON.parse(process.argv[2])

const kafka = makeKafka('sluice-it-kafkajs', spec.broker, 3)

async function main () {
  const admin = kafka.admin()
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner })
  await admin.connect()
  let producerConnected = false

  const ops = {
    create: async s => admin.createTopics({
      topics: [{
        topic: s.topic,
        numPartitions: s.partitions || 1,
        replicationFactor: 1,
        configEntries: Object.entries(s.configs || {}).map(([name, value]) => ({ name, value })),
      }],
      waitForLeaders: true,
      timeout: 10000,
    }),
    list: async () => (await admin.listTopics()).sort(),
    metadata: async s => admin.fetchTopicMetadata({ topics: s.topics }),
    cluster: async () => admin.describeCluster(),
    produce: async s => {
      if (!producerConnected) { await producer.connect(); producerConnected = true }
      return producer.send({
        topic: s.topic,
        acks: s.acks === undefined ? -1 : s.acks,
        compression: s.compression === 'gzip' ? CompressionTypes.GZIP : CompressionTypes.None,
        messages: s.messages.map(m => ({
          key: m.key === undefined ? null : m.key,
          value: m.value,
          partition: m.partition,
          headers: m.headers,
          timestamp: m.timestamp === undefined ? undefined : String(m.timestamp),
        })),
      })
    },
    offsets: async s => admin.fetchTopicOffsets(s.topic),
    offsetsByTimestamp: async s => admin.fetchTopicOffsetsByTimestamp(s.topic, s.timestamp),
    deleteRecords: async s => {
      await admin.fetchTopicMetadata({ topics: [s.topic] }) // leaders must be known
      return admin.deleteTopicRecords({ topic: s.topic, partitions: s.partitions })
    },
    describeConfigs: async s => {
      const res = await admin.describeConfigs({
        resources: [{ type: ConfigResourceTypes.TOPIC, name: s.topic }],
        includeSynonyms: false,
      })
      const r = res.resources[0]
      const configs = {}
      for (const e of r.configEntries) configs[e.configName] = { value: e.configValue, isDefault: e.isDefault }
      return { errorCode: r.errorCode, configs }
    },
    alterConfigs: async s => admin.alterConfigs({
      validateOnly: false,
      resources: [{
        type: ConfigResourceTypes.TOPIC,
        name: s.topic,
        configEntries: Object.entries(s.configs).map(([name, value]) => ({ name, value })),
      }],
    }),
    createPartitions: async s => admin.createPartitions({
      topicPartitions: [{ topic: s.topic, count: s.count }],
      timeout: 10000,
    }),
    deleteTopics: async s => admin.deleteTopics({ topics: s.topics, timeout: 10000 }),
    // One transaction with its own producer: the messages, then commit (s.commit) or abort.
    transaction: async s => {
      const tp = kafka.producer({
        transactionalId: s.transactionalId, idempotent: true, maxInFlightRequests: 1,
      })
      await tp.connect()
      try {
        const txn = await tp.transaction()
        try {
          await txn.send({ topic: s.topic, messages: s.messages.map(m => ({ value: m.value, partition: m.partition })) })
        } catch (e) {
          await txn.abort()
          throw e
        }
        if (s.commit) await txn.commit(); else await txn.abort()
        return s.commit ? 'committed' : 'aborted'
      } finally {
        await tp.disconnect()
      }
    },
  }

  const results = await runSteps(spec.steps, ops)
  if (producerConnected) await producer.disconnect()
  await admin.disconnect()
  return results
}

exitWith(main(), timer)
