//! Where DBS calls go: the region → endpoint map (spec `dbs-api.md` §2) and `--endpoint` URLs.

use std::fmt;

/// Public endpoint of each region.
///
/// This is the Go SDK's regional map (2022–2024) with one change taken from the newer endpoint
/// page (updated 2024-11-22): `cn-zhangjiakou` and `cn-wulanchabu` have their own endpoints. The
/// page is newer than the SDK map and is the documented public endpoint; the other mainland
/// regions stay on cn-hangzhou on both sources. `--endpoint` overrides any of these.
pub const REGION_ENDPOINTS: &[(&str, &str)] = &[
    ("cn-hangzhou", "dbs-api.cn-hangzhou.aliyuncs.com"),
    ("cn-shanghai", "dbs-api.cn-hangzhou.aliyuncs.com"),
    ("cn-qingdao", "dbs-api.cn-hangzhou.aliyuncs.com"),
    ("cn-beijing", "dbs-api.cn-hangzhou.aliyuncs.com"),
    ("cn-zhangjiakou", "dbs-api.cn-zhangjiakou.aliyuncs.com"),
    ("cn-wulanchabu", "dbs-api.cn-wulanchabu.aliyuncs.com"),
    ("cn-shenzhen", "dbs-api.cn-hangzhou.aliyuncs.com"),
    ("cn-hongkong", "dbs-api.cn-hangzhou.aliyuncs.com"),
    ("us-west-1", "dbs-api.cn-hangzhou.aliyuncs.com"),
    ("us-east-1", "dbs-api.cn-hangzhou.aliyuncs.com"),
    ("cn-hangzhou-finance", "dbs-api.cn-hangzhou.aliyuncs.com"),
    ("cn-shanghai-finance-1", "dbs-api.cn-hangzhou.aliyuncs.com"),
    ("cn-shenzhen-finance-1", "dbs-api.cn-hangzhou.aliyuncs.com"),
    ("cn-chengdu", "dbs-api.cn-chengdu.aliyuncs.com"),
    ("cn-huhehaote", "dbs-api.cn-huhehaote.aliyuncs.com"),
    ("ap-southeast-1", "dbs-api.ap-southeast-1.aliyuncs.com"),
    ("ap-southeast-2", "dbs-api.ap-southeast-2.aliyuncs.com"),
    ("ap-southeast-3", "dbs-api.ap-southeast-3.aliyuncs.com"),
    ("ap-southeast-5", "dbs-api.ap-southeast-5.aliyuncs.com"),
    ("ap-northeast-1", "dbs-api.ap-northeast-1.aliyuncs.com"),
    ("ap-south-1", "dbs-api.ap-south-1.aliyuncs.com"),
    ("eu-central-1", "dbs-api.eu-central-1.aliyuncs.com"),
    ("eu-west-1", "dbs-api.eu-west-1.aliyuncs.com"),
    ("me-east-1", "dbs-api.me-east-1.aliyuncs.com"),
];

/// The public endpoint host of a region, if the region is known.
pub fn region_endpoint(region: &str) -> Option<&'static str> {
    REGION_ENDPOINTS
        .iter()
        .find(|(r, _)| *r == region)
        .map(|(_, host)| *host)
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EndpointError {
    #[error("unknown region `{region}`{}; pass --endpoint to call another endpoint",
        .suggestion.as_ref().map(|s| format!(" (did you mean `{s}`?)")).unwrap_or_default())]
    UnknownRegion {
        region: String,
        suggestion: Option<&'static str>,
    },
    #[error("invalid endpoint URL `{url}`: {reason}")]
    InvalidUrl { url: String, reason: &'static str },
}

/// A DBS endpoint: scheme plus `host[:port]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    https: bool,
    authority: String,
}

impl Endpoint {
    /// `https://<endpoint of region>`; unknown regions are an error with a suggestion.
    pub fn for_region(region: &str) -> Result<Self, EndpointError> {
        let region = region.trim().to_ascii_lowercase();
        match region_endpoint(&region) {
            Some(host) => Ok(Endpoint {
                https: true,
                authority: host.to_string(),
            }),
            None => Err(EndpointError::UnknownRegion {
                suggestion: suggest_region(&region),
                region,
            }),
        }
    }

    /// Parses an `--endpoint` value: `https://host[:port]`, a bare `host[:port]` (HTTPS), or
    /// `http://` to a loopback address only. Plain HTTP elsewhere would send an STS token in
    /// the clear, so it is refused.
    pub fn parse(url: &str) -> Result<Self, EndpointError> {
        let invalid = |reason| EndpointError::InvalidUrl {
            url: url.to_string(),
            reason,
        };
        let trimmed = url.trim();
        let (https, rest) = if let Some(rest) = strip_prefix_ignore_case(trimmed, "https://") {
            (true, rest)
        } else if let Some(rest) = strip_prefix_ignore_case(trimmed, "http://") {
            (false, rest)
        } else if trimmed.contains("://") {
            return Err(invalid(
                "the scheme must be https:// (or http:// to a loopback address)",
            ));
        } else {
            (true, trimmed)
        };
        let authority = rest.strip_suffix('/').unwrap_or(rest);
        if authority.is_empty() {
            return Err(invalid("no host"));
        }
        if authority.contains(['/', '?', '#']) {
            return Err(invalid(
                "only scheme, host and port are allowed, no path or query",
            ));
        }
        if authority.contains('@') {
            return Err(invalid("user information is not allowed"));
        }
        if authority
            .chars()
            .any(|c| c.is_whitespace() || c.is_control())
        {
            return Err(invalid("whitespace in the host"));
        }
        let authority = authority.to_ascii_lowercase();
        if !https && !is_loopback(host_of(&authority)) {
            return Err(invalid(
                "plain http:// is only allowed to a loopback address (127.0.0.1, ::1, localhost)",
            ));
        }
        Ok(Endpoint { https, authority })
    }

