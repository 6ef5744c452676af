// The phone's local WatermelonDB schema (appSchema version 7), its migrations and model classes.
// This file is the single source of the client-side shape of synced data. It is schema version 7
// of the contract in docs/sync.md ("What a phone holds"): the server must send exactly these
// tables and columns (ids are strings, times are integer epoch milliseconds, `opt` marks the
// columns the contract marks `?`): schema 1, plus tickets.due_at (2), attachments (3),
// tickets.custom_fields (4), articles (5), tickets.on_site_fields (6) and filter_types (7).
// Plain JS classes (no decorators, no build step): records are read and written through their
// raw columns (record._raw / record._setRaw), which is all a sync harness needs.
import { createRequire } from 'node:module'

const require = createRequire(import.meta.url)
const { appSchema, tableSchema, Model } = require('@nozbe/watermelondb')
const { schemaMigrations, addColumns, createTable } = require('@nozbe/watermelondb/Schema/migrations')

const s = (name, extra = {}) => ({ name, type: 'string', ...extra })
const n = (name, extra = {}) => ({ name, type: 'number', ...extra })
const b = (name, extra = {}) => ({ name, type: 'boolean', ...extra })
const opt = { isOptional: true }
const idx = { isIndexed: true }

export const SCHEMA_VERSION = 7
// The oldest schema an installed app may upgrade from (the client was at 3 when migrations came).
export const MIGRATIONS_FROM = 3

const articleColumns = [
  s('title_zh'),
  s('title_en'),
  s('body_zh'),
  s('body_en'),
  s('model_ids_json'), // JSON arrays as strings
  s('fault_codes_json'),
  s('symptoms_json'),
  s('versions'),
  n('revision'),
  n('published_at', opt),
]
const filterTypeColumns = [
  s('device_model_id', idx),
  n('stage'),
  s('name'),
  n('lifetime_days'),
  n('capacity_buckets', opt),
]

export const schema = appSchema({
  version: SCHEMA_VERSION,
  tables: [
    // Pulled from the server. The phone may only edit jobs.appointment_start/appointment_end.
    tableSchema({
      name: 'jobs',
      columns: [
        s('ticket_id', idx),
        s('number'),
        s('status'),
        n('appointment_start', opt),
        n('appointment_end', opt),
        n('route_position', opt),
        n('eta', opt),
        n('planned_arrival', opt),
        s('status_reason'),
        n('revision'),
        n('updated_at_server'),
      ],
    }),
    tableSchema({
      name: 'tickets',
      columns: [
        s('number'),
        s('type'),
        s('priority'),
        s('status'),
        s('description'),
        s('customer_id', idx),
        s('address_id', opt),
        s('device_id', opt),
        n('due_at', opt), // schema 2
        s('custom_fields', opt), // schema 4: HQ's custom fields set on the ticket (JSON)
        s('on_site_fields', opt), // schema 6: the fields filled on site (JSON)
      ],
    }),
    tableSchema({ name: 'customers', columns: [s('name'), s('phone')] }),
    tableSchema({
      name: 'addresses',
      columns: [
        s('customer_id', idx),
        s('full_text'),
        s('province'),
        s('city'),
        s('district'),
        s('street'),
        s('community'),
        s('building'),
        s('room'),
        n('latitude', opt),
        n('longitude', opt),
      ],
    }),
    tableSchema({
      name: 'devices',
      columns: [
        s('customer_id', idx),
        s('address_id', opt),
        s('model_id'),
        s('serial_number'),
        s('status'),
      ],
    }),
    tableSchema({ name: 'device_models', columns: [s('code'), s('name')] }),
    tableSchema({ name: 'parts', columns: [s('sku'), s('name'), s('unit')] }),
    tableSchema({ name: 'van_stock', columns: [s('part_id', idx), s('bin'), n('quantity')] }),
    // Created on the phone and pushed (append-only: never edited or deleted once synced).
    tableSchema({
      name: 'part_consumptions',
      columns: [
        s('job_id', idx),
        s('part_id'),
        n('quantity'),
        b('old_part_returned'),
        n('recorded_at'),
      ],
    }),
    tableSchema({
      name: 'water_tests',
      columns: [
        s('job_id', idx),
        n('tds', opt),
        n('ph', opt),
        n('residual_chlorine', opt),
        n('turbidity', opt),
        n('temperature', opt),
        b('passed'), // set by the server; whatever the phone sends is not used
        n('recorded_at'),
      ],
    }),
    tableSchema({ name: 'job_notes', columns: [s('job_id', idx), s('body'), n('recorded_at')] }),
    // Schema 3: a photo, signature or form taken on the phone (the file stays beside the
    // database until uploaded); the server fills in status, rejection_code and thumbnail_url.
    tableSchema({
      name: 'attachments',
      columns: [
        s('job_id', idx),
        s('kind'),
        s('content_type'),
        n('byte_size'),
        s('sha256'),
        n('recorded_at'), // when it was taken
        s('status', opt),
        s('rejection_code', opt),
        s('thumbnail_url', opt),
      ],
    }),
    // Schema 5: the knowledge base for the models held (read only).
    tableSchema({ name: 'articles', columns: articleColumns }),
    // Schema 7: the filter stages of the models held (read only): what a filter change's
    // report names (report_json.filtersChanged).
    tableSchema({ name: 'filter_types', columns: filterTypeColumns }),
    tableSchema({
      name: 'job_events',
      columns: [
        s('job_id', idx),
        s('action'), // ACCEPT | START_TRAVEL | ARRIVE | COMPLETE | FAIL
        s('reason', opt),
        s('report_json', opt),
        n('recorded_at'),
      ],
    }),
  ],
})

