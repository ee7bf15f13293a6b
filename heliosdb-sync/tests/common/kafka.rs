//! A private Kafka broker for a test (through scripts/kafka.sh, stopped by
//! Drop even when a test panics), and a read-committed reader of what the
//! shipper wrote: every event of the data topics, and the watermark.

use heliosdb_sync::change::JsonRow;
use heliosdb_sync::kafka::{client_id, WATERMARK_TOPIC};
use rdkafka::config::ClientConfig;
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::error::KafkaError;
use rdkafka::message::Message;
use rdkafka::{Offset, TopicPartitionList};
use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

pub fn kafka_script() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../scripts/kafka.sh")
}

fn have(cmd: &str) -> bool {
    Command::new("sh").args(["-c", &format!("command -v {cmd}")]).output().is_ok_and(|o| o.status.success())
}

/// A single-node KRaft broker of the test's own, in a temporary directory.
pub struct KafkaServer {
    pub dir: tempfile::TempDir,
    pub port: u16,
}

impl KafkaServer {
    /// Starts one, or returns `None` (after saying so) when Java or Maven
    /// is missing; with CI set, that fails the test instead.
    pub fn start(test: &str) -> Option<KafkaServer> {
        if !have("java") || !have("mvn") {
            if std::env::var_os("CI").is_some() {
                panic!("{test}: java and mvn are needed to run a Kafka broker and CI is set");
            }
            eprintln!("SKIPPED {test}: java or mvn not found (a Kafka broker cannot be started)");
            return None;
        }
        let dir = tempfile::Builder::new().prefix("heliosdb-sync-kafka").tempdir().expect("temp dir");
        // The broker listens on PORT and its controller on PORT+1.
        let port = loop {
            let p = std::net::TcpListener::bind("127.0.0.1:0").expect("free port").local_addr().unwrap().port();
            if p < 65000 && std::net::TcpListener::bind(("127.0.0.1", p + 1)).is_ok() {
                break p;
            }
        };
        let server = KafkaServer { dir, port };
        server.run("start");
        Some(server)
    }

    pub fn data(&self) -> String {
        self.dir.path().join("kafka").display().to_string()
    }

    fn run(&self, cmd: &str) {
        let out = Command::new("bash")
            .arg(kafka_script())
            .arg(cmd)
            .arg(self.data())
            .arg(self.port.to_string())
            .output()
            .expect("kafka.sh");
        assert!(
            out.status.success(),
            "kafka.sh {cmd} failed: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }

    pub fn stop(&self) {
        self.run("stop");
    }

    pub fn start_again(&self) {
        self.run("start");
    }

    pub fn brokers(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    fn consumer(&self, group: &str) -> BaseConsumer {
        ClientConfig::new()
            .set("bootstrap.servers", self.brokers())
            .set("group.id", group)
            .set("enable.auto.commit", "false")
            .set("isolation.level", "read_committed")
            .set("enable.partition.eof", "true")
            .create()
            .expect("a Kafka consumer")
    }

    /// The watermark the shipper of (source_id, feed) committed, if any.
    pub fn watermark(&self, source_id: &str, feed: &str) -> Option<u64> {
        let c = self.consumer(&client_id(source_id, feed));
        let mut tpl = TopicPartitionList::new();
        tpl.add_partition(WATERMARK_TOPIC, 0);
        let got = c.committed_offsets(tpl, Duration::from_secs(30)).expect("committed offsets");
        match got.find_partition(WATERMARK_TOPIC, 0).map(|p| p.offset()) {
            Some(Offset::Offset(n)) if n >= 0 => Some(n as u64),
            _ => None,
        }
    }

    /// Every committed record of `topics`, as (topic, key, value) with the
    /// JSON read exactly (floats to the bit); a tombstone has no value.
    pub fn read_all(&self, topics: &[String]) -> Vec<(String, JsonRow, Option<JsonRow>)> {
        let c = self.consumer(&format!("heliosdb-sync-test-reader-{}", std::process::id()));
        let mut tpl = TopicPartitionList::new();
        for t in topics {
            let md = c.fetch_metadata(Some(t), Duration::from_secs(30)).expect("metadata");
            for topic in md.topics() {
                for p in topic.partitions() {
                    tpl.add_partition_offset(t, p.id(), Offset::Beginning).unwrap();
                }
            }
        }
        let mut open = tpl.count();
        c.assign(&tpl).expect("assign");
        let mut out = Vec::new();
        let deadline = Instant::now() + Duration::from_secs(120);
        while open > 0 {
            assert!(Instant::now() < deadline, "reading the topics did not reach their end");
            match c.poll(Duration::from_millis(500)) {
                Some(Ok(m)) => {
                    let parse = |b: &[u8]| {
                        heliosdb_sync::json::parse_object(std::str::from_utf8(b).expect("utf-8 record"))
                            .expect("a JSON object")
                    };
                    let key = parse(m.key().expect("a keyed record"));
                    out.push((m.topic().to_string(), key, m.payload().map(parse)));
                }
                Some(Err(KafkaError::PartitionEOF(_))) => open -= 1,
                Some(Err(e)) => panic!("reading the topics: {e}"),
                None => {}
            }
        }
        out
    }
}

impl Drop for KafkaServer {
    fn drop(&mut self) {
        let _ = Command::new("bash").arg(kafka_script()).args(["stop", &self.data(), &self.port.to_string()]).output();
    }
}
