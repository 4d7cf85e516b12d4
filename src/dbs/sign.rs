//! ACS3-HMAC-SHA256, the V3 request signature of Alibaba Cloud OpenAPI (spec `dbs-api.md` §6).
//!
//! Everything here is pure: the date and nonce are inputs, so the official vectors can be checked
//! byte for byte.

use std::collections::BTreeMap;

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

/// The algorithm name that starts the string to sign and the `Authorization` header.
pub const ALGORITHM: &str = "ACS3-HMAC-SHA256";

/// Lowercase hex SHA-256 of the empty body (RPC calls send their parameters in the query).
pub const EMPTY_BODY_SHA256: &str =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

/// RFC 3986 percent-encoding: `A-Z a-z 0-9 - _ . ~` stay, every other byte of the UTF-8 text
/// becomes `%XY` with uppercase hex (so space is `%20`, never `+`, and `*` is `%2A`).
pub fn percent_encode(s: &str) -> String {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = String::with_capacity(s.len());
    for &b in s.as_bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(b));
        } else {
            out.push('%');
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 0x0f)]));
        }
    }
    out
}

/// The canonical query string, which is also the query the client sends, so what is signed is
/// exactly what goes on the wire. Sorted by the *encoded* name: encoding changes the order
/// (`/` sorts after `.` raw but `%2F` sorts before it).
pub fn canonical_query(params: &BTreeMap<String, String>) -> String {
    let mut pairs: Vec<(String, String)> = params
        .iter()
        .map(|(k, v)| (percent_encode(k), percent_encode(v)))
        .collect();
    pairs.sort();
    let parts: Vec<String> = pairs.into_iter().map(|(k, v)| format!("{k}={v}")).collect();
    parts.join("&")
}

/// Whether a header takes part in the signature: the SDK's rule is `host`, `content-type` and
/// every `x-acs-*` header.
pub fn is_signed_header(lowercase_name: &str) -> bool {
    lowercase_name == "host"
        || lowercase_name == "content-type"
        || lowercase_name.starts_with("x-acs-")
}

/// The canonical headers block (each `name:value\n`) and the `;`-joined signed header list.
/// Names are lowercased, values trimmed; a repeated header's values are joined with commas.
pub fn canonical_headers(headers: &[(String, String)]) -> (String, String) {
    let mut selected: BTreeMap<String, Vec<&str>> = BTreeMap::new();
    for (name, value) in headers {
        let name = name.to_ascii_lowercase();
        if is_signed_header(&name) {
            selected.entry(name).or_default().push(value.trim());
        }
    }
    let block: String = selected
        .iter()
        .map(|(name, values)| format!("{name}:{}\n", values.join(",")))
        .collect();
    let names: Vec<&str> = selected.keys().map(String::as_str).collect();
    (block, names.join(";"))
}

/// Lowercase hex SHA-256.
pub fn sha256_hex(data: &[u8]) -> String {
    hex::encode(Sha256::digest(data))
}

/// Lowercase hex HMAC-SHA256. The key is the AccessKey secret as is (V3 has no `&` suffix).
pub fn hmac_sha256_hex(key: &[u8], message: &[u8]) -> String {
    // `new_from_slice` only fails for fixed-size-key MACs; HMAC accepts any key length.
    match Hmac::<Sha256>::new_from_slice(key) {
        Ok(mut mac) => {
            mac.update(message);
            hex::encode(mac.finalize().into_bytes())
        }
        Err(_) => String::new(),
    }
}

/// What a request is made of, as far as the signature cares.
#[derive(Debug, Clone, Copy)]
pub struct SignInput<'a> {
    /// `POST` for RPC calls.
    pub method: &'a str,
    /// Canonical URI; `/` for RPC.
    pub path: &'a str,
    /// The canonical query string (see [`canonical_query`]).
    pub query: &'a str,
    /// All request headers; the signer picks the signed ones.
    pub headers: &'a [(String, String)],
    /// The request body (empty for DBS RPC calls).
    pub body: &'a [u8],
}