// An installed app's upgrade: WatermelonDB migrates its database and, with
// `migrationsEnabledAtVersion`, tells the server in its next pull (docs/sync.md, "Schema versions").
const migrationSteps = [
  { toVersion: 4, steps: [addColumns({ table: 'tickets', columns: [s('custom_fields', opt)] })] },
  { toVersion: 5, steps: [createTable({ name: 'articles', columns: articleColumns })] },
  { toVersion: 6, steps: [addColumns({ table: 'tickets', columns: [s('on_site_fields', opt)] })] },
  { toVersion: 7, steps: [createTable({ name: 'filter_types', columns: filterTypeColumns })] },
]
export const migrations = schemaMigrations({ migrations: migrationSteps })

// The tables and columns each version added (what a database of an older version lacks).
export const addedIn = {
  4: { columns: { tickets: ['custom_fields'] } },
  5: { tables: ['articles'] },
  6: { columns: { tickets: ['on_site_fields'] } },
  7: { tables: ['filter_types'] },
}

// The app of an older schema version (MIGRATIONS_FROM..SCHEMA_VERSION), as still installed on
// some phones: the tables and columns it had, and the migrations it shipped with.
export function appAt(version) {
  if (!(Number.isInteger(version) && version >= MIGRATIONS_FROM && version <= SCHEMA_VERSION)) {
    throw new Error(`no app of schema version ${version} (${MIGRATIONS_FROM} to ${SCHEMA_VERSION})`)
  }
  const later = Object.entries(addedIn).filter(([v]) => Number(v) > version).map(([, added]) => added)
  const droppedTables = new Set(later.flatMap((added) => added.tables || []))
  const droppedColumns = (table) => new Set(later.flatMap((added) => added.columns?.[table] || []))
  const tables = Object.values(schema.tables)
    .filter((table) => !droppedTables.has(table.name))
    .map((table) =>
      tableSchema({
        name: table.name,
        columns: table.columnArray.filter((column) => !droppedColumns(table.name).has(column.name)),
      }),
    )
  return {
    schema: appSchema({ version, tables }),
    migrations: schemaMigrations({ migrations: migrationSteps.filter((m) => m.toVersion <= version) }),
  }
}

// Number columns that must hold integers: epoch-millisecond times and counts. The client itself
// accepts any finite number here; drive.mjs's strict checks use this list to flag server bugs.
export const integerColumns = {
  jobs: [
    'appointment_start',
    'appointment_end',
    'route_position',
    'eta',
    'planned_arrival',
    'revision',
    'updated_at_server',
  ],
  tickets: ['due_at'],
  van_stock: ['quantity'],
  part_consumptions: ['quantity', 'recorded_at'],
  water_tests: ['recorded_at'],
  job_notes: ['recorded_at'],
  job_events: ['recorded_at'],
  attachments: ['byte_size', 'recorded_at'],
  articles: ['revision', 'published_at'],
  filter_types: ['stage', 'lifetime_days', 'capacity_buckets'],
}

