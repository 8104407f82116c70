//! HTTPS against a server with a self-signed certificate: verified by default, skipped with
//! `insecure`.
//!
//! The certificate in `fixtures/` (P-256, for IP 127.0.0.1, valid until 2126) was made with
//! `openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 36500
//! -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1`.

use std::sync::Arc;

use rbx_clients::{Clients, HttpPhase, HttpRequest, HttpSettings};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls::ServerConfig;
use tokio_rustls::rustls::pki_types::pem::PemObject;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer};

const CERT: &[u8] = include_bytes!("fixtures/self-signed.cert.pem");
const KEY: &[u8] = include_bytes!("fixtures/self-signed.key.pem");

/// An HTTPS server that answers every request with `200 secure`; returns its base URL.
async fn tls_server() -> String {
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(CERT).collect::<Result<_, _>>().unwrap();
    let key = PrivateKeyDer::from_pem_slice(KEY).unwrap();
    let config = ServerConfig::builder().with_no_client_auth().with_single_cert(certs, key).unwrap();
    let acceptor = TlsAcceptor::from(Arc::new(config));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                // A client that rejects the certificate ends the handshake: nothing to answer.
                let Ok(mut tls) = acceptor.accept(tcp).await else { return };
                let mut request = Vec::new();
                let mut buf = [0u8; 1024];
                while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                    match tls.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => request.extend_from_slice(&buf[..n]),
                    }
                }
                let response = "HTTP/1.1 200 OK\r\ncontent-length: 6\r\nconnection: close\r\n\r\nsecure";
                let _ = tls.write_all(response.as_bytes()).await;
                let _ = tls.shutdown().await;
            });
        }
    });
    format!("https://{addr}")
}

#[tokio::test]
async fn a_self_signed_certificate_is_refused_by_default() {
    let base = tls_server().await;
    let error = Clients::new().http(&HttpRequest::get(format!("{base}/x"))).await.unwrap_err();
    assert_eq!(error.phase(), HttpPhase::Tls, "{error}");
    assert!(error.to_string().contains("certificate"), "{error}");
}

#[tokio::test]
async fn insecure_accepts_it() {
    let base = tls_server().await;
    let mut request = HttpRequest::get(format!("{base}/x"));
    request.settings = HttpSettings { insecure: true, ..HttpSettings::default() };
    let response = Clients::new().http(&request).await.unwrap();
    assert_eq!((response.status, response.body.as_str()), (200, "secure"));
}

#[tokio::test]
async fn insecure_and_verifying_clients_are_kept_apart() {
    let base = tls_server().await;
    let clients = Clients::new();
    let mut insecure = HttpRequest::get(format!("{base}/x"));
    insecure.settings.insecure = true;
    assert_eq!(clients.http(&insecure).await.unwrap().status, 200);
    // The same Clients must not hand the insecure client to a request that did not ask for it.
    let error = clients.http(&HttpRequest::get(format!("{base}/x"))).await.unwrap_err();
    assert_eq!(error.phase(), HttpPhase::Tls, "{error}");
}
