//! [`KafkaTarget`]: ships a feed into Kafka as Debezium-style change
//! events, exactly once for consumers that read committed data.
//!
//! * **Topics and keys.** Each source table's changes go to
//!   `<topic_prefix>.<table>`, keyed by `{"source_id": …, <primary key…>}`
//!   (so a device's row always lands in the same partition, in order, and
//!   compaction keeps one event per row of each device). A delete is
//!   followed by a tombstone (the key with no value), as Debezium does.
//! * **Values** are Debezium's envelope with schemas disabled:
//!   `{"before", "after", "source": {"connector": "heliosdb", "name",
//!   "db", "table", "feed", "scn", "txId", "ts_ms", "snapshot", "version"},
//!   "op": "c"|"u"|"d"|"r", "ts_ms", "transaction": {"id", "total_order",
//!   "data_collection_order"}}`. Row images use the change feed's JSON
//!   forms (DECIMAL as an exact string, BLOB as base64).
//! * **Exactly once.** One Kafka transaction per batch (`transactional.id`
//!   `heliosdb-sync.<source_id>.<feed>`, so a second shipper for the same
//!   source and feed fences the first). The watermark is committed in that
//!   same transaction as the consumer-group offset of group
//!   `heliosdb-sync.<source_id>.<feed>` on partition 0 of
//!   `heliosdb_sync_watermark`, whose value *is* the last shipped SCN (the
//!   transactional offset commit Kafka offers for exactly this purpose), and
//!   a record `{source_id, feed, last_scn, last_commit_time}` goes to that
//!   topic for people and tools to read. On connect, `init_transactions`
//!   aborts whatever a killed predecessor left open, and the watermark is
//!   read with `isolation.level=read_committed`, which waits out a
//!   transaction still being completed. So the events of a batch are
//!   visible to read-committed consumers exactly when the watermark that
//!   covers them is.
//!
//! Kafka expires the offsets of a group without members after the broker's
//! `offsets.retention.minutes` (7 days by default): a device offline for
//! longer ships its tables afresh (as `op: "r"` snapshot events) when it
//! comes back, unless that setting is raised.

use crate::change::{Change, JsonRow, Op};
use crate::config::SyncConfig;
use crate::error::{Result, SyncError};
use crate::schema::TableSchema;
use crate::sink::{Sink, SnapshotPages};
use rdkafka::config::ClientConfig;
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::error::{KafkaError, RDKafkaErrorCode};
use rdkafka::producer::{BaseProducer, BaseRecord, Producer};
use rdkafka::{Offset, TopicPartitionList};
use serde::Serialize;
use serde_json::json;
use std::collections::HashMap;
use std::time::Duration;

/// The topic whose partition 0 carries the watermark offsets and records.
pub const WATERMARK_TOPIC: &str = "heliosdb_sync_watermark";

/// How long one Kafka operation may take before it counts as a failure.
const TIMEOUT: Duration = Duration::from_secs(30);

/// A transactional producer shipping one source's feed into Kafka.
pub struct KafkaTarget {
    producer: BaseProducer,
    /// The watermark reader; its group is the one the watermark is committed to.
    reader: BaseConsumer,
    source_id: String,
    feed: String,
    topic_prefix: String,
    tables: HashMap<String, TableSchema>,
}

/// The transactional id and the watermark's consumer group of a source's feed.
pub fn client_id(source_id: &str, feed: &str) -> String {
    format!("heliosdb-sync.{source_id}.{feed}")
}