export const JOB_EVENT_ACTIONS = ['ACCEPT', 'START_TRAVEL', 'ARRIVE', 'COMPLETE', 'FAIL']
export const ATTACHMENT_KINDS = ['PHOTO', 'SIGNATURE', 'CONFIRMATION_FORM', 'WATER_TEST_PHOTO', 'PART_PHOTO', 'FAULT_PHOTO']
export const ATTACHMENT_STATUSES = ['PENDING_UPLOAD', 'VERIFIED', 'REJECTED', 'EXPIRED']

// Columns whose values the contract enumerates (docs/sync.md). Checked on pulled records and on
// the driver's local creations/edits.
export const enumColumns = {
  van_stock: { bin: ['GOOD', 'DEFECTIVE'] },
  job_events: { action: JOB_EVENT_ACTIONS },
  attachments: { kind: ATTACHMENT_KINDS, status: ATTACHMENT_STATUSES },
}

// What the phone may change (docs/sync.md, "phone may"): the server rejects anything else.
// The driver does not enforce this (a test may want to see the rejection); it is informative.
export const phoneMay = {
  jobs: { update: ['appointment_start', 'appointment_end'] },
  part_consumptions: { create: true },
  water_tests: { create: true },
  job_notes: { create: true },
  job_events: { create: true },
  attachments: { create: true },
}

const belongsTo = (table, key) => [table, { type: 'belongs_to', key }]
const hasMany = (table, foreignKey) => [table, { type: 'has_many', foreignKey }]
const assoc = (...pairs) => Object.fromEntries(pairs)

export class Job extends Model {
  static table = 'jobs'
  static associations = assoc(
    belongsTo('tickets', 'ticket_id'),
    hasMany('part_consumptions', 'job_id'),
    hasMany('water_tests', 'job_id'),
    hasMany('job_notes', 'job_id'),
    hasMany('job_events', 'job_id'),
    hasMany('attachments', 'job_id'),
  )
}

export class Ticket extends Model {
  static table = 'tickets'
  static associations = assoc(
    belongsTo('customers', 'customer_id'),
    belongsTo('addresses', 'address_id'),
    belongsTo('devices', 'device_id'),
    hasMany('jobs', 'ticket_id'),
  )
}

export class Customer extends Model {
  static table = 'customers'
  static associations = assoc(
    hasMany('tickets', 'customer_id'),
    hasMany('addresses', 'customer_id'),
    hasMany('devices', 'customer_id'),
  )
}

export class Address extends Model {
  static table = 'addresses'
  static associations = assoc(belongsTo('customers', 'customer_id'))
}

export class Device extends Model {
  static table = 'devices'
  static associations = assoc(
    belongsTo('customers', 'customer_id'),
    belongsTo('addresses', 'address_id'),
    belongsTo('device_models', 'model_id'),
  )
}

export class DeviceModel extends Model {
  static table = 'device_models'
  static associations = assoc(hasMany('devices', 'model_id'), hasMany('filter_types', 'device_model_id'))
}

export class FilterType extends Model {
  static table = 'filter_types'
  static associations = assoc(belongsTo('device_models', 'device_model_id'))
}

export class Article extends Model {
  static table = 'articles'
}

export class Part extends Model {
  static table = 'parts'
  static associations = assoc(hasMany('van_stock', 'part_id'))
}

export class VanStock extends Model {
  static table = 'van_stock'
  static associations = assoc(belongsTo('parts', 'part_id'))
}

export class PartConsumption extends Model {
  static table = 'part_consumptions'
  static associations = assoc(belongsTo('jobs', 'job_id'), belongsTo('parts', 'part_id'))
}

export class WaterTest extends Model {
  static table = 'water_tests'
  static associations = assoc(belongsTo('jobs', 'job_id'))
}

export class JobNote extends Model {
  static table = 'job_notes'
  static associations = assoc(belongsTo('jobs', 'job_id'))
}

export class JobEvent extends Model {
  static table = 'job_events'
  static associations = assoc(belongsTo('jobs', 'job_id'))
}

export class Attachment extends Model {
  static table = 'attachments'
  static associations = assoc(belongsTo('jobs', 'job_id'))
}

export const modelClasses = [
  Job,
  Ticket,
  Customer,
  Address,
  Device,
  DeviceModel,
  FilterType,
  Article,
  Part,
  VanStock,
  PartConsumption,
  WaterTest,
  JobNote,
  JobEvent,
  Attachment,
]

export const tableNames = Object.keys(schema.tables)
