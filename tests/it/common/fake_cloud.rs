//! A fake Alibaba Cloud on 127.0.0.1 for the live-RAM tests: the ECS metadata service (normal
//! and hardened mode, expiring credentials), STS (AssumeRole, AssumeRoleWithOIDC,
//! GetCallerIdentity) and RAM + ResourceManager (the read APIs, with paging, injected
//! throttling and denials), each on its own port, sharing one account.
//!
//! Every signed call is checked with `fake_dbs::verify` (an ACS3-HMAC-SHA256 verifier that
//! shares no code with the crate), against the secret of the AccessKey it names: the test's
//! long-term key, or STS credentials this fake issued (then the security token must be sent
//! and signed). Every call is logged and counted; refused ones too.
#![allow(dead_code, reason = "each test uses a different part")]
#![allow(clippy::unwrap_used, reason = "test server code")]

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use serde_json::{json, Value};

use super::fake_dbs::{json as reply, verify, Received, Reply, AK_ID, SECRET};

pub const UID: &str = "1234567890123456";
/// The RAM user the long-term key belongs to.
pub const USER: &str = "alice";
/// The OIDC token the fake STS accepts.
pub const OIDC_TOKEN: &str = "eyJhbGciOiJSUzI1NiJ9.oidc-Secr3t-token.sig";
pub const OIDC_PROVIDER_ARN: &str = "acs:ram::1234567890123456:oidc-provider/ack-rrsa";
/// Secrets the fake hands out start with these, so a test can look for any of them.
pub const ISSUED_SECRET_PREFIX: &str = "issued-Secr3t-";
pub const ISSUED_TOKEN_PREFIX: &str = "issued-T0ken-";
pub const METADATA_TOKEN_PREFIX: &str = "imds-T0ken-";

#[derive(Clone, Debug)]
enum Who {
    User(String),
    Role { role: String, session: String },
}

#[derive(Clone, Debug)]
struct Key {
    secret: String,
    token: Option<String>,
    who: Who,
}

/// The account the fake RAM serves. Policies are `(type, name) -> (version, document)`.
#[derive(Clone, Debug, Default)]
pub struct Account {
    pub user_policies: BTreeMap<String, Vec<(String, String)>>,
    pub user_groups: BTreeMap<String, Vec<String>>,
    pub group_policies: BTreeMap<String, Vec<(String, String)>>,
    pub role_policies: BTreeMap<String, Vec<(String, String)>>,
    pub trust: BTreeMap<String, String>,
    pub policies: BTreeMap<(String, String), (String, String)>,
    /// `(PrincipalType, PrincipalName, PolicyType, PolicyName, ResourceGroupId)`.
    pub rg_attachments: Vec<(String, String, String, String, String)>,
    /// `(PolicyId, PolicyType, PolicyName, document)`.
    pub control: Vec<(String, String, String, String)>,
}

impl Account {
    pub fn policy(&mut self, kind: &str, name: &str, version: &str, doc: &str) {
        self.policies
            .insert((kind.into(), name.into()), (version.into(), doc.into()));
    }
}

/// How the metadata service behaves.
#[derive(Clone, Debug)]
pub struct Imds {
    /// The role attached to the instance.
    pub role: String,
    /// Reads without a token are refused (hardened mode enforced).
    pub require_token: bool,
    /// `PUT /latest/api/token` answers 404, like a service without hardened mode.
    pub no_token_api: bool,
    /// Seconds the issued credentials live.
    pub lifetime: i64,
}

impl Default for Imds {
    fn default() -> Self {
        Imds {
            role: "EcsRunner".into(),
            require_token: true,
            no_token_api: false,
            lifetime: 3600,
        }
    }
}

/// One call as the fake saw it.
#[derive(Clone, Debug)]
pub struct Call {
    pub server: &'static str,
    pub action: String,
    pub params: BTreeMap<String, String>,
    /// The AccessKey ID that signed it, if any.
    pub key: Option<String>,
    /// Metadata reads: whether a metadata token came with it.
    pub with_token: bool,
}

