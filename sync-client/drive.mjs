#!/usr/bin/env node
// Drives the real WatermelonDB 0.28.0 client (LokiJS adapter) against a /sync server.
//
//   node drive.mjs <state-dir> <command> [args...]
//
//   sync                          one synchronize() against $SYNC_URL with bearer $SYNC_TOKEN,
//                                 X-Sync-Client <installation id> and Accept-Language $SYNC_LOCALE (en)
//   dump [table]                  every local record (also locally deleted ones) with _status/_changed
//   count <table>                 number of records the app sees (locally deleted ones excluded)
//   create <table> <json>         an offline creation; the JSON may carry "id"
//   update <table> <id> <json>    an offline edit
//   delete <table> <id>           an offline deletion (markAsDeleted: pushed in `deleted`)
//   photo <job-id> <file> [kind]  an offline photo: an `attachments` record (size, SHA-256, time
//                                 taken) made now, the file kept in <state-dir>/files/<id>
//   upload                        "back online": every pushed attachment not yet VERIFIED or
//                                 REJECTED on the last pull goes up: RequestUpload for its id,
//                                 POST of the file to the form, ConfirmUpload (docs/sync.md)
//
// stdout: one JSON report, the command's result. stderr: diagnostics and (SYNC_VERBOSE=1) logs.
// Exit 0 on success; 1 when the command failed or anything logged a warning/error (every
// `[Sync]` diagnostic of the client is one), or a strict check (SYNC_STRICT, on by default) found
// the server's answer off-contract; 2 on bad usage.
// The local database lives in memory and is saved to <state-dir>/client-db.json after every command;
// the installation id is made on first use and kept in <state-dir>/installation-id (see README.md,
// "Persistence"). The contract it checks against is docs/sync.md, schema version 7.
import crypto from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { createRequire } from 'node:module'

import {
  appAt,
  addedIn,
  modelClasses as allModelClasses,
  integerColumns,
  enumColumns,
  SCHEMA_VERSION,
  MIGRATIONS_FROM,
} from './schema.mjs'

const require = createRequire(import.meta.url)
const { Database } = require('@nozbe/watermelondb')
const LokiJSAdapter = require('@nozbe/watermelondb/adapters/lokijs').default
const { synchronize, hasUnsyncedChanges } = require('@nozbe/watermelondb/sync')
const logger = require('@nozbe/watermelondb/utils/common/logger').default

const STATE_FILE = 'client-db.json'
const INSTALLATION_FILE = 'installation-id'
// Records the server refused for good, kept for the engineer to read (see FINAL_CODES).
const FINAL_FILE = 'final-rejections.json'
// docs/sync.md, "Final rejections": codes no retry can change. Such a record is not handed back
// to WatermelonDB as rejected (it would stay pending and go out on every sync, refused again
// each time): it is dropped from the local database and kept in FINAL_FILE with its reason.
const FINAL_CODES = new Set(['JOB_NOT_HELD', 'JOB_CLOSED', 'RECORDED_TOO_EARLY'])
// docs/sync.md: X-Sync-Client is 8 to 64 letters, digits, '-' or '_'.
const INSTALLATION_ID = /^[A-Za-z0-9_-]{8,64}$/
// docs/sync.md: the ids the server accepts in a push.
const RECORD_ID = /^[A-Za-z0-9_-]{1,64}$/
const PUSH_ANSWER_KEYS = ['experimentalRejectedIds', 'rejected', 'conflicts']
const STATE_FORMAT = 'wellspring-sync-client/loki-state'
const LAST_PULLED_AT_KEY = '__watermelon_last_pulled_at'
const LAST_PULLED_SCHEMA_KEY = '__watermelon_last_pulled_schema_version'