/// The intermediate values and the result of signing, kept for tests and diagnostics. Holds no
/// secret: the signature is a one-way function of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signature {
    pub canonical_request: String,
    pub hashed_canonical_request: String,
    pub string_to_sign: String,
    pub signed_headers: String,
    pub signature: String,
    /// The full `Authorization` header value.
    pub authorization: String,
}

/// Signs a request: canonical request, string to sign, HMAC, `Authorization` header.
pub fn sign(input: &SignInput<'_>, access_key_id: &str, access_key_secret: &str) -> Signature {
    let (headers_block, signed_headers) = canonical_headers(input.headers);
    let canonical_request = format!(
        "{}\n{}\n{}\n{}\n{}\n{}",
        input.method,
        input.path,
        input.query,
        headers_block,
        signed_headers,
        sha256_hex(input.body)
    );
    let hashed_canonical_request = sha256_hex(canonical_request.as_bytes());
    let string_to_sign = format!("{ALGORITHM}\n{hashed_canonical_request}");
    let signature = hmac_sha256_hex(access_key_secret.as_bytes(), string_to_sign.as_bytes());
    let authorization = format!(
        "{ALGORITHM} Credential={access_key_id},SignedHeaders={signed_headers},Signature={signature}"
    );
    Signature {
        canonical_request,
        hashed_canonical_request,
        string_to_sign,
        signed_headers,
        signature,
        authorization,
    }
}

/// An RPC-style call ready to be signed: action, version and business parameters.
#[derive(Debug, Clone, Copy)]
pub struct RpcSignRequest<'a> {
    /// Value of the `host` header (`host[:port]`).
    pub host: &'a str,
    pub action: &'a str,
    pub version: &'a str,
    /// Business parameters; they go to the query string.
    pub params: &'a BTreeMap<String, String>,
    /// `x-acs-date`, UTC `YYYY-MM-DDTHH:MM:SSZ`.
    pub date: &'a str,
    /// `x-acs-signature-nonce`, unique per request.
    pub nonce: &'a str,
}

/// A signed RPC request: the query string to send and every header to send with it
/// (including `Authorization`).
#[derive(Debug, Clone)]
pub struct SignedRpcRequest {
    pub query: String,
    pub headers: Vec<(String, String)>,
    /// The signature's parts, which the tests check.
    #[cfg_attr(not(test), allow(dead_code))]
    pub signature: Signature,
}

