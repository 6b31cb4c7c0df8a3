// Drives kafkajs consumer groups against a sluiced broker. Usage: node groups.js '<json>'
//   json = {"broker": "127.0.0.1:PORT", "steps": [{"op": "...", ...}, ...], "timeoutMs": 90000}
// Runs the steps in order and prints one JSON line:
//   {"results": [{"ok": <result>} | {"error": {...}}, ...],
//    "records": {consumerName: [{t, p, o, v, committed}, ...]}}
// Consumers started by "start" keep running (concurrently) until "stop" or the end of the script.
// Nothing else is written to stdout; kafkajs logs (errors only) go to stderr.
'use strict'

const { AssignerProtocol, Partitioners } = require('kafkajs')
const { makeKafka, describeError, startHardTimeout, runSteps, exitWith } = require('./common')

const spec = JSON.parse(process.argv[2])
const HARD_TIMEOUT_MS = spec.timeoutMs || 90000
const timer = startHardTimeout(HARD_TIMEOUT_MS, () => ({ records: recordsOut() }))

const kafka = makeKafka('sluice-it-kafkajs-groups', spec.broker, 5)

const consumers = {} // name -> {consumer, records, joins, crashed}

function recordsOut () {
  const out = {}
  for (const [name, c] of Object.entries(consumers)) out[name] = c.records
  return out
}

const sleep = ms => new Promise(resolve => setTimeout(resolve, ms))

async function waitUntil (check, timeoutMs, what) {
  const deadline = Date.now() + timeoutMs
  let last
  while (Date.now() < deadline) {
    last = check()
    if (last) return last
    await sleep(50)
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; last=${JSON.stringify(last)}`)
}

function currentAssignment (name) {
  const c = consumers[name]
  if (!c || c.stopped || c.joins.length === 0) return null
  const a = c.joins[c.joins.length - 1].memberAssignment
  const parts = []
  for (const [topic, ps] of Object.entries(a)) for (const p of ps) parts.push([topic, p])
  return parts.sort()
}

function decodeBuffer (buf, decoder) {
  if (!buf || buf.length === 0) return null
  try { return decoder.decode(buf) } catch (e) { return { undecodable: buf.toString('hex') } }
}

async function main () {
  const admin = kafka.admin()
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner })
  await admin.connect()
  let producerConnected = false

  const ops = {
    produce: async s => {
      if (!producerConnected) { await producer.connect(); producerConnected = true }
      return producer.send({
        topic: s.topic,
        acks: -1,
        messages: s.messages.map(m => ({ value: m.value, partition: m.partition })),
      })
    },
    start: async s => {
      const consumer = kafka.consumer({
        groupId: s.groupId,
        sessionTimeout: s.sessionTimeout || 6000,
        rebalanceTimeout: s.rebalanceTimeout || 10000,
        heartbeatInterval: s.heartbeatInterval || 500,
        maxWaitTimeInMs: 100,
        retry: { retries: 10, initialRetryTime: 100, maxRetryTime: 1000 },
      })
      const entry = { consumer, records: [], joins: [], crashed: null, stopped: false }
      consumers[s.name] = entry
      consumer.on(consumer.events.GROUP_JOIN, e => entry.joins.push(e.payload))
      consumer.on(consumer.events.CRASH, e => { entry.crashed = describeError(e.payload.error) })
      await consumer.connect()
      await consumer.subscribe({ topics: [s.topic], fromBeginning: true })
      const manual = s.autoCommit === false
      await consumer.run({
        autoCommit: !manual,
        eachMessage: async ({ topic, partition, message }) => {
          const rec = { t: topic, p: partition, o: Number(message.offset), v: message.value.toString(), committed: null, ts: Date.now() }
          entry.records.push(rec) // "processing"
          if (manual) {
            try {
              await consumer.commitOffsets([{ topic, partition, offset: String(Number(message.offset) + 1) }])
              rec.committed = true
            } catch (e) {
              rec.committed = false
              rec.commitError = describeError(e)
            }
          }
        },
      })
      return null
    },
    // Waits until the named running consumers hold disjoint, non-empty assignments that together
    // cover partitions 0..n-1 of the topic.
    waitSplit: async s => waitUntil(() => {
      const as = s.names.map(currentAssignment)
      if (as.some(a => !a || a.length === 0)) return null
      const all = as.flat().map(x => `${x[0]}/${x[1]}`)
      const want = [...Array(s.partitions).keys()].map(p => `${s.topic}/${p}`)
      if (all.length !== want.length || new Set(all).size !== all.length) return null
      if (!want.every(x => all.includes(x))) return null
      return as
    }, s.timeoutMs || 30000, `split of ${s.topic} among ${s.names}`),
    waitConsumed: async s => waitUntil(() => {
      const got = new Set()
      for (const n of s.names) for (const r of consumers[n].records) got.add(r.v)
      const missing = s.values.filter(v => !got.has(v))
      return missing.length === 0 ? { count: got.size } : null
    }, s.timeoutMs || 30000, `${s.values.length} values consumed by ${s.names}`),
    assignment: async s => currentAssignment(s.name),
    joins: async s => consumers[s.name].joins.map(j => ({ memberId: j.memberId, leaderId: j.leaderId, isLeader: j.isLeader, memberAssignment: j.memberAssignment, groupProtocol: j.groupProtocol })),
    crashed: async s => consumers[s.name].crashed,
    stop: async s => {
      const c = consumers[s.name]
      await c.consumer.disconnect() // commits resolved offsets (auto commit) and leaves the group
      c.stopped = true
      return null
    },
    sleep: async s => { await sleep(s.ms); return null },
    listGroups: async () => (await admin.listGroups()).groups,
    describeGroups: async s => {
      const { groups } = await admin.describeGroups(s.groupIds)
      return groups.map(g => ({
        groupId: g.groupId,
        errorCode: g.errorCode,
        state: g.state,
        protocolType: g.protocolType,
        protocol: g.protocol,
        members: g.members.map(m => ({
          memberId: m.memberId,
          clientId: m.clientId,
          clientHost: m.clientHost,
          metadata: decodeBuffer(m.memberMetadata, AssignerProtocol.MemberMetadata),
          assignment: decodeBuffer(m.memberAssignment, AssignerProtocol.MemberAssignment),
        })),
      }))
    },
    fetchOffsets: async s => admin.fetchOffsets({ groupId: s.groupId, topics: [s.topic] }),
    deleteGroups: async s => admin.deleteGroups(s.groupIds),
    resetOffsets: async s => admin.resetOffsets({ groupId: s.groupId, topic: s.topic, earliest: !!s.earliest }),
    setOffsets: async s => admin.setOffsets({ groupId: s.groupId, topic: s.topic, partitions: s.partitions }),
    topicOffsets: async s => admin.fetchTopicOffsets(s.topic),
  }

  const results = await runSteps(spec.steps, ops)
  for (const c of Object.values(consumers)) {
    if (!c.stopped) { await c.consumer.disconnect(); c.stopped = true }
  }
  if (producerConnected) await producer.disconnect()
  await admin.disconnect()
  return results
}

exitWith(main(), timer, () => ({ records: recordsOut() }))