const env = process.env
// Test hook: `SYNC_APP_SCHEMA=<n>` runs the app of an older schema version (MIGRATIONS_FROM up to
// SCHEMA_VERSION), as still installed on some phones; a later command without it is the app
// updated, which migrates the saved database and asks the server for the migration.
const APP_VERSION = env.SYNC_APP_SCHEMA ? Number(env.SYNC_APP_SCHEMA) : SCHEMA_VERSION
let app
try {
  app = appAt(APP_VERSION)
} catch (error) {
  process.stderr.write(`[drive] usage: SYNC_APP_SCHEMA: ${error.message}\n`)
  process.exit(2)
}
const { schema, migrations } = app
const tableNames = Object.keys(schema.tables)
const modelClasses = allModelClasses.filter((model) => tableNames.includes(model.table))
const VERBOSE = env.SYNC_VERBOSE === '1'
const STRICT = env.SYNC_STRICT !== '0'
const SEND_CREATED_AS_UPDATED = env.SYNC_SEND_CREATED_AS_UPDATED === '1'
const TIMEOUT_MS = Number(env.SYNC_TIMEOUT_MS || 30000)
const LOCALE = env.SYNC_LOCALE || 'en'
// Test hook: `SYNC_HOLD_PUSH=<path>` makes `sync` stop between its pull and its push, writing
// <path>.ready and waiting (up to SYNC_TIMEOUT_MS) for <path>.go to exist. A test uses it to
// change the server while a phone is in the middle of a sync. Unset: no pause.
const HOLD_PUSH = env.SYNC_HOLD_PUSH || ''
// Test hook: `SYNC_LOSE=push` drops the connection after the pull, before the push is sent;
// `SYNC_LOSE=push-answer` sends the push and loses its answer. Either way the sync fails after
// its pull (lastPulledAt has moved) and the local changes stay pending. For `upload`:
// `SYNC_LOSE=upload-answer` posts the file and loses the answer (no confirmation follows);
// `SYNC_LOSE=confirm-answer` sends ConfirmUpload and loses its answer. Unset: nothing is lost.
const LOSE = env.SYNC_LOSE || ''
if (!['', 'push', 'push-answer', 'upload-answer', 'confirm-answer'].includes(LOSE)) {
  process.stderr.write(`[drive] usage: SYNC_LOSE must be push, push-answer, upload-answer or confirm-answer, not ${LOSE}\n`)
  process.exit(2)
}

class UsageError extends Error {
  name = 'UsageError'
}

// ---------------------------------------------------------------------------------------------
// Diagnostics: everything WatermelonDB (its logger) or anything else (console) says is captured.
// warn/error level = a diagnostic (fails the command); debug/log level = info (shown if verbose).

const diagnostics = []

function describe(arg) {
  if (arg instanceof Error) {
    const cause = arg.cause ? ` (${arg.cause.code || arg.cause.message || arg.cause})` : ''
    return `${arg.name}: ${arg.message}${cause}`
  }
  if (typeof arg === 'string') return arg
  try {
    return JSON.stringify(arg)
  } catch {
    return String(arg)
  }
}

function record(level, source, args) {
  const message = args.map(describe).join(' ')
  const entry = { level, source, message }
  if (level === 'warn' || level === 'error') {
    diagnostics.push(entry)
    process.stderr.write(`[drive] ${source} ${level}: ${message}\n`)
  } else if (VERBOSE) {
    process.stderr.write(`[drive] ${source} ${level}: ${message}\n`)
  }
}

for (const level of ['debug', 'log', 'warn', 'error']) {
  logger[level] = (...args) => record(level, 'watermelondb', args)
}
for (const level of ['debug', 'info', 'log', 'warn', 'error']) {
  const as = level === 'info' ? 'log' : level
  console[level] = (...args) => record(as, 'console', args)
}

function harness(message) {
  record('error', 'harness', [`[Harness] ${message}`])
}

function info(message) {
  record('log', 'harness', [`[Harness] ${message}`])
}

// ---------------------------------------------------------------------------------------------
// Database and its persistence

async function openDatabase(stateDir) {
  let setUpError = null
  const adapter = new LokiJSAdapter({
    dbName: 'wellspring-engineer',
    schema,
    migrations,
    useWebWorker: false,
    useIncrementalIndexedDB: true,
    // Node has no IndexedDB: LokiJS falls back to its in-memory adapter (see README.md).
    extraLokiOptions: { autosave: false },
    onSetUpError: (error) => {
      setUpError = error
    },
  })
  const database = new Database({ adapter, modelClasses })

  const file = path.join(stateDir, STATE_FILE)
  const state = fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')) : null
  if (state) {
    if (state.format !== STATE_FORMAT) throw new UsageError(`${file} is not a sync-client state file`)
    if (!(state.schemaVersion >= MIGRATIONS_FROM && state.schemaVersion <= APP_VERSION)) {
      throw new UsageError(
        `${file} holds schema version ${state.schemaVersion}, this client migrates from ${MIGRATIONS_FROM} to ${APP_VERSION}: delete the state dir`,
      )
    }
    if (state.schemaVersion < APP_VERSION) upgrade(state)
  }
  await database.adapter.unsafeExecute({
    loki: (loki) => {
      if (!state) return
      for (const [table, docs] of Object.entries(state.tables)) {
        const collection = loki.getCollection(table)
        if (!collection) throw new UsageError(`${file} has unknown table ${table}`)
        if (docs.length) collection.insert(docs.map((doc) => ({ ...doc })))
      }
      const local = loki.getCollection('local_storage')
      for (const [key, value] of Object.entries(state.local)) {
        const existing = local.by('key', key)
        if (existing) {
          existing.value = value
          local.update(existing)
        } else {
          local.insert({ key, value })
        }
      }
    },
  })
  if (setUpError) throw setUpError
  return database
}

