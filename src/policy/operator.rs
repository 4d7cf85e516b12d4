//! The condition operators of RAM (SEMANTICS.md section 3: its table lists 21).

/// What kind of values an operator compares.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Family {
    String,
    StringIgnoreCase,
    StringLike,
    Numeric,
    Date,
    Bool,
    Ip,
}

impl Family {
    pub fn as_str(self) -> &'static str {
        match self {
            Family::String | Family::StringIgnoreCase | Family::StringLike => "string",
            Family::Numeric => "numeric",
            Family::Date => "date",
            Family::Bool => "boolean",
            Family::Ip => "IP address",
        }
    }
}

/// How an ordered family compares the request value (left) with the policy value (right).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Comparison {
    Equals,
    LessThan,
    LessThanEquals,
    GreaterThan,
    GreaterThanEquals,
}

macro_rules! operators {
    ($($name:ident => $family:ident, $cmp:ident, $negated:literal;)*) => {
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum Operator { $($name),* }

        impl Operator {
            pub const ALL: &'static [Operator] = &[$(Operator::$name),*];

            pub fn name(self) -> &'static str {
                match self { $(Operator::$name => stringify!($name)),* }
            }

            pub fn family(self) -> Family {
                match self { $(Operator::$name => Family::$family),* }
            }

            pub fn comparison(self) -> Comparison {
                match self { $(Operator::$name => Comparison::$cmp),* }
            }

            /// A negated operator holds exactly when its positive twin does not.
            pub fn is_negated(self) -> bool {
                match self { $(Operator::$name => $negated),* }
            }
        }
    };
}

operators! {
    StringEquals => String, Equals, false;
    StringNotEquals => String, Equals, true;
    StringEqualsIgnoreCase => StringIgnoreCase, Equals, false;
    StringNotEqualsIgnoreCase => StringIgnoreCase, Equals, true;
    StringLike => StringLike, Equals, false;
    StringNotLike => StringLike, Equals, true;
    NumericEquals => Numeric, Equals, false;
    NumericNotEquals => Numeric, Equals, true;
    NumericLessThan => Numeric, LessThan, false;
    NumericLessThanEquals => Numeric, LessThanEquals, false;
    NumericGreaterThan => Numeric, GreaterThan, false;
    NumericGreaterThanEquals => Numeric, GreaterThanEquals, false;
    DateEquals => Date, Equals, false;
    DateNotEquals => Date, Equals, true;
    DateLessThan => Date, LessThan, false;
    DateLessThanEquals => Date, LessThanEquals, false;
    DateGreaterThan => Date, GreaterThan, false;
    DateGreaterThanEquals => Date, GreaterThanEquals, false;
    Bool => Bool, Equals, false;
    IpAddress => Ip, Equals, false;
    NotIpAddress => Ip, Equals, true;
}

/// A set qualifier (SEMANTICS.md section 3, rev 2): `ForAnyValue:<op>` / `ForAllValues:<op>`.
/// Undocumented in RAM but accepted (Alibaba's own PowerUserAccess uses it); evaluated as in AWS.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SetOp {
    /// At least one request value satisfies the operator (false when the key is absent).
    ForAnyValue,
    /// Every request value satisfies the operator (true when the key is absent).
    ForAllValues,
}

impl SetOp {
    pub fn prefix(self) -> &'static str {
        match self {
            SetOp::ForAnyValue => "ForAnyValue:",
            SetOp::ForAllValues => "ForAllValues:",
        }
    }

    /// Splits `ForAllValues:StringEquals` into its qualifier and operator (case-sensitive).
    pub fn parse(name: &str) -> Option<(Option<SetOp>, Operator)> {
        for set in [SetOp::ForAnyValue, SetOp::ForAllValues] {
            if let Some(rest) = name.strip_prefix(set.prefix()) {
                return Operator::parse(rest).map(|op| (Some(set), op));
            }
        }
        Operator::parse(name).map(|op| (None, op))
    }
}

/// The operator name as written: `StringEquals` or `ForAllValues:StringEquals`.
pub fn qualified_name(set: Option<SetOp>, op: Operator) -> String {
    match set {
        Some(s) => format!("{}{}", s.prefix(), op.name()),
        None => op.name().to_string(),
    }
}

impl Operator {
    /// Exact, case-sensitive lookup: operator names are case-sensitive in RAM.
    pub fn parse(name: &str) -> Option<Operator> {
        Operator::ALL.iter().copied().find(|o| o.name() == name)
    }

    /// Why an operator that AWS IAM has is not a RAM operator, if it is one of those.
    pub fn aws_only(name: &str) -> Option<&'static str> {
        if name.ends_with("IfExists") {
            Some("`...IfExists` operators exist only in AWS IAM")
        } else if name == "Null" {
            Some("the `Null` operator exists only in AWS IAM")
        } else if name.starts_with("Arn") {
            Some("`Arn*` operators exist only in AWS IAM")
        } else if name.starts_with("Binary") {
            Some("`Binary*` operators exist only in AWS IAM")
        } else {
            None
        }
    }
}

display_as_str!(Family);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nineteen_operators_round_trip() {
        // SEMANTICS.md says "19" but its own table lists 21; all of them are implemented.
        assert_eq!(Operator::ALL.len(), 21);
        for op in Operator::ALL {
            assert_eq!(Operator::parse(op.name()), Some(*op));
        }
        assert_eq!(Operator::parse("stringequals"), None);
        assert!(Operator::aws_only("StringEqualsIfExists").is_some());
        assert!(Operator::aws_only("StringEquals").is_none());
        assert_eq!(
            SetOp::parse("ForAllValues:StringEquals"),
            Some((Some(SetOp::ForAllValues), Operator::StringEquals))
        );
        assert_eq!(SetOp::parse("Bool"), Some((None, Operator::Bool)));
        assert_eq!(SetOp::parse("ForAllValues:Nope"), None);
        assert_eq!(
            qualified_name(Some(SetOp::ForAnyValue), Operator::StringLike),
            "ForAnyValue:StringLike"
        );
    }
}
