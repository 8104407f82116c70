//! `run.json`: what a run is, written when it starts and again when it ends, so that listing
//! runs reads one small file per run.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};

/// A run's metadata. Inputs are masked; nothing here is secret.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunMeta {
    /// The journal layout version ([`crate::JOURNAL_VERSION`]).
    pub journal_version: u32,
    /// The run's id (also its directory's name).
    pub run_id: String,
    /// The runbook's `id`.
    pub runbook: String,
    /// Its title (its id when it has none).
    pub title: String,
    /// Its severity, when it declares one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub severity: Option<String>,
    /// The runbook path as given on the command line.
    pub file: String,
    /// The same, absolute, to find the file again from another directory (`rbx resume`).
    pub path: String,
    /// `sha256:HEX` of the runbook file's bytes when the run began.
    pub content_hash: String,
    /// Inputs as the run used them, secrets masked (`null` until the run starts).
    #[serde(default)]
    pub inputs: Value,
    /// Who ran it.
    pub user: String,
    /// On which machine.
    pub host: String,
    /// The incident label (`--incident`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub incident: Option<String>,
    /// RFC 3339 start time.
    pub started_at: String,
    /// The process that wrote the journal, to tell a running run from a killed one.
    pub pid: u32,
    /// The rbx version that ran it.
    pub rbx_version: String,
    /// How the run ended (`passed`, `failed`, …), written when it ends.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// RFC 3339 end time, written when it ends.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finished_at: Option<String>,
    /// Duration, written when it ends.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration_ms: Option<u64>,
}

/// `sha256:HEX` of a runbook's bytes: what `run.json` records and `rbx resume` compares.
pub fn content_hash(bytes: &[u8]) -> String {
    format!("sha256:{}", hex::encode(Sha256::digest(bytes)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_is_sha256_hex() {
        assert_eq!(content_hash(b"abc"), "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }
}