#[derive(Default)]
struct Shared {
    account: Account,
    imds: Imds,
    keys: HashMap<String, Key>,
    metadata_tokens: HashSet<String>,
    nonces: HashSet<String>,
    calls: Vec<Call>,
    rejected: Vec<String>,
    /// Actions that answer 403 NoPermission.
    deny: HashSet<String>,
    /// Actions that answer `Throttling.User` this many more times.
    throttle: HashMap<String, usize>,
    issued: usize,
    /// Page size the fake RAM and ResourceManager cap listings at.
    page_cap: usize,
}

pub struct FakeCloud {
    pub imds_url: String,
    pub sts_url: String,
    pub ram_url: String,
    state: Arc<Mutex<Shared>>,
    servers: Vec<(Arc<tiny_http::Server>, Option<JoinHandle<()>>)>,
}

type Handler = fn(&mut Shared, &Received) -> Reply;

impl FakeCloud {
    pub fn start(account: Account, imds: Imds) -> FakeCloud {
        let mut keys = HashMap::new();
        keys.insert(
            AK_ID.to_string(),
            Key {
                secret: SECRET.to_string(),
                token: None,
                who: Who::User(USER.into()),
            },
        );
        let state = Arc::new(Mutex::new(Shared {
            account,
            imds,
            keys,
            page_cap: 2,
            ..Shared::default()
        }));
        let mut servers = Vec::new();
        let mut urls = Vec::new();
        for handler in [imds_answer as Handler, sts_answer, ram_answer] {
            let server = Arc::new(tiny_http::Server::http("127.0.0.1:0").unwrap());
            urls.push(format!(
                "http://127.0.0.1:{}",
                server.server_addr().to_ip().unwrap().port()
            ));
            let thread = {
                let server = Arc::clone(&server);
                let state = Arc::clone(&state);
                std::thread::spawn(move || serve(&server, &state, handler))
            };
            servers.push((server, Some(thread)));
        }
        FakeCloud {
            imds_url: urls[0].clone(),
            sts_url: urls[1].clone(),
            ram_url: urls[2].clone(),
            state,
            servers,
        }
    }

    pub fn calls(&self) -> Vec<Call> {
        self.state.lock().unwrap().calls.clone()
    }

    pub fn calls_to(&self, server: &str) -> Vec<Call> {
        self.calls()
            .into_iter()
            .filter(|c| c.server == server)
            .collect()
    }

    pub fn clear_calls(&self) {
        self.state.lock().unwrap().calls.clear();
    }

    pub fn rejected(&self) -> Vec<String> {
        self.state.lock().unwrap().rejected.clone()
    }

    pub fn deny(&self, action: &str) {
        self.state.lock().unwrap().deny.insert(action.into());
    }

    pub fn throttle(&self, action: &str, times: usize) {
        self.state
            .lock()
            .unwrap()
            .throttle
            .insert(action.into(), times);
    }

    pub fn with_account(&self, f: impl FnOnce(&mut Account)) {
        f(&mut self.state.lock().unwrap().account);
    }

    /// Environment for `ramguard` pointing at this fake (and nowhere else).
    pub fn env(&self) -> Vec<(&'static str, String)> {
        vec![
            ("RAMGUARD_STS_ENDPOINT", self.sts_url.clone()),
            ("RAMGUARD_RAM_ENDPOINT", self.ram_url.clone()),
            ("RAMGUARD_IMDS_ENDPOINT", self.imds_url.clone()),
        ]
    }
}

impl Drop for FakeCloud {
    fn drop(&mut self) {
        for (server, thread) in &mut self.servers {
            server.unblock();
            if let Some(t) = thread.take() {
                let _ = t.join();
            }
        }
    }
}

