//! The global condition keys (`acs:*`) of SEMANTICS.md section 3. DBS defines no
//! service-specific keys, so for DBS policies this table is the whole vocabulary.
//!
//! Key names are case-insensitive in RAM (`acs:SourceIP` = `acs:SourceIp`), so every lookup
//! here ignores ASCII case and [`canonical_spelling`] gives the form the linter recommends.

use std::fmt;

use super::suggest::did_you_mean;

/// The value type of a condition key; it decides which operator family fits.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum KeyType {
    String,
    Date,
    Bool,
    Ip,
    /// No global key is numeric; present for service keys.
    Number,
}

impl KeyType {
    pub fn as_str(self) -> &'static str {
        match self {
            KeyType::String => "String",
            KeyType::Date => "Date",
            KeyType::Bool => "Bool",
            KeyType::Ip => "IP",
            KeyType::Number => "Number",
        }
    }
}

impl fmt::Display for KeyType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One global condition key.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct GlobalKey {
    /// Canonical spelling. For prefix keys the documented form with a placeholder,
    /// `acs:ResourceTag/<tag-key>`.
    pub name: &'static str,
    pub ty: KeyType,
    /// A request may carry several values (`acs:TagKeys`).
    pub multi_valued: bool,
    /// The key is a family `<stem><suffix>` with a user-chosen, non-empty suffix.
    pub prefix: bool,
    pub description: &'static str,
}

impl GlobalKey {
    /// What a key must start with: the name up to the `<` placeholder for prefix keys
    /// (`acs:ResourceTag/`), the whole name otherwise.
    pub fn stem(&self) -> &'static str {
        if !self.prefix {
            return self.name;
        }
        // A byte scan: every condition key of every document is matched against each entry.
        match self.name.bytes().position(|b| b == b'<') {
            Some(at) => self.name.get(..at).unwrap_or(self.name),
            None => self.name,
        }
    }

    /// `key` is this key (ASCII case ignored); for a prefix key, any non-empty suffix.
    pub fn matches(&self, key: &str) -> bool {
        if !self.prefix {
            return key.eq_ignore_ascii_case(self.name);
        }
        let stem = self.stem();
        key.len() > stem.len()
            && key
                .get(..stem.len())
                .is_some_and(|head| head.eq_ignore_ascii_case(stem))
    }
}

const fn key(
    name: &'static str,
    ty: KeyType,
    multi_valued: bool,
    prefix: bool,
    description: &'static str,
) -> GlobalKey {
    GlobalKey {
        name,
        ty,
        multi_valued,
        prefix,
        description,
    }
}

static GLOBAL_KEYS: &[GlobalKey] = &[
    key(
        "acs:CurrentTime",
        KeyType::Date,
        false,
        false,
        "time the request is received",
    ),
    key(
        "acs:SecureTransport",
        KeyType::Bool,
        false,
        false,
        "the request came over HTTPS",
    ),
    key(
        "acs:SourceIp",
        KeyType::Ip,
        false,
        false,
        "the caller's public IP address",
    ),
    key(
        "acs:MFAPresent",
        KeyType::Bool,
        false,
        false,
        "MFA was used at logon",
    ),
    key(
        "acs:SourceVpc",
        KeyType::String,
        false,
        false,
        "VPC ID the request came from (absent for Internet requests)",
    ),
    key(
        "acs:SourceVpcIp",
        KeyType::Ip,
        false,
        false,
        "private IP inside the source VPC",
    ),
    key(
        "acs:AccessId",
        KeyType::String,
        false,
        false,
        "AccessKey ID of the request (`STS.` prefix for STS tokens)",
    ),
    key(
        "acs:UserAgent",
        KeyType::String,
        false,
        false,
        "HTTP User-Agent",
    ),
    key(
        "acs:PrincipalARN",
        KeyType::String,
        false,
        false,
        "ARN of the calling principal",
    ),
    key(
        "acs:ResourceTag/<tag-key>",
        KeyType::String,
        false,
        true,
        "tag on the target resource",
    ),
    key(
        "acs:RequestTag/<tag-key>",
        KeyType::String,
        false,
        true,
        "tag carried by the request",
    ),
    key(
        "acs:TagKeys",
        KeyType::String,
        true,
        false,
        "tag keys carried by the request",
    ),
    key(
        "acs:PrincipalRdId",
        KeyType::String,
        false,
        false,
        "Resource Directory ID of the caller's account",
    ),
    key(
        "acs:PrincipalRdPath",
        KeyType::String,
        false,
        false,
        "Resource Directory path of the caller's account",
    ),
    // Revision 2: keys of Alibaba's system policies and documentation.
    key(
        "acs:Service",
        KeyType::String,
        false,
        false,
        "the service a role is passed to (`ram:PassRole`)",
    ),
    key(
        "acs:PrincipalType",
        KeyType::String,
        false,
        false,
        "type of the calling principal",
    ),
    key(
        "acs:PrincipalAccount",
        KeyType::String,
        false,
        false,
        "account ID of the calling principal",
    ),
    key(
        "acs:RequestedRegion",
        KeyType::String,
        false,
        false,
        "region the request is sent to",
    ),
    key(
        "acs:ResourceGroupId",
        KeyType::String,
        false,
        false,
        "resource group of the target resource",
    ),
];

