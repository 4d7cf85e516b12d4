//! Kleene three-valued logic, with the unknowns each value depends on.

use serde::Serialize;

/// True, false, or unknown (depends on a value the request does not know).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Tri {
    False,
    Unknown,
    True,
}

impl Tri {
    pub fn from_bool(b: bool) -> Tri {
        if b {
            Tri::True
        } else {
            Tri::False
        }
    }

    pub fn negate(self) -> Tri {
        match self {
            Tri::False => Tri::True,
            Tri::Unknown => Tri::Unknown,
            Tri::True => Tri::False,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Tri::False => "false",
            Tri::Unknown => "unknown",
            Tri::True => "true",
        }
    }
}

/// A three-valued result and the set of unknowns (bits of the request's unknown-name table)
/// that made it unknown. `deps` is empty whenever `value` is definite: a definite value does not
/// depend on anything, which is what lets `depends_on` name only the keys that matter.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Truth {
    pub value: Tri,
    pub deps: u64,
}

impl Truth {
    pub const TRUE: Truth = Truth {
        value: Tri::True,
        deps: 0,
    };
    pub const FALSE: Truth = Truth {
        value: Tri::False,
        deps: 0,
    };

    pub fn known(b: bool) -> Truth {
        if b {
            Truth::TRUE
        } else {
            Truth::FALSE
        }
    }

    pub fn unknown(deps: u64) -> Truth {
        Truth {
            value: Tri::Unknown,
            deps,
        }
    }

    pub fn negate(self) -> Truth {
        Truth {
            value: self.value.negate(),
            deps: self.deps,
        }
    }

    /// Kleene AND: false wins, then unknown (collecting what it depends on), then true.
    pub fn and(self, other: Truth) -> Truth {
        match (self.value, other.value) {
            (Tri::False, _) | (_, Tri::False) => Truth::FALSE,
            (Tri::True, Tri::True) => Truth::TRUE,
            _ => Truth::unknown(self.deps | other.deps),
        }
    }

    /// Kleene OR: true wins, then unknown, then false.
    pub fn or(self, other: Truth) -> Truth {
        match (self.value, other.value) {
            (Tri::True, _) | (_, Tri::True) => Truth::TRUE,
            (Tri::False, Tri::False) => Truth::FALSE,
            _ => Truth::unknown(self.deps | other.deps),
        }
    }
}

display_as_str!(Tri);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kleene_tables() {
        let u = Truth::unknown(1);
        let v = Truth::unknown(2);
        assert_eq!(Truth::FALSE.and(u), Truth::FALSE);
        assert_eq!(Truth::TRUE.and(u), u);
        assert_eq!(u.and(v), Truth::unknown(3));
        assert_eq!(Truth::TRUE.or(u), Truth::TRUE);
        assert_eq!(Truth::FALSE.or(u), u);
        assert_eq!(u.or(v), Truth::unknown(3));
        assert_eq!(u.negate(), u);
        assert_eq!(Truth::TRUE.negate(), Truth::FALSE);
    }
}
