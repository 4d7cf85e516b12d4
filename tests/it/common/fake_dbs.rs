//! A fake DBS endpoint on 127.0.0.1, shared by the client tests and the `ramguard call` tests.
//!
//! It checks every request's ACS3-HMAC-SHA256 signature with its own implementation (module
//! `verify`, written from the spec, sharing no code with the crate's signer), so a signer bug
//! cannot agree with itself. A bad signature gets the gateway's `400 SignatureDoesNotMatch`, a
//! reused nonce `400 SignatureNonceUsed`, a stale date `400 InvalidTimeStamp.Format`; a request
//! that verifies gets the next scripted reply (`500 ScriptExhausted` once the script is empty).
//! Every request is counted, verified or not.
#![allow(
    dead_code,
    reason = "each test binary that includes this module uses a different part of it"
)]
#![allow(
    clippy::unwrap_used,
    reason = "test server code; a failure there should stop the test"
)]

use std::collections::{HashSet, VecDeque};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

/// The only credentials the server accepts.
pub const AK_ID: &str = "LTAI5tTestAccessKeyId";
pub const SECRET: &str = "Sup3r-Secr3t-Value-0xC0FFEE";
/// An STS token for tests that send one (the server checks that it is signed, not its value).
pub const STS_TOKEN: &str = "CAIS-sts-token-Secr3t-Value-42";

/// An independent ACS3-HMAC-SHA256 verifier, as a server would run it: re-canonicalise what
/// arrived (decode the query, re-encode it, pick the headers named in SignedHeaders).
pub mod verify {
    use hmac::{Hmac, Mac};
    use sha2::{Digest, Sha256};

    pub struct Received {
        pub method: String,
        /// The raw request target: path and query as sent.
        pub target: String,
        pub headers: Vec<(String, String)>,
        pub body: Vec<u8>,
    }

    impl Received {
        pub fn header(&self, name: &str) -> Option<&str> {
            self.headers
                .iter()
                .find(|(n, _)| n.eq_ignore_ascii_case(name))
                .map(|(_, v)| v.as_str())
        }

        /// Decoded query parameters, in wire order.
        pub fn query(&self) -> Vec<(String, String)> {
            let raw = self.target.split_once('?').map(|(_, q)| q).unwrap_or("");
            raw.split('&')
                .filter(|p| !p.is_empty())
                .map(|p| {
                    let (k, v) = p.split_once('=').unwrap_or((p, ""));
                    (decode(k), decode(v))
                })
                .collect()
        }