/// Converts a librdkafka error, deciding whether reconnecting may cure it.
fn kafka_error(e: KafkaError) -> SyncError {
    let retriable = match &e {
        KafkaError::Transaction(t) => !t.is_fatal(),
        KafkaError::ClientCreation(_) | KafkaError::ClientConfig(..) | KafkaError::Nul(_) => false,
        other => !matches!(
            other.rdkafka_error_code(),
            Some(
                RDKafkaErrorCode::Fatal
                    | RDKafkaErrorCode::Fenced
                    | RDKafkaErrorCode::ProducerFenced
                    | RDKafkaErrorCode::InvalidProducerEpoch
                    | RDKafkaErrorCode::TransactionalIdAuthorizationFailed
                    | RDKafkaErrorCode::TopicAuthorizationFailed
                    | RDKafkaErrorCode::MessageSizeTooLarge
                    | RDKafkaErrorCode::InvalidConfig
            )
        ),
    };
    let fenced = matches!(
        e.rdkafka_error_code(),
        Some(RDKafkaErrorCode::Fenced | RDKafkaErrorCode::ProducerFenced | RDKafkaErrorCode::InvalidProducerEpoch)
    );
    let mut message = e.to_string();
    if fenced {
        message.push_str(" (another heliosdb-sync with the same source id and feed has taken over)");
    }
    SyncError::Kafka { message, retriable }
}

impl KafkaTarget {
    /// Creates the producer and the watermark reader, and initializes
    /// transactions (which aborts a transaction a killed predecessor left open).
    ///
    /// # Errors
    /// `Config` for a bad librdkafka setting; `Kafka` (retriable) when the
    /// brokers cannot be reached in time.
    pub fn connect(cfg: &SyncConfig) -> Result<KafkaTarget> {
        let id = client_id(&cfg.source_id, &cfg.feed);
        let settings = |extra: &[(&str, &str)]| {
            let mut c = ClientConfig::new();
            c.set("bootstrap.servers", cfg.kafka.trim()).set("client.id", &id);
            for (k, v) in extra {
                c.set(*k, *v);
            }
            for (k, v) in &cfg.kafka_properties {
                c.set(k, v);
            }
            c
        };
        let bad = |e: KafkaError| match e {
            KafkaError::ClientCreation(m) => SyncError::Config(format!("Kafka settings: {m}")),
            other => kafka_error(other),
        };
        let producer: BaseProducer = settings(&[
            ("transactional.id", &id),
            ("enable.idempotence", "true"),
            ("compression.type", "lz4"),
            ("linger.ms", "5"),
            // Room for a first sync of a big table in one transaction (the
            // broker's default ceiling is 15 minutes); a killed shipper's
            // transaction is aborted at once by its successor anyway.
            ("transaction.timeout.ms", "300000"),
        ])
        .create()
        .map_err(bad)?;
        let reader: BaseConsumer =
            settings(&[("group.id", &id), ("enable.auto.commit", "false"), ("isolation.level", "read_committed")])
                .create()
                .map_err(bad)?;
        producer.init_transactions(TIMEOUT).map_err(kafka_error)?;
        Ok(KafkaTarget {
            producer,
            reader,
            source_id: cfg.source_id.clone(),
            feed: cfg.feed.clone(),
            topic_prefix: cfg.topic_prefix.trim().to_string(),
            tables: HashMap::new(),
        })
    }

    /// The topic of `table`'s events.
    pub fn topic(&self, table: &str) -> String {
        format!("{}.{table}", self.topic_prefix)
    }

    /// Queues one record, waiting for room when librdkafka's queue is full.
    fn send(&self, topic: &str, key: &[u8], value: Option<&[u8]>, partition: Option<i32>) -> Result<()> {
        let mut record = BaseRecord::<[u8], [u8]>::to(topic).key(key);
        if let Some(v) = value {
            record = record.payload(v);
        }
        if let Some(p) = partition {
            record = record.partition(p);
        }
        loop {
            match self.producer.send(record) {
                Ok(()) => return Ok(()),
                Err((KafkaError::MessageProduction(RDKafkaErrorCode::QueueFull), r)) => {
                    record = r;
                    self.producer.poll(Duration::from_millis(10));
                }
                Err((e, _)) => return Err(kafka_error(e)),
            }
        }
    }

    /// The events of `changes`, in order.
    fn send_changes(&self, changes: &[Change]) -> Result<()> {
        let mut order = Order::default();
        for (i, c) in changes.iter().enumerate() {
            let (total, in_table) = order.next(c);
            self.send_event(c, None, total, in_table)?;
            if i % 1024 == 1023 {
                self.producer.poll(Duration::ZERO);
            }
        }
        Ok(())
    }