// An app update: the database of an older schema version gets what WatermelonDB's migrations
// give it (the new tables empty, the new columns null in every record). `__watermelon_last_pulled_schema_version`
// stays the old one, so the next sync asks the server for the migration (docs/sync.md).
function upgrade(state) {
  for (let version = state.schemaVersion + 1; version <= APP_VERSION; version++) {
    const added = addedIn[version] || {}
    for (const table of added.tables || []) state.tables[table] = []
    for (const [table, columns] of Object.entries(added.columns || {})) {
      for (const doc of state.tables[table] || []) for (const column of columns) doc[column] = null
    }
  }
  if ('_loki_schema_version' in state.local) state.local._loki_schema_version = `${APP_VERSION}`
  info(`upgraded the local database from schema ${state.schemaVersion} to ${APP_VERSION}`)
  state.schemaVersion = APP_VERSION
}

function snapshot(loki) {
  const strip = ({ $loki, meta, ...rest }) => rest
  const tables = {}
  for (const table of tableNames) {
    tables[table] = loki.getCollection(table).data.map(strip)
  }
  const local = {}
  for (const { key, value } of loki.getCollection('local_storage').data) local[key] = value
  return { tables, local }
}

async function readSnapshot(database) {
  let result
  await database.adapter.unsafeExecute({
    loki: (loki) => {
      result = snapshot(loki)
    },
  })
  return result
}

async function saveDatabase(database, stateDir) {
  const { tables, local } = await readSnapshot(database)
  const state = { format: STATE_FORMAT, schemaVersion: APP_VERSION, local, tables }
  const file = path.join(stateDir, STATE_FILE)
  const tmp = `${file}.${process.pid}.tmp`
  fs.writeFileSync(tmp, `${JSON.stringify(state, null, 1)}\n`)
  fs.renameSync(tmp, file)
}

// The app installation's id (X-Sync-Client): made once per state dir, like a phone makes one per
// installation and sign-in, and kept next to the database. Deleting the state dir makes a new one.
function installationId(stateDir) {
  const file = path.join(stateDir, INSTALLATION_FILE)
  if (fs.existsSync(file)) {
    const id = fs.readFileSync(file, 'utf8').trim()
    if (!INSTALLATION_ID.test(id)) throw new UsageError(`${file} holds ${JSON.stringify(id)}, not 8-64 of [A-Za-z0-9_-]`)
    return id
  }
  const id = crypto.randomUUID()
  const tmp = `${file}.${process.pid}.tmp`
  fs.writeFileSync(tmp, `${id}\n`)
  fs.renameSync(tmp, file)
  return id
}

// ---------------------------------------------------------------------------------------------
// Validation against the schema (local edits: usage errors; server answers: strict checks)

function columnsOf(table) {
  const tableSchema = schema.tables[table]
  if (!tableSchema) throw new UsageError(`unknown table ${table} (known: ${tableNames.join(', ')})`)
  return tableSchema.columns
}

// Returns null when `value` fits the column, else what is wrong with it.
function valueProblem(table, column, value) {
  const col = schema.tables[table].columns[column]
  if (value === null) return col.isOptional ? null : 'null in a non-optional column'
  if (col.type === 'string') {
    if (typeof value !== 'string') return `${JSON.stringify(value)} is not a string`
    const allowed = enumColumns[table]?.[column]
    if (allowed && !allowed.includes(value)) return `${JSON.stringify(value)} is not one of ${allowed.join(', ')}`
    return null
  }
  if (col.type === 'boolean') return typeof value === 'boolean' ? null : `${JSON.stringify(value)} is not a boolean`
  if (typeof value !== 'number' || !Number.isFinite(value)) return `${JSON.stringify(value)} is not a number`
  if ((integerColumns[table] || []).includes(column) && !Number.isInteger(value)) {
    return `${value} is not an integer`
  }
  return null
}

function parseFields(table, text, { allowId }) {
  const columns = columnsOf(table)
  let fields
  try {
    fields = JSON.parse(text ?? '{}')
  } catch (error) {
    throw new UsageError(`fields are not JSON: ${error.message}`)
  }
  if (!fields || typeof fields !== 'object' || Array.isArray(fields)) {
    throw new UsageError('fields must be a JSON object')
  }
  for (const [key, value] of Object.entries(fields)) {
    if (key === 'id' && allowId) {
      if (typeof value !== 'string' || !value) throw new UsageError('id must be a non-empty string')
      continue
    }
    if (!columns[key]) throw new UsageError(`${table} has no column ${key}`)
    const problem = valueProblem(table, key, value)
    if (problem) throw new UsageError(`${table}.${key}: ${problem}`)
  }
  return fields
}