/// Builds and signs the headers of an RPC call the way the SDK does: POST `/`, business
/// parameters in the query, empty body. With STS credentials the token goes in
/// `x-acs-security-token` and the key ID in `x-acs-accesskey-id`, both signed.
pub fn sign_rpc(
    req: &RpcSignRequest<'_>,
    access_key_id: &str,
    access_key_secret: &str,
    security_token: Option<&str>,
) -> SignedRpcRequest {
    let query = canonical_query(req.params);
    let mut headers: Vec<(String, String)> = vec![
        ("host".into(), req.host.into()),
        ("x-acs-action".into(), req.action.into()),
        ("x-acs-version".into(), req.version.into()),
        ("x-acs-date".into(), req.date.into()),
        ("x-acs-signature-nonce".into(), req.nonce.into()),
        ("x-acs-content-sha256".into(), EMPTY_BODY_SHA256.into()),
    ];
    if let Some(token) = security_token {
        headers.push(("x-acs-security-token".into(), token.into()));
        headers.push(("x-acs-accesskey-id".into(), access_key_id.into()));
    }
    let signature = sign(
        &SignInput {
            method: "POST",
            path: "/",
            query: &query,
            headers: &headers,
            body: b"",
        },
        access_key_id,
        access_key_secret,
    );
    headers.push(("authorization".into(), signature.authorization.clone()));
    SignedRpcRequest {
        query,
        headers,
        signature,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_string(), (*v).to_string()))
            .collect()
    }

    /// The official V3 example request (§6) with a given date and nonce.
    fn official(date: &str, nonce: &str) -> Signature {
        let mut params = BTreeMap::new();
        params.insert(
            "ImageId".to_string(),
            "win2019_1809_x64_dtc_zh-cn_40G_alibase_20230811.vhd".to_string(),
        );
        params.insert("RegionId".to_string(), "cn-shanghai".to_string());
        let query = canonical_query(&params);
        assert_eq!(
            query,
            "ImageId=win2019_1809_x64_dtc_zh-cn_40G_alibase_20230811.vhd&RegionId=cn-shanghai"
        );
        let headers = h(&[
            ("host", "ecs.cn-shanghai.aliyuncs.com"),
            ("x-acs-action", "RunInstances"),
            ("x-acs-version", "2014-05-26"),
            ("x-acs-date", date),
            ("x-acs-signature-nonce", nonce),
            ("x-acs-content-sha256", EMPTY_BODY_SHA256),
        ]);
        sign(
            &SignInput {
                method: "POST",
                path: "/",
                query: &query,
                headers: &headers,
                body: b"",
            },
            "YourAccessKeyId",
            "YourAccessKeySecret",
        )
    }

    #[test]
    fn official_vector_one() {
        let s = official("2023-10-26T10:22:32Z", "3156853299f313e23d1673dc12e1703d");
        assert_eq!(
            s.signed_headers,
            "host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version"
        );
        assert_eq!(
            s.hashed_canonical_request,
            "7ea06492da5221eba5297e897ce16e55f964061054b7695beedaac1145b1e259"
        );
        assert_eq!(
            s.signature,
            "06563a9e1b43f5dfe96b81484da74bceab24a1d853912eee15083a6f0f3283c0"
        );
        assert_eq!(
            s.authorization,
            "ACS3-HMAC-SHA256 Credential=YourAccessKeyId,SignedHeaders=host;x-acs-action;\
             x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version,\
             Signature=06563a9e1b43f5dfe96b81484da74bceab24a1d853912eee15083a6f0f3283c0"
        );
    }

    #[test]
    fn official_vector_two() {
        let s = official("2023-10-26T09:01:01Z", "d410180a5abf7fe235dd9b74aca91fc0");
        assert_eq!(
            s.signature,
            "e521358f7776c97df52e6b2891a8bc73026794a071b50c3323388c4e0df64804"
        );
    }

    fn start_backup_plan_params() -> BTreeMap<String, String> {
        let mut params = BTreeMap::new();
        params.insert("BackupPlanId".to_string(), "dbstest0001".to_string());
        params
    }

    const SBP_DATE: &str = "2024-01-01T00:00:00Z";
    const SBP_NONCE: &str = "0123456789abcdef0123456789abcdef";

    fn sbp_headers() -> Vec<(String, String)> {
        h(&[
            ("host", "dbs-api.cn-hangzhou.aliyuncs.com"),
            ("x-acs-action", "StartBackupPlan"),
            ("x-acs-version", "2019-03-06"),
            ("x-acs-date", SBP_DATE),
            ("x-acs-signature-nonce", SBP_NONCE),
            ("x-acs-content-sha256", EMPTY_BODY_SHA256),
        ])
    }

    fn sign_sbp(headers: &[(String, String)]) -> Signature {
        let query = canonical_query(&start_backup_plan_params());
        sign(
            &SignInput {
                method: "POST",
                path: "/",
                query: &query,
                headers,
                body: b"",
            },
            "YourAccessKeyId",
            "YourAccessKeySecret",
        )
    }

    #[test]
    fn start_backup_plan_vector() {
        let s = sign_sbp(&sbp_headers());
        assert_eq!(
            s.signed_headers,
            "host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version"
        );
        assert_eq!(
            s.hashed_canonical_request,
            "d25f87907d46ce612b2101782c87beaf8dbea1bd5e71a0d8aba3d2e73bc884c0"
        );
        assert_eq!(
            s.signature,
            "753216a90e8bcf5aa238676e9dfb9c02ffc8359ac45d10acf4ca425bc904a999"
        );
    }

    #[test]
    fn start_backup_plan_vector_with_security_token() {
        let mut headers = sbp_headers();
        headers.push(("x-acs-security-token".into(), "YourSecurityToken".into()));
        let s = sign_sbp(&headers);
        assert_eq!(
            s.signed_headers,
            "host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-security-token;\
             x-acs-signature-nonce;x-acs-version"
        );
        assert_eq!(
            s.hashed_canonical_request,
            "49ec8d2edc70fceb0cb22722bbc7927d0a4d948dddecc20d5659911e038d206d"
        );
        assert_eq!(
            s.signature,
            "5107a8454a9b68ff6b44045be95d01e4153667c607e4b4ae7cf6fed3fc3471ca"
        );
    }

    #[test]
    fn sign_rpc_matches_the_start_backup_plan_vector() {
        let params = start_backup_plan_params();
        let req = RpcSignRequest {
            host: "dbs-api.cn-hangzhou.aliyuncs.com",
            action: "StartBackupPlan",
            version: "2019-03-06",
            params: &params,
            date: SBP_DATE,
            nonce: SBP_NONCE,
        };
        let signed = sign_rpc(&req, "YourAccessKeyId", "YourAccessKeySecret", None);
        assert_eq!(signed.query, "BackupPlanId=dbstest0001");
        assert_eq!(
            signed.signature.signature,
            "753216a90e8bcf5aa238676e9dfb9c02ffc8359ac45d10acf4ca425bc904a999"
        );
        let auth = signed
            .headers
            .iter()
            .find(|(k, _)| k == "authorization")
            .map(|(_, v)| v.as_str());
        assert_eq!(auth, Some(signed.signature.authorization.as_str()));

        // With STS the token and the key ID header are both signed.
        let sts = sign_rpc(&req, "YourAccessKeyId", "YourAccessKeySecret", Some("tok"));
        assert_eq!(
            sts.signature.signed_headers,
            "host;x-acs-accesskey-id;x-acs-action;x-acs-content-sha256;x-acs-date;\
             x-acs-security-token;x-acs-signature-nonce;x-acs-version"
        );
    }

    #[test]
    fn percent_encoding_follows_rfc3986() {
        assert_eq!(percent_encode("AZaz09-_.~"), "AZaz09-_.~");
        assert_eq!(percent_encode("a b*c+d/e:f"), "a%20b%2Ac%2Bd%2Fe%3Af");
        assert_eq!(percent_encode("é"), "%C3%A9");
        assert_eq!(percent_encode(""), "");
    }

    #[test]
    fn canonical_query_sorts_by_encoded_name_and_keeps_empty_values() {
        let mut params = BTreeMap::new();
        params.insert("a.b".to_string(), "1".to_string());
        params.insert("a/b".to_string(), "2".to_string());
        params.insert("Empty".to_string(), String::new());
        // `a%2Fb` < `a.b` because `%` (0x25) < `.` (0x2E), although `/` > `.` raw.
        assert_eq!(canonical_query(&params), "Empty=&a%2Fb=2&a.b=1");
        assert_eq!(canonical_query(&BTreeMap::new()), "");
    }

    #[test]
    fn canonical_headers_select_lowercase_trim_sort_and_join() {
        let headers = h(&[
            ("X-Acs-B", " two "),
            ("Host", "example.com"),
            ("accept", "application/json"),
            ("x-acs-b", "three"),
            ("Content-Type", "application/json"),
            ("User-Agent", "x"),
        ]);
        let (block, names) = canonical_headers(&headers);
        assert_eq!(
            block,
            "content-type:application/json\nhost:example.com\nx-acs-b:two,three\n"
        );
        assert_eq!(names, "content-type;host;x-acs-b");
    }

    #[test]
    fn empty_body_hash_constant_is_right() {
        assert_eq!(sha256_hex(b""), EMPTY_BODY_SHA256);
    }
}
