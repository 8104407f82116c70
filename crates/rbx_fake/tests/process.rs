//! The fake as other tests use it without async: `spawn_in_thread`, and the binary.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};

use rbx_fake::{Config, FakeMaintainx, Fault};
use serde_json::Value;

/// A blocking `GET` over a fresh connection: (status, body). Enough for a test without a runtime.
fn blocking_get(addr: SocketAddr, target: &str, api_key: &str) -> (u16, Value) {
    let mut stream = TcpStream::connect(addr).expect("connect");
    let request = format!(
        "GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {api_key}\r\nConnection: close\r\n\r\n"
    );
    stream.write_all(request.as_bytes()).expect("send");
    let mut response = String::new();
    stream.read_to_string(&mut response).expect("read");
    let (head, body) = response.split_once("\r\n\r\n").expect("a complete response");
    let status = head.split(' ').nth(1).and_then(|s| s.parse().ok()).expect("a status line");
    (status, serde_json::from_str(body).expect("a JSON body"))
}

#[test]
fn spawn_in_thread_serves_a_synchronous_test() {
    let fake = FakeMaintainx::spawn_in_thread(Config::default().work_orders(3)).expect("the fake starts");
    let (status, body) = blocking_get(fake.addr, "/v1/workorders", &fake.api_key);
    assert_eq!(status, 200);
    assert_eq!(body["workOrders"].as_array().map(Vec::len), Some(3));
    fake.set_faults(vec![Fault::status(503)]);
    assert_eq!(blocking_get(fake.addr, "/v1/workorders", &fake.api_key).0, 503);
    assert_eq!(fake.requests().len(), 2);
}

#[test]
fn dropping_the_handle_stops_the_server() {
    let fake = FakeMaintainx::spawn_in_thread(Config::default()).expect("the fake starts");
    let addr = fake.addr;
    drop(fake);
    assert!(TcpStream::connect(addr).is_err(), "still listening on {addr}");
}

/// The binary, killed when the test ends however it ends.
struct FakeProcess(Child);

impl Drop for FakeProcess {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn start_binary(args: &[&str]) -> (FakeProcess, String) {
    let child = Command::new(env!("CARGO_BIN_EXE_rbx-fake-maintainx"))
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("the binary starts");
    let mut process = FakeProcess(child);
    let stdout = process.0.stdout.take().expect("piped stdout");
    let mut first_line = String::new();
    BufReader::new(stdout).read_line(&mut first_line).expect("a first line");
    (process, first_line)
}

#[test]
fn the_binary_prints_where_it_listens_first_and_serves_there() {
    let (_process, first_line) = start_binary(&["--api-key", "k3y", "--work-orders", "5"]);
    let url = first_line
        .trim_end()
        .strip_prefix("listening on http://127.0.0.1:")
        .unwrap_or_else(|| panic!("unexpected first line {first_line:?}"));
    let port: u16 = url.parse().expect("a port");
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    let (status, body) = blocking_get(addr, "/v1/workorders", "k3y");
    assert_eq!(status, 200);
    assert_eq!(body["workOrders"].as_array().map(Vec::len), Some(5));
    assert_eq!(blocking_get(addr, "/v1/workorders", "rbx-fake-key").0, 401);
}

#[test]
fn the_binary_fails_clearly_when_its_port_is_taken() {
    let taken = TcpListener::bind("127.0.0.1:0").expect("a port");
    let port = taken.local_addr().expect("its address").port().to_string();
    let output = Command::new(env!("CARGO_BIN_EXE_rbx-fake-maintainx"))
        .args(["--port", &port])
        .output()
        .expect("the binary runs");
    assert!(!output.status.success());
    assert!(output.stdout.is_empty());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains(&format!("failed to listen on 127.0.0.1:{port}")), "{stderr}");
}