function checkRecord(table, raw, where) {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) {
    harness(`${where}: a record must be an object, got ${describe(raw)}`)
    return
  }
  if (typeof raw.id !== 'string' || !RECORD_ID.test(raw.id)) {
    harness(`${where}: id must be a string of 1-64 [A-Za-z0-9_-] (what a push may send back), got ${describe(raw.id)}`)
  }
  const at = `${where} ${table}#${raw.id}`
  for (const key of ['_status', '_changed']) {
    if (key in raw) harness(`${at}: carries ${key} (the client refuses the whole pull)`)
  }
  const columns = schema.tables[table].columns
  for (const column of Object.keys(columns)) {
    if (!(column in raw)) {
      harness(`${at}: column ${column} missing (the client would store ${describe(defaultOf(table, column))})`)
      continue
    }
    const problem = valueProblem(table, column, raw[column])
    if (problem) harness(`${at}.${column}: ${problem}`)
  }
  for (const key of Object.keys(raw)) {
    if (!['id', '_status', '_changed'].includes(key) && !(key in columns)) {
      harness(`${at}: unknown column ${key} (the client drops it)`)
    }
  }
}

function defaultOf(table, column) {
  const col = schema.tables[table].columns[column]
  if (col.isOptional) return null
  return { string: '', number: 0, boolean: false }[col.type]
}

function checkPullResponse(body) {
  if (!body || typeof body !== 'object' || Array.isArray(body)) {
    harness(`pull answer must be an object, got ${describe(body)}`)
    return
  }
  if (!Number.isInteger(body.timestamp) || body.timestamp <= 0) {
    harness(`pull answer: timestamp must be a positive integer (epoch ms), got ${describe(body.timestamp)}`)
  }
  const { changes } = body
  if (!changes || typeof changes !== 'object' || Array.isArray(changes)) {
    harness(`pull answer: changes must be an object, got ${describe(changes)}`)
    return
  }
  for (const table of tableNames) {
    // docs/sync.md: every table of the requested schema version is present, with all three keys.
    if (!(table in changes)) harness(`pull answer: table ${table} is missing from changes`)
  }
  for (const key of Object.keys(body)) {
    if (!['changes', 'timestamp'].includes(key)) harness(`pull answer: unexpected key ${key}`)
  }
  for (const [table, set] of Object.entries(changes)) {
    if (!schema.tables[table]) {
      harness(`pull answer: unknown table ${table}`)
      continue
    }
    if (!set || typeof set !== 'object') {
      harness(`pull answer: changes.${table} must be an object`)
      continue
    }
    for (const key of Object.keys(set)) {
      if (!['created', 'updated', 'deleted'].includes(key)) harness(`pull answer: changes.${table}.${key} is not part of the protocol`)
    }
    const seen = new Map()
    for (const kind of ['created', 'updated', 'deleted']) {
      if (!Array.isArray(set[kind])) {
        harness(`pull answer: changes.${table}.${kind} must be an array, got ${describe(set[kind])}`)
        continue
      }
      for (const item of set[kind]) {
        let id = item
        if (kind === 'deleted') {
          if (typeof item !== 'string') harness(`pull answer: changes.${table}.deleted holds a non-string id ${describe(item)}`)
        } else {
          checkRecord(table, item, `pull ${kind}`)
          id = item && item.id
        }
        if (seen.has(id)) harness(`pull answer: ${table}#${id} appears in both ${seen.get(id)} and ${kind}`)
        else seen.set(id, kind)
      }
    }
  }
}