        pub fn param(&self, name: &str) -> Option<String> {
            self.query()
                .into_iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v)
        }
    }

    fn decode(s: &str) -> String {
        let bytes = s.as_bytes();
        let mut out = Vec::new();
        let mut i = 0;
        while i < bytes.len() {
            if bytes[i] == b'%' && i + 2 < bytes.len() {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap();
                out.push(u8::from_str_radix(hex, 16).unwrap());
                i += 3;
            } else {
                out.push(bytes[i]);
                i += 1;
            }
        }
        String::from_utf8(out).unwrap()
    }

    const UNRESERVED: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~";

    fn encode(s: &str) -> String {
        s.bytes()
            .map(|b| {
                if UNRESERVED.as_bytes().contains(&b) {
                    (b as char).to_string()
                } else {
                    format!("%{b:02X}")
                }
            })
            .collect()
    }

    /// Checks the `Authorization` header of `req` against `secret`. Freshness (date, nonce)
    /// is the server's job, not this function's, so the official vector can be replayed.
    pub fn check_signature(
        req: &Received,
        access_key_id: &str,
        secret: &str,
    ) -> Result<(), String> {
        let auth = req
            .header("authorization")
            .ok_or("no Authorization header")?;
        let rest = auth
            .strip_prefix("ACS3-HMAC-SHA256 ")
            .ok_or("Authorization does not start with `ACS3-HMAC-SHA256 `")?;
        let mut credential = None;
        let mut signed_headers = None;
        let mut signature = None;
        for part in rest.split(',') {
            match part.split_once('=') {
                Some(("Credential", v)) => credential = Some(v),
                Some(("SignedHeaders", v)) => signed_headers = Some(v),
                Some(("Signature", v)) => signature = Some(v),
                _ => return Err(format!("unexpected Authorization part `{part}`")),
            }
        }
        let (credential, signed_headers, signature) = match (credential, signed_headers, signature)
        {
            (Some(c), Some(h), Some(s)) => (c, h, s),
            _ => return Err("Authorization lacks Credential, SignedHeaders or Signature".into()),
        };
        if credential != access_key_id {
            return Err(format!("unknown AccessKey ID `{credential}`"));
        }

        let names: Vec<&str> = signed_headers.split(';').collect();
        let mut sorted = names.clone();
        sorted.sort_unstable();
        sorted.dedup();
        if sorted != names {
            return Err("SignedHeaders is not sorted and unique".into());
        }
        for required in [
            "host",
            "x-acs-action",
            "x-acs-version",
            "x-acs-date",
            "x-acs-signature-nonce",
            "x-acs-content-sha256",
        ] {
            if !names.contains(&required) {
                return Err(format!("`{required}` is not signed"));
            }
        }
        for (name, _) in &req.headers {
            let lower = name.to_lowercase();
            if (lower.starts_with("x-acs-") || lower == "content-type")
                && !names.contains(&lower.as_str())
            {
                return Err(format!("header `{lower}` was sent but not signed"));
            }
        }

        let mut canonical_headers = String::new();
        for name in &names {
            if name.chars().any(|c| c.is_ascii_uppercase()) {
                return Err(format!("SignedHeaders name `{name}` is not lowercase"));
            }
            let values: Vec<&str> = req
                .headers
                .iter()
                .filter(|(n, _)| n.eq_ignore_ascii_case(name))
                .map(|(_, v)| v.trim())
                .collect();
            if values.is_empty() {
                return Err(format!("signed header `{name}` was not sent"));
            }
            canonical_headers += &format!("{name}:{}\n", values.join(","));
        }

        let payload_hash = hex::encode(Sha256::digest(&req.body));
        if req.header("x-acs-content-sha256") != Some(payload_hash.as_str()) {
            return Err("x-acs-content-sha256 does not match the body".into());
        }

        let (path, _) = req.target.split_once('?').unwrap_or((&req.target, ""));
        let mut pairs: Vec<(String, String)> = req
            .query()
            .iter()
            .map(|(k, v)| (encode(k), encode(v)))
            .collect();
        pairs.sort();
        let canonical_query = pairs
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("&");

        let canonical_request = [
            req.method.as_str(),
            path,
            &canonical_query,
            &canonical_headers,
            signed_headers,
            &payload_hash,
        ]
        .join("\n");
        let string_to_sign = format!(
            "ACS3-HMAC-SHA256\n{}",
            hex::encode(Sha256::digest(canonical_request.as_bytes()))
        );
        let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
        mac.update(string_to_sign.as_bytes());
        let expected = hex::encode(mac.finalize().into_bytes());
        if expected == signature {
            Ok(())
        } else {
            Err(format!(
                "signature mismatch; server's canonical request was {canonical_request:?}"
            ))
        }
    }
}

pub use verify::Received;

/// One scripted reply.
pub struct Reply {
    pub status: u16,
    pub content_type: &'static str,
    pub body: String,
}

pub fn json(status: u16, body: &str) -> Reply {
    Reply {
        status,
        content_type: "application/json;charset=utf-8",
        body: body.to_string(),
    }
}

pub fn html(status: u16, body: &str) -> Reply {
    Reply {
        status,
        content_type: "text/html",
        body: body.to_string(),
    }
}

