//! `http` steps through `rbx run` against an HTTPS server on 127.0.0.1 with a self-signed
//! certificate: verified (and refused) by default, accepted with `insecure: true` on the step or
//! on its connection.
//!
//! The certificate is rbx_clients' test fixture (P-256, for IP 127.0.0.1, valid until 2126).

mod common;

use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use common::{Rbx, step, tempdir};
use serde_json::json;
use tokio_rustls::rustls::pki_types::pem::PemObject;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer};
use tokio_rustls::rustls::{ServerConfig, ServerConnection, StreamOwned};

const CERT: &[u8] = include_bytes!("../../rbx_clients/tests/fixtures/self-signed.cert.pem");
const KEY: &[u8] = include_bytes!("../../rbx_clients/tests/fixtures/self-signed.key.pem");

/// An HTTPS server answering every request with `200 secure`, on its own threads for as long as
/// the test process lives.
struct TlsServer {
    base_url: String,
    /// Requests read whole over a completed handshake.
    answered: Arc<AtomicUsize>,
}

impl TlsServer {
    fn start() -> TlsServer {
        let certs: Vec<CertificateDer<'static>> =
            CertificateDer::pem_slice_iter(CERT).collect::<Result<_, _>>().expect("the fixture certificate");
        let key = PrivateKeyDer::from_pem_slice(KEY).expect("the fixture key");
        let config = Arc::new(
            ServerConfig::builder().with_no_client_auth().with_single_cert(certs, key).expect("a server config"),
        );
        let listener = TcpListener::bind("127.0.0.1:0").expect("a port on 127.0.0.1");
        let base_url = format!("https://{}", listener.local_addr().expect("its address"));
        let answered = Arc::new(AtomicUsize::new(0));
        let counter = Arc::clone(&answered);
        std::thread::spawn(move || {
            for tcp in listener.incoming().flatten() {
                let (config, counter) = (Arc::clone(&config), Arc::clone(&counter));
                std::thread::spawn(move || {
                    let Ok(connection) = ServerConnection::new(config) else { return };
                    let mut tls = StreamOwned::new(connection, tcp);
                    // A client that refuses the certificate ends the handshake here: the read fails.
                    if read_request(&mut tls).is_some() {
                        counter.fetch_add(1, Ordering::SeqCst);
                        let response = "HTTP/1.1 200 OK\r\ncontent-length: 6\r\nconnection: close\r\n\r\nsecure";
                        let _ = tls.write_all(response.as_bytes());
                        tls.conn.send_close_notify();
                        let _ = tls.flush();
                    }
                });
            }
        });
        TlsServer { base_url, answered }
    }

    /// `rbx run FIXTURE --format json` with this server's URL as the `base` input.
    fn run(&self, fixture: &str) -> common::Outcome {
        Rbx::run(fixture).var("base", &self.base_url).args(["--format", "json"]).cwd(tempdir().path()).output()
    }

    fn answered(&self) -> usize {
        self.answered.load(Ordering::SeqCst)
    }
}

/// Reads up to the end of the request's headers (the handshake happens on the first read).
fn read_request(stream: &mut impl Read) -> Option<Vec<u8>> {
    let mut request = Vec::new();
    let mut buf = [0u8; 1024];
    while !request.windows(4).any(|w| w == b"\r\n\r\n") {
        match stream.read(&mut buf) {
            Ok(0) | Err(_) => return None,
            Ok(n) => request.extend_from_slice(&buf[..n]),
        }
    }
    Some(request)
}

#[test]
fn a_self_signed_certificate_fails_the_step_in_the_tls_phase() {
    let server = TlsServer::start();
    let outcome = server.run("https-verified.yaml");
    outcome.expect_code(1);
    let get = step(&outcome.record(), "get").clone();
    assert_eq!(get["outcome"], json!("failed"), "{get}");
    let error = get["error"].as_str().unwrap_or_default();
    assert!(error.starts_with(&format!("http tls error for {}", server.base_url)), "{get}");
    assert!(error.contains("certificate"), "the error says what was wrong: {error}");
    assert_eq!(server.answered(), 0, "no request went over the unverified connection");
}

#[test]
fn insecure_on_the_step_or_its_connection_accepts_the_certificate() {
    let server = TlsServer::start();
    let outcome = server.run("https-insecure.yaml");
    outcome.expect_code(0);
    let record = outcome.record();
    for id in ["step_insecure", "connection_insecure"] {
        let get = step(&record, id);
        assert_eq!(get["outcome"], json!("passed"), "{get}");
        assert_eq!(get["result"]["status"], json!(200), "{get}");
    }
    assert_eq!(server.answered(), 2);
}