function checkPushResponse(body, changes) {
  if (!body || typeof body !== 'object' || Array.isArray(body)) {
    harness(`push answer must be a JSON object (or empty), got ${describe(body)}`)
    return
  }
  const pushedIds = (table) => {
    const set = changes[table]
    return set ? new Set([...set.created.map((r) => r.id), ...set.updated.map((r) => r.id), ...set.deleted]) : new Set()
  }
  // docs/sync.md: {"experimentalRejectedIds": {table: [ids]}, "rejected": {table: {id: {code, field, message}}}},
  // both maps empty when everything was applied.
  for (const key of PUSH_ANSWER_KEYS) if (!(key in body)) harness(`push answer: ${key} is missing`)
  for (const key of Object.keys(body)) if (!PUSH_ANSWER_KEYS.includes(key)) harness(`push answer: unexpected key ${key}`)
  const rejectedIds = body.experimentalRejectedIds ?? {}
  const reasons = body.rejected ?? {}
  if (!rejectedIds || typeof rejectedIds !== 'object' || Array.isArray(rejectedIds)) {
    harness('push answer: experimentalRejectedIds must be {table: [ids]}')
    return
  }
  if (!reasons || typeof reasons !== 'object' || Array.isArray(reasons)) {
    harness('push answer: rejected must be {table: {id: {code, field, message}}}')
    return
  }
  for (const [table, ids] of Object.entries(rejectedIds)) {
    if (!Array.isArray(ids)) {
      harness(`push answer: experimentalRejectedIds.${table} must be an array`)
      continue
    }
    if (!schema.tables[table]) harness(`push answer: experimentalRejectedIds names unknown table ${table}`)
    const pushed = pushedIds(table)
    for (const id of ids) {
      if (!pushed.has(id)) harness(`push answer: rejected ${table}#${id} was not pushed`)
      const reason = reasons[table]?.[id]
      if (!reason) harness(`push answer: rejected ${table}#${id} has no reason in "rejected"`)
    }
  }
  // Conflicts the server settled in its favour: synced on the phone, the next pull brings the
  // server's values; never also rejected.
  for (const [table, byId] of Object.entries(body.conflicts ?? {})) {
    const pushed = pushedIds(table)
    for (const [id, reason] of Object.entries(byId || {})) {
      if (!pushed.has(id)) harness(`push answer: conflict ${table}#${id} was not pushed`)
      if ((rejectedIds[table] || []).includes(id)) harness(`push answer: ${table}#${id} is both rejected and a conflict`)
      if (!reason || typeof reason.code !== 'string' || typeof reason.message !== 'string') {
        harness(`push answer: conflicts.${table}.${id} must be {code, field, message}`)
      }
    }
  }
  for (const [table, byId] of Object.entries(reasons)) {
    if (!byId || typeof byId !== 'object' || Array.isArray(byId)) {
      harness(`push answer: rejected.${table} must be {id: {code, field, message}}`)
      continue
    }
    for (const [id, reason] of Object.entries(byId)) {
      if (!(rejectedIds[table] || []).includes(id)) harness(`push answer: rejected.${table}.${id} is not in experimentalRejectedIds`)
      const shapeOk =
        reason &&
        typeof reason === 'object' &&
        typeof reason.code === 'string' &&
        reason.code &&
        typeof reason.message === 'string' &&
        reason.message &&
        'field' in reason &&
        (reason.field === null || typeof reason.field === 'string')
      if (!shapeOk) harness(`push answer: rejected.${table}.${id} must be {code, field, message}, got ${describe(reason)}`)
    }
  }
}

// ---------------------------------------------------------------------------------------------
// HTTP

async function post(url, token, clientId, body, { allowEmpty }) {
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json',
      'accept-language': LOCALE,
      authorization: `Bearer ${token}`,
      'x-sync-client': clientId,
    },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(TIMEOUT_MS),
  })
  const text = await response.text()
  if (VERBOSE) process.stderr.write(`[drive] POST ${url} ${JSON.stringify(body)}\n[drive] -> ${response.status} ${text}\n`)
  if (!response.ok) {
    // docs/sync.md: a refused request answers {"error": {"code", "message"}}.
    let code = null
    try {
      code = JSON.parse(text)?.error?.code ?? null
    } catch {}
    if (STRICT && !code) harness(`POST ${url} answered HTTP ${response.status} without {"error": {"code", "message"}}`)
    const error = new Error(`POST ${url} answered HTTP ${response.status}: ${text.slice(0, 2000)}`)
    error.status = response.status
    error.code = code
    throw error
  }
  if (!text.trim() && allowEmpty) return {}
  try {
    return JSON.parse(text)
  } catch {
    throw new Error(`POST ${url} answered non-JSON: ${text.slice(0, 2000)}`)
  }
}

// ---------------------------------------------------------------------------------------------
// Commands

function idsOf(changes) {
  const out = {}
  for (const [table, set] of Object.entries(changes)) {
    if (set.created.length + set.updated.length + set.deleted.length === 0) continue
    out[table] = {
      created: set.created.map((r) => r.id),
      updated: set.updated.map((r) => r.id),
      deleted: set.deleted,
    }
  }
  return out
}

