//! Typed condition values: decimal numbers, instants, booleans, IP addresses and CIDR blocks.
//!
//! The linter uses these parsers to reject malformed policy values; the evaluator uses the same
//! ones for policy and request values, so both always agree on what a value means.

use std::cmp::Ordering;
use std::net::IpAddr;

use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

/// An exact decimal number (no floating-point rounding: `0.1` equals `0.10`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Decimal {
    negative: bool,
    /// Integer digits without leading zeros.
    int: String,
    /// Fraction digits without trailing zeros.
    frac: String,
}

impl Decimal {
    /// `[+-]?digits[.digits]` or `[+-]?.digits`/`digits.`; no exponent, no spaces.
    pub fn parse(s: &str) -> Option<Decimal> {
        let (negative, rest) = match s.as_bytes().first() {
            Some(b'-') => (true, s.get(1..)?),
            Some(b'+') => (false, s.get(1..)?),
            _ => (false, s),
        };
        let (int, frac) = rest.split_once('.').unwrap_or((rest, ""));
        if int.is_empty() && frac.is_empty()
            || !int.bytes().all(|b| b.is_ascii_digit())
            || !frac.bytes().all(|b| b.is_ascii_digit())
        {
            return None;
        }
        let int = int.trim_start_matches('0').to_string();
        let frac = frac.trim_end_matches('0').to_string();
        let zero = int.is_empty() && frac.is_empty();
        Some(Decimal {
            negative: negative && !zero,
            int,
            frac,
        })
    }

    fn cmp_magnitude(&self, other: &Decimal) -> Ordering {
        self.int
            .len()
            .cmp(&other.int.len())
            .then_with(|| self.int.cmp(&other.int))
            .then_with(|| self.frac.cmp(&other.frac))
    }
}

impl Ord for Decimal {
    fn cmp(&self, other: &Self) -> Ordering {
        match (self.negative, other.negative) {
            (false, true) => Ordering::Greater,
            (true, false) => Ordering::Less,
            (false, false) => self.cmp_magnitude(other),
            (true, true) => other.cmp_magnitude(self),
        }
    }
}

impl PartialOrd for Decimal {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// An RFC 3339 timestamp with `Z` or an offset, as nanoseconds since the Unix epoch.
pub fn parse_instant(s: &str) -> Option<i128> {
    OffsetDateTime::parse(s, &Rfc3339)
        .ok()
        .map(OffsetDateTime::unix_timestamp_nanos)
}

/// Why a date value is not acceptable, for the lint message.
pub fn date_problem(s: &str) -> Option<&'static str> {
    if parse_instant(s).is_some() {
        return None;
    }
    let has_time = s.contains('T') || s.contains('t');
    Some(if !has_time {
        "a date needs a time and a zone, e.g. `2026-01-01T00:00:00Z`"
    } else if !(s.ends_with('Z') || s.ends_with('z') || s.rfind(['+', '-']).is_some_and(|i| i > 10))
    {
        "the timestamp has no zone: end it with `Z` or an offset such as `+08:00`"
    } else {
        "not a valid ISO 8601 timestamp (impossible date or time?)"
    })
}

/// `true`/`false` in any case.
pub fn parse_bool(s: &str) -> Option<bool> {
    if s.eq_ignore_ascii_case("true") {
        Some(true)
    } else if s.eq_ignore_ascii_case("false") {
        Some(false)
    } else {
        None
    }
}

/// An address or a CIDR block (`192.0.2.0/24`, `2001:db8::/32`, `192.0.2.7`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IpNet {
    pub addr: IpAddr,
    pub prefix: u8,
}

impl IpNet {
    pub fn parse(s: &str) -> Option<IpNet> {
        let (addr, prefix) = match s.split_once('/') {
            Some((a, p)) => (a, Some(p)),
            None => (s, None),
        };
        let addr: IpAddr = addr.parse().ok()?;
        let max = if addr.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            None => max,
            Some(p) if !p.is_empty() && p.len() <= 3 && p.bytes().all(|b| b.is_ascii_digit()) => {
                p.parse::<u8>().ok().filter(|&n| n <= max)?
            }
            Some(_) => return None,
        };
        Some(IpNet { addr, prefix })
    }

    pub fn contains(&self, ip: IpAddr) -> bool {
        match (self.addr, ip) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => mask_eq(
                u128::from(u32::from(net)),
                u128::from(u32::from(ip)),
                32,
                self.prefix,
            ),
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                mask_eq(u128::from(net), u128::from(ip), 128, self.prefix)
            }
            _ => false,
        }
    }

    /// The block admits every address of its family (`0.0.0.0/0`, `::/0`).
    pub fn is_everything(&self) -> bool {
        self.prefix == 0
    }
}

fn mask_eq(a: u128, b: u128, bits: u32, prefix: u8) -> bool {
    let shift = bits - u32::from(prefix);
    if shift >= 128 {
        return true;
    }
    (a >> shift) == (b >> shift)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_compare_exactly() {
        let d = |s| Decimal::parse(s).unwrap_or_else(|| panic!("{s}"));
        assert_eq!(d("0.1"), d("0.10"));
        assert_eq!(d("-0"), d("0"));
        assert!(d("10") > d("9.999"));
        assert!(d("-10") < d("-9"));
        assert!(d("+3") == d("3.0"));
        assert!(d("123456789012345678901") > d("123456789012345678900"));
        for bad in ["", "-", "1e3", "1.2.3", " 1", "abc", "."] {
            assert_eq!(Decimal::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn instants_need_a_zone() {
        assert!(parse_instant("2026-01-01T00:00:00Z").is_some());
        assert_eq!(
            parse_instant("2019-08-12T17:00:00+08:00"),
            parse_instant("2019-08-12T09:00:00Z")
        );
        assert!(parse_instant("2026-01-01").is_none());
        assert!(parse_instant("2026-02-30T00:00:00Z").is_none());
        assert!(date_problem("2026-01-01").is_some());
        assert!(date_problem("2026-01-01T00:00:00").is_some());
    }

    #[test]
    fn cidr_contains() {
        let n = IpNet::parse("192.0.2.0/24").unwrap_or_else(|| panic!());
        assert!(n.contains("192.0.2.200".parse().unwrap_or_else(|_| panic!())));
        assert!(!n.contains("192.0.3.1".parse().unwrap_or_else(|_| panic!())));
        assert!(IpNet::parse("0.0.0.0/0").is_some_and(|n| n.is_everything()));
        let v6 = IpNet::parse("2001:db8::/32").unwrap_or_else(|| panic!());
        assert!(v6.contains("2001:db8:1::1".parse().unwrap_or_else(|_| panic!())));
        for bad in [
            "192.0.2.0/33",
            "300.1.1.1",
            "1.2.3.4/",
            "1.2.3.4/x",
            "::/129",
        ] {
            assert_eq!(IpNet::parse(bad), None, "{bad}");
        }
    }
}