    /// `https://<host>` for a fixed product endpoint (`sts.aliyuncs.com`).
    pub fn https(host: &str) -> Self {
        Endpoint {
            https: true,
            authority: host.to_ascii_lowercase(),
        }
    }

    /// The ECS metadata service, `http://100.100.100.200`: plain HTTP to a link-local address
    /// by design (it never leaves the host), so it is the one non-loopback `http://` endpoint.
    pub fn metadata_service() -> Self {
        Endpoint {
            https: false,
            authority: "100.100.100.200".to_string(),
        }
    }

    /// The override if given, else the region's endpoint.
    pub fn resolve(region: &str, override_url: Option<&str>) -> Result<Self, EndpointError> {
        match override_url {
            Some(url) => Self::parse(url),
            None => Self::for_region(region),
        }
    }

    /// The `host` header value: `host[:port]` as written.
    pub fn host(&self) -> &str {
        &self.authority
    }

    pub fn is_https(&self) -> bool {
        self.https
    }

    /// `scheme://host[:port]`, no trailing slash.
    pub fn base_url(&self) -> String {
        format!(
            "{}://{}",
            if self.https { "https" } else { "http" },
            self.authority
        )
    }
}

impl fmt::Display for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.base_url())
    }
}

fn strip_prefix_ignore_case<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    let head = s.get(..prefix.len())?;
    if head.eq_ignore_ascii_case(prefix) {
        s.get(prefix.len()..)
    } else {
        None
    }
}

/// The host part of `host[:port]` or `[v6]:port`.
fn host_of(authority: &str) -> &str {
    if let Some(rest) = authority.strip_prefix('[') {
        return rest.split(']').next().unwrap_or(rest);
    }
    authority.split(':').next().unwrap_or(authority)
}

fn is_loopback(host: &str) -> bool {
    host == "localhost"
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

fn suggest_region(region: &str) -> Option<&'static str> {
    REGION_ENDPOINTS
        .iter()
        .map(|(r, _)| (strsim::levenshtein(region, r), *r))
        .filter(|(d, _)| *d <= 3)
        .min()
        .map(|(_, r)| r)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn production_endpoints_are_https() {
        for (region, host) in REGION_ENDPOINTS {
            let e = Endpoint::for_region(region).unwrap();
            assert!(e.is_https());
            assert_eq!(e.base_url(), format!("https://{host}"));
            assert_eq!(e.host(), *host);
        }
        assert_eq!(
            Endpoint::for_region(" CN-Shanghai ").unwrap().base_url(),
            "https://dbs-api.cn-hangzhou.aliyuncs.com"
        );
        assert_eq!(
            Endpoint::for_region("cn-zhangjiakou").unwrap().host(),
            "dbs-api.cn-zhangjiakou.aliyuncs.com"
        );
    }

    #[test]
    fn unknown_region_suggests_a_near_one() {
        let err = Endpoint::for_region("cn-hangzou").unwrap_err();
        assert_eq!(
            err,
            EndpointError::UnknownRegion {
                region: "cn-hangzou".into(),
                suggestion: Some("cn-hangzhou")
            }
        );
        assert!(err.to_string().contains("did you mean `cn-hangzhou`?"));
        let err = Endpoint::for_region("mars-north-7").unwrap_err();
        assert!(!err.to_string().contains("did you mean"), "{err}");
    }

    #[test]
    fn override_urls() {
        let e = Endpoint::parse("http://127.0.0.1:8080").unwrap();
        assert_eq!((e.is_https(), e.host()), (false, "127.0.0.1:8080"));
        assert_eq!(e.base_url(), "http://127.0.0.1:8080");
        assert!(Endpoint::parse("http://[::1]:9/").is_ok());
        assert!(Endpoint::parse("http://localhost:9").is_ok());
        let e = Endpoint::parse("dbs-api-vpc.cn-beijing.aliyuncs.com").unwrap();
        assert_eq!(e.base_url(), "https://dbs-api-vpc.cn-beijing.aliyuncs.com");
        assert_eq!(
            Endpoint::parse("HTTPS://Example.com:8443/")
                .unwrap()
                .base_url(),
            "https://example.com:8443"
        );
        for bad in [
            "http://example.com",
            "ftp://x",
            "https://",
            "https://x/path",
            "https://x?q=1",
            "https://u:p@x",
            "",
        ] {
            assert!(Endpoint::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(
            Endpoint::resolve("cn-hangzhou", Some("http://127.0.0.1:1"))
                .unwrap()
                .host(),
            "127.0.0.1:1"
        );
    }
}