async function holdPush(prefix) {
  fs.writeFileSync(`${prefix}.ready`, `${process.pid}\n`)
  const deadline = Date.now() + TIMEOUT_MS
  while (!fs.existsSync(`${prefix}.go`)) {
    if (Date.now() > deadline) throw new Error(`SYNC_HOLD_PUSH: ${prefix}.go did not appear`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
  info(`SYNC_HOLD_PUSH: ${prefix}.go found, pushing`)
}

async function commandSync(database, stateDir) {
  const base = (env.SYNC_URL || '').replace(/\/+$/, '')
  const token = env.SYNC_TOKEN
  if (!base) throw new UsageError('SYNC_URL is not set')
  if (!token) throw new UsageError('SYNC_TOKEN is not set')
  const clientId = installationId(stateDir)

  const log = {}
  const result = { pullRequest: null, pulled: null, pushed: null, rejected: {}, conflicts: {}, final: [] }

  const pullChanges = async (args) => {
    result.pullRequest = args
    // docs/sync.md: the app says whether anything waits to be pushed (the conflict baseline).
    result.unsyncedChanges = await hasUnsyncedChanges({ database })
    const request = { ...args, unsyncedChanges: result.unsyncedChanges }
    let body = await post(`${base}/sync/pull`, token, clientId, request, { allowEmpty: false })
    if (body && typeof body === 'object' && typeof body.syncJson === 'string' && !('changes' in body)) {
      // Turbo answer: LokiJS cannot load syncJson natively, so unpack it into a normal answer.
      info('pull answered {syncJson}: unpacked it (LokiJS has no turbo mode)')
      body = JSON.parse(body.syncJson)
    }
    if (STRICT) checkPullResponse(body)
    try {
      result.pulled = idsOf(body.changes)
    } catch {
      result.pulled = null // malformed: the strict checks said why
    }
    return body
  }

  const pushChanges = async ({ changes, lastPulledAt }) => {
    result.pushed = idsOf(changes)
    if (HOLD_PUSH) await holdPush(HOLD_PUSH)
    if (LOSE === 'push') throw new Error('SYNC_LOSE=push: the connection dropped before the push')
    const body = await post(`${base}/sync/push`, token, clientId, { changes, lastPulledAt }, { allowEmpty: true })
    if (LOSE === 'push-answer') {
      result.lostAnswer = body
      throw new Error('SYNC_LOSE=push-answer: the push answer was lost')
    }
    if (STRICT) checkPushResponse(body, changes)
    const reasons = body && typeof body === 'object' ? body.rejected || {} : {}
    for (const [table, byId] of Object.entries(reasons)) {
      for (const [id, reason] of Object.entries(byId || {})) {
        const text = reason && typeof reason === 'object' ? `${reason.code} (field ${reason.field}): ${reason.message}` : describe(reason)
        process.stderr.write(`[drive] server rejected ${table}#${id}: ${text}\n`)
      }
    }
    result.rejected = reasons
    result.conflicts = body && typeof body === 'object' ? body.conflicts || {} : {}
    for (const [table, byId] of Object.entries(result.conflicts)) {
      for (const [id, reason] of Object.entries(byId || {})) {
        process.stderr.write(`[drive] server kept its own ${table}#${id}: ${reason?.code}: ${reason?.message}\n`)
      }
    }
    // A final rejection is left out of the ids handed back: WatermelonDB marks the record
    // synced (it is not pushed again), and it is dropped below, once the sync is over.
    const retried = {}
    for (const [table, ids] of Object.entries(body?.experimentalRejectedIds || {})) {
      for (const id of Array.isArray(ids) ? ids : []) {
        const reason = reasons[table]?.[id]
        if (reason && FINAL_CODES.has(reason.code)) result.final.push({ table, id, ...reason })
        else (retried[table] ||= []).push(id)
      }
    }
    return { experimentalRejectedIds: retried }
  }

  let error = null
  try {
    await synchronize({
      database,
      pullChanges,
      pushChanges,
      sendCreatedAsUpdated: SEND_CREATED_AS_UPDATED,
      migrationsEnabledAtVersion: MIGRATIONS_FROM,
      log,
    })
  } catch (e) {
    error = e
  }
  if (result.final.length) await dropFinal(database, stateDir, result.final)
  return {
    error: error ? describe(error) : null,
    output: {
      installationId: clientId,
      httpStatus: error?.status ?? null,
      errorCode: error?.code ?? null,
      lastPulledAt: log.lastPulledAt ?? null,
      newLastPulledAt: log.newLastPulledAt ?? null,
      remoteChangeCount: log.remoteChangeCount ?? null,
      localChangeCount: log.localChangeCount ?? 0,
      phase: log.phase,
      pullRequest: result.pullRequest,
      unsyncedChanges: result.unsyncedChanges ?? null,
      lostAnswer: result.lostAnswer ?? null,
      pulled: result.pulled || {},
      pushed: result.pushed || {},
      rejectedIds: log.rejectedIds || {},
      rejected: result.rejected,
      conflicts: result.conflicts || {},
      resolvedConflicts: log.resolvedConflicts || [],
      finalRejected: result.final,
    },
  }
}

// Records refused for good: destroyed locally (the server never had them, so no pull would
// ever remove them) and appended to FINAL_FILE, which the app shows the engineer.
async function dropFinal(database, stateDir, final) {
  const file = path.join(stateDir, FINAL_FILE)
  const kept = fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')) : []
  await database.write(async () => {
    for (const { table, id } of final) {
      let record = null
      try {
        record = await database.get(table).find(id)
      } catch {
        record = null // gone already
      }
      if (record) await record.destroyPermanently()
    }
  })
  const tmp = `${file}.tmp`
  fs.writeFileSync(tmp, JSON.stringify([...kept, ...final], null, 2))
  fs.renameSync(tmp, file)
}

async function commandDump(database, stateDir, table) {
  if (table) columnsOf(table)
  const { tables, local } = await readSnapshot(database)
  const byId = (a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
  const out = {}
  for (const name of table ? [table] : tableNames) out[name] = [...tables[name]].sort(byId)
  const idFile = path.join(stateDir, INSTALLATION_FILE)
  return {
    installationId: fs.existsSync(idFile) ? fs.readFileSync(idFile, 'utf8').trim() : null,
    lastPulledAt: parseInt(local[LAST_PULLED_AT_KEY], 10) || null,
    lastPulledSchemaVersion: parseInt(local[LAST_PULLED_SCHEMA_KEY], 10) || null,
    hasUnsyncedChanges: await hasUnsyncedChanges({ database }),
    tables: out,
  }
}

async function findRecord(database, table, id) {
  columnsOf(table)
  if (!id) throw new UsageError('missing record id')
  const { tables } = await readSnapshot(database)
  const raw = tables[table].find((r) => r.id === id)
  if (!raw) throw new UsageError(`no ${table}#${id} in the local database`)
  if (raw._status === 'deleted') throw new UsageError(`${table}#${id} is deleted locally`)
  return database.get(table).find(id)
}

async function commandCreate(database, table, text) {
  const fields = parseFields(table, text, { allowId: true })
  if (fields.id) {
    const { tables } = await readSnapshot(database)
    if (tables[table].some((r) => r.id === fields.id)) throw new UsageError(`${table}#${fields.id} already exists locally`)
  }
  const created = await database.write(() =>
    database.get(table).create((record) => {
      if (fields.id) record._raw.id = fields.id
      for (const [key, value] of Object.entries(fields)) if (key !== 'id') record._setRaw(key, value)
    }),
  )
  return { record: { ...created._raw } }
}

async function commandUpdate(database, table, id, text) {
  const fields = parseFields(table, text, { allowId: false })
  const record = await findRecord(database, table, id)
  await database.write(() =>
    record.update(() => {
      for (const [key, value] of Object.entries(fields)) record._setRaw(key, value)
    }),
  )
  return { record: { ...record._raw } }
}

async function commandDelete(database, table, id) {
  const record = await findRecord(database, table, id)
  await database.write(() => record.markAsDeleted())
  return { record: { ...record._raw } }
}

async function commandCount(database, table) {
  columnsOf(table)
  return { table, count: await database.get(table).query().fetchCount() }
}

// ---------------------------------------------------------------------------------------------
// Photos taken offline (docs/sync.md, "Photos taken offline")

const FILES_DIR = 'files'
const CONTENT_TYPES = { '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg', '.png': 'image/png', '.webp': 'image/webp' }
const DOCUMENTS = new URL('../clients/engineer/', import.meta.url)
const FINAL = ['VERIFIED', 'REJECTED']

async function commandPhoto(database, stateDir, jobId, file, kind = 'PHOTO') {
  const contentType = CONTENT_TYPES[path.extname(file).toLowerCase()]
  if (!contentType) throw new UsageError(`${file}: not a .jpg, .png or .webp`)
  const data = fs.readFileSync(file)
  const fields = JSON.stringify({
    job_id: jobId,
    kind,
    content_type: contentType,
    byte_size: data.length,
    sha256: crypto.createHash('sha256').update(data).digest('hex'),
    recorded_at: Date.now(),
  })
  const { record } = await commandCreate(database, 'attachments', fields)
  fs.mkdirSync(path.join(stateDir, FILES_DIR), { recursive: true })
  fs.writeFileSync(path.join(stateDir, FILES_DIR, record.id), data)
  return { record }
}

function globalId(type, id) {
  return Buffer.from(`${type}:${id}`).toString('base64')
}

async function graphql(base, token, name, variables) {
  const query = fs.readFileSync(new URL(`${name}.graphql`, DOCUMENTS), 'utf8')
  const response = await fetch(`${base}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'accept-language': LOCALE, authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
    signal: AbortSignal.timeout(TIMEOUT_MS),
  })
  const body = await response.json()
  if (!response.ok || body.errors) throw new Error(`${name} answered HTTP ${response.status}: ${JSON.stringify(body)}`)
  const payload = Object.values(body.data)[0]
  if (payload.errors.length) throw new Error(`${name}: ${payload.errors.map((e) => `${e.code} ${e.message}`).join('; ')}`)
  return payload
}

// One attachment up: a fresh form for the phone's own id (the same attachment however often it
// asks), the file POSTed as a form (an S3 presigned POST, whichever store), then the confirmation.
async function uploadOne(base, token, stateDir, raw) {
  const data = fs.readFileSync(path.join(stateDir, FILES_DIR, raw.id))
  const asked = await graphql(base, token, 'RequestUpload', {
    input: {
      attachmentId: raw.id,
      jobId: globalId('Job', raw.job_id),
      kind: raw.kind,
      contentType: raw.content_type,
      byteSize: raw.byte_size,
      sha256: raw.sha256,
      takenAt: new Date(raw.recorded_at).toISOString(),
    },
  })
  const out = { id: raw.id, requested: asked.attachment.status, posted: null, confirmed: null }
  if (!asked.upload) return out // verified already: nothing to send
  const form = new FormData()
  for (const [name, value] of Object.entries(JSON.parse(asked.upload.fields))) form.append(name, value)
  form.append('file', new Blob([data], { type: raw.content_type }), raw.id)
  const target = new URL(asked.upload.url, `${base}/`)
  const posted = await fetch(target, { method: 'POST', body: form, signal: AbortSignal.timeout(TIMEOUT_MS) })
  out.posted = posted.status
  if (!posted.ok) throw new Error(`POST ${target.pathname} answered HTTP ${posted.status}: ${(await posted.text()).slice(0, 500)}`)
  if (LOSE === 'upload-answer') throw new Error('SYNC_LOSE=upload-answer: the upload\'s answer was lost')
  const confirmed = await graphql(base, token, 'ConfirmUpload', { input: { id: raw.id } })
  if (LOSE === 'confirm-answer') throw new Error('SYNC_LOSE=confirm-answer: the confirmation\'s answer was lost')
  out.confirmed = confirmed.attachment.status
  return out
}

async function commandUpload(database, stateDir) {
  const base = (env.SYNC_URL || '').replace(/\/+$/, '')
  const token = env.SYNC_TOKEN
  if (!base) throw new UsageError('SYNC_URL is not set')
  if (!token) throw new UsageError('SYNC_TOKEN is not set')
  const { tables } = await readSnapshot(database)
  const uploads = []
  let error = null
  for (const raw of tables.attachments) {
    // Only what the server knows (pushed) and has not decided (as of the last pull).
    if (raw._status !== 'synced' || FINAL.includes(raw.status)) continue
    if (!fs.existsSync(path.join(stateDir, FILES_DIR, raw.id))) continue
    try {
      uploads.push(await uploadOne(base, token, stateDir, raw))
    } catch (e) {
      error = describe(e)
      break // the connection is gone: the rest waits for the next time
    }
  }
  return { error, output: { uploads } }
}

const USAGE = `usage: node drive.mjs <state-dir> <command> [args]
  sync                          (env SYNC_URL, SYNC_TOKEN; optional SYNC_LOCALE, default en)
  dump [table]
  count <table>
  create <table> <json-fields>
  update <table> <id> <json-fields>
  delete <table> <id>
  photo <job-id> <file> [kind]
  upload                        (env SYNC_URL, SYNC_TOKEN)`

async function main(argv) {
  const [stateDir, command, ...args] = argv
  if (!stateDir || !command) throw new UsageError(USAGE)
  const commands = {
    sync: [0, (db) => commandSync(db, stateDir)],
    dump: [0, (db, t) => commandDump(db, stateDir, t)],
    count: [1, (db, t) => commandCount(db, t)],
    create: [2, (db, t, j) => commandCreate(db, t, j)],
    update: [3, (db, t, id, j) => commandUpdate(db, t, id, j)],
    delete: [2, (db, t, id) => commandDelete(db, t, id)],
    photo: [2, (db, job, file, kind) => commandPhoto(db, stateDir, job, file, kind)],
    upload: [0, (db) => commandUpload(db, stateDir)],
  }
  if (!commands[command]) throw new UsageError(`unknown command ${command}\n${USAGE}`)
  const [required, run] = commands[command]
  if (args.length < required) throw new UsageError(`${command} needs ${required} argument(s)\n${USAGE}`)

  fs.mkdirSync(stateDir, { recursive: true })
  const database = await openDatabase(stateDir)
  let outcome
  try {
    outcome = await run(database, ...args)
  } finally {
    // Saved whatever happened: the file mirrors what the phone would hold after this step.
    await saveDatabase(database, stateDir)
  }
  let error = null
  let output = outcome
  if (command === 'sync' || command === 'upload') ({ error, output } = outcome)
  return { error, output }
}

let exitCode = 0
let report
try {
  const { error, output } = await main(process.argv.slice(2))
  if (error) process.stderr.write(`[drive] failed: ${error}\n`)
  if (error || diagnostics.length) exitCode = 1
  report = { ok: exitCode === 0, error, diagnostics, ...output }
} catch (error) {
  exitCode = error instanceof UsageError ? 2 : 1
  process.stderr.write(`[drive] ${exitCode === 2 ? 'usage' : 'failed'}: ${error instanceof UsageError ? error.message : error.stack}\n`)
  report = { ok: false, error: describe(error), diagnostics }
}
if (diagnostics.length) {
  process.stderr.write(`[drive] ${diagnostics.length} diagnostic(s):\n`)
  for (const d of diagnostics) process.stderr.write(`  - ${d.source} ${d.level}: ${d.message}\n`)
}
process.stdout.write(`${JSON.stringify(report, null, 2)}\n`)
process.exitCode = exitCode