    /// One change's event (a snapshot row's when `snapshot` is its marker,
    /// `"true"` or `"last"`), and a tombstone after a delete.
    fn send_event(&self, c: &Change, snapshot: Option<&str>, total: u64, in_table: u64) -> Result<()> {
        let key = serde_json::to_vec(&event_key(&self.source_id, c)).map_err(json_error)?;
        let value = serde_json::to_vec(&envelope(&self.source_id, &self.feed, c, snapshot, total, in_table))
            .map_err(json_error)?;
        let topic = self.topic(&c.table);
        self.send(&topic, &key, Some(&value), None)?;
        if c.op == Op::Delete {
            self.send(&topic, &key, None, None)?;
        }
        Ok(())
    }
}

/// `{"source_id": …, key columns…}`.
fn event_key<'a>(source_id: &'a str, c: &'a Change) -> EventKey<'a> {
    EventKey { source_id, key: &c.key }
}

/// Debezium's envelope for one change (serialized straight from the
/// change's images: nothing is copied into an intermediate JSON tree).
fn envelope<'a>(
    source_id: &'a str,
    feed: &'a str,
    c: &'a Change,
    snapshot: Option<&'a str>,
    total: u64,
    in_table: u64,
) -> Envelope<'a> {
    let op = match (snapshot, c.op) {
        (Some(_), _) => "r",
        (None, Op::Insert) => "c",
        (None, Op::Update) => "u",
        (None, Op::Delete) => "d",
    };
    Envelope {
        before: c.before.as_ref(),
        after: c.after.as_ref(),
        source: Source {
            version: heliosdb_lite::VERSION,
            connector: "heliosdb",
            name: source_id,
            ts_ms: commit_time_ms(&c.commit_time),
            snapshot: snapshot.unwrap_or("false"),
            db: source_id,
            table: &c.table,
            feed,
            scn: c.scn,
            tx_id: c.txid,
        },
        op,
        ts_ms: now_ms(),
        transaction: snapshot.is_none().then(|| TransactionBlock {
            id: c.txid.to_string(),
            total_order: total,
            data_collection_order: in_table,
        }),
    }
}

impl KafkaTarget {
    /// Runs `events` and the watermark `scn` as one Kafka transaction.
    fn transaction(&mut self, scn: u64, commit_time: &str, events: impl FnOnce(&Self) -> Result<()>) -> Result<()> {
        self.producer.begin_transaction().map_err(kafka_error)?;
        let result = (|| {
            events(self)?;
            let key = json!({ "source_id": self.source_id, "feed": self.feed });
            let value = json!({
                "source_id": self.source_id,
                "feed": self.feed,
                "last_scn": scn,
                "last_commit_time": commit_time,
            });
            let (key, value) = (key.to_string(), value.to_string());
            self.send(WATERMARK_TOPIC, key.as_bytes(), Some(value.as_bytes()), Some(0))?;
            let scn = i64::try_from(scn).map_err(|_| SyncError::Data(format!("scn {scn} does not fit an offset")))?;
            let mut offsets = TopicPartitionList::new();
            offsets.add_partition_offset(WATERMARK_TOPIC, 0, Offset::Offset(scn)).map_err(kafka_error)?;
            let group = self
                .reader
                .group_metadata()
                .ok_or_else(|| SyncError::Config("the watermark reader has no consumer group".into()))?;
            self.producer.send_offsets_to_transaction(&offsets, &group, TIMEOUT).map_err(kafka_error)?;
            self.producer.commit_transaction(TIMEOUT).map_err(kafka_error)
        })();
        if result.is_err() {
            // Best effort: reconnecting (init_transactions) aborts it anyway.
            let _ = self.producer.abort_transaction(TIMEOUT);
        }
        result
    }
}

