//! `ramguard call` against hostile servers on 127.0.0.1 (issue 10): `--timeout` is a deadline
//! per attempt that a trickling answer cannot stretch, the retries end within a total bound
//! and are each said on stderr, and a body past the size cap is not fetched again.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::Output;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::common::fake_dbs::{AK_ID, SECRET};
use crate::common::output::{code, show, stderr};

/// A server on 127.0.0.1 that runs `answer` on each connection, after reading the request's
/// head, in a thread of its own. Counts connections. Stops accepting after a minute.
struct RawServer {
    url: String,
    connections: Arc<AtomicUsize>,
}

impl RawServer {
    fn start(answer: fn(&mut TcpStream)) -> RawServer {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://127.0.0.1:{}", listener.local_addr().unwrap().port());
        let connections = Arc::new(AtomicUsize::new(0));
        let count = Arc::clone(&connections);
        std::thread::spawn(move || {
            listener.set_nonblocking(true).unwrap();
            let until = Instant::now() + Duration::from_secs(60);
            while Instant::now() < until {
                match listener.accept() {
                    Ok((mut stream, _)) => {
                        count.fetch_add(1, Ordering::SeqCst);
                        std::thread::spawn(move || {
                            stream.set_nonblocking(false).unwrap();
                            read_head(&mut stream);
                            answer(&mut stream);
                        });
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(5)),
                }
            }
        });
        RawServer { url, connections }
    }

    fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }
}

/// Reads up to the blank line that ends a request's head (the client sends no body).
fn read_head(stream: &mut TcpStream) {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        match stream.read(&mut byte) {
            Ok(1) => head.push(byte[0]),
            _ => return,
        }
    }
}

fn call(url: &str, timeout: &str) -> (Output, Duration) {
    let home = tempfile::tempdir().unwrap();
    let started = Instant::now();
    let o = crate::common::ramguard()
        .args([
            "call",
            "--api",
            "StartBackupPlan",
            "--region",
            "cn-hangzhou",
            "--param",
            "BackupPlanId=dbsqdss5tmh1",
            "--no-preflight",
            "--endpoint",
            url,
            "--timeout",
            timeout,
        ])
        .env_clear()
        .env("HOME", home.path())
        .env("ALIBABA_CLOUD_ACCESS_KEY_ID", AK_ID)
        .env("ALIBABA_CLOUD_ACCESS_KEY_SECRET", SECRET)
        .output()
        .unwrap();
    (o, started.elapsed())
}

#[test]
fn a_server_trickling_one_byte_at_a_time_cannot_stretch_the_timeout() {
    // Each byte comes well within any per-read timeout; the whole answer would take minutes.
    let server = RawServer::start(|stream| {
        let body = format!("{{\"Success\":true,\"Pad\":\"{}\"}}", "x".repeat(400));
        let response = format!(
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        );
        for b in response.bytes() {
            if stream.write_all(&[b]).is_err() {
                return;
            }
            std::thread::sleep(Duration::from_millis(200));
        }
    });
    let (o, elapsed) = call(&server.url, "1");
    assert_eq!(code(&o), 2, "{}", show(&o));
    assert!(stderr(&o).contains("timed out"), "{}", show(&o));
    assert!(
        elapsed < Duration::from_secs(4),
        "{elapsed:?}\n{}",
        show(&o)
    );
}

#[test]
fn retries_are_said_with_their_reason_and_end_within_the_total_bound() {
    // A slow 503 every time: without a total bound, four attempts and three waits take 4 s+.
    let server = RawServer::start(|stream| {
        std::thread::sleep(Duration::from_millis(900));
        let body = r#"{"Code":"ServiceUnavailable","Message":"busy","RequestId":"r"}"#;
        let _ = write!(
            stream,
            "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        );
    });
    let (o, elapsed) = call(&server.url, "1");
    assert_eq!(code(&o), 2, "{}", show(&o));
    let err = stderr(&o);
    assert!(
        err.contains("retrying in")
            && err.contains("(attempt 2 of 4)")
            && err.contains("HTTP 503 ServiceUnavailable: busy"),
        "{}",
        show(&o)
    );
    assert!(
        elapsed < Duration::from_millis(3200),
        "{elapsed:?}\n{}",
        show(&o)
    );
    assert!(server.connections() < 4, "{}", server.connections());
}

#[test]
fn a_body_past_the_size_cap_is_an_error_and_not_fetched_again() {
    let server = RawServer::start(|stream| {
        let len = 11 * 1024 * 1024;
        let _ = write!(
            stream,
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {len}\r\n\r\n"
        );
        let chunk = vec![b' '; 64 * 1024];
        for _ in 0..len / chunk.len() {
            if stream.write_all(&chunk).is_err() {
                return;
            }
        }
    });
    let (o, _) = call(&server.url, "10");
    assert_eq!(code(&o), 2, "{}", show(&o));
    assert!(stderr(&o).contains("larger than 10 MB"), "{}", show(&o));
    assert!(!stderr(&o).contains("retrying"), "{}", show(&o));
    assert_eq!(server.connections(), 1);
}

#[test]
fn a_response_that_repeats_success_is_an_error_not_a_success() {
    let server = crate::common::fake_dbs::FakeDbs::start(vec![crate::common::fake_dbs::json(
        200,
        r#"{"RequestId":"r","Success":false,"Success":true}"#,
    )]);
    let (o, _) = call(&server.url, "5");
    assert_eq!(code(&o), 2, "{}", show(&o));
    assert!(
        stderr(&o).contains("repeats the key `Success`"),
        "{}",
        show(&o)
    );
    assert_eq!(server.requests(), 1);
}
