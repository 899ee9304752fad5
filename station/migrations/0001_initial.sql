-- 0001: the station's tables. Times are UTC ISO 8601 text; dates are YYYY-MM-DD text.

-- One row per imported assignment version (the approved list for a school + SPT + team), signed by HQ.
CREATE TABLE assignments (
    id              INTEGER PRIMARY KEY,
    assignment_id   TEXT    NOT NULL,
    version         INTEGER NOT NULL UNIQUE CHECK (version >= 1),
    content_sha256  TEXT    NOT NULL,
    school_npsn     TEXT    NOT NULL,
    school_name     TEXT    NOT NULL,
    spt_number      TEXT    NOT NULL,
    spt_date        TEXT    NOT NULL,
    recording_date  TEXT    NOT NULL,
    signed_bundle   TEXT    NOT NULL,   -- the file as received, so it can be verified again
    imported_at     TEXT    NOT NULL
);

CREATE TABLE operators (
    id              INTEGER PRIMARY KEY,
    assignment_ref  INTEGER NOT NULL REFERENCES assignments(id),
    operator_id     TEXT    NOT NULL,
    name            TEXT    NOT NULL,
    role            TEXT    NOT NULL,
    pin_hash        TEXT    NOT NULL,
    UNIQUE (assignment_ref, operator_id)
);

CREATE TABLE applicants (
    id              INTEGER PRIMARY KEY,
    assignment_ref  INTEGER NOT NULL REFERENCES assignments(id),
    application_id  TEXT    NOT NULL,
    nik             TEXT    NOT NULL,
    name            TEXT    NOT NULL,
    birth_place     TEXT    NOT NULL,
    birth_date      TEXT    NOT NULL,
    sex             TEXT    NOT NULL CHECK (sex IN ('M', 'F')),
    kk_number       TEXT    NOT NULL,
    phone           TEXT,
    UNIQUE (assignment_ref, nik),
    UNIQUE (assignment_ref, application_id)
);
CREATE INDEX applicants_nik ON applicants (nik);

-- A student who checked in and holds a queue number.
CREATE TABLE checkins (
    id              INTEGER PRIMARY KEY,
    assignment_ref  INTEGER NOT NULL REFERENCES assignments(id),
    applicant_ref   INTEGER NOT NULL UNIQUE REFERENCES applicants(id),
    queue_number    INTEGER NOT NULL,
    method          TEXT    NOT NULL CHECK (method IN ('qr', 'nik')),
    phone           TEXT    NOT NULL,
    checked_in_at   TEXT    NOT NULL,
    queue_state     TEXT    NOT NULL DEFAULT 'waiting'
                    CHECK (queue_state IN ('waiting', 'called', 'skipped', 'done')),
    UNIQUE (assignment_ref, queue_number)
);

-- One e-KTP recording. seq is the per-station sequence, given when the record is sealed.
CREATE TABLE records (
    id              TEXT    PRIMARY KEY,
    seq             INTEGER UNIQUE,
    applicant_ref   INTEGER NOT NULL REFERENCES applicants(id),
    checkin_ref     INTEGER REFERENCES checkins(id),
    state           TEXT    NOT NULL CHECK (state IN (
                        'checked_in', 'capturing', 'captured', 'sent', 'accepted', 'duplicate',
                        'rejected', 'purged', 'withdrawn', 'correction_requested')),
    reason_code     TEXT,
    operator_id     TEXT,
    receipt_number  TEXT    UNIQUE,
    packet_file     TEXT    UNIQUE,
    packet_sha256   TEXT,
    packet_size     INTEGER,
    below_threshold INTEGER NOT NULL DEFAULT 0,
    created_at      TEXT    NOT NULL,
    updated_at      TEXT    NOT NULL,
    sealed_at       TEXT,
    CHECK ((seq IS NULL) = (packet_file IS NULL) OR state = 'purged')
);
CREATE INDEX records_state ON records (state);

-- Per-modality capture metadata (scores, attempts, exceptions); the images are only inside the packet.
CREATE TABLE captures (
    id              INTEGER PRIMARY KEY,
    record_id       TEXT    NOT NULL REFERENCES records(id),
    modality        TEXT    NOT NULL CHECK (modality IN ('face', 'signature', 'finger', 'iris')),
    position        TEXT    NOT NULL,
    outcome         TEXT    NOT NULL CHECK (outcome IN ('captured', 'exception')),
    score           INTEGER,
    threshold       INTEGER,
    attempts        INTEGER NOT NULL CHECK (attempts >= 0),
    below_threshold INTEGER NOT NULL DEFAULT 0,
    reason          TEXT,
    exception_code  TEXT,
    device_serial   TEXT,
    started_at      TEXT,
    finished_at     TEXT,
    metadata        TEXT    NOT NULL DEFAULT '{}',
    UNIQUE (record_id, position)
);

-- Sealed records waiting for HQ, in seq order; a row leaves only when HQ has answered.
CREATE TABLE outbox (
    record_id       TEXT    PRIMARY KEY REFERENCES records(id),
    seq             INTEGER NOT NULL UNIQUE,
    enqueued_at     TEXT    NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    last_attempt_at TEXT,
    batch_id        TEXT,
    sent_at         TEXT,
    acked_at        TEXT,
    ack_status      TEXT CHECK (ack_status IN ('accepted', 'duplicate', 'rejected')),
    reject_code     TEXT
);

-- Monotonic counters (record sequence, queue numbers), bumped inside the writing transaction.
CREATE TABLE counters (
    name            TEXT    PRIMARY KEY,
    value           INTEGER NOT NULL
);

-- Append-only audit log; each row carries the hash of the row before it.
CREATE TABLE audit (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    ts              TEXT    NOT NULL,
    actor           TEXT    NOT NULL,
    action          TEXT    NOT NULL,
    record_id       TEXT,
    from_state      TEXT,
    to_state        TEXT,
    reason          TEXT,
    details         TEXT    NOT NULL DEFAULT '{}',
    prev_hash       TEXT    NOT NULL,
    row_hash        TEXT    NOT NULL
);
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