fn serve(server: &tiny_http::Server, state: &Mutex<Shared>, handler: Handler) {
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
        let r = handler(&mut state.lock().unwrap(), &received);
        let response = tiny_http::Response::from_string(r.body)
            .with_status_code(r.status)
            .with_header(tiny_http::Header::from_bytes("Content-Type", r.content_type).unwrap());
        let _ = request.respond(response);
    }
}

fn error(status: u16, code: &str, message: &str) -> Reply {
    reply(
        status,
        &json!({"RequestId": "fake-req", "Code": code, "Message": message}).to_string(),
    )
}

fn text(status: u16, body: &str) -> Reply {
    Reply {
        status,
        content_type: "text/plain",
        body: body.to_string(),
    }
}

fn issue(s: &mut Shared, who: Who) -> (String, String, String) {
    s.issued += 1;
    let n = s.issued;
    let id = format!("STS.issued{n}");
    let secret = format!("{ISSUED_SECRET_PREFIX}{n}");
    let token = format!("{ISSUED_TOKEN_PREFIX}{n}");
    s.keys.insert(
        id.clone(),
        Key {
            secret: secret.clone(),
            token: Some(token.clone()),
            who,
        },
    );
    (id, secret, token)
}

fn expiration(seconds: i64) -> String {
    let at = time::OffsetDateTime::now_utc() + time::Duration::seconds(seconds);
    at.format(time::macros::format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second]Z"
    ))
    .unwrap()
}

fn imds_answer(s: &mut Shared, req: &Received) -> Reply {
    let token = req
        .header("x-aliyun-ecs-metadata-token")
        .map(str::to_string);
    let path = req.target.split('?').next().unwrap_or_default().to_string();
    let log = |s: &mut Shared, action: &str| {
        s.calls.push(Call {
            server: "imds",
            action: action.into(),
            params: BTreeMap::new(),
            key: None,
            with_token: token.is_some(),
        })
    };
    if req.method == "PUT" && path == "/latest/api/token" {
        log(s, "token");
        if s.imds.no_token_api {
            return text(404, "Not Found");
        }
        let ttl = req
            .header("x-aliyun-ecs-metadata-token-ttl-seconds")
            .and_then(|t| t.parse::<u32>().ok());
        if !ttl.is_some_and(|t| (1..=21600).contains(&t)) {
            s.rejected.push("metadata token without a valid ttl".into());
            return text(400, "bad ttl");
        }
        s.issued += 1;
        let t = format!("{METADATA_TOKEN_PREFIX}{}", s.issued);
        s.metadata_tokens.insert(t.clone());
        return text(200, &t);
    }
    if req.method != "GET" {
        return text(405, "method");
    }
    match &token {
        Some(t) if !s.metadata_tokens.contains(t) => {
            s.rejected.push("unknown metadata token".into());
            return text(401, "bad token");
        }
        None if s.imds.require_token => {
            log(s, "refused-without-token");
            s.rejected.push("metadata read without a token".into());
            return text(401, "token required");
        }
        _ => {}
    }
    let prefix = "/latest/meta-data/ram/security-credentials/";
    let Some(role) = path.strip_prefix(prefix) else {
        return text(404, "Not Found");
    };
    if role.is_empty() {
        log(s, "role");
        return text(200, &s.imds.role.clone());
    }
    log(s, "credentials");
    if role != s.imds.role {
        return text(404, "Not Found");
    }
    let who = Who::Role {
        role: role.to_string(),
        session: "ecs-instance".into(),
    };
    let (id, secret, token) = issue(s, who);
    reply(
        200,
        &json!({"Code": "Success", "AccessKeyId": id, "AccessKeySecret": secret,
            "SecurityToken": token, "Expiration": expiration(s.imds.lifetime),
            "LastUpdated": expiration(0)})
        .to_string(),
    )
}

fn form(body: &[u8]) -> BTreeMap<String, String> {
    let r = Received {
        method: String::new(),
        target: format!("/?{}", String::from_utf8_lossy(body)),
        headers: Vec::new(),
        body: Vec::new(),
    };
    r.query().into_iter().collect()
}