#[derive(Default)]
struct State {
    script: VecDeque<Reply>,
    /// Requests whose signature verified, in order.
    accepted: Vec<Received>,
    /// Why other requests were refused.
    rejected: Vec<String>,
    nonces: HashSet<String>,
    /// Every request that arrived, verified or not.
    received: usize,
}

/// A fake DBS endpoint on 127.0.0.1 that answers from a script once a request verifies.
pub struct FakeDbs {
    /// `http://127.0.0.1:PORT`.
    pub url: String,
    state: Arc<Mutex<State>>,
    server: Arc<tiny_http::Server>,
    thread: Option<JoinHandle<()>>,
}

impl FakeDbs {
    pub fn start(script: Vec<Reply>) -> Self {
        let server = Arc::new(tiny_http::Server::http("127.0.0.1:0").unwrap());
        let port = server.server_addr().to_ip().unwrap().port();
        let state = Arc::new(Mutex::new(State {
            script: script.into(),
            ..State::default()
        }));
        let thread = {
            let server = Arc::clone(&server);
            let state = Arc::clone(&state);
            std::thread::spawn(move || {
                for mut request in server.incoming_requests() {
                    let mut body = Vec::new();
                    request.as_reader().read_to_end(&mut body).unwrap();
                    let received = Received {
                        method: request.method().as_str().to_string(),
                        target: request.url().to_string(),
                        headers: request
                            .headers()
                            .iter()
                            .map(|h| (h.field.as_str().to_string(), h.value.as_str().to_string()))
                            .collect(),
                        body,
                    };
                    let reply = Self::answer(&mut state.lock().unwrap(), received);
                    let response = tiny_http::Response::from_string(reply.body)
                        .with_status_code(reply.status)
                        .with_header(
                            tiny_http::Header::from_bytes("Content-Type", reply.content_type)
                                .unwrap(),
                        );
                    let _ = request.respond(response);
                }
            })
        };
        FakeDbs {
            url: format!("http://127.0.0.1:{port}"),
            state,
            server,
            thread: Some(thread),
        }
    }

    fn answer(state: &mut State, req: Received) -> Reply {
        state.received += 1;
        let refuse = |state: &mut State, code: &str, why: String| {
            state.rejected.push(format!("{code}: {why}"));
            json(
                400,
                &serde_json::json!({"RequestId": "fake", "Code": code, "Message": why}).to_string(),
            )
        };
        if req.method != "POST" {
            return refuse(state, "InvalidMethod", req.method.clone());
        }
        if let Err(why) = verify::check_signature(&req, AK_ID, SECRET) {
            return refuse(state, "SignatureDoesNotMatch", why);
        }
        // The gateway allows 15 minutes of clock skew.
        let date = req.header("x-acs-date").unwrap_or_default();
        let format =
            time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]Z");
        match time::PrimitiveDateTime::parse(date, &format) {
            Ok(t)
                if (t.assume_utc() - time::OffsetDateTime::now_utc()).abs()
                    < time::Duration::minutes(15) => {}
            _ => return refuse(state, "InvalidTimeStamp.Format", date.to_string()),
        }
        let nonce = req
            .header("x-acs-signature-nonce")
            .unwrap_or_default()
            .to_string();
        if !state.nonces.insert(nonce.clone()) {
            return refuse(state, "SignatureNonceUsed", nonce);
        }
        state.accepted.push(req);
        state
            .script
            .pop_front()
            .unwrap_or_else(|| json(500, r#"{"Code":"ScriptExhausted"}"#))
    }

    /// Takes the requests whose signature verified, in order.
    pub fn accepted(&self) -> Vec<Received> {
        std::mem::take(&mut self.state.lock().unwrap().accepted)
    }

    pub fn rejected(&self) -> Vec<String> {
        self.state.lock().unwrap().rejected.clone()
    }

    /// How many requests arrived so far, whatever became of them (not reset by `accepted`).
    pub fn requests(&self) -> usize {
        self.state.lock().unwrap().received
    }
}

impl Drop for FakeDbs {
    fn drop(&mut self) {
        self.server.unblock();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}
