-- SPDX-License-Identifier: MIT
-- A memplan database at schema version 1 (the first layout, see
-- src/store/schema.c), with one run. The tests load it with the sqlite3 shell
-- and check that memplan migrates it to the current version:
--   sqlite3 old.db < tests/data/store/schema-v1.sql
-- The CREATE statements are exactly those of migration 0 -> 1.
BEGIN;
CREATE TABLE networks (
  id INTEGER PRIMARY KEY,
  hash TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  source TEXT NOT NULL,
  ops INTEGER NOT NULL,
  macs INTEGER NOT NULL
);
CREATE TABLE runs (
  id INTEGER PRIMARY KEY,
  command TEXT NOT NULL,
  command_line TEXT NOT NULL,
  memplan_version TEXT NOT NULL,
  started_at TEXT NOT NULL
);
CREATE TABLE schedules (
  id INTEGER PRIMARY KEY,
  run_id INTEGER NOT NULL REFERENCES runs(id),
  network_id INTEGER NOT NULL REFERENCES networks(id),
  mode TEXT NOT NULL,
  split TEXT,
  grid_rows INTEGER,
  grid_cols INTEGER,
  peak_bytes INTEGER NOT NULL,
  macs INTEGER NOT NULL,
  schedule_json TEXT NOT NULL
);
CREATE TABLE schedule_steps (
  schedule_id INTEGER NOT NULL REFERENCES schedules(id),
  step INTEGER NOT NULL,
  live_bytes INTEGER NOT NULL,
  PRIMARY KEY (schedule_id, step)
) WITHOUT ROWID;
INSERT INTO networks VALUES (1, '5c6aa267ecab617892ef659384a18fe63d2b83d29161d91400fc177f7d39d82d',
  'mobilenetv2-w0.35-r144', 'nets/mobilenetv2-w0.35-r144.json', 65, 26660752);
INSERT INTO runs VALUES (1, 'analyze', 'memplan analyze nets/mobilenetv2-w0.35-r144.json',
  '0.0.9', '2024-05-01T12:00:00.000Z');
INSERT INTO schedules VALUES (1, 1, 1, 'per-layer', NULL, NULL, NULL, 311040, 26660752, '{}');
INSERT INTO schedule_steps VALUES (1, 0, 166656), (1, 1, 311040);
PRAGMA user_version = 1;
COMMIT;