impl Sink for KafkaTarget {
    fn name(&self) -> &'static str {
        "Kafka"
    }

    fn ensure_table(&mut self, table: &TableSchema) -> Result<()> {
        self.tables.insert(table.name.clone(), table.clone());
        Ok(())
    }

    fn table(&self, table: &str) -> Option<&TableSchema> {
        self.tables.get(table)
    }

    fn watermark(&mut self) -> Result<Option<u64>> {
        let mut wanted = TopicPartitionList::new();
        wanted.add_partition(WATERMARK_TOPIC, 0);
        let got = self.reader.committed_offsets(wanted, TIMEOUT).map_err(kafka_error)?;
        Ok(match got.find_partition(WATERMARK_TOPIC, 0).map(|p| p.offset()) {
            Some(Offset::Offset(n)) if n >= 0 => Some(n as u64),
            _ => None,
        })
    }

    /// `expected` is not checked here: the transactional id fences any
    /// other shipper of this source and feed, so the watermark cannot move
    /// under this one.
    fn apply(&mut self, changes: &[Change], _expected: Option<u64>, new_scn: u64, commit_time: &str) -> Result<()> {
        self.transaction(new_scn, commit_time, |t| t.send_changes(changes))
    }

    /// Kafka keeps what it was sent: the snapshot is appended as `op: "r"`
    /// events (the last one marked `"snapshot": "last"`), which a compacted
    /// topic or a consumer keyed by row turns into the table's contents.
    fn replace_all(&mut self, _expected: Option<u64>, scn: u64, rows: &mut SnapshotPages<'_>) -> Result<()> {
        self.transaction(scn, "", |t| {
            // Each row goes out once the next is known, so the last can say so.
            let mut held: Option<Change> = None;
            let mut sent = 0u64;
            rows(&mut |page: &[Change]| {
                for c in page {
                    if let Some(prev) = held.replace(c.clone()) {
                        t.send_event(&prev, Some("true"), 0, 0)?;
                        sent += 1;
                        if sent % 1024 == 0 {
                            t.producer.poll(Duration::ZERO);
                        }
                    }
                }
                Ok(())
            })?;
            match held {
                Some(last) => t.send_event(&last, Some("last"), 0, 0),
                None => Ok(()),
            }
        })
    }
}

/// An event's key.
#[derive(Serialize)]
struct EventKey<'a> {
    source_id: &'a str,
    #[serde(flatten)]
    key: &'a JsonRow,
}

/// Debezium's change-event envelope (JSON converter, schemas disabled).
#[derive(Serialize)]
struct Envelope<'a> {
    before: Option<&'a JsonRow>,
    after: Option<&'a JsonRow>,
    source: Source<'a>,
    op: &'static str,
    ts_ms: i64,
    transaction: Option<TransactionBlock>,
}

/// The envelope's `source` block.
#[derive(Serialize)]
struct Source<'a> {
    version: &'static str,
    connector: &'static str,
    name: &'a str,
    ts_ms: Option<i64>,
    snapshot: &'a str,
    db: &'a str,
    table: &'a str,
    feed: &'a str,
    scn: u64,
    #[serde(rename = "txId")]
    tx_id: u64,
}

/// The envelope's `transaction` block.
#[derive(Serialize)]
struct TransactionBlock {
    id: String,
    total_order: u64,
    data_collection_order: u64,
}

/// Positions of a change in its transaction: overall and within its table.
#[derive(Default)]
struct Order {
    scn: Option<u64>,
    total: u64,
    per_table: HashMap<String, u64>,
}

impl Order {
    fn next(&mut self, c: &Change) -> (u64, u64) {
        if self.scn != Some(c.scn) {
            self.scn = Some(c.scn);
            self.total = 0;
            self.per_table.clear();
        }
        self.total += 1;
        let n = self.per_table.entry(c.table.clone()).or_insert(0);
        *n += 1;
        (self.total, *n)
    }
}