/// Every global key, in the order of SEMANTICS.md.
pub fn globals() -> &'static [GlobalKey] {
    GLOBAL_KEYS
}

/// The global key `key` is, ignoring ASCII case; `acs:ResourceTag/env` finds the
/// `acs:ResourceTag/<tag-key>` entry. A prefix key without suffix (`acs:ResourceTag/`) is not
/// a key.
pub fn global(key: &str) -> Option<&'static GlobalKey> {
    GLOBAL_KEYS.iter().find(|k| k.matches(key))
}

/// `key` in its canonical case, for a known key: `acs:sourceip` -> `acs:SourceIp`. The suffix
/// of a prefix key is the user's tag key and is kept as written (`acs:resourcetag/Env` ->
/// `acs:ResourceTag/Env`), as tag keys are case-sensitive.
pub fn canonical_spelling(key: &str) -> Option<String> {
    let known = global(key)?;
    if !known.prefix {
        return Some(known.name.to_owned());
    }
    let stem = known.stem();
    key.get(stem.len()..)
        .map(|suffix| format!("{stem}{suffix}"))
}

/// A did-you-mean for a key that is not a global key (`None` for known keys; use
/// [`canonical_spelling`] for case fixes). Meant for `acs:` keys, but a missing or misspelt
/// `acs:` is also repaired (`SourceIp`, `aws:SourceIp` -> `acs:SourceIp`).
///
/// For the prefix families the part before the first `/` is matched against the stems and
/// the user's tag key is kept: `acs:ResourceTags/env` -> `acs:ResourceTag/env`. Without a tag
/// key the placeholder is suggested: `acs:ResourceTag` -> `acs:ResourceTag/<tag-key>`.
pub fn suggest_global(key: &str) -> Option<String> {
    if global(key).is_some() {
        return None;
    }
    let stems = || {
        GLOBAL_KEYS
            .iter()
            .filter(|k| k.prefix)
            .map(|k| k.stem().trim_end_matches('/'))
    };
    let placeholder = |stem: &str| {
        GLOBAL_KEYS
            .iter()
            .find(|k| k.prefix && k.stem().trim_end_matches('/') == stem)
            .map(|k| k.name.to_owned())
    };
    if let Some((head, tail)) = key.split_once('/') {
        if let Some(stem) = did_you_mean(&with_acs(head), stems()) {
            return if tail.is_empty() {
                placeholder(stem)
            } else {
                Some(format!("{stem}/{tail}"))
            };
        }
    }
    let plain = GLOBAL_KEYS.iter().filter(|k| !k.prefix).map(|k| k.name);
    let found = did_you_mean(&with_acs(key), plain.chain(stems()))?;
    placeholder(found).or_else(|| Some(found.to_owned()))
}