/// Checks a signed call; `Ok(key id)` or the gateway's refusal.
fn authenticate(s: &mut Shared, req: &Received) -> Result<String, Reply> {
    let refuse = |s: &mut Shared, code: &str, why: String| {
        s.rejected.push(format!("{code}: {why}"));
        Err(error(400, code, &why))
    };
    if req.method != "POST" {
        return refuse(s, "InvalidMethod", req.method.clone());
    }
    let id = req
        .header("authorization")
        .and_then(|a| a.split("Credential=").nth(1))
        .and_then(|c| c.split(',').next())
        .unwrap_or_default()
        .to_string();
    let Some(key) = s.keys.get(&id).cloned() else {
        return refuse(s, "InvalidAccessKeyId.NotFound", id);
    };
    if let Err(why) = verify::check_signature(req, &id, &key.secret) {
        return refuse(s, "SignatureDoesNotMatch", why);
    }
    if req.header("x-acs-security-token") != key.token.as_deref() {
        return refuse(s, "InvalidSecurityToken.Mismatch", "security token".into());
    }
    // The gateway allows 15 minutes of clock skew.
    let date = req.header("x-acs-date").unwrap_or_default();
    let format =
        time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]Z");
    match time::PrimitiveDateTime::parse(date, &format) {
        Ok(t)
            if (t.assume_utc() - time::OffsetDateTime::now_utc()).abs()
                < time::Duration::minutes(15) => {}
        _ => return refuse(s, "InvalidTimeStamp.Format", date.to_string()),
    }
    let nonce = req
        .header("x-acs-signature-nonce")
        .unwrap_or_default()
        .to_string();
    if !s.nonces.insert(nonce.clone()) {
        return refuse(s, "SignatureNonceUsed", nonce);
    }
    Ok(id)
}

fn sts_answer(s: &mut Shared, req: &Received) -> Reply {
    let query: BTreeMap<String, String> = req.query().into_iter().collect();
    if query.get("Action").map(String::as_str) == Some("AssumeRoleWithOIDC") {
        let params = form(&req.body);
        s.calls.push(Call {
            server: "sts",
            action: "AssumeRoleWithOIDC".into(),
            params: params
                .iter()
                .filter(|(k, _)| *k != "OIDCToken")
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
            key: None,
            with_token: false,
        });
        if req.header("authorization").is_some() || req.target.contains("OIDCToken") {
            s.rejected
                .push("OIDC exchange signed, or token in the URL".into());
            return error(400, "InvalidParameter", "anonymous form call expected");
        }
        if params.get("OIDCToken").map(String::as_str) != Some(OIDC_TOKEN)
            || params.get("OIDCProviderArn").map(String::as_str) != Some(OIDC_PROVIDER_ARN)
        {
            return error(
                400,
                "AuthenticationFail.OIDCToken.Invalid",
                "bad OIDC token",
            );
        }
        return assumed(s, &params);
    }
    let id = match authenticate(s, req) {
        Ok(id) => id,
        Err(r) => return r,
    };
    let action = req.header("x-acs-action").unwrap_or_default().to_string();
    s.calls.push(Call {
        server: "sts",
        action: action.clone(),
        params: query.clone(),
        key: Some(id.clone()),
        with_token: false,
    });
    if req.header("x-acs-version") != Some("2015-04-01") {
        return error(400, "InvalidVersion", "STS is 2015-04-01");
    }
    match action.as_str() {
        "GetCallerIdentity" => {
            let who = s.keys[&id].who.clone();
            let body = match who {
                Who::User(u) => json!({"IdentityType": "RAMUser", "AccountId": UID,
                    "Arn": format!("acs:ram::{UID}:user/{u}"), "PrincipalId": "2888",
                    "UserId": "2888", "RequestId": "r"}),
                Who::Role { role, session } => json!({"IdentityType": "AssumedRoleUser",
                    "AccountId": UID, "Arn": format!("acs:sts::{UID}:assumed-role/{role}/{session}"),
                    "PrincipalId": format!("3999:{session}"), "RoleId": "3999", "RequestId": "r"}),
            };
            reply(200, &body.to_string())
        }
        "AssumeRole" => assumed(s, &query),
        other => error(400, "InvalidAction.NotFound", other),
    }
}

