//! Scrubbing known secret values out of text before it is shown: defence in depth behind
//! [`Secret`]'s redacting `Debug`/`Display`, for the messages that quote what someone else
//! wrote (an HTTP library's error that quotes a header, a server that echoes the request).
//!
//! A [`Redactor`] holds the secrets to scrub. The process-wide one ([`register`], [`scrub`]) is
//! what the command line runs every message and every printed response through: a credential
//! provider registers each secret it loads (AccessKey secret, STS token, OIDC token, ...) with
//! [`register`] as soon as it has it.

use std::borrow::Cow;
use std::fmt;
use std::sync::Mutex;

use super::credentials::{Credentials, Secret};
use super::sign::percent_encode;

/// What a secret is replaced with.
pub const MASK: &str = "***";

/// A set of secret values to scrub from text. `Debug` shows only how many it holds.
#[derive(Clone, Default)]
pub struct Redactor {
    /// Every form of every secret, longest first, so a longer form is replaced before a
    /// shorter one that it contains.
    needles: Vec<Secret>,
}

impl fmt::Debug for Redactor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Redactor({} forms)", self.needles.len())
    }
}

impl Redactor {
    pub fn new() -> Self {
        Redactor::default()
    }

    /// The AccessKey secret and the STS token of `credentials`.
    pub fn for_credentials(credentials: &Credentials) -> Self {
        let mut r = Redactor::new();
        r.add_credentials(credentials);
        r
    }

    pub fn add_credentials(&mut self, credentials: &Credentials) {
        self.add(&credentials.access_key_secret);
        if let Some(token) = &credentials.security_token {
            self.add(token);
        }
    }

    /// Adds `secret` in each form a message may quote it in: as is, without surrounding
    /// whitespace, escaped as Rust's `{:?}` and JSON writers do, and percent-encoded.
    pub fn add(&mut self, secret: &Secret) {
        let raw = secret.expose();
        let json = serde_json::to_string(raw).unwrap_or_default();
        let json = json
            .get(1..json.len().saturating_sub(1))
            .unwrap_or_default();
        let forms = [
            raw.to_string(),
            raw.trim().to_string(),
            raw.escape_debug().to_string(),
            json.to_string(),
            // Some JSON writers escape `/` too.
            json.replace('/', "\\/"),
            percent_encode(raw),
        ];
        for form in forms {
            if !form.is_empty() && !self.needles.iter().any(|n| n.expose() == form) {
                self.needles.push(Secret::new(form));
            }
        }
        self.needles
            .sort_by_key(|n| std::cmp::Reverse(n.expose().len()));
    }

    pub fn is_empty(&self) -> bool {
        self.needles.is_empty()
    }

    /// `text` with every known secret replaced by [`MASK`].
    pub fn scrub<'a>(&self, text: &'a str) -> Cow<'a, str> {
        let mut out = Cow::Borrowed(text);
        for needle in &self.needles {
            if out.contains(needle.expose()) {
                out = Cow::Owned(out.replace(needle.expose(), MASK));
            }
        }
        out
    }
}

/// The secrets this process has loaded.
static PROCESS: Mutex<Option<Redactor>> = Mutex::new(None);

fn with_process<T>(f: impl FnOnce(&mut Redactor) -> T) -> T {
    let mut guard = PROCESS
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    f(guard.get_or_insert_with(Redactor::new))
}

/// Registers a secret with the process-wide redactor, so that [`scrub`] removes it.
pub fn register(secret: &Secret) {
    with_process(|r| r.add(secret));
}

/// Registers the AccessKey secret and STS token of `credentials`.
pub fn register_credentials(credentials: &Credentials) {
    with_process(|r| r.add_credentials(credentials));
}

/// `text` with every secret registered in this process replaced by [`MASK`].
pub fn scrub(text: &str) -> Cow<'_, str> {
    with_process(|r| match r.scrub(text) {
        Cow::Borrowed(_) => Cow::Borrowed(text),
        Cow::Owned(s) => Cow::Owned(s),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_quoted_form_is_scrubbed() {
        let mut r = Redactor::new();
        r.add(&Secret::new("tok/en+42\r"));
        for text in [
            "invalid header 'x-acs-security-token: tok/en+42\r'",
            "invalid header \"tok/en+42\\r\"",
            "{\"Echo\":\"tok\\/en+42\\r\"}",
            "SecurityToken=tok%2Fen%2B42%0D&x=1",
            "the token tok/en+42 was refused",
        ] {
            let out = r.scrub(text);
            assert!(!out.contains("tok/en") && !out.contains("tok%2F"), "{out}");
            assert!(out.contains(MASK), "{out}");
        }
        assert!(matches!(r.scrub("nothing here"), Cow::Borrowed(_)));
        assert!(!format!("{r:?}").contains("tok"));
    }

    #[test]
    fn credentials_register_secret_and_token_not_the_id() {
        let creds = Credentials::new("LTAIvisible", "s3cr3t-x").with_security_token("t0k-y");
        let r = Redactor::for_credentials(&creds);
        assert_eq!(
            r.scrub("LTAIvisible s3cr3t-x t0k-y"),
            format!("LTAIvisible {MASK} {MASK}")
        );
        assert!(Redactor::new().scrub("s3cr3t-x").contains("s3cr3t-x"));
    }

    #[test]
    fn the_process_redactor_scrubs_what_was_registered() {
        register(&Secret::new("process-wide-secret-123"));
        assert_eq!(scrub("a process-wide-secret-123 b"), format!("a {MASK} b"));
    }
}
