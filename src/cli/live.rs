//! `ramguard whoami`, `fetch`, `drift`, and the live policies of `simulate --live-*` (CLI.md
//! "Live RAM").

use std::path::PathBuf;
use std::sync::Arc;

use clap::{Args, ValueEnum};

use super::exit;
use crate::credentials::endpoints::Overrides;
use crate::credentials::profile::Net;
use crate::credentials::sts::Sts;
use crate::credentials::{DefaultChain, Endpoints, ProvideCredentials};
use crate::live::drift::{compare, RepoDocument};
use crate::live::write::write_out;
use crate::live::{
    fetch, FetchOptions, LayerStatus, LiveDocument, LiveError, LivePolicies, Ram, Target,
};
use crate::transport::{BlockingTransport, Transport};

/// Credentials and endpoints, shared by every live command.
#[derive(Args, Debug, Clone, Default)]
pub struct ConnectArgs {
    /// A profile of ~/.aliyun/config.json (wins over the environment).
    #[arg(long)]
    pub profile: Option<String>,
    /// STS endpoint URL (default sts.aliyuncs.com; env RAMGUARD_STS_ENDPOINT).
    #[arg(long, value_name = "URL")]
    pub sts_endpoint: Option<String>,
    /// RAM endpoint URL (default ram.aliyuncs.com; env RAMGUARD_RAM_ENDPOINT).
    #[arg(long, value_name = "URL")]
    pub ram_endpoint: Option<String>,
    /// ECS metadata service URL (default http://100.100.100.200; env RAMGUARD_IMDS_ENDPOINT).
    #[arg(long, value_name = "URL")]
    pub imds_endpoint: Option<String>,
}

/// Whose policies.
#[derive(Args, Debug, Clone, Default)]
#[group(multiple = false)]
pub struct TargetArgs {
    /// The identity of the credentials themselves.
    #[arg(long)]
    pub caller: bool,
    /// A RAM user.
    #[arg(long, value_name = "NAME")]
    pub user: Option<String>,
    /// A RAM role.
    #[arg(long, value_name = "NAME")]
    pub role: Option<String>,
}

impl TargetArgs {
    fn target(&self) -> Option<Target> {
        match (&self.user, &self.role, self.caller) {
            (Some(u), _, _) => Some(Target::User(u.clone())),
            (_, Some(r), _) => Some(Target::Role(r.clone())),
            (_, _, true) => Some(Target::Caller),
            _ => None,
        }
    }
}

/// The live target of `simulate`.
#[derive(Args, Debug, Clone, Default)]
#[group(multiple = false)]
pub struct LiveSimArgs {
    /// Evaluate the policies attached now to the caller's own identity.
    #[arg(long)]
    pub live_caller: bool,
    /// Evaluate the policies attached now to this RAM user.
    #[arg(long, value_name = "NAME")]
    pub live_user: Option<String>,
    /// Evaluate the policies attached now to this RAM role.
    #[arg(long, value_name = "NAME")]
    pub live_role: Option<String>,
}