fn assumed(s: &mut Shared, params: &BTreeMap<String, String>) -> Reply {
    let Some(role) = params
        .get("RoleArn")
        .and_then(|a| a.strip_prefix(&format!("acs:ram::{UID}:role/")))
        .map(str::to_string)
    else {
        return error(400, "InvalidParameter.RoleArn", "role arn");
    };
    let session = params.get("RoleSessionName").cloned().unwrap_or_default();
    let duration: i64 = params
        .get("DurationSeconds")
        .and_then(|d| d.parse().ok())
        .unwrap_or(3600);
    let (id, secret, token) = issue(
        s,
        Who::Role {
            role: role.clone(),
            session: session.clone(),
        },
    );
    reply(
        200,
        &json!({"RequestId": "r", "Credentials": {"AccessKeyId": id, "AccessKeySecret": secret,
            "SecurityToken": token, "Expiration": expiration(duration)},
            "AssumedRoleUser": {"Arn": format!("acs:sts::{UID}:assumed-role/{role}/{session}"),
            "AssumedRoleId": format!("3999:{session}")}})
        .to_string(),
    )
}

fn policies(list: &[(String, String)], account: &Account) -> Value {
    let rows: Vec<Value> = list
        .iter()
        .map(|(t, n)| {
            let version = account
                .policies
                .get(&(t.clone(), n.clone()))
                .map(|(v, _)| v.clone())
                .unwrap_or_default();
            json!({"PolicyType": t, "PolicyName": n, "DefaultVersion": version,
                "AttachDate": "2024-01-01T00:00:00Z", "Description": ""})
        })
        .collect();
    json!({"Policies": {"Policy": rows}, "RequestId": "r"})
}