/// Adds the `acs:` a user left out (`SourceIp`); keys with any `service:` prefix are kept.
fn with_acs(key: &str) -> String {
    if key.contains(':') {
        key.to_owned()
    } else {
        format!("acs:{key}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table() {
        assert_eq!(
            globals().len(),
            19,
            "SEMANTICS.md section 3, rev 2: 14 keys and 5 added"
        );
        for k in globals() {
            assert!(k.name.starts_with("acs:"), "{}", k.name);
            assert!(!k.description.is_empty());
            // Each canonical name finds itself (the prefix ones through a sample tag).
            let probe = if k.prefix {
                format!("{}env", k.stem())
            } else {
                k.name.to_owned()
            };
            assert_eq!(global(&probe), Some(k));
        }
        assert_eq!(globals().iter().filter(|k| k.multi_valued).count(), 1);
        assert_eq!(globals().iter().filter(|k| k.prefix).count(), 2);
    }

    #[test]
    fn lookups() {
        let ip = global("acs:SourceIp").unwrap();
        assert_eq!(ip.ty, KeyType::Ip);
        assert!(!ip.multi_valued && !ip.prefix);
        assert_eq!(global("acs:sourceip"), Some(ip));
        assert_eq!(global("ACS:SOURCEIP"), Some(ip));
        assert_eq!(global("acs:SourceIP"), Some(ip));
        assert_eq!(global("acs:CurrentTime").map(|k| k.ty), Some(KeyType::Date));
        assert_eq!(
            global("acs:securetransport").map(|k| k.ty),
            Some(KeyType::Bool)
        );
        assert_eq!(global("acs:MFAPresent").map(|k| k.ty), Some(KeyType::Bool));
        assert_eq!(global("acs:SourceVpcIp").map(|k| k.ty), Some(KeyType::Ip));
        assert_eq!(
            global("acs:PrincipalRdPath").map(|k| k.ty),
            Some(KeyType::String)
        );
        assert!(global("acs:TagKeys").unwrap().multi_valued);
        assert_eq!(global("acs:SourceIps"), None);
        assert_eq!(global("dbs:SourceIp"), None);
        assert_eq!(global(""), None);
    }

    #[test]
    fn prefix_keys() {
        let tag = global("acs:ResourceTag/env").unwrap();
        assert_eq!(tag.name, "acs:ResourceTag/<tag-key>");
        assert_eq!(tag.stem(), "acs:ResourceTag/");
        assert!(tag.prefix && tag.ty == KeyType::String);
        assert_eq!(global("acs:resourcetag/Team/x"), Some(tag));
        assert_eq!(global("acs:ResourceTag/<tag-key>"), Some(tag));
        assert_eq!(global("acs:ResourceTag/"), None);
        assert_eq!(global("acs:ResourceTag"), None);
        assert_eq!(global("acs:ResourceTagenv"), None);
        let req = global("ACS:REQUESTTAG/owner").unwrap();
        assert_eq!(req.name, "acs:RequestTag/<tag-key>");
        // Multi-byte text at the stem boundary must not panic.
        assert_eq!(global("acs:ResourceTa\u{20ac}/x"), None);
        assert_eq!(canonical_spelling("acs:ResourceTa\u{20ac}/x"), None);
    }

    #[test]
    fn canonical() {
        assert_eq!(
            canonical_spelling("acs:sourceip").as_deref(),
            Some("acs:SourceIp")
        );
        assert_eq!(
            canonical_spelling("acs:SourceIp").as_deref(),
            Some("acs:SourceIp")
        );
        assert_eq!(
            canonical_spelling("acs:principalarn").as_deref(),
            Some("acs:PrincipalARN")
        );
        assert_eq!(
            canonical_spelling("acs:resourcetag/Env").as_deref(),
            Some("acs:ResourceTag/Env")
        );
        assert_eq!(canonical_spelling("acs:Nope"), None);
    }

    #[test]
    fn suggestions() {
        let s = |k: &str| suggest_global(k);
        assert_eq!(s("acs:SourceIp"), None);
        assert_eq!(s("acs:sourceip"), None);
        assert_eq!(s("acs:SourceIpAddress"), None);
        assert_eq!(s("acs:SorceIp").as_deref(), Some("acs:SourceIp"));
        assert_eq!(
            s("acs:SecureTransprot").as_deref(),
            Some("acs:SecureTransport")
        );
        assert_eq!(s("acs:MfaPresnt").as_deref(), Some("acs:MFAPresent"));
        assert_eq!(s("acs:TagKey").as_deref(), Some("acs:TagKeys"));
        assert_eq!(s("acs:CurrentDate").as_deref(), Some("acs:CurrentTime"));
        assert_eq!(s("aws:SourceIp").as_deref(), Some("acs:SourceIp"));
        assert_eq!(s("SourceIp").as_deref(), Some("acs:SourceIp"));
        assert_eq!(
            s("acs:ResourceTags/env").as_deref(),
            Some("acs:ResourceTag/env")
        );
        assert_eq!(
            s("acs:resourcetags/Env").as_deref(),
            Some("acs:ResourceTag/Env")
        );
        assert_eq!(
            s("acs:RequstTag/owner").as_deref(),
            Some("acs:RequestTag/owner")
        );
        assert_eq!(
            s("acs:ResourceTag").as_deref(),
            Some("acs:ResourceTag/<tag-key>")
        );
        assert_eq!(
            s("acs:ResourceTag/").as_deref(),
            Some("acs:ResourceTag/<tag-key>")
        );
        assert_eq!(
            s("acs:ResourceTags").as_deref(),
            Some("acs:ResourceTag/<tag-key>")
        );
        assert_eq!(s("acs:xyz"), None);
        assert_eq!(s("acs:Region"), None);
        assert_eq!(s(""), None);
    }
}