impl LiveSimArgs {
    pub fn target(&self) -> Option<Target> {
        TargetArgs {
            caller: self.live_caller,
            user: self.live_user.clone(),
            role: self.live_role.clone(),
        }
        .target()
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Human,
    Json,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum DriftFormat {
    Human,
    Json,
    Github,
}

#[derive(Args, Debug)]
pub struct WhoamiArgs {
    #[command(flatten)]
    pub connect: ConnectArgs,
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
}

#[derive(Args, Debug)]
pub struct FetchArgs {
    #[command(flatten)]
    pub target: TargetArgs,
    /// Write each document and manifest.json here (else print the manifest, documents inline).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    #[command(flatten)]
    pub connect: ConnectArgs,
    #[arg(long, value_enum)]
    pub format: Option<Format>,
}

#[derive(Args, Debug)]
pub struct DriftArgs {
    #[command(flatten)]
    pub target: TargetArgs,
    /// Compare with a manifest written by `fetch --out` instead of the live account.
    #[arg(long, value_name = "FILE")]
    pub manifest: Option<PathBuf>,
    /// The repository's documents: files, or directories walked as `lint` walks them (policy,
    /// Terraform and ROS files).
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    #[command(flatten)]
    pub connect: ConnectArgs,
    #[arg(long, value_enum, default_value_t = DriftFormat::Human)]
    pub format: DriftFormat,
}

/// The resolved credentials chain and endpoints.
pub struct Connection {
    pub endpoints: Endpoints,
    pub transport: Arc<dyn Transport>,
    pub credentials: Arc<dyn ProvideCredentials>,
}

impl Connection {
    pub fn open(args: &ConnectArgs) -> Result<Connection, String> {
        let flags = Overrides {
            sts: args.sts_endpoint.clone(),
            ram: args.ram_endpoint.clone(),
            imds: args.imds_endpoint.clone(),
        };
        let endpoints =
            Endpoints::resolve(&flags, &|n| std::env::var(n).ok()).map_err(|e| e.to_string())?;
        let transport: Arc<dyn Transport> = Arc::new(BlockingTransport::default());
        let mut net = Net::new(endpoints.clone(), Arc::clone(&transport));
        let second = std::time::Duration::from_secs(1);
        net.metadata_transport = Arc::new(BlockingTransport::new(
            second,
            second,
            &format!("ramguard/{}", env!("CARGO_PKG_VERSION")),
        ));
        let chain = DefaultChain::from_process(args.profile.clone(), net);
        Ok(Connection {
            endpoints,
            transport,
            credentials: Arc::new(chain),
        })
    }

    pub fn sts(&self) -> Sts {
        Sts::new(self.endpoints.sts.clone(), Arc::clone(&self.transport))
    }

    pub fn ram(&self) -> Ram {
        Ram::new(
            &self.endpoints,
            Arc::clone(&self.credentials),
            Arc::clone(&self.transport),
        )
    }

    /// Fetches a target's live policies; layers that could not be read are said on stderr.
    pub fn fetch(&self, target: &Target) -> Result<LivePolicies, LiveError> {
        let live = fetch(&self.ram(), &self.sts(), target, FetchOptions::default())?;
        for (layer, status) in &live.layers {
            if let LayerStatus::NotFetched { reason } = status {
                eprintln!("ramguard: note: the {layer} layer was not fetched: {reason}");
            }
        }
        Ok(live)
    }
}

pub fn whoami(args: WhoamiArgs) -> u8 {
    let run = || -> Result<String, String> {
        let conn = Connection::open(&args.connect)?;
        let creds = conn.credentials.credentials().map_err(|e| e.to_string())?;
        let id = conn
            .sts()
            .get_caller_identity(&creds)
            .map_err(|e| e.to_string())?;
        Ok(match args.format {
            Format::Json => format!(
                "{}\n",
                serde_json::to_string_pretty(&id).map_err(|e| e.to_string())?
            ),
            Format::Human => format!(
                "{} {}\n  account:      {}\n  principal id: {}\n  credentials:  {}\n",
                id.identity_type,
                id.arn,
                id.account_id,
                id.principal_id.as_deref().unwrap_or("-"),
                conn.credentials.name()
            ),
        })
    };
    finish(run())
}

pub fn fetch_cmd(args: FetchArgs) -> u8 {
    let Some(target) = args.target.target() else {
        super::error("give --caller, --user NAME or --role NAME");
        return exit::ERROR;
    };
    let run = || -> Result<String, String> {
        let conn = Connection::open(&args.connect)?;
        let live = conn.fetch(&target).map_err(|e| e.to_string())?;
        let human = |live: &LivePolicies| {
            let mut s = format!(
                "{} {} (account {}): {} document(s)\n",
                live.principal.kind,
                live.principal.name,
                live.principal.account_id,
                live.documents.len()
            );
            for d in &live.documents {
                s += &format!("  {}  {}{}\n", d.file, d.source, rg_note(d));
            }
            s
        };
        match &args.out {
            Some(dir) => {
                write_out(&live, dir)
                    .map_err(|e| format!("cannot write to {}: {e}", dir.display()))?;
                Ok(match args.format {
                    Some(Format::Json) => format!(
                        "{}\n",
                        serde_json::to_string_pretty(&live.manifest(false)).unwrap_or_default()
                    ),
                    _ => human(&live) + &format!("wrote {}\n", dir.display()),
                })
            }
            None => Ok(match args.format {
                Some(Format::Human) => human(&live),
                _ => format!(
                    "{}\n",
                    serde_json::to_string_pretty(&live.manifest(true)).unwrap_or_default()
                ),
            }),
        }
    };
    finish(run())
}

fn rg_note(d: &LiveDocument) -> String {
    d.resource_group
        .as_ref()
        .map(|g| format!("  (resource group {g})"))
        .unwrap_or_default()
}

pub fn drift(args: DriftArgs) -> u8 {
    let target = args.target.target();
    let run = || -> Result<(String, bool), String> {
        let live: Vec<LiveDocument> = match (&args.manifest, &target) {
            (Some(m), None) => from_manifest(m)?,
            (None, Some(t)) => {
                let conn = Connection::open(&args.connect)?;
                conn.fetch(t).map_err(|e| e.to_string())?.documents
            }
            _ => {
                return Err(
                    "give one of --caller, --user NAME, --role NAME, --manifest FILE".into(),
                )
            }
        };
        // The same walk as `lint` (policy and host files), without the fetch's manifest.
        let paths: Vec<String> = args.paths.iter().map(|p| p.display().to_string()).collect();
        let mut files = Vec::new();
        for input in super::files::expand(&paths, &|_| false).inputs {
            match input {
                super::files::Input::File(p) => {
                    if !p
                        .file_name()
                        .is_some_and(|n| n == crate::live::write::MANIFEST)
                    {
                        files.push(p);
                    }
                }
                super::files::Input::Missing(p, why) => {
                    return Err(format!("cannot read {}: {why}", p.display()))
                }
                super::files::Input::Stdin => {
                    return Err("drift reads files, not standard input".into())
                }
            }
        }
        let mut repo = Vec::new();
        for p in &files {
            let (docs, unnamed) = RepoDocument::read_all(p)
                .map_err(|e| format!("cannot read {}: {e}", p.display()))?;
            for u in unnamed {
                eprintln!(
                    "ramguard: `{}` has no literal policy name: not compared",
                    crate::render::escape::escape(&u)
                );
            }
            repo.extend(docs);
        }
        let d = compare(&repo, &live);
        let text = match args.format {
            DriftFormat::Human => d.human(),
            DriftFormat::Json => {
                format!("{}\n", serde_json::to_string_pretty(&d).unwrap_or_default())
            }
            DriftFormat::Github => d.github(),
        };
        Ok((text, d.drift))
    };
    match run() {
        Ok((text, drifted)) => {
            if super::print(&text) != exit::OK {
                return exit::ERROR;
            }
            if drifted {
                exit::FAILED
            } else {
                exit::OK
            }
        }
        Err(e) => {
            super::error(e);
            exit::ERROR
        }
    }
}

/// The live side from a manifest written by `fetch --out` (documents beside it).
fn from_manifest(path: &std::path::Path) -> Result<Vec<LiveDocument>, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let v: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| format!("{} is not JSON: {e}", path.display()))?;
    let dir = path.parent().unwrap_or(std::path::Path::new("."));
    let docs = v
        .get("documents")
        .and_then(|d| d.as_array())
        .cloned()
        .unwrap_or_default();
    docs.iter()
        .map(|d| {
            let s = |k: &str| {
                d.get(k)
                    .and_then(|x| x.as_str())
                    .unwrap_or_default()
                    .to_string()
            };
            let file = s("file");
            let layer = match s("layer").as_str() {
                "trust" => crate::live::DocLayer::Trust,
                "control" => crate::live::DocLayer::Control,
                _ => crate::live::DocLayer::Identity,
            };
            let document = std::fs::read_to_string(dir.join(&file))
                .map_err(|e| format!("cannot read {}: {e}", dir.join(&file).display()))?;
            Ok(LiveDocument {
                source: s("source"),
                layer,
                policy_type: s("policy_type"),
                name: s("name"),
                version: d
                    .get("version")
                    .and_then(|x| x.as_str())
                    .map(str::to_string),
                attached_to: d
                    .get("attached_to")
                    .and_then(|a| a.as_array())
                    .map(|a| {
                        a.iter()
                            .filter_map(|x| x.as_str().map(str::to_string))
                            .collect()
                    })
                    .unwrap_or_default(),
                resource_group: d
                    .get("resource_group")
                    .and_then(|x| x.as_str())
                    .map(str::to_string),
                file,
                document,
            })
        })
        .collect()
}

fn finish(result: Result<String, String>) -> u8 {
    match result {
        Ok(text) => super::print(&text),
        Err(e) => {
            super::error(e);
            exit::ERROR
        }
    }
}