fn ram_answer(s: &mut Shared, req: &Received) -> Reply {
    let id = match authenticate(s, req) {
        Ok(id) => id,
        Err(r) => return r,
    };
    let action = req.header("x-acs-action").unwrap_or_default().to_string();
    let version = req.header("x-acs-version").unwrap_or_default().to_string();
    let p: BTreeMap<String, String> = req.query().into_iter().collect();
    s.calls.push(Call {
        server: "ram",
        action: action.clone(),
        params: p.clone(),
        key: Some(id),
        with_token: false,
    });
    if s.deny.contains(&action) {
        return error(
            403,
            "NoPermission",
            &format!("You are not authorized to do action: ram:{action}"),
        );
    }
    if let Some(n) = s.throttle.get_mut(&action).filter(|n| **n > 0) {
        *n -= 1;
        return error(
            400,
            "Throttling.User",
            "Request was denied due to user flow control.",
        );
    }
    let a = &s.account;
    let get = |k: &str| p.get(k).cloned().unwrap_or_default();
    let missing = || error(404, "EntityNotExist", "no such entity");
    let rm = version == "2020-03-31";
    if !rm && version != "2015-05-01" {
        return error(400, "InvalidVersion", &version);
    }
    let body = match (rm, action.as_str()) {
        (false, "ListPoliciesForUser") => match a.user_policies.get(&get("UserName")) {
            Some(l) => policies(l, a),
            None => return missing(),
        },
        (false, "ListPoliciesForRole") => match a.role_policies.get(&get("RoleName")) {
            Some(l) => policies(l, a),
            None => return missing(),
        },
        (false, "ListPoliciesForGroup") => match a.group_policies.get(&get("GroupName")) {
            Some(l) => policies(l, a),
            None => return missing(),
        },
        (false, "ListGroupsForUser") => {
            let groups: Vec<Value> = a
                .user_groups
                .get(&get("UserName"))
                .into_iter()
                .flatten()
                .map(|g| json!({"GroupName": g, "GroupId": "g1", "Comments": "", "JoinDate": ""}))
                .collect();
            json!({"Groups": {"Group": groups}, "RequestId": "r"})
        }
        (false, "GetRole") => match a.trust.get(&get("RoleName")) {
            Some(t) => json!({"Role": {"RoleName": get("RoleName"), "RoleId": "3999",
                "Arn": format!("acs:ram::{UID}:role/{}", get("RoleName")),
                "AssumeRolePolicyDocument": t, "MaxSessionDuration": 3600}, "RequestId": "r"}),
            None => return missing(),
        },
        (false, "GetPolicy") => match a.policies.get(&(get("PolicyType"), get("PolicyName"))) {
            Some((v, doc)) => json!({"Policy": {"PolicyName": get("PolicyName"),
                    "PolicyType": get("PolicyType"), "DefaultVersion": v, "PolicyDocument": "N/A"},
                    "DefaultPolicyVersion": {"VersionId": v, "IsDefaultVersion": true,
                    "PolicyDocument": doc}, "RequestId": "r"}),
            None => return missing(),
        },
        (false, "ListPolicies") => {
            let all: Vec<_> = a.policies.iter().collect();
            let start: usize = get("Marker").parse().unwrap_or(0);
            let max: usize = get("MaxItems").parse().unwrap_or(100).min(s.page_cap);
            let page: Vec<Value> = all
                .iter()
                .skip(start)
                .take(max)
                .map(|((t, n), (v, _))| json!({"PolicyType": t, "PolicyName": n, "DefaultVersion": v}))
                .collect();
            let truncated = start + max < all.len();
            let mut body =
                json!({"Policies": {"Policy": page}, "IsTruncated": truncated, "RequestId": "r"});
            if truncated {
                body["Marker"] = json!((start + max).to_string());
            }
            body
        }
        (true, "ListPolicyAttachments") => {
            let rows: Vec<Value> = a
                .rg_attachments
                .iter()
                .filter(|(pt, pn, ..)| *pt == get("PrincipalType") && *pn == get("PrincipalName"))
                .map(|(pt, pn, t, n, rg)| {
                    json!({"PrincipalType": pt, "PrincipalName": pn,
                    "PolicyType": t, "PolicyName": n, "ResourceGroupId": rg,
                    "AttachDate": "", "Description": ""})
                })
                .collect();
            let number: usize = get("PageNumber").parse().unwrap_or(1).max(1);
            let size: usize = get("PageSize").parse().unwrap_or(10).min(s.page_cap);
            let page: Vec<Value> = rows
                .iter()
                .skip((number - 1) * size)
                .take(size)
                .cloned()
                .collect();
            json!({"PolicyAttachments": {"PolicyAttachment": page}, "TotalCount": rows.len(),
                "PageNumber": number, "PageSize": size, "RequestId": "r"})
        }
        (true, "ListControlPolicyAttachmentsForTarget") => {
            let rows: Vec<Value> = a
                .control
                .iter()
                .map(|(id, t, n, _)| json!({"PolicyId": id, "PolicyType": t, "PolicyName": n}))
                .collect();
            json!({"ControlPolicyAttachments": {"ControlPolicyAttachment": rows}, "RequestId": "r"})
        }
        (true, "GetControlPolicy") => {
            match a.control.iter().find(|(id, ..)| *id == get("PolicyId")) {
                Some((id, t, n, doc)) => json!({"ControlPolicy": {"PolicyId": id, "PolicyType": t,
                "PolicyName": n, "PolicyDocument": doc, "AttachmentCount": "1"}, "RequestId": "r"}),
                None => return missing(),
            }
        }
        _ => return error(400, "InvalidAction.NotFound", &action),
    };
    reply(200, &body.to_string())
}