fn json_error(e: serde_json::Error) -> SyncError {
    SyncError::Data(format!("cannot encode a change as JSON: {e}"))
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

/// Milliseconds since 1970 of a commit time `YYYY-MM-DD HH:MM:SS[.ffffff]`
/// (UTC), or `None` for text of another shape (a snapshot row has none).
pub fn commit_time_ms(text: &str) -> Option<i64> {
    let parse = || -> Option<i64> {
        let (date, time) = text.split_once(' ')?;
        let mut d = date.splitn(3, '-').map(|x| x.parse::<i64>().ok());
        let (y, m, day) = (d.next()??, d.next()??, d.next()??);
        let (hms, frac) = time.split_once('.').unwrap_or((time, "0"));
        let mut t = hms.splitn(3, ':').map(|x| x.parse::<i64>().ok());
        let (h, min, s) = (t.next()??, t.next()??, t.next()??);
        let ms = format!("{frac:0<3}").get(..3)?.parse::<i64>().ok()?;
        if !(1..=12).contains(&m) || !(1..=31).contains(&day) {
            return None;
        }
        Some(((days_from_civil(y, m, day) * 24 + h) * 60 + min) * 60_000 + s * 1000 + ms)
    };
    parse()
}

/// Days from 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's
/// `days_from_civil`, exact for every year).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commit_times_become_epoch_milliseconds() {
        assert_eq!(commit_time_ms("1970-01-01 00:00:00.000000"), Some(0));
        assert_eq!(commit_time_ms("2024-06-01 00:00:00"), Some(1_717_200_000_000));
        assert_eq!(commit_time_ms("2024-02-29 23:59:59.999999"), Some(1_709_251_199_999));
        assert_eq!(commit_time_ms("1969-12-31 23:59:59.5"), Some(-500));
        assert_eq!(commit_time_ms(""), None);
        assert_eq!(commit_time_ms("2024-13-01 00:00:00"), None);
    }

    #[test]
    fn events_are_debezium_envelopes() {
        let img = |v: i64| crate::json::parse_object(&format!(r#"{{"id":7,"v":{v},"d":"1.50","b":"AP8="}}"#)).unwrap();
        let c = Change {
            scn: 42,
            txid: 9,
            commit_time: "2024-06-01 00:00:01.250000".into(),
            table: "t".into(),
            op: Op::Update,
            key: crate::json::parse_object(r#"{"id":7}"#).unwrap(),
            before: Some(img(1)),
            after: Some(img(2)),
        };
        let key = serde_json::to_string(&event_key("gw-1", &c)).unwrap();
        assert_eq!(key, r#"{"source_id":"gw-1","id":7}"#);
        let mut v: serde_json::Value = serde_json::to_value(envelope("gw-1", "f", &c, None, 3, 2)).unwrap();
        assert!(v["ts_ms"].as_i64().unwrap() > 1_700_000_000_000);
        v["ts_ms"] = json!(0);
        let version = heliosdb_lite::VERSION;
        assert_eq!(
            v,
            json!({
                "before": {"id": 7, "v": 1, "d": "1.50", "b": "AP8="},
                "after": {"id": 7, "v": 2, "d": "1.50", "b": "AP8="},
                "source": {"version": version, "connector": "heliosdb", "name": "gw-1", "ts_ms": 1_717_200_001_250i64,
                           "snapshot": "false", "db": "gw-1", "table": "t", "feed": "f", "scn": 42, "txId": 9},
                "op": "u", "ts_ms": 0,
                "transaction": {"id": "9", "total_order": 3, "data_collection_order": 2},
            })
        );
        // Field order as Debezium writes it.
        let text = serde_json::to_string(&envelope("gw-1", "f", &c, None, 3, 2)).unwrap();
        let at = |f: &str| text.find(&format!("\"{f}\":")).unwrap();
        assert!(at("before") < at("after") && at("after") < at("source") && at("source") < at("op"));
        // A snapshot row: op r, no transaction block.
        let r: serde_json::Value = serde_json::to_value(envelope("gw-1", "f", &c, Some("last"), 0, 0)).unwrap();
        assert_eq!((r["op"].as_str(), r["source"]["snapshot"].as_str()), (Some("r"), Some("last")));
        assert!(r["transaction"].is_null());
    }

    #[test]
    fn order_counts_within_a_transaction_and_a_table() {
        let change = |scn, table: &str| Change {
            scn,
            txid: scn,
            commit_time: String::new(),
            table: table.into(),
            op: Op::Insert,
            key: JsonRow::new(),
            before: None,
            after: Some(JsonRow::new()),
        };
        let mut o = Order::default();
        assert_eq!(o.next(&change(5, "a")), (1, 1));
        assert_eq!(o.next(&change(5, "b")), (2, 1));
        assert_eq!(o.next(&change(5, "a")), (3, 2));
        assert_eq!(o.next(&change(6, "a")), (1, 1));
    }
}
