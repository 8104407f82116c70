//! A minimal HTTP/1.1 client for the tests: one connection per request, so a dropped
//! connection shows as an error of that request only.

#![allow(dead_code)] // each test file uses a different part

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::Request;
use hyper_util::rt::TokioIo;
use rbx_fake::Running;
use serde_json::Value;

/// An answer, read whole.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub headers: hyper::HeaderMap,
    pub body: Vec<u8>,
}

impl Answer {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {:?}", self.text()))
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

/// A request being built.
pub struct Call<'a> {
    addr: std::net::SocketAddr,
    method: &'a str,
    target: String,
    headers: Vec<(String, String)>,
    body: String,
}

impl<'a> Call<'a> {
    /// A request with the fake's API key.
    pub fn new(fake: &'a Running, method: &'a str, target: &str) -> Self {
        let auth = format!("Bearer {}", fake.api_key);
        Self::anonymous(fake, method, target).header("authorization", &auth)
    }

    /// A request without any `Authorization`.
    pub fn anonymous(fake: &'a Running, method: &'a str, target: &str) -> Self {
        Self::to(fake.addr, method, target)
    }

    /// A request to any server on 127.0.0.1 (the HTTP stub).
    pub fn to(addr: std::net::SocketAddr, method: &'a str, target: &str) -> Self {
        Self { addr, method, target: target.to_owned(), headers: Vec::new(), body: String::new() }
    }

    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.retain(|(n, _)| n != name);
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }

    pub fn json(self, body: Value) -> Self {
        self.body_text(&body.to_string()).header("content-type", "application/json")
    }

    pub fn body_text(mut self, body: &str) -> Self {
        self.body = body.to_owned();
        self
    }

    /// Sends it; `Err` when the connection ends without an answer.
    pub async fn try_send(self) -> Result<Answer, String> {
        let stream = tokio::net::TcpStream::connect(self.addr).await.map_err(|e| e.to_string())?;
        let (mut sender, connection) =
            hyper::client::conn::http1::handshake(TokioIo::new(stream)).await.map_err(|e| e.to_string())?;
        tokio::spawn(connection);
        let mut request = Request::builder().method(self.method).uri(&self.target).header("host", "127.0.0.1");
        for (name, value) in &self.headers {
            request = request.header(name, value);
        }
        let request = request.body(Full::new(Bytes::from(self.body))).map_err(|e| e.to_string())?;
        let response = sender.send_request(request).await.map_err(|e| e.to_string())?;
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let body = response.into_body().collect().await.map_err(|e| e.to_string())?.to_bytes().to_vec();
        Ok(Answer { status, headers, body })
    }

    /// Sends it and expects an answer.
    pub async fn send(self) -> Answer {
        let target = format!("{} {}", self.method, self.target);
        self.try_send().await.unwrap_or_else(|e| panic!("{target}: no answer: {e}"))
    }
}

/// `GET target` with the API key.
pub async fn get(fake: &Running, target: &str) -> Answer {
    Call::new(fake, "GET", target).send().await
}
